"""A wheel of the running mlmodel, built offline, for environments and images that need
this very mlmodel and not a release (no package index serves it yet, or the version running
here is not published).

:func:`build_self_wheel` takes the files of the mlmodel that is imported:

* installed from a wheel or an sdist (a ``mlmodel-X.dist-info`` beside the package, whose
  ``RECORD`` lists ``mlmodel/__init__.py``): the files that ``RECORD`` lists under
  ``mlmodel/`` and the dist-info's own metadata (``METADATA``, ``entry_points.txt``...),
  read as they are installed (compiled ``__pycache__`` files, scripts and the installer's
  records left out; pip writes the console scripts again from ``entry_points.txt``);
* an editable install or a source checkout (``pyproject.toml`` of the project ``mlmodel``
  beside the package): built by setuptools' PEP 517 backend (``setuptools.build_meta``,
  the project's build backend) in a subprocess, on a copy of the checkout in a temporary
  directory (nothing is written into the checkout), without build isolation (no download).

Either way the wheel is written by one deterministic writer: entries sorted, the dist-info
last with ``RECORD`` at its end, every timestamp 1980-01-01, mode 0644, ``WHEEL`` written
here (``py3-none-any``) and ``RECORD`` holding each file's sha256. The same files give the
same bytes, and a wheel installed and repacked gives back the wheel it was installed from.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Final

__all__ = ["build_self_wheel", "self_wheel_name"]

#: the timestamp of every entry: the earliest a zip file can hold
_ZIP_EPOCH: Final = (1980, 1, 1, 0, 0, 0)
#: what pip writes into an installed dist-info, never part of a wheel
_INSTALLER_FILES: Final = frozenset({"INSTALLER", "REQUESTED", "direct_url.json", "RECORD"})
_WHEEL_TEXT: Final = (
    "Wheel-Version: 1.0\nGenerator: mlmodel (self_wheel)\nRoot-Is-Purelib: true\n"
    "Tag: py3-none-any\n"
)
#: how long the setuptools build may take before it is abandoned
_BUILD_TIMEOUT: Final = 300.0


def self_wheel_name(version: str) -> str:
    """The wheel's file name: ``mlmodel-<version>-py3-none-any.whl``."""
    return f"mlmodel-{version}-py3-none-any.whl"


def build_self_wheel(dest_dir: Path) -> Path:
    """Write a wheel of the running mlmodel into ``dest_dir`` (created if missing) and
    return its path, ``dest_dir/mlmodel-<version>-py3-none-any.whl``.

    Raises :class:`~mlmodel.core.errors.MLModelError` when the running mlmodel is neither an
    installed distribution nor a source checkout, when an installed file its ``RECORD``
    lists is missing, or when the build fails; a
    :class:`~mlmodel.core.errors.MissingDependencyError` when a checkout must be built and
    setuptools is not installed."""
    package = Path(__file__).resolve().parents[1]  # the mlmodel package this module is in
    files = _installed_files(package)
    if files is None:
        files = _built_files(_project_root(package))
    dist_info = _dist_info_name(files)
    version = dist_info.removeprefix("mlmodel-").removesuffix(".dist-info")
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    return _write_wheel(files, dist_info, dest_dir / self_wheel_name(version))


def _installed_files(package: Path) -> dict[str, bytes] | None:
    """The running package's files and metadata, read from the dist-info beside it whose
    ``RECORD`` lists the package; None when there is none (editable, checkout)."""
    from importlib import metadata

    from mlmodel.core.errors import MLModelError

    site = package.parent
    for dist in metadata.distributions(path=[str(site)]):
        files = dist.files or []
        names = {file.as_posix() for file in files}
        if "mlmodel/__init__.py" not in names:
            continue  # an editable install's RECORD lists only its .pth and finder
        dist_info = next(
            (name.split("/")[0] for name in names if name.split("/")[0].endswith(".dist-info")),
            None,
        )
        if dist_info is None or not dist_info.startswith("mlmodel-"):
            continue
        found: dict[str, bytes] = {}
        for name in sorted(names):
            parts = name.split("/")
            if parts[0] not in ("mlmodel", dist_info) or "__pycache__" in parts:
                continue
            if parts[0] == dist_info and parts[-1] in _INSTALLER_FILES | {"WHEEL"}:
                continue
            try:
                found[name] = (site / name).read_bytes()
            except OSError as exc:
                raise MLModelError(
                    f"the installed mlmodel is incomplete: {site / name} "
                    f"({exc.strerror or exc}); reinstall it"
                ) from None
        return found
    return None


