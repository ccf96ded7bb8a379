"""Convert MLmodel files between YAML and JSON, and upgrade legacy documents.

Nothing from the model directory is ever unpickled, imported or executed: the
only file read is the MLmodel file itself; ``--upgrade`` also looks at which
files exist beside it (a ``python_env.yaml``), as ``lint`` does.

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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mlmodel.checking.reading import is_json_text, json_ready, read_mlmodel
from mlmodel.core.errors import ParseError, UsageError
from mlmodel.modeldir.location import ModelLocation, refuse_remote_write, resolve_model_location
from mlmodel.yamlio.document import MLmodelDocument, same_path

if TYPE_CHECKING:
    from mlmodel.checking.lint.model import FixAction

Format = Literal["yaml", "json"]
FORMATS: tuple[Format, ...] = ("yaml", "json")


@dataclass(frozen=True, slots=True)
class UpgradeStep:
    """One change ``--upgrade`` made: where, from what, to what and why."""

    key: str
    action: FixAction
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
    """The converted file: ``output`` holds the bytes to print or write; ``source`` is the
    file read (None for a document read from no file, such as stdin)."""

    source: Path | None
    source_format: Format
    target_format: Format
    output: bytes
    unchanged: bool
    steps: list[UpgradeStep] = field(default_factory=list)
    skipped: list[SkippedUpgrade] = field(default_factory=list)
    document: MLmodelDocument | None = None
    #: where the source was read and how messages name it (a fetched model by its URI)
    location: ModelLocation | None = None

    def write(self, target: str | Path) -> Path:
        """Write ``output`` through :func:`mlmodel.core.fsio.write_file` (atomic for a regular
        file; refused when writing back to a source that changed on disk since it was read,
        and, as a :class:`UsageError`, when the source is a fetched model's cached copy)."""
        path = Path(target)
        if self.location is not None and self.source is not None and same_path(path, self.source):
            refuse_remote_write(self.location, "convert --in-place")
        if self.document is not None:
            return self.document.write_bytes(path, self.output)
        from mlmodel.core.fsio import write_file

        return write_file(path, self.output)


# -- writing ------------------------------------------------------------------------------


#: chunks of JSON text joined and encoded at a time
_JSON_BATCH = 8192


def dump_json(data: Any) -> bytes:
    """``json.dumps(data, indent=2, ensure_ascii=False)`` and a final newline, as UTF-8.

    Encoded in batches as the encoder yields its pieces: with ``indent`` the standard
    library's encoder is the pure-Python one, and ``json.dumps`` keeps all its pieces (a few
    per key) until the end, several times the size of the text on a file of many keys.
    """
    out = bytearray()
    batch: list[str] = []
    for chunk in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(data):
        batch.append(chunk)
        if len(batch) >= _JSON_BATCH:
            out += "".join(batch).encode("utf-8")
            batch.clear()
    batch.append("\n")
    out += "".join(batch).encode("utf-8")
    return bytes(out)


def dump_yaml(data: Any) -> bytes:
    """YAML as MLflow writes an MLmodel file."""
    import yaml

    return yaml.safe_dump(data, default_flow_style=False).encode("utf-8")


# -- upgrade ------------------------------------------------------------------------------

#: the findings whose fixes bring a legacy document to the current layout: the legacy
#: time_created key, the 1.x env string, sklearn's model_path, timestamps, numeric versions
UPGRADE_CODES: tuple[str, ...] = ("MLM102", "MLM105", "MLM106", "V201", "V400", "V402")


@dataclass(frozen=True)
class Upgrade:
    """What :func:`upgrade_document` changed (``steps``) and could not change (``skipped``)."""

    steps: list[UpgradeStep]
    skipped: list[SkippedUpgrade]


def upgrade_document(document: MLmodelDocument, model_dir: Path | None = None) -> Upgrade:
    """Upgrade ``document`` in place (round-trip edits); return what changed and what did not.

    The fixes are the lint engine's (:data:`UPGRADE_CODES`, unsafe ones included), applied
    by the same engine as ``lint --fix``. ``model_dir`` defaults to the folder of the
    document's file.
    """
    from mlmodel.checking.lint.engine import LintOptions, apply_fixes, collect
    from mlmodel.core.codes import CODES

    if model_dir is None and document.path is not None:
        model_dir = document.path.parent
    options = LintOptions(
        select=UPGRADE_CODES, fix=True, unsafe_fixes=True, check_files=model_dir is not None
    )
    selected = options.selected()
    applied = apply_fixes(document, model_dir, options, selected)
    steps = [
        UpgradeStep(
            done.fix.key,
            done.fix.action,
            done.fix.old,
            done.fix.new,
            done.fix.reason or CODES[done.code].summary,
        )
        for done in applied.fixes
    ]
    skipped: list[SkippedUpgrade] = []
    for item in collect(document, model_dir, options, selected):
        if item.no_fix is not None:
            entry = SkippedUpgrade(item.no_fix.key, item.no_fix.reason)
            if entry not in skipped:
                skipped.append(entry)
    skipped.extend(SkippedUpgrade(d.key, d.message) for d in applied.failures)
    return Upgrade(steps, skipped)


# -- convert ------------------------------------------------------------------------------


def convert(
    path: str | Path | ModelLocation, *, to: Format | None = None, upgrade: bool = False
) -> ConversionResult:
    """Convert one MLmodel file (or a model directory's, or a model URI's) to ``to``.

    ``to`` defaults to the other format, or to the file's own format with
    ``upgrade``. Raises :class:`UsageError` (not a model, bad option) or
    :class:`ParseError` (the file is not a readable MLmodel document).
    """
    _check_format(to)
    location = resolve_model_location(path)
    document = read_mlmodel(location)
    assert document.path is not None
    return replace(convert_document(document, to=to, upgrade=upgrade), location=location)


def _check_format(to: str | None) -> None:
    if to is not None and to not in FORMATS:
        raise UsageError(f"unknown format {to!r}; expected json or yaml")


def convert_document(
    document: MLmodelDocument, *, to: Format | None = None, upgrade: bool = False
) -> ConversionResult:
    """Convert a document already read (see :func:`convert`). ``upgrade`` looks at the
    files beside the document's file; a document read from no file (stdin) has no model
    directory, so no file is looked at, as validate and lint check no files then."""
    _check_format(to)
    source_format: Format = "json" if is_json_text(document.text) else "yaml"
    if to is None:
        to = source_format if upgrade else ("yaml" if source_format == "json" else "json")
    original = document.to_bytes()
    steps: list[UpgradeStep] = []
    skipped: list[SkippedUpgrade] = []
    if upgrade:
        upgraded = upgrade_document(document)
        steps, skipped = upgraded.steps, upgraded.skipped
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
        raise ParseError(f"{document.name}: the document is not a mapping")
    return data
