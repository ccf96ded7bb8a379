"""SARIF 2.1.0 output, for code scanning (GitHub, Azure DevOps, IDE SARIF viewers).

The log holds one run:

* ``tool.driver``: name ``mlmodel``, the package version, and one rule per code that
  appears in the results, from the catalogue :data:`mlmodel.core.codes.CODES` (id, name, short
  description, default level);
* ``results``: one per finding about a file, with ``ruleId``/``ruleIndex``, ``level``,
  the message (and hint) and the location: the file's URI relative to the current
  directory (``uriBaseId`` ``%SRCROOT%``, declared in ``originalUriBaseIds``) and the
  line and column when known (columns count characters: ``columnKind`` is
  ``unicodeCodePoints``). A file outside the current directory gets an absolute
  ``file:`` URI. The dotted key of the finding, when there is one, is a logical location.
* findings about the run rather than a file (:attr:`ValidationResult.general`: a flavor
  plugin that failed to load, say) are ``invocations[0].toolExecutionNotifications``,
  described by ``tool.driver.notifications``. They are not results: they say nothing
  about the analysed files, and code scanning services refuse or drop results without
  a location (GitHub requires one on every result).
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePath
from typing import Any, TextIO
from urllib.parse import quote

from mlmodel import __version__
from mlmodel.checking.validate import ValidationResult
from mlmodel.core.codes import CODES
from mlmodel.core.diagnostics import Diagnostic, Severity

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
#: SARIF wants an absolute URI for the tool's documentation; the project has no public
#: home page yet. Replace this placeholder (``.invalid`` never resolves) when it has one.
PLACEHOLDER_INFORMATION_URI = "https://mlmodel.invalid/README.md"
TOOL_NAME = "mlmodel"
SRCROOT = "%SRCROOT%"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning"}

JSON = dict[str, Any]


def to_sarif(result: ValidationResult, *, root: Path | None = None) -> JSON:
    """The SARIF log of ``result``; paths are made relative to ``root`` (the current
    directory by default) when they are inside it."""
    root = Path.cwd() if root is None else root
    file_findings = [
        d if d.file is not None else d.with_file(report.path)
        for report in result.reports
        for d in report.diagnostics
    ]
    rules = _descriptors(file_findings)
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    notifications = _descriptors(result.general)
    notification_index = {n["id"]: i for i, n in enumerate(notifications)}

    driver: JSON = {
        "name": TOOL_NAME,
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": PLACEHOLDER_INFORMATION_URI,
        "rules": rules,
    }
    if notifications:
        driver["notifications"] = notifications
    invocation: JSON = {"executionSuccessful": True}
    if result.general:
        invocation["toolExecutionNotifications"] = [
            _notification(d, notification_index[d.code], root) for d in result.general
        ]
    run: JSON = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(root)}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, rule_index[d.code], root) for d in file_findings],
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def write_sarif(result: ValidationResult, stream: TextIO) -> None:
    """Write the SARIF log of ``result`` (JSON, indented) to ``stream``."""
    json.dump(to_sarif(result), stream, indent=2)
    stream.write("\n")


def _descriptors(diagnostics: list[Diagnostic]) -> list[JSON]:
    """A reportingDescriptor for each code in ``diagnostics``, sorted by code."""
    by_code: dict[str, Diagnostic] = {}
    for d in diagnostics:
        by_code.setdefault(d.code, d)
    return [_descriptor(by_code[code]) for code in sorted(by_code)]


def _descriptor(d: Diagnostic) -> JSON:
    entry = CODES.get(d.code)
    if entry is None:  # a code outside the catalogue: describe it by its first finding
        return {
            "id": d.code,
            "shortDescription": {"text": d.message},
            "defaultConfiguration": {"level": _LEVELS[d.severity]},
        }
    return {
        "id": d.code,
        "name": entry.name,
        "shortDescription": {"text": entry.summary},
        "defaultConfiguration": {"level": _LEVELS[entry.severity]},
    }


def _message(d: Diagnostic) -> JSON:
    return {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")}


def _result(d: Diagnostic, index: int, root: Path) -> JSON:
    return {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": _LEVELS[d.severity],
        "message": _message(d),
        "locations": [_location(d, root)],
    }


def _notification(d: Diagnostic, index: int, root: Path) -> JSON:
    notification: JSON = {
        "descriptor": {"id": d.code, "index": index},
        "level": _LEVELS[d.severity],
        "message": _message(d),
    }
    if d.file is not None:
        notification["locations"] = [_location(d, root)]
    return notification


def _location(d: Diagnostic, root: Path) -> JSON:
    assert d.file is not None
    physical: JSON = {"artifactLocation": artifact_location(d.file, root)}
    if d.line is not None and d.line >= 1:
        region: JSON = {"startLine": d.line}
        if d.column is not None and d.column >= 1:
            region["startColumn"] = d.column
        physical["region"] = region
    location: JSON = {"physicalLocation": physical}
    if d.key:
        location["logicalLocations"] = [{"fullyQualifiedName": d.key}]
    return location


def artifact_location(path: str, root: Path) -> JSON:
    """``{"uri": "a/b/MLmodel", "uriBaseId": "%SRCROOT%"}`` for a path inside ``root``,
    ``{"uri": "runs:/<id>/model/MLmodel"}`` for a model named by its URI (fetched, see
    :class:`mlmodel.modeldir.ModelLocation`), else ``{"uri": "file:///..."}``."""
    from mlmodel.core.uris import is_remote_model_uri

    if is_remote_model_uri(path) and not os.path.lexists(root / path):
        return {"uri": quote(path, safe=":/@!$&'()*+,;=%~")}
    relative = _relative(path, root)
    if relative is not None:
        # fsencode: a file name that is not UTF-8 keeps its bytes, percent-encoded
        return {"uri": quote(os.fsencode(relative.as_posix())), "uriBaseId": SRCROOT}
    return {"uri": Path(os.path.normpath(root / path)).as_uri()}


def _relative(path: str, root: Path) -> PurePath | None:
    """``path`` relative to ``root``, lexically or else with symlinks resolved."""
    target = Path(os.path.normpath(root / path))
    try:
        return target.relative_to(root)
    except ValueError:
        pass
    try:
        return (root / path).resolve().relative_to(root.resolve())
    except (OSError, ValueError):
        return None


def _directory_uri(root: Path) -> str:
    uri = root.absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"
