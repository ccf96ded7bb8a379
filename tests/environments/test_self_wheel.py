"""``build_self_wheel``: a whole, valid, reproducible wheel of the running mlmodel, built
from this checkout (setuptools), installed in a fresh venv, and repacked from that install
(the installed-distribution path) into the same bytes."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import zipfile
from pathlib import Path

import pytest

import mlmodel
from harness.venvs import isolated_env, venv_with_wheel
from mlmodel.environments.self_wheel import build_self_wheel

PACKAGE = Path(mlmodel.__file__).resolve().parent
DIST_INFO = f"mlmodel-{mlmodel.__version__}.dist-info"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_self_wheel(tmp_path_factory.mktemp("self-wheel") / "one")


def test_the_wheel_holds_every_module_and_a_valid_record(wheel: Path) -> None:
    assert wheel.name == f"mlmodel-{mlmodel.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        modules = {n for n in names if n.startswith("mlmodel/") and n.endswith(".py")}
        expected = {
            p.relative_to(PACKAGE.parent).as_posix()
            for p in PACKAGE.rglob("*.py")
            if "__pycache__" not in p.parts
        }
        assert modules == expected
        for data in ("py.typed", "schema/core_schemas.json", "serve/grpc/inference.proto"):
            assert f"mlmodel/{data}" in names
        assert names[-1] == f"{DIST_INFO}/RECORD"
        record = archive.read(f"{DIST_INFO}/RECORD").decode().splitlines()
        assert sorted(line.split(",")[0] for line in record) == sorted(names)
        for line in record[:-1]:
            name, digest, size = line.split(",")
            content = archive.read(name)
            sha = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
            assert (digest, int(size)) == (f"sha256={sha.decode()}", len(content)), name
        assert "Tag: py3-none-any" in archive.read(f"{DIST_INFO}/WHEEL").decode()
        assert (
            "mlmodel = mlmodel.cli:main" in archive.read(f"{DIST_INFO}/entry_points.txt").decode()
        )
        metadata = archive.read(f"{DIST_INFO}/METADATA").decode()
        assert f"Version: {mlmodel.__version__}" in metadata
        assert "Provides-Extra: serve" in metadata


def test_the_same_checkout_gives_the_same_bytes(wheel: Path, tmp_path: Path) -> None:
    assert build_self_wheel(tmp_path).read_bytes() == wheel.read_bytes()


def test_installed_and_repacked_it_is_the_same_wheel(wheel: Path, tmp_path: Path) -> None:
    """Installed with pip into a fresh venv, the wheel's mlmodel imports there (not this
    checkout's), its console script exists, and build_self_wheel run by that mlmodel takes
    the installed-distribution path and writes the wheel it was installed from."""
    bin_dir = venv_with_wheel(tmp_path / "venv", wheel)
    assert (bin_dir / "mlmodel").is_file()
    script = (
        "import sys, mlmodel\nfrom pathlib import Path\n"
        "from mlmodel.environments.self_wheel import build_self_wheel\n"
        "print(mlmodel.__version__, mlmodel.__file__)\n"
        "print(build_self_wheel(Path(sys.argv[1])))\n"
    )
    done = subprocess.run(
        [str(bin_dir / "python"), "-c", script, str(tmp_path / "repacked")],
        capture_output=True,
        text=True,
        timeout=60,
        env=isolated_env(),
        cwd=tmp_path,
        check=True,
    )
    version_line, repacked = done.stdout.splitlines()
    version, where = version_line.split(" ", 1)
    assert version == mlmodel.__version__
    assert Path(where).is_relative_to(tmp_path / "venv")
    assert Path(repacked).read_bytes() == wheel.read_bytes()
