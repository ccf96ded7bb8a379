"""The ``mlmodel`` command. Thin: options are parsed here, the work is in mlmodel.checking.validate."""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point."""
    import os

    # pydantic scans every installed package's entry points for its own plugins
    # (observability hooks) on first use; a short-lived linter needs none of them.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from mlmodel.cli.app import run

    sys.exit(run(sys.argv[1:]))