def _project_root(package: Path) -> Path:
    """The checkout holding ``package``: the directory above it, with the ``pyproject.toml``
    of the project named mlmodel."""
    import tomllib

    from mlmodel.core.errors import MLModelError

    root = package.parent
    try:
        config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        config = {}
    if config.get("project", {}).get("name") != "mlmodel":
        raise MLModelError(
            f"cannot make a wheel of the running mlmodel ({package}): it is neither an "
            f"installed distribution nor a source checkout (no pyproject.toml of mlmodel in "
            f"{root}); install mlmodel from a wheel or pass a published requirement instead"
        )
    return root


def _built_files(root: Path) -> dict[str, bytes]:
    """The files of the wheel setuptools builds from a copy of the checkout at ``root``
    (its top-level files and ``mlmodel/``, without compiled files)."""
    from importlib.util import find_spec

    from mlmodel.core.errors import MissingDependencyError, MLModelError

    if find_spec("setuptools") is None:  # the build backend, run in a subprocess
        raise MissingDependencyError(
            "building a wheel of the mlmodel checkout needs setuptools (the project's build "
            'backend): pip install "setuptools>=68"',
            package="setuptools>=68",
        )
    with tempfile.TemporaryDirectory(prefix="mlmodel-self-wheel-") as tmp:
        source, out = Path(tmp) / "src", Path(tmp) / "out"
        source.mkdir()
        for entry in root.iterdir():
            if entry.is_file() and not entry.is_symlink():
                shutil.copyfile(entry, source / entry.name)
        shutil.copytree(
            root / "mlmodel",
            source / "mlmodel",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
        )
        script = (
            "import sys\nfrom setuptools import build_meta\n"
            "print(build_meta.build_wheel(sys.argv[1]))\n"
        )
        environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        environ["SOURCE_DATE_EPOCH"] = "315532800"  # 1980-01-01, as the writer stamps
        try:
            done = subprocess.run(
                [sys.executable, "-c", script, str(out)],
                cwd=source,
                env=environ,
                capture_output=True,
                text=True,
                timeout=_BUILD_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise MLModelError(
                f"building a wheel of {root} took over {_BUILD_TIMEOUT:.0f} s"
            ) from None
        built = sorted(out.glob("mlmodel-*.whl")) if done.returncode == 0 else []
        if not built:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
            raise MLModelError(f"building a wheel of {root} failed:\n{tail}")
        with zipfile.ZipFile(built[0]) as archive:
            return {
                info.filename: archive.read(info)
                for info in archive.infolist()
                if not info.is_dir() and info.filename.split("/")[-1] not in ("RECORD", "WHEEL")
            }


def _dist_info_name(files: dict[str, bytes]) -> str:
    from mlmodel.core.errors import MLModelError

    names = {name.split("/")[0] for name in files if name.split("/")[0].endswith(".dist-info")}
    if len(names) != 1:
        raise MLModelError(f"the wheel's files hold {len(names)} dist-info directories, not 1")
    return names.pop()


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode('ascii')}"


def _write_wheel(files: dict[str, bytes], dist_info: str, path: Path) -> Path:
    """Write ``files`` (archive name -> bytes) and their ``WHEEL`` and ``RECORD`` to
    ``path`` deterministically, whole or not at all (:func:`mlmodel.core.fsio.atomic_writer`)."""
    entries = dict(files)
    entries[f"{dist_info}/WHEEL"] = _WHEEL_TEXT.encode("ascii")
    order = sorted(entries, key=lambda name: (name.startswith(f"{dist_info}/"), name))
    record = [f"{name},{_record_hash(entries[name])},{len(entries[name])}" for name in order]
    record_name = f"{dist_info}/RECORD"
    record.append(f"{record_name},,")
    entries[record_name] = ("\n".join(record) + "\n").encode("utf-8")
    order.append(record_name)
    from mlmodel.core.fsio import atomic_writer

    with (
        atomic_writer(path) as out,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for name in order:
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name])
    return path
