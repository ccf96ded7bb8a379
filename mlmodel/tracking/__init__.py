"""MLflow tracking for mlmodel (extra ``mlmodel[tracking]``): log models, resolve and fetch
model URIs (``runs:/``, ``models:/``, artifact stores) through MLflow's own client.

MLflow is imported only when one of these functions runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmodel.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from mlmodel.tracking.logged_model import log_model
    from mlmodel.tracking.resolve import fetch, resolve_model_dir

_LAZY = {
    "log_model": "mlmodel.tracking.logged_model",
    "fetch": "mlmodel.tracking.resolve",
    "resolve_model_dir": "mlmodel.tracking.resolve",
}


__getattr__ = lazy_getattr(__name__, globals(), _LAZY)


__all__ = ["fetch", "log_model", "resolve_model_dir"]
