"""Benchmark ``mlmodel`` validation against its peers, side by side in one run.

Run from anywhere with the dev venv's interpreter::

    python bench/bench_validate.py [--runs 15] [--passes 7] [--baseline REV] [--cold-only]

Two things are measured, and every figure is compared only with figures taken in the same run,
so the ratios hold on any machine:

1. **Cold start** (what a pre-commit hook pays per call). Wall time of one fresh process, the
   median of ``--runs`` runs after 2 warm-up runs, the commands interleaved round by round:

   * ``mlmodel validate examples/sklearn-3x`` (the console script beside ``sys.executable``);
   * ``check-jsonschema --schemafile <schema> --default-filetype yaml
     examples/sklearn-3x/MLmodel``, the peer a pre-commit user would otherwise run, with a
     small schema (an object with a ``flavors`` object). ``--default-filetype yaml`` is needed:
     the file has no extension and check-jsonschema would otherwise parse it as JSON and fail;
   * ``python -c pass`` with the same interpreter, the floor for any Python tool.

   * with ``--baseline REV``, ``mlmodel validate`` of that revision too (its ``mlmodel``
     package extracted with ``git archive`` into the temporary folder), so a change's effect on
     cold start is measured side by side with the code before it, in the same run.

   Every timed process gets a bytecode cache under the temporary folder
   (``PYTHONPYCACHEPREFIX``; ``PYTHONDONTWRITEBYTECODE`` is dropped), as an installed package
   has one: without it a source checkout recompiles every module on every run, which is not
   what a user pays. ``PYTHONPATH`` is the repository (or the baseline's folder), so the code
   measured is the code beside this script, not whatever is installed.
   Before timing, every command must accept the example, and both validators must reject a
   file without ``flavors`` (so the peer really validates the YAML).
   Each command's CPU time (user + system, from the operating system's accounting of the
   child) is measured too: a busy machine stretches wall time but hardly CPU time, so the CPU
   ratio is the steadier figure when the load average printed beside it is high.
   Targets: mlmodel / check-jsonschema <= 0.6 (goal 0.4), on wall time; mlmodel / python
   startup is printed for information. A last line states the result in one sentence.

2. **In-process throughput** over the public corpus ``../shared/corpus/github/*.MLmodel``
   (relative to the repository root; skipped with a message when the folder is missing), on the
   files that MLflow can load (those where ``Model.load`` raises are skipped for both sides):

   * ``mlmodel.checking.validate.validate_bytes(data, check_files=False)``, the bytes read beforehand;
   * ``mlflow.models.Model.load(path)``, MLflow's own reader (PyYAML ``safe_load`` plus
     ``Model.from_dict``). ``Model.load`` only accepts a file named ``MLmodel``, so each corpus
     file is copied to ``<tmp>/<stem>/MLmodel`` first; its time includes opening that file
     (from the page cache);
   * ``validate_bytes(..., roundtrip=True)`` (ruamel.yaml), for information.

   Each is the median of ``--passes`` passes over all files after one warm-up pass, the passes
   interleaved. Target: MLflow time / mlmodel time >= 2.

Only the standard library, mlflow and mlmodel are used. ``Model.load`` imports pandas (through
``mlflow.models.signature``), which ``mlflow-skinny`` does not install: without pandas part 2 is
skipped with a message.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = Path("examples") / "sklearn-3x"
CORPUS = REPO.parent / "shared" / "corpus" / "github"
BIN = Path(sys.executable).parent
WARMUPS = 2

MIN_FLAVORS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["flavors"],
    "properties": {"flavors": {"type": "object"}},
}
NO_FLAVORS_MLMODEL = "artifact_path: model\nutc_time_created: '2024-01-01 00:00:00'\n"


@dataclass(frozen=True, slots=True)
class Command:
    """One command timed as a fresh process."""

    label: str
    argv: list[str]
    rejects: list[str] | None = None  # the same tool on a file it must reject
    env: dict[str, str] | None = None


def _environment(scratch: Path, pythonpath: Path) -> dict[str, str]:
    """The environment of a timed process: a bytecode cache under ``scratch`` and
    ``pythonpath`` first on the module path."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    env["PYTHONPATH"] = str(pythonpath)
    return env


