"""A pickle in the model whose opcodes import callables that can run code.

Loading a pickle runs whatever its opcodes import and call: ``os.system``,
``subprocess.Popen``, ``builtins.eval``... Every pickle the document references
(and every pickle inside a referenced folder) is scanned statically by
:mod:`mlmodel.pickle_scan`: nothing is ever unpickled. Real scikit-learn,
cloudpickle and torch pickles import numpy, sklearn and the like, never these.

Fails: ``pickled_model: model.pkl`` where model.pkl's opcodes import ``os.system``.

Passes: a model.pkl written by ``pickle.dump`` of a fitted estimator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mlmodel.diagnostics import Severity
from mlmodel.lint.model import Finding, LintContext
from mlmodel.yamlio.tree import KeyPath

CODE = "MLM501"
NAME = "dangerous-pickle"
SEVERITY = Severity.ERROR

PICKLE_SUFFIXES = {
    ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".cloudpickle", ".statsmodels", ".pmd",
    ".skops", ".shap", ".div",
}
MAX_FILES_PER_FOLDER = 200


def _looks_like_pickle(path: Path) -> bool:
    if path.suffix.lower() in PICKLE_SUFFIXES:
        return True
    from mlmodel.readio import read_head

    try:
        return read_head(path, 1) == b"\x80"
    except (OSError, ValueError):
        return False


def _candidates(ctx: LintContext) -> Iterator[tuple[KeyPath, Path]]:
    from mlmodel.readio import inside, is_regular_file
    from mlmodel.validators.files import referenced_paths

    assert ctx.model_dir is not None
    root = ctx.model_dir.resolve()
    seen: set[Path] = set()
    for path, value, _ref in referenced_paths(ctx.data):
        usable = inside(ctx.model_dir, value)  # None for an unusable path (V505)
        if usable is None:
            continue
        target = usable.resolve()
        if target in seen:
            continue
        seen.add(target)
        if is_regular_file(target) and _looks_like_pickle(target):
            yield path, target
        elif target.is_dir():
            files = sorted(p for p in target.rglob("*") if is_regular_file(p) and not p.is_symlink())
            for child in files[:MAX_FILES_PER_FOLDER]:
                if child.suffix.lower() in PICKLE_SUFFIXES and child.resolve().is_relative_to(root):
                    yield path, child


def check(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.check_files or ctx.model_dir is None:
        return
    from mlmodel.pickle_scan import scan_pickle

    for path, file in _candidates(ctx):
        scan = scan_pickle(file)
        if not scan.dangerous:
            continue
        shown = file.relative_to(ctx.model_dir.resolve()) if file.is_absolute() else file
        calls = ", ".join(sorted({d.qualname for d in scan.dangerous}))
        yield Finding(
            path,
            f"{shown} imports {calls} when unpickled: loading this model can run arbitrary code",
            hint=scan.dangerous[0].reason + "; do not load it; re-save the model from a trusted "
            "source",
        )
