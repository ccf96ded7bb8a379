"""Crash safety: a save killed with SIGKILL at a random moment leaves either no model directory
or a complete one at the target, never a partial one; what it leaves beside the target is only
its hidden temporary directory (mlmodel.core.fsio), which the next save to that target removes.

One helper process imports scikit-learn once, then for each iteration forks a child that
saves a tiny model and kills it with SIGKILL after a random delay spread over a save's
duration (the helper is single-threaded, so forking it is safe). The test then checks every
target.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlmodel.checking.validate import validate_file
from mlmodel.core.fsio import TEMP_SUFFIX

pytest.importorskip("sklearn")
pytest.importorskip("skops")

ITERATIONS = 210
ROOT = Path(__file__).resolve().parents[2]

HELPER = r"""
import json, os, random, signal, sys, time
import numpy as np
from sklearn.linear_model import LogisticRegression
import mlmodel.sklearn

root, iterations, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
model = LogisticRegression().fit(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 0, 1, 1])
example = np.array([[0.5], [2.5]])
formats = ["skops", "cloudpickle", "pickle"]

def save(target, fmt):
    mlmodel.sklearn.save_model(model, target, serialization_format=fmt, input_example=example)

durations = {}
for fmt in formats:  # warm up, and measure how long one save takes (the fastest of 3)
    times = []
    for attempt in range(3):
        start = time.perf_counter()
        save(os.path.join(root, f"warm-{fmt}-{attempt}"), fmt)
        times.append(time.perf_counter() - start)
    durations[fmt] = min(times)
print(json.dumps(durations), file=sys.stderr)

results = []
scale, recent = 1.3, []
for index in range(iterations):
    fmt = formats[index % len(formats)]
    target = os.path.join(root, f"run-{index:03d}", "model")
    os.makedirs(os.path.dirname(target))
    # spread the kills over a whole save: when too few saves finish (a loaded machine makes
    # the forked saves slower than the warm-up), widen the window, and narrow it when too many
    if len(recent) == 15:
        done = sum(recent) / len(recent)
        scale *= 1.5 if done < 0.25 else (0.75 if done > 0.6 else 1.0)
        recent = []
    delay = rng.uniform(0.0, durations[fmt] * scale)
    child = os.fork()
    if child == 0:
        try:
            save(target, fmt)
        finally:
            os._exit(0)
    time.sleep(delay)
    os.kill(child, signal.SIGKILL)
    _, status = os.waitpid(child, 0)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    recent.append(os.path.exists(target))
    results.append({"target": target, "killed": killed, "format": fmt})
print(json.dumps(results))
"""


def test_sigkill_never_leaves_a_partial_model(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-c", HELPER, str(tmp_path), str(ITERATIONS), "1234"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads(completed.stdout.strip().splitlines()[-1])
    assert len(results) == ITERATIONS
    complete = absent = killed = 0
    for result in results:
        target = Path(result["target"])
        killed += result["killed"]
        leftovers = [p for p in target.parent.iterdir() if p != target]
        assert all(
            p.name.startswith(".model.") and p.name.endswith(TEMP_SUFFIX) for p in leftovers
        ), leftovers
        if not target.exists():
            absent += 1
            continue
        complete += 1
        names = {p.name for p in target.iterdir()}
        file_name = "model.skops" if result["format"] == "skops" else "model.pkl"
        assert names == {
            "MLmodel",
            file_name,
            "conda.yaml",
            "python_env.yaml",
            "requirements.txt",
            "input_example.json",
            "serving_input_example.json",
        }, (target, names)
        report = validate_file(target)
        assert report.errors == 0 and report.warnings == 0, report.diagnostics
    # the kills landed both before and after the publishing rename, and most were real kills
    assert complete > 10 and absent > 10, (complete, absent)
    assert killed > ITERATIONS // 3


def test_next_save_removes_abandoned_staging(tmp_path: Path) -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    import mlmodel.sklearn

    target = tmp_path / "model"
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a process id that no longer runs
    abandoned = tmp_path / f".model.{child.pid}.abcd1234{TEMP_SUFFIX}"
    abandoned.mkdir()
    (abandoned / "MLmodel").write_text("flavors: {}\n")
    other = tmp_path / f".other.{child.pid}.abcd1234{TEMP_SUFFIX}"  # another target's
    other.mkdir()
    model = LogisticRegression().fit(np.array([[0.0], [1.0]]), [0, 1])
    mlmodel.sklearn.save_model(model, target, serialization_format="pickle")
    assert not abandoned.exists()
    assert other.exists()
    assert (target / "MLmodel").is_file()
