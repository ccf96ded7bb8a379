"""A scikit-learn, XGBoost or LightGBM model's pickle imports code outside its framework.

The model file of an ``sklearn``, ``xgboost`` or ``lightgbm`` flavor needs that framework,
numpy, scipy and a few standard-library pieces (``copyreg._reconstructor``,
``collections.OrderedDict``, ``builtins.slice``...). Anything else it imports is code the
model carries: often legitimate (a custom transformer from the project), but a reviewer
must see it before the model is loaded. The allowlist judgement of
:mod:`mlmodel.pickle_scan.allowlist`; nothing is ever unpickled.

Fails: ``pickled_model: model.pkl`` where model.pkl imports ``myproject.features.Clean``.

Passes: a model.pkl holding a fitted scikit-learn pipeline of scikit-learn steps.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlmodel.lint.model import Finding, LintContext
from mlmodel.lint.rules.mlm501_dangerous_pickle import scanned_pickles

CODE = "MLM503"
_SHOWN = 5


def check(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.check_files or ctx.model_dir is None:
        return
    from mlmodel.modeldir import relative_posix
    from mlmodel.pickle_scan import framework_for_flavor, judge

    found, _stopped = scanned_pickles(ctx)
    for path, file, scan in found:
        if len(path) < 2 or path[0] != "flavors" or not isinstance(path[1], str):
            continue
        framework = framework_for_flavor(path[1])
        if framework is None or scan.dangerous:
            continue  # MLM501 already says more
        unexpected = judge(scan, framework).unexpected_names
        if not unexpected:
            continue
        listed = ", ".join(unexpected[:_SHOWN])
        more = f" and {len(unexpected) - _SHOWN} more" if len(unexpected) > _SHOWN else ""
        shown = relative_posix(ctx.model_dir, file)
        yield Finding(
            path,
            f"{shown} imports {listed}{more}, outside what a {framework} model needs "
            f"({framework}, numpy, scipy)",
            hint="review that code before loading the model: it runs when the model is loaded",
        )
