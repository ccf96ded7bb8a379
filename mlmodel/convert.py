"""Convert MLmodel files between YAML and JSON, and upgrade legacy documents.

Nothing from the model directory is ever unpickled, imported or executed: the
only files read are the MLmodel file itself and, for ``--upgrade``, whether a
``python_env.yaml`` exists beside it.

* YAML -> JSON: pretty JSON of the parsed content (YAML 1.1, as MLflow reads
  it), timestamps as the strings written in the file.
* JSON -> YAML: ``yaml.safe_dump(data, default_flow_style=False)``, which is how
  MLflow writes MLmodel files (sorted keys, non-ASCII escaped).
* No change asked (same format, no upgrade): the input bytes, unchanged.
* ``upgrade``: round-trip edits of the document (comments, quoting and key order
  kept) bringing a legacy document to the layout MLflow 3.18 writes; every step
  is reported with its reason, and no value is ever invented.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mlmodel.errors import EditError, ParseError, UsageError
from mlmodel.modeldir import inside
from mlmodel.reading import is_json_text, json_ready, read_mlmodel, scalar_text
from mlmodel.timestamps import mlflow_timestamp
from mlmodel.validators.formats import version_paths
from mlmodel.yamlio.document import MLmodelDocument
from mlmodel.yamlio.tree import KeyPath, dotted

Format = Literal["yaml", "json"]
FORMATS: tuple[Format, ...] = ("yaml", "json")

#: ``str(datetime)`` of a naive datetime, the way MLflow writes ``utc_time_created``.
MLFLOW_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?$")


@dataclass(frozen=True, slots=True)
class UpgradeStep:
    """One change ``--upgrade`` made: where, from what, to what and why."""

    key: str
    action: Literal["set", "add", "rename"]
    old: str | None
    new: str
    reason: str


@dataclass(frozen=True, slots=True)
class SkippedUpgrade:
    """Something that looks legacy but was left alone, and why."""

    key: str
    reason: str


@dataclass(slots=True)
class ConversionResult:
    """The converted file: ``output`` holds the bytes to print or write."""

    source: Path
    source_format: Format
    target_format: Format
    output: bytes
    unchanged: bool
    steps: list[UpgradeStep] = field(default_factory=list)
    skipped: list[SkippedUpgrade] = field(default_factory=list)
    document: MLmodelDocument | None = None

    def write(self, target: str | Path) -> Path:
        """Write ``output`` through :func:`mlmodel.fsio.write_file` (atomic for a regular
        file; refused when writing back to a source that changed on disk since it was read)."""
        path = Path(target)
        if self.document is not None:
            return self.document.write_bytes(path, self.output)
        from mlmodel.fsio import write_file

        return write_file(path, self.output)


# -- writing ------------------------------------------------------------------------------


def dump_json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def dump_yaml(data: Any) -> bytes:
    """YAML as MLflow writes an MLmodel file."""
    import yaml

    return yaml.safe_dump(data, default_flow_style=False).encode("utf-8")


# -- upgrade ------------------------------------------------------------------------------


class _Upgrader:
    def __init__(self, document: MLmodelDocument, model_dir: Path | None) -> None:
        self.doc = document
        self.model_dir = model_dir
        self.steps: list[UpgradeStep] = []
        self.skipped: list[SkippedUpgrade] = []

    def _edit(self, path: KeyPath, step: UpgradeStep, action: Callable[[], None]) -> None:
        try:
            action()
        except EditError as exc:
            self.skipped.append(SkippedUpgrade(dotted(path), f"the edit failed: {exc}"))
            return
        self.steps.append(step)

    def run(self) -> None:
        self.timestamp()
        self.env()
        self.sklearn_model_path()
        self.versions()

    def timestamp(self) -> None:
        data = self.doc.parsed.data
        if "utc_time_created" not in data:
            if "time_created" not in data:
                return
            old = scalar_text(self.doc, ("time_created",))
            new = mlflow_timestamp(data["time_created"])
            if new is None:
                self.skipped.append(
                    SkippedUpgrade(
                        "time_created",
                        f"cannot read {old or data['time_created']!r} as a date and time; "
                        "utc_time_created left missing",
                    )
                )
                return

            def rename() -> None:
                self.doc.set(("utc_time_created",), new)
                self.doc.delete(("time_created",))

            self._edit(
                ("time_created",),
                UpgradeStep(
                    "utc_time_created",
                    "rename",
                    f"time_created: {old}",
                    new,
                    "no MLflow release ever wrote time_created (a 2018 documentation sample); "
                    "MLflow reads utc_time_created, and fabricates 'now' when it is missing",
                ),
                rename,
            )
            return
        value = data["utc_time_created"]
        if (
            isinstance(value, str)
            and MLFLOW_TIMESTAMP.match(value)
            and mlflow_timestamp(value) == value
        ):
            return
        new = mlflow_timestamp(value)
        old = scalar_text(self.doc, ("utc_time_created",))
        if new is None:
            self.skipped.append(
                SkippedUpgrade(
                    "utc_time_created", f"cannot read {old or value!r} as a date and time"
                )
            )
            return
        if isinstance(value, str) and value == new:
            return
        self._edit(
            ("utc_time_created",),
            UpgradeStep(
                "utc_time_created",
                "set",
                old,
                new,
                "MLflow writes utc_time_created as a quoted naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff' "
                "string",
            ),
            lambda: self.doc.set(("utc_time_created",), new),
        )

    def _pyfunc(self) -> dict[str, Any] | None:
        flavors = self.doc.parsed.data.get("flavors")
        if not isinstance(flavors, dict):
            return None
        pyfunc = flavors.get("python_function")
        return pyfunc if isinstance(pyfunc, dict) else None

    def env(self) -> None:
        pyfunc = self._pyfunc()
        if pyfunc is None or not isinstance(pyfunc.get("env"), str):
            return
        conda = pyfunc["env"]
        path: KeyPath = ("flavors", "python_function", "env")
        if not self._has_python_env():
            self.skipped.append(
                SkippedUpgrade(
                    dotted(path),
                    "a 1.x env string; left as is because the model directory has no "
                    "python_env.yaml to name as virtualenv",
                )
            )
            return
        new = {"conda": conda, "virtualenv": "python_env.yaml"}
        self._edit(
            path,
            UpgradeStep(
                dotted(path),
                "set",
                conda,
                json.dumps(new),
                "MLflow 2.0+ writes env as a mapping {conda, virtualenv}; python_env.yaml exists",
            ),
            lambda: self.doc.set(path, new),
        )

    def _has_python_env(self) -> bool:
        if self.model_dir is None:
            return False
        candidate = inside(self.model_dir, "python_env.yaml")
        return candidate is not None and candidate.is_file()

    def sklearn_model_path(self) -> None:
        pyfunc = self._pyfunc()
        flavors = self.doc.parsed.data.get("flavors")
        if pyfunc is None or not isinstance(flavors, dict):
            return
        if pyfunc.get("loader_module") != "mlflow.sklearn" or "model_path" in pyfunc:
            return
        sklearn = flavors.get("sklearn")
        pickled = sklearn.get("pickled_model") if isinstance(sklearn, dict) else None
        path: KeyPath = ("flavors", "python_function", "model_path")
        if not isinstance(pickled, str) or not pickled:
            self.skipped.append(
                SkippedUpgrade(
                    dotted(path),
                    "the sklearn flavor names no pickled_model to copy; left missing",
                )
            )
            return
        if "data" in pyfunc:
            why = (
                "MLflow 1.11+ names the sklearn model file in model_path (<=1.10 wrote data); "
                "copied from sklearn.pickled_model"
            )
        else:
            why = (
                "the mlflow.sklearn pyfunc loader needs model_path; copied from "
                "sklearn.pickled_model, as MLflow writes it"
            )
        self._edit(
            path,
            UpgradeStep(dotted(path), "add", None, pickled, why),
            lambda: self.doc.set(path, pickled),
        )

    def versions(self) -> None:
        for path in version_paths(self.doc.parsed.data):
            value: Any = self.doc.parsed.data
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            text = scalar_text(self.doc, path)
            if text is None or text.startswith(("'", '"')):
                continue
            written = text.strip()
            self._edit(
                path,
                UpgradeStep(
                    dotted(path),
                    "set",
                    f"{written} (a number)",
                    f"'{written}' (a string)",
                    f"YAML reads {written} as a number ({value!r}); versions are strings, "
                    "quoted as written",
                ),
                lambda path=path, written=written: self.doc.set(path, written),  # type: ignore[misc]
            )


def upgrade_document(
    document: MLmodelDocument, model_dir: Path | None = None
) -> tuple[list[UpgradeStep], list[SkippedUpgrade]]:
    """Upgrade ``document`` in place (round-trip edits); return what changed and what did not.

    ``model_dir`` defaults to the folder of the document's file.
    """
    if model_dir is None and document.path is not None:
        model_dir = document.path.parent
    upgrader = _Upgrader(document, model_dir)
    upgrader.run()
    return upgrader.steps, upgrader.skipped


# -- convert ------------------------------------------------------------------------------


def convert(
    path: str | Path, *, to: Format | None = None, upgrade: bool = False
) -> ConversionResult:
    """Convert one MLmodel file (or a model directory's) to ``to``.

    ``to`` defaults to the other format, or to the file's own format with
    ``upgrade``. Raises :class:`UsageError` (not a model, bad option) or
    :class:`ParseError` (the file is not a readable MLmodel document).
    """
    if to is not None and to not in FORMATS:
        raise UsageError(f"unknown format {to!r}; expected json or yaml")
    document = read_mlmodel(path)
    assert document.path is not None
    source_format: Format = "json" if is_json_text(document.text) else "yaml"
    if to is None:
        to = source_format if upgrade else ("yaml" if source_format == "json" else "json")
    original = document.to_bytes()
    steps: list[UpgradeStep] = []
    skipped: list[SkippedUpgrade] = []
    if upgrade:
        steps, skipped = upgrade_document(document)
    if to == source_format and (to == "yaml" or not steps):
        output = document.to_bytes()
    elif to == "json":
        output = dump_json(json_ready(document))
    else:
        output = dump_yaml(_json_content(document))
    return ConversionResult(
        source=document.path,
        source_format=source_format,
        target_format=to,
        output=output,
        unchanged=output == original,
        steps=steps,
        skipped=skipped,
        document=document,
    )


def _json_content(document: MLmodelDocument) -> Any:
    """A JSON-styled document's content with JSON's own types (``1e-05`` is a number)."""
    try:
        data = json.loads(document.text.lstrip("\ufeff"))
    except ValueError:
        return json_ready(document)
    if not isinstance(data, dict):
        raise ParseError(f"{document.path}: the document is not a mapping")
    return data
