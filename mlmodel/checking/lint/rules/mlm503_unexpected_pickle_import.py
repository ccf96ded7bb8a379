"""A pickle of the model imports globals off its allowlist: mlmodel loads it only with trust.

mlmodel unpickles a file without the loader's trust only when every global it imports is on
the exact allowlist of the framework that loads it (:mod:`mlmodel.pickle_scan.allowlist`):
the model file of an ``sklearn``, ``xgboost`` or ``lightgbm`` flavor (or of a
``python_function`` flavor whose ``loader_module`` is ``mlflow.sklearn``, ``mlflow.xgboost``
or ``mlflow.lightgbm``) is judged by that framework's list, every other pickle the document
references (a ``PythonModel``, its artifacts) by the common list of Python, numpy and scipy
data types. Anything else is code the model carries: often legitimate (a custom transformer
from the project), but it runs when the model is loaded, so a reviewer must see it and the
loader must trust it (``--trust-type``/``trusted_types``, a signature, or
``--allow-unsafe``). Globals the denylist names are MLM501's (an error) and are not repeated
here when MLM501 is reported too. Names the project's configuration trusts
(``[tool.mlmodel.trust] trusted-types``, never a configuration inside the model directory)
are not reported. Nothing is ever unpickled.

Fails: ``pickled_model: model.pkl`` where model.pkl imports ``myproject.features.Clean``.

Passes: a model.pkl holding a fitted scikit-learn pipeline of scikit-learn steps.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from mlmodel.checking.lint.model import Finding, LintContext
from mlmodel.checking.lint.rules.mlm501_dangerous_pickle import scanned_pickles

CODE = "MLM503"
_SHOWN = 5
#: how a loader grants trust, in the words of both the CLI and the library
TRUST_WAYS = "--trust-type / trusted_types, a signature, or --allow-unsafe"


def explained(names: Sequence[str], reasons: Mapping[str, str]) -> str:
    """``name (why)`` for each name the denylist explains (``reasons``: the scan's), the bare
    name otherwise."""
    shown = [f"{n} ({reasons[n]})" if n in reasons else n for n in names[:_SHOWN]]
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(shown) + more


def _whose(framework: str) -> str:
    if framework == "python_function":
        return "pyfunc pickles (Python, numpy and scipy data types)"
    return f"{framework} model files ({framework}, numpy, scipy)"


def check(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.check_files or ctx.model_dir is None:
        return
    from mlmodel.modeldir import relative_posix
    from mlmodel.pickle_scan import allowed_names, framework_for_reference

    leave_to_501 = ctx.selected is None or "MLM501" in ctx.selected
    found, _stopped = scanned_pickles(ctx)
    for path, file, scan in found:
        framework = framework_for_reference(path, ctx.flavors())
        allowed = allowed_names(framework) | ctx.trusted_types
        reasons = {d.qualname: d.reason for d in scan.dangerous}
        skipped = set(reasons) if leave_to_501 else set()
        outside = [n for n in scan.import_names if n not in allowed and n not in skipped]
        if not outside:
            continue
        shown = relative_posix(ctx.model_dir, file)
        names = ", ".join(f'"{n}"' for n in outside[:_SHOWN])
        listed = explained(outside, reasons)
        yield Finding(
            path,
            f"{shown} imports {listed}, not on the allowlist of {_whose(framework)}: mlmodel "
            f"loads it only when the loader trusts it ({TRUST_WAYS})",
            hint="review that code before trusting it: it runs when the model is loaded; a "
            f"project that trusts it can say so in [tool.mlmodel.trust] trusted-types = [{names}]",
        )
