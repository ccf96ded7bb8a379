"""Fix builders shared by a lint rule and a fixer of a validation code."""

from __future__ import annotations

from mlmodel.checking.lint.model import Fix, LintContext, NoFix
from mlmodel.yamlio.document import MLmodelDocument
from mlmodel.yamlio.tree import KeyPath, dotted

MODEL_PATH: KeyPath = ("flavors", "python_function", "model_path")


def sklearn_model_path(ctx: LintContext, reason: str) -> Fix | NoFix:
    """Add python_function's ``model_path`` from the sklearn flavor's ``pickled_model``."""
    sklearn = ctx.flavors().get("sklearn")
    pickled = sklearn.get("pickled_model") if isinstance(sklearn, dict) else None
    if not isinstance(pickled, str) or not pickled:
        return NoFix(
            dotted(MODEL_PATH), "the sklearn flavor names no pickled_model to copy; left missing"
        )

    def apply(document: MLmodelDocument) -> None:
        document.set(MODEL_PATH, pickled)

    return Fix(dotted(MODEL_PATH), "add", None, pickled, apply, reason)