def _run(argv: Sequence[str], env: dict[str, str] | None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, cwd=REPO, capture_output=True, check=False, env=env)


@dataclass(frozen=True, slots=True)
class Timing:
    """The medians of one command's runs, in seconds (``cpu`` None where the platform has no
    child CPU accounting), and the range of its wall times."""

    wall: float
    cpu: float | None
    fastest: float
    slowest: float


def _children_cpu() -> float | None:
    """User + system CPU seconds of the waited-for children so far (None on Windows)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed_run(argv: Sequence[str], env: dict[str, str] | None) -> tuple[float, float | None]:
    """Wall time and CPU time of one run of ``argv`` (the only child running)."""
    cpu_before = _children_cpu()
    start = time.perf_counter()
    subprocess.run(
        argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env
    )
    wall = time.perf_counter() - start
    cpu_after = _children_cpu()
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return wall, cpu


def _load() -> str:
    """The 1-minute load average and the CPU count, as a note on how quiet the machine is."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - not POSIX
        return "load average unknown"
    cpus = os.cpu_count() or 1
    verdict = "quiet" if load < 0.5 * cpus else "busy: wall times are stretched, see the CPU ratio"
    return f"load average {load:.2f} on {cpus} CPUs ({verdict})"


def _usable(command: Command) -> str | None:
    """None if the command accepts the example (and rejects the bad file), else why not."""
    if not Path(command.argv[0]).exists():
        return f"{command.argv[0]} not found"
    ok = _run(command.argv, command.env)
    if ok.returncode != 0:
        tail = (ok.stderr or ok.stdout).decode(errors="replace").strip().splitlines()[-3:]
        return f"exit {ok.returncode} on the example: " + " | ".join(tail)
    if command.rejects is not None and _run(command.rejects, command.env).returncode == 0:
        return "accepts a file without flavors: it does not validate the YAML"
    return None


