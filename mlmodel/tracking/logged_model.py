"""Log a model to MLflow tracking as MLflow 3.x's ``Model.log`` does, with MLflow's client.

The steps are those of ``mlflow.models.Model.log`` (3.17), through public calls: a
LoggedModel is created (``mlflow.initialize_logged_model``) linked to the run
(``MlflowClient.log_outputs``), the run's metrics of ``step`` are linked to it, the flavor
saves the model directory (the MLmodel carrying ``artifact_path``, ``model_uuid``,
``run_id`` and ``model_id``), the directory is uploaded (``log_model_artifacts``), the model
is finalized READY (FAILED on error) and optionally registered (``mlflow.register_model``).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mlmodel.core.names import MLMODEL_NAME
from mlmodel.tracking.resolve import mlflow_client

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.models.model import ModelInfo


class Flavor(Protocol):
    """A flavor module: ``save_model(path=..., mlflow_model=..., **kwargs)``."""

    def save_model(self, *args: Any, **kwargs: Any) -> Any: ...


def _link_step_metrics(client: MlflowClient, run_id: str, model_id: str, step: int) -> None:
    from mlflow.entities import Metric

    metrics = []
    for key in client.get_run(run_id).data.metrics:
        for metric in client.get_metric_history(run_id, key):
            if metric.step == step and metric.model_id is None:
                metrics.append(
                    Metric(
                        key=metric.key,
                        value=metric.value,
                        timestamp=metric.timestamp,
                        step=metric.step,
                        dataset_name=metric.dataset_name,
                        dataset_digest=metric.dataset_digest,
                        run_id=metric.run_id,
                        model_id=model_id,
                    )
                )
    if metrics:
        client.log_batch(run_id=run_id, metrics=metrics)


def log_model(
    model_class: Callable[..., Any],
    name: str | None,
    flavor: Flavor,
    *,
    registered_model_name: str | None = None,
    await_registration_for: int = 300,
    metadata: dict[str, Any] | None = None,
    run_id: str | None = None,
    model_type: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    step: int = 0,
    **kwargs: Any,
) -> ModelInfo:
    """Save with ``flavor.save_model`` and log the directory as a LoggedModel of the active
    run (none active: a model with no run, as MLflow 3 does); returns MLflow's ModelInfo.
    ``model_class`` builds the MLmodel the flavor fills in (``mlmodel.Model``)."""
    client = mlflow_client()
    import mlflow
    from mlflow.entities import LoggedModelOutput, LoggedModelStatus
    from mlflow.models import Model as MlflowModel

    if not run_id:
        active = mlflow.active_run()
        run_id = active.info.run_id if active else None
    all_params = {**(params or {}), **(client.get_run(run_id).data.params if run_id else {})}
    logged = mlflow.initialize_logged_model(
        name=name,
        source_run_id=run_id,
        model_type=model_type,
        params={key: str(value) for key, value in all_params.items()},
        tags={key: str(value) for key, value in tags.items()} if tags is not None else None,
    )
    tmp = Path(tempfile.mkdtemp(prefix="mlmodel-log-"))
    try:
        if run_id is not None:
            client.log_outputs(run_id=run_id, models=[LoggedModelOutput(logged.model_id, step)])
            _link_step_metrics(client, run_id, logged.model_id, step)
        local = tmp / "model"
        model = model_class(
            artifact_path=logged.artifact_location,
            model_uuid=logged.model_id,
            run_id=run_id,
            metadata=metadata,
            model_id=logged.model_id,
        )
        flavor.save_model(path=local, mlflow_model=model, **kwargs)
        client.log_model_artifacts(logged.model_id, str(local))
        mlflow.finalize_logged_model(logged.model_id, LoggedModelStatus.READY)
        version = None
        if registered_model_name is not None:
            version = mlflow.register_model(
                f"models:/{logged.model_id}",
                registered_model_name,
                await_registration_for=await_registration_for,
                tags=dict(tags) if tags is not None else None,
            )
        info = MlflowModel.load(str(local / MLMODEL_NAME)).get_model_info(
            client.get_logged_model(logged.model_id)
        )
    except BaseException:
        mlflow.finalize_logged_model(logged.model_id, LoggedModelStatus.FAILED)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if version is not None:
        info.registered_model_version = version.version
    return info


__all__ = ["log_model"]
