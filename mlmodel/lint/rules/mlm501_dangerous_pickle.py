"""A pickle in the model that can run code when loaded, or that cannot be scanned to the end.

Loading a pickle runs whatever its opcodes import and call: ``os.system``,
``subprocess.Popen``, ``builtins.eval``... Every pickle the document references, and every
pickle inside a referenced folder, is found by its content (a pickle named ``.bin``, with no
suffix, compressed by gzip or joblib, inside a torch zip, or behind an in-folder symlink)
and scanned statically by :mod:`mlmodel.pickle_scan`: nothing is ever unpickled. The scan
fails closed: a pickle it cannot read to the end (where the real unpickler may read more
than the scanner did), and a folder too large to scan within the bound, are reported too.
Real scikit-learn, cloudpickle and torch pickles import numpy, sklearn and the like, never
these.

Fails: ``pickled_model: model.pkl`` where model.pkl's opcodes import ``os.system``.

Passes: a model.pkl written by ``pickle.dump`` of a fitted estimator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from mlmodel.diagnostics import Severity
from mlmodel.lint.model import Finding, LintContext
from mlmodel.yamlio.tree import KeyPath

if TYPE_CHECKING:
    from mlmodel.pickle_scan import PickleScan

CODE = "MLM501"
NAME = "dangerous-pickle"
SEVERITY = Severity.ERROR

_CACHE_KEY = "pickle_scans"


def scanned_pickles(ctx: LintContext) -> tuple[list[tuple[KeyPath, Path, PickleScan]], str | None]:
    """Every pickle below the document's referenced paths, scanned once per lint run:
    (key path, file, scan) and the bound that stopped the walk, if any."""
    cached = ctx.cache.get(_CACHE_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from mlmodel.pickle_scan import ScanBudget, scan_pickles
    from mlmodel.validators.files import referenced_paths

    found: list[tuple[KeyPath, Path, PickleScan]] = []
    stopped: str | None = None
    if ctx.check_files and ctx.model_dir is not None:
        root = ctx.model_dir.resolve()
        budget = ScanBudget()
        seen: set[Path] = set()
        for key, value, _ref in referenced_paths(ctx.data):
            target = ctx.model_dir / value
            result = scan_pickles(root, [target], budget, seen=seen)
            found.extend((key, path, scan) for path, scan in result.scans)
            if result.stopped is not None:
                stopped = result.stopped
                break
    ctx.cache[_CACHE_KEY] = (found, stopped)
    return found, stopped


def _shown(ctx: LintContext, file: Path) -> str:
    assert ctx.model_dir is not None
    try:
        return str(file.relative_to(ctx.model_dir.resolve()))
    except ValueError:
        return str(file)


def check(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.check_files or ctx.model_dir is None:
        return
    found, stopped = scanned_pickles(ctx)
    for path, file, scan in found:
        shown = _shown(ctx, file)
        if scan.dangerous:
            calls = ", ".join(sorted({d.qualname for d in scan.dangerous}))
            yield Finding(
                path,
                f"{shown} imports {calls} when unpickled: loading this model can run "
                "arbitrary code",
                hint=scan.dangerous[0].reason + "; do not load it; re-save the model from a "
                "trusted source",
            )
        elif scan.error is not None:
            yield Finding(
                path,
                f"{shown} cannot be scanned to the end ({scan.error}): the unpickler may read "
                "what the scanner could not, so it is not known to be safe",
                hint="do not load it; re-save the model from a trusted source",
            )
    if stopped is not None:
        yield Finding(
            (),
            f"not every pickle of the model was scanned: {stopped}",
            hint="scan the model alone, or review its large files by hand before loading it",
        )