def _extract_baseline(revision: str, scratch: Path) -> Path | None:
    """``revision``'s mlmodel package extracted under ``scratch`` (git reads the repository
    and writes the archive to a pipe; nothing is written outside ``scratch``)."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", revision, "mlmodel"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        print(f"  skipped baseline {revision}: {archive.stderr.decode(errors='replace').strip()}")
        return None
    target = scratch / "baseline"
    target.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


def _median_times(commands: list[Command], runs: int) -> dict[str, Timing]:
    """Median wall and CPU time per command; rounds interleave the commands to share any
    drift."""
    walls: dict[str, list[float]] = {c.label: [] for c in commands}
    cpus: dict[str, list[float]] = {c.label: [] for c in commands}
    for round_no in range(WARMUPS + runs):
        for command in commands:
            wall, cpu = _timed_run(command.argv, command.env)
            if round_no >= WARMUPS:
                walls[command.label].append(wall)
                if cpu is not None:
                    cpus[command.label].append(cpu)
    return {
        label: Timing(
            wall=statistics.median(times),
            cpu=statistics.median(cpus[label]) if cpus[label] else None,
            fastest=min(times),
            slowest=max(times),
        )
        for label, times in walls.items()
    }


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _row(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<48} {value:>13}  {note}".rstrip())


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.1f} ms"


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return None if ours is None or theirs is None or theirs <= 0 else ours / theirs


def bench_cold_start(runs: int, scratch: Path, baseline: str | None = None) -> bool:
    """Part 1. Returns False if the peer could not be shown to validate."""
    example_file = str(EXAMPLE_DIR / "MLmodel")
    schema = scratch / "mlmodel-min.schema.json"
    schema.write_text(json.dumps(MIN_FLAVORS_SCHEMA), encoding="utf-8")
    bad_dir = scratch / "no-flavors"
    bad_dir.mkdir()
    bad_file = bad_dir / "MLmodel"
    bad_file.write_text(NO_FLAVORS_MLMODEL, encoding="utf-8")

    mlmodel_bin = str(BIN / "mlmodel")
    peer = [str(BIN / "check-jsonschema"), "--schemafile", str(schema)]
    peer += ["--default-filetype", "yaml"]
    env = _environment(scratch, REPO)
    mlmodel = Command(
        "mlmodel validate",
        [mlmodel_bin, "validate", str(EXAMPLE_DIR)],
        rejects=[mlmodel_bin, "validate", str(bad_dir)],
        env=env,
    )
    cjs = Command(
        "check-jsonschema (peer)", [*peer, example_file], rejects=[*peer, str(bad_file)], env=env
    )
    python = Command("python -c pass (startup)", [sys.executable, "-c", "pass"], env=env)
    candidates = [mlmodel, cjs, python]
    before: Command | None = None
    if baseline is not None:
        folder = _extract_baseline(baseline, scratch)
        if folder is not None:
            before = Command(
                f"mlmodel validate at {baseline} (baseline)",
                mlmodel.argv,
                rejects=mlmodel.rejects,
                env=_environment(scratch, folder),
            )
            candidates.insert(1, before)

    print(
        f"Cold start: wall and CPU time of one fresh process, median of {runs} runs "
        f"after {WARMUPS} warm-ups, the commands interleaved (bytecode cached, as installed)"
    )
    commands: list[Command] = []
    peer_ok = True
    for command in candidates:
        problem = _usable(command)
        if problem is None:
            commands.append(command)
            where = (command.env or {}).get("PYTHONPATH", "")
            print(f"  $ {shlex.join(command.argv)}" + (f"  (PYTHONPATH={where})" if where else ""))
        else:
            print(f"  skipped {command.label}: {problem}")
            if command is cjs:
                peer_ok = False
    if not commands:
        return peer_ok

    print(f"  before: {_load()}")
    medians = _median_times(commands, runs)
    print(f"  after:  {_load()}")
    print(f"  {'':<48} {'wall':>13}  {'cpu':>9}   wall fastest..slowest")
    for label, timing in medians.items():
        spread = f"{timing.fastest * 1e3:.1f}..{timing.slowest * 1e3:.1f} ms"
        print(f"  {label:<48} {_ms(timing.wall):>13}  {_ms(timing.cpu):>9}   {spread}")
    ours = medians.get(mlmodel.label)
    theirs = medians.get(cjs.label)
    floor = medians.get(python.label)
    old = medians.get(before.label) if before is not None else None

    def ratios(a: Timing | None, b: Timing | None) -> tuple[float | None, float | None]:
        if a is None or b is None:
            return None, None
        return _ratio(a.wall, b.wall), _ratio(a.cpu, b.cpu)

    def show(label: str, pair: tuple[float | None, float | None], note: str) -> None:
        wall, cpu = pair
        if wall is not None:
            cpu_text = f"{cpu:.2f}" if cpu is not None else "-"
            print(f"  {label:<48} {wall:>13.2f}  {cpu_text:>9}   {note}".rstrip())

    ratio, cpu_ratio = ratios(ours, theirs)
    if ratio is not None:
        note = f"target <= 0.6 {_verdict(ratio <= 0.6)}, goal <= 0.4 {_verdict(ratio <= 0.4)}"
        show("ratio mlmodel / check-jsonschema", (ratio, cpu_ratio), note)
    show(f"ratio baseline {baseline} / check-jsonschema", ratios(old, theirs), "(before)")
    show(f"ratio mlmodel / baseline {baseline}", ratios(ours, old), "(information)")
    show("ratio mlmodel / python startup", ratios(ours, floor), "(information)")
    if ours is not None and theirs is not None and ratio is not None:
        startup = f"; python itself starts in {_ms(floor.wall)}" if floor is not None else ""
        cpu_note = f", {cpu_ratio:.3f}x in CPU time" if cpu_ratio is not None else ""
        print(
            f"  => a cold `mlmodel validate` takes {_ms(ours.wall)} against check-jsonschema's "
            f"{_ms(theirs.wall)}: {ratio:.3f}x (median wall time{cpu_note}; target 0.6 "
            f"{_verdict(ratio <= 0.6)}, goal 0.4 {_verdict(ratio <= 0.4)}){startup}"
        )
    return peer_ok


def _median_ms_per_file(
    jobs: dict[str, Callable[[], None]], passes: int, files: int
) -> dict[str, float]:
    """Median over passes (after one warm-up pass) of each job's time, in ms per file."""
    samples: dict[str, list[float]] = {name: [] for name in jobs}
    for pass_no in range(1 + passes):
        for name, job in jobs.items():
            start = time.perf_counter()
            job()
            elapsed = time.perf_counter() - start
            if pass_no:
                samples[name].append(elapsed)
    return {name: statistics.median(t) * 1e3 / files for name, t in samples.items()}


