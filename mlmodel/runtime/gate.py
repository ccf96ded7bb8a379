"""The gate every consumer of a model passes before loading.

1. :func:`mlmodel.runtime.validated.validated`: the model found (a path or a model URI),
   its ``MLmodel`` read within bounds (a FIFO is V115, never a hang), parsed once and
   validated, path checks (V5xx) included. ``Model.load`` stops there: it loads nothing.
2. The trust decision (:func:`mlmodel.runtime.load.trust.decide`) on that parsed document, under
   the caller's trust; with :func:`admit`'s ``scan``, every pickle judged statically too
   (nothing is loaded: ``generate-dockerfile``, ``spark_udf``'s driver, ``serve``'s parent).
3. The load (:func:`load_trusted`), from the same document.

Refusals: :class:`~mlmodel.core.errors.ModelNotFoundError` (no model there; a usage
error), :class:`~mlmodel.core.errors.InvalidModelError` (the diagnostics, each as
``validate`` prints it), :class:`~mlmodel.core.errors.UnsafeModelError` (the trust
decision), :class:`~mlmodel.core.errors.MissingDependencyError` (at load).
Used by ``mlmodel.pyfunc``, ``mlmodel.sklearn``, ``serve``, ``predict``, ``spark_udf``,
``download`` and ``generate-dockerfile``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlmodel.runtime.validated import (
    Examined,
    ValidatedModel,
    examine,
    invalid_model_error,
    validated,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from mlmodel.modeldir.location import ModelLocation
    from mlmodel.runtime.load.safety import LoadPolicy, TrustOptions
    from mlmodel.runtime.predict.pyfunc_model import PyFuncModel

__all__ = [
    "Admitted",
    "Examined",
    "ValidatedModel",
    "admit",
    "examine",
    "invalid_model_error",
    "load_trusted",
    "validated",
]


@dataclass(frozen=True)
class Admitted:
    """A model that validated and that the trust decision lets load: its parsed document
    and the policy its load goes on with."""

    model: ValidatedModel
    policy: LoadPolicy

    @property
    def model_dir(self) -> Path:
        return self.model.model_dir

    @property
    def document(self) -> dict[str, Any]:
        return self.model.document


def admit(
    path: str | os.PathLike[str] | ModelLocation, trust: TrustOptions, *, scan: bool = False
) -> Admitted:
    """The validated model and the trust decision under ``trust``, nothing loaded; with
    ``scan``, every pickle of the directory judged statically as well (what a load would
    refuse is refused here)."""
    from mlmodel.runtime.load.trust import check_files, decide

    model = validated(path)
    policy = decide(model.model_dir, model.document, trust.policy(model.model_dir))
    if scan:
        check_files(model.model_dir, model.document, policy)
    return Admitted(model, policy)


def load_trusted(
    model_uri: str | os.PathLike[str] | ModelLocation,
    trust: TrustOptions,
    model_config: Mapping[str, Any] | None = None,
) -> PyFuncModel:
    """:func:`mlmodel.pyfunc.load_model` with the caller's trust given at once (the CLI's
    commands and the server pass theirs, so refusals name their options)."""
    from mlmodel.runtime.load.dispatch import load_document

    model = validated(model_uri)
    return load_document(model.model_dir, model.document, trust=trust, model_config=model_config)
