"""``mlmodel.Model``: the MLmodel document as an object, written exactly as MLflow 3.17 writes it.

Fields are filled as MLflow's ``mlflow.models.Model`` fills them (``utc_time_created``,
``model_uuid``, ``model_id: null``, ``prompts: null``; ``run_id``, ``artifact_path``,
``signature``, ... only when set) and the text is ``yaml.safe_dump(to_dict(),
default_flow_style=False)``, MLflow's own call, so key order, quoting, float formatting,
non-ASCII escaping and line folding are MLflow's.

The writer: a model made here records ``mlmodel_version: <version>`` at the top level and no
``mlflow_version`` (MLflow did not write it). MLflow keeps unknown top-level keys: its
``Model.load`` passes them through ``**kwargs`` onto the instance and ``to_dict`` writes them
back, so the key survives MLflow load -> save; MLflow omits ``mlflow_version`` when it is
unknown, as here. A model loaded from a file keeps what the file says (no key is added).
"""

from __future__ import annotations

import datetime
import sys
import uuid
from collections.abc import Callable, Mapping
from copy import deepcopy
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlmodel.core.errors import UsageError
from mlmodel.core.names import MLMODEL_NAME
from mlmodel.runtime.document.signature import ModelSignature, ParamSchema, Schema, coerce_signature

if TYPE_CHECKING:
    from mlmodel.modeldir.location import ModelLocation

WRITER_KEY = "mlmodel_version"

#: attributes MLflow keeps as plain instance attributes (written even when None, unless
#: ``to_dict`` drops them), in MLflow's order
_PLAIN = (
    "run_id",
    "artifact_path",
    "utc_time_created",
    "flavors",
    "model_uuid",
    "mlflow_version",
    "prompts",
    "model_id",
)


def _new_uuid() -> str:
    return uuid.uuid4().hex


def utc_now() -> str:
    """``str()`` of the naive UTC time, as MLflow stamps ``utc_time_created``."""
    return str(datetime.datetime.now(datetime.UTC).replace(tzinfo=None))


def _version() -> str:
    # the package is imported before any of its modules; reading the attribute keeps the
    # runtime from importing the package's public surface (and the layers above it)
    version: str = sys.modules["mlmodel"].__version__
    return version