def bench_corpus(passes: int, scratch: Path) -> None:
    """Part 2: in-process throughput over the corpus, mlmodel vs MLflow."""
    print()
    sources = sorted(CORPUS.glob("*.MLmodel"))
    if not sources:
        print(f"In-process throughput: skipped, no corpus at {CORPUS}")
        return

    try:
        # Model.load needs the signature module, which imports pandas; mlflow-skinny does
        # not install pandas, so a missing pandas would otherwise look like 268 bad files.
        import mlflow.models.signature  # noqa: F401
        from mlflow.models import Model
    except ImportError as exc:
        print(f"In-process throughput: skipped, MLflow's reader cannot be imported: {exc}")
        return

    from mlmodel.checking.validate import validate_bytes

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")  # MLflow warns about some corpus files; not timed noise

    loadable: list[tuple[bytes, str]] = []
    skipped: list[str] = []
    for source in sources:
        staged = scratch / "corpus" / source.stem / "MLmodel"
        staged.parent.mkdir(parents=True)
        shutil.copyfile(source, staged)
        try:
            Model.load(str(staged))
        except ImportError:
            raise  # a broken MLflow install, not a bad file
        except Exception:  # noqa: BLE001 - MLflow cannot load it: leave it out of both sides
            skipped.append(source.stem)
            continue
        loadable.append((source.read_bytes(), str(staged)))
    if not loadable:
        print(f"In-process throughput: skipped, MLflow loads none of the {len(sources)} files")
        return

    def run_mlmodel() -> None:
        for data, _ in loadable:
            validate_bytes(data, check_files=False)

    def run_mlmodel_roundtrip() -> None:
        for data, _ in loadable:
            validate_bytes(data, check_files=False, roundtrip=True)

    def run_mlflow() -> None:
        for _, path in loadable:
            Model.load(path)

    jobs = {"mlmodel": run_mlmodel, "mlflow": run_mlflow, "roundtrip": run_mlmodel_roundtrip}
    ms = _median_ms_per_file(jobs, passes, len(loadable))

    print(
        f"In-process throughput: {len(loadable)} corpus files MLflow loads "
        f"(skipped {len(skipped)}: {', '.join(skipped) or 'none'}), "
        f"median of {passes} passes after 1 warm-up"
    )
    _row("mlmodel validate_bytes(data, check_files=False)", f"{ms['mlmodel']:.3f} ms/file")
    _row("mlflow.models.Model.load(path)", f"{ms['mlflow']:.3f} ms/file")
    ratio = ms["mlflow"] / ms["mlmodel"]
    _row("ratio MLflow / mlmodel", f"{ratio:.2f}", f"target >= 2 {_verdict(ratio >= 2)}")
    _row(
        "mlmodel validate_bytes(..., roundtrip=True)",
        f"{ms['roundtrip']:.3f} ms/file",
        "(information)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (15)")
    parser.add_argument("--passes", type=int, default=7, help="timed corpus passes (7)")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also time `mlmodel validate` of this git revision (e.g. a commit before a change)",
    )
    parser.add_argument(
        "--cold-only", action="store_true", help="skip part 2 (in-process corpus throughput)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.passes < 1:
        parser.error("--runs and --passes must be at least 1")

    print(f"python {sys.version.split()[0]} at {sys.executable}")
    with tempfile.TemporaryDirectory(prefix="mlmodel-bench-") as tmp:
        scratch = Path(tmp)
        peer_ok = bench_cold_start(args.runs, scratch, args.baseline)
        if not args.cold_only:
            bench_corpus(args.passes, scratch)
    return 0 if peer_ok else 1


if __name__ == "__main__":
    sys.exit(main())
