"""MLflow tracking for mlmodel (extra ``mlmodel[tracking]``): log models, resolve and fetch
model URIs (``runs:/``, ``models:/``, artifact stores) through MLflow's own client.

MLflow is imported only when one of these functions runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlmodel.tracking.logged_model import log_model
    from mlmodel.tracking.resolve import fetch, resolve_model_dir

_LAZY = {
    "log_model": "mlmodel.tracking.logged_model",
    "fetch": "mlmodel.tracking.resolve",
    "resolve_model_dir": "mlmodel.tracking.resolve",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mlmodel.tracking' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = ["fetch", "log_model", "resolve_model_dir"]
