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

from mlmodel.checking.lint.model import Finding, LintContext
from mlmodel.yamlio.tree import KeyPath

if TYPE_CHECKING:
    from mlmodel.pickle_scan import PickleScan

CODE = "MLM501"

_CACHE_KEY = "pickle_scans"


def scanned_pickles(ctx: LintContext) -> tuple[list[tuple[KeyPath, Path, PickleScan]], str | None]:
    """Every pickle below the document's referenced paths (:func:`mlmodel.modeldir.pickle_files`,
    by content), scanned once per lint run: (key path, file, scan) and the bound that
    stopped the selection or the scans, if any."""
    cached = ctx.cache.get(_CACHE_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from mlmodel.modeldir import pickle_files
    from mlmodel.pickle_scan import DEFAULT_MAX_BYTES, ScanBudget, scan_pickle

    found: list[tuple[KeyPath, Path, PickleScan]] = []
    budget = ScanBudget()
    if ctx.check_files and ctx.model_dir is not None:
        for key, file in pickle_files(ctx.model_dir, ctx.data, budget=budget):
            if key is None or not budget.check():
                break
            scan = scan_pickle(file, max_bytes=min(DEFAULT_MAX_BYTES, budget.left()))
            budget.spend(file.stat().st_size if file.is_file() else 0)
            found.append((key, file, scan))
    ctx.cache[_CACHE_KEY] = (found, budget.stopped)
    return found, budget.stopped


def check(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.check_files or ctx.model_dir is None:
        return
    from mlmodel.modeldir import relative_posix

    found, stopped = scanned_pickles(ctx)
    for path, file, scan in found:
        shown = relative_posix(ctx.model_dir, file)
        if scan.dangerous:
            calls = ", ".join(sorted({d.qualname for d in scan.dangerous}))
            yield Finding(
                path,
                f"{shown} imports {calls} when unpickled: loading this model can run "
                "arbitrary code",
                hint=scan.dangerous[0].reason + "; mlmodel refuses to load it unless the "
                "loader trusts it: trust it only if you trust where the model comes from",
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