class Model:
    """An MLflow model: its flavors and metadata (the content of the MLmodel file)."""

    def __init__(
        self,
        artifact_path: str | None = None,
        run_id: str | None = None,
        utc_time_created: Any = None,
        flavors: dict[str, dict[str, Any]] | None = None,
        signature: ModelSignature | Any = None,
        saved_input_example_info: dict[str, Any] | None = None,
        model_uuid: str | Callable[[], str] | None = _new_uuid,
        mlflow_version: str | None = None,
        metadata: dict[str, Any] | None = None,
        model_size_bytes: int | None = None,
        resources: dict[str, Any] | None = None,
        env_vars: list[str] | None = None,
        auth_policy: dict[str, Any] | None = None,
        model_id: str | None = None,
        prompts: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.run_id = run_id
        self.artifact_path = artifact_path
        self.utc_time_created = str(utc_time_created or utc_now())
        self.flavors: dict[str, dict[str, Any]] = flavors if flavors is not None else {}
        self.signature = coerce_signature(signature)
        self.saved_input_example_info = saved_input_example_info
        self.model_uuid = model_uuid() if callable(model_uuid) else model_uuid
        self.mlflow_version = mlflow_version
        self.metadata = metadata
        self.prompts = prompts
        self.model_size_bytes = model_size_bytes
        self.resources = resources
        if env_vars and not all(isinstance(x, str) for x in env_vars):
            raise UsageError(f"env_vars must be a list of strings, got {env_vars!r}")
        self.env_vars = env_vars
        self.auth_policy = auth_policy
        self.model_id = model_id
        if WRITER_KEY not in kwargs and mlflow_version is None:
            kwargs[WRITER_KEY] = _version()
        self.extra: dict[str, Any] = dict(kwargs)

    # -- MLflow's API ------------------------------------------------------------------------

    def add_flavor(self, name: str, **params: Any) -> Model:
        """Add (or replace) the settings of one flavor."""
        self.flavors[name] = params
        return self

    def get_input_schema(self) -> Schema | None:
        return self.signature.inputs if self.signature is not None else None

    def get_output_schema(self) -> Schema | None:
        return self.signature.outputs if self.signature is not None else None

    def get_params_schema(self) -> ParamSchema | None:
        return self.signature.params if self.signature is not None else None

    def load_input_example(self, path: str | Path) -> Any:
        """The saved input example (None when the model has none); ``path``: the model dir."""
        if self.saved_input_example_info is None:
            return None
        from mlmodel.runtime.document.input_example import read_example

        return read_example(Path(path), self.saved_input_example_info, self.get_input_schema())

    def load_input_example_params(self, path: str | Path) -> dict[str, Any] | None:
        if self.saved_input_example_info is None:
            return None
        from mlmodel.runtime.document.input_example import read_example_params

        return read_example_params(Path(path), self.saved_input_example_info)

    def get_serving_input(self, path: str | Path) -> str | None:
        info = self.saved_input_example_info
        serving = info.get("serving_input_path") if info else None
        if serving is None:
            return None
        from mlmodel.runtime.document.input_example import read_side_text

        return read_side_text(Path(path), str(serving))

    # -- serialisation -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The MLmodel content, with MLflow 3.17's choice of which keys appear."""
        result: dict[str, Any] = {name: getattr(self, name) for name in _PLAIN}
        # as MLflow: attributes whose name starts with "_" are not part of the document
        result.update({k: deepcopy(v) for k, v in self.extra.items() if not k.startswith("_")})
        result["flavors"] = deepcopy(self.flavors)
        if self.signature is not None:
            result["signature"] = self.signature.to_dict()
            result["is_signature_from_type_hint"] = self.signature.is_signature_from_type_hint
            result["type_hint_from_example"] = self.signature.type_hint_from_example
        optional = {
            "saved_input_example_info": self.saved_input_example_info,
            "metadata": self.metadata,
            "resources": self.resources,
            "model_size_bytes": self.model_size_bytes,
            "auth_policy": self.auth_policy,
            "env_vars": self.env_vars,
        }
        result.update({k: deepcopy(v) for k, v in optional.items() if v is not None})
        for name in ("mlflow_version", "artifact_path", "run_id"):
            if result.get(name) is None:
                result.pop(name, None)
        return result

    def to_yaml(self) -> str:
        """The MLmodel text, exactly as MLflow writes the same content."""
        import yaml

        text: str = yaml.safe_dump(self.to_dict(), default_flow_style=False)
        return text

    def to_json(self) -> str:
        import json

        return json.dumps(self.to_dict())

    def __str__(self) -> str:
        return self.to_yaml()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Model) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def save(self, path: str | Path) -> Path:
        """Write the MLmodel file at ``path`` (a file path, as MLflow's ``Model.save``).

        Written through :func:`mlmodel.core.fsio.write_file` (atomic; never a half-written file).
        A whole model directory is written by a flavor's ``save_model``.
        """
        from mlmodel.core.fsio import write_file

        target = Path(path)
        if target.is_dir():
            target = target / MLMODEL_NAME
        return write_file(target, self.to_yaml().encode("utf-8"))

    @classmethod
    def from_dict(cls, model_dict: Mapping[str, Any]) -> Model:
        """A model from MLmodel content, read as MLflow's ``Model.from_dict`` reads it."""
        content = dict(model_dict)
        signature = content.get("signature")
        if isinstance(signature, Mapping):
            parsed = ModelSignature.from_dict(signature) if any(signature.values()) else None
            if parsed is not None:
                if "is_signature_from_type_hint" in content:
                    parsed.is_signature_from_type_hint = bool(
                        content.pop("is_signature_from_type_hint")
                    )
                if "type_hint_from_example" in content:
                    parsed.type_hint_from_example = bool(content.pop("type_hint_from_example"))
            content["signature"] = parsed
        elif signature is not None:
            raise UsageError("signature must be a mapping of JSON strings")
        content.setdefault("model_uuid", None)
        content.setdefault("mlflow_version", None)
        content.setdefault(WRITER_KEY, None)
        model = cls(**content)
        if model.extra.get(WRITER_KEY) is None:
            model.extra.pop(WRITER_KEY, None)
        return model

    @classmethod
    def log(
        cls,
        artifact_path: str | None,
        flavor: Any,
        registered_model_name: str | None = None,
        await_registration_for: int = 300,
        metadata: dict[str, Any] | None = None,
        run_id: str | None = None,
        name: str | None = None,
        model_type: str | None = None,
        params: dict[str, Any] | None = None,
        tags: dict[str, Any] | None = None,
        step: int = 0,
        **kwargs: Any,
    ) -> Any:
        """Save with ``flavor.save_model`` and log the model to MLflow tracking (extra
        ``mlmodel[tracking]``), as MLflow 3's ``Model.log``: a LoggedModel linked to the
        active run, optionally registered as ``registered_model_name``. Returns MLflow's
        ``ModelInfo`` (its ``model_uri`` loads with MLflow and with mlmodel)."""
        if name is not None and artifact_path is not None:
            raise UsageError("pass name (artifact_path is its deprecated spelling), not both")
        from mlmodel.tracking.logged_model import log_model

        return log_model(
            cls,
            name or artifact_path,
            flavor,
            registered_model_name=registered_model_name,
            await_registration_for=await_registration_for,
            metadata=metadata,
            run_id=run_id,
            model_type=model_type,
            params=params,
            tags=tags,
            step=step,
            **kwargs,
        )

    @classmethod
    def load(cls, path: str | Path | ModelLocation, *, check_files: bool = True) -> Model:
        """Read a model directory's MLmodel (or an MLmodel file, or a model URI's); refuses
        invalid documents.

        The gate's validated read (:func:`mlmodel.runtime.validated.validated`), as every
        loader's: the file read within bounds (a FIFO named MLmodel is a diagnostic, not a
        hang), parsed once with YAML 1.1 safe-load semantics (as MLflow reads it), and
        checked by the validator, the paths it references included (``check_files=False``
        for an MLmodel file kept without its model's files, as ``validate
        --no-check-files``). A model with errors raises
        :class:`~mlmodel.core.errors.InvalidModelError` (also a
        :class:`~mlmodel.core.errors.ParseError`) with the positioned diagnostics; a path that
        names no model :class:`~mlmodel.core.errors.ModelNotFoundError` (also a
        :class:`~mlmodel.core.errors.UsageError`).
        """
        from mlmodel.runtime.validated import validated

        return cls.from_dict(validated(path, check_files=check_files).document)
