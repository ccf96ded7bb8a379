"""Fresh virtual environments with one wheel installed, for tests that must run an installed
mlmodel rather than this checkout: created without pip (``python -m venv --without-pip``,
a tenth of a second) and filled by this interpreter's pip (``pip --python``), offline.
Importing this module has no side effects."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path


def isolated_env(**extra: str) -> dict[str, str]:
    """This process's environment without ``PYTHONPATH`` (which would put this checkout's
    mlmodel before the installed one) and ``VIRTUAL_ENV``, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(extra)
    return env


def venv_with_wheel(folder: Path, wheel: Path, *, share_site_packages: bool = False) -> Path:
    """A venv at ``folder`` with ``wheel`` installed (``--no-deps``, no index); returns its
    ``bin`` directory. ``share_site_packages`` appends this interpreter's site-packages
    after the venv's own (a ``.pth`` line, whose own ``.pth`` files are not run, so an
    editable mlmodel installed there stays out): the wheel's mlmodel is found first, its
    dependencies come from here."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=60
    )
    bin_dir = folder / "bin"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(bin_dir / "python"),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
        timeout=120,
        env=isolated_env(),
    )
    if share_site_packages:
        site = subprocess.run(
            [
                str(bin_dir / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ],
            check=True,
            timeout=60,
            capture_output=True,
            text=True,
            env=isolated_env(),
        ).stdout.strip()
        shared = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
        Path(site, "_shared_site_packages.pth").write_text("\n".join(sorted(shared)) + "\n")
    return bin_dir
