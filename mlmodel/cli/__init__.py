"""The ``mlmodel`` command. Thin: options are parsed here, the work is in mlmodel.checking.validate."""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point: ``mlmodel validate PATH...`` runs without typer when
    :mod:`mlmodel.cli.direct` can read its command line; everything else through the typer
    application (:func:`mlmodel.cli.app.run_typer`)."""
    import os

    # pydantic scans every installed package's entry points for its own plugins
    # (observability hooks) on first use; a short-lived linter needs none of them.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from mlmodel.cli.direct import run_direct

    argv = sys.argv[1:]
    code = run_direct(argv)
    if code is None:
        from mlmodel.cli.app import run_typer

        code = run_typer(argv)
    sys.exit(code)
