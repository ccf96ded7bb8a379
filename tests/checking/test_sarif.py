"""``--format sarif``: SARIF 2.1.0 logs for code scanning.

The official SARIF 2.1.0 JSON schema cannot be downloaded while the tests run, so
:data:`SARIF_SUBSET_SCHEMA` restates the part of it that covers what mlmodel emits
(property names, required properties, the level enum, ``minimum: 1`` on region lines and
columns, all as in the OASIS schema, errata01). It is stricter in one way: objects accept
only the properties listed, so a misspelt property fails here; a new property must first be
looked up in the official schema. Set ``MLMODEL_SARIF_SCHEMA`` to a local copy of the
official schema to validate against it as well.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mlmodel import __version__
from mlmodel.checking.validate import FileReport, ValidationResult
from mlmodel.cli.app import run
from mlmodel.core.codes import CODES, diagnostic
from mlmodel.core.diagnostics import Diagnostic, Severity
from mlmodel.report import FORMATTERS
from mlmodel.report.sarif import (
    PLACEHOLDER_INFORMATION_URI,
    SARIF_SCHEMA_URI,
    artifact_location,
    to_sarif,
)
from tests.conftest import EXAMPLES, ROOT


def _object(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }


_LEVEL = {"enum": ["none", "note", "warning", "error"]}
_MESSAGE = _object(["text"], {"text": {"type": "string", "minLength": 1}})
_DESCRIPTOR = _object(
    ["id"],
    {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "shortDescription": _object(["text"], {"text": {"type": "string"}}),
        "defaultConfiguration": _object([], {"level": _LEVEL}),
    },
)
_ARTIFACT_LOCATION = _object(
    ["uri"], {"uri": {"type": "string", "minLength": 1}, "uriBaseId": {"type": "string"}}
)
_LOCATION = _object(
    ["physicalLocation"],
    {
        "physicalLocation": _object(
            ["artifactLocation"],
            {
                "artifactLocation": _ARTIFACT_LOCATION,
                "region": _object(
                    ["startLine"],
                    {
                        "startLine": {"type": "integer", "minimum": 1},
                        "startColumn": {"type": "integer", "minimum": 1},
                    },
                ),
            },
        ),
        "logicalLocations": {
            "type": "array",
            "items": _object(["fullyQualifiedName"], {"fullyQualifiedName": {"type": "string"}}),
        },
    },
)
_RESULT = _object(
    ["ruleId", "ruleIndex", "level", "message", "locations"],
    {
        "ruleId": {"type": "string", "minLength": 1},
        "ruleIndex": {"type": "integer", "minimum": 0},
        "level": _LEVEL,
        "message": _MESSAGE,
        "locations": {"type": "array", "minItems": 1, "items": _LOCATION},
    },
)
_NOTIFICATION = _object(
    ["descriptor", "level", "message"],
    {
        "descriptor": _object(
            ["id", "index"], {"id": {"type": "string"}, "index": {"type": "integer", "minimum": 0}}
        ),
        "level": _LEVEL,
        "message": _MESSAGE,
        "locations": {"type": "array", "items": _LOCATION},
    },
)
_DRIVER = _object(
    ["name", "version", "informationUri", "rules"],
    {
        "name": {"const": "mlmodel"},
        "version": {"type": "string"},
        "semanticVersion": {"type": "string"},
        "informationUri": {"type": "string", "pattern": "^https://"},
        "rules": {"type": "array", "items": _DESCRIPTOR},
        "notifications": {"type": "array", "items": _DESCRIPTOR},
    },
)
_RUN = _object(
    ["tool", "results"],
    {
        "tool": _object(["driver"], {"driver": _DRIVER}),
        "invocations": {
            "type": "array",
            "items": _object(
                ["executionSuccessful"],
                {
                    "executionSuccessful": {"type": "boolean"},
                    "toolExecutionNotifications": {"type": "array", "items": _NOTIFICATION},
                },
            ),
        },
        "originalUriBaseIds": {
            "type": "object",
            "additionalProperties": _object(
                ["uri"], {"uri": {"type": "string", "pattern": "^file:///.*/$"}}
            ),
        },
        "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
        "results": {"type": "array", "items": _RESULT},
    },
)
SARIF_SUBSET_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    **_object(
        ["$schema", "version", "runs"],
        {
            "$schema": {"type": "string", "format": "uri"},
            "version": {"const": "2.1.0"},
            "runs": {"type": "array", "minItems": 1, "maxItems": 1, "items": _RUN},
        },
    ),
}


def check_sarif(log: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(SARIF_SUBSET_SCHEMA)
    jsonschema.Draft202012Validator(SARIF_SUBSET_SCHEMA).validate(log)
    official = os.environ.get("MLMODEL_SARIF_SCHEMA")
    if official:
        schema = json.loads(Path(official).read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(schema)(schema).validate(log)
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def sarif_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = run(["validate", "--format", "sarif", *argv])
    log = json.loads(capsys.readouterr().out)
    check_sarif(log)
    return code, log


def _rule(code: str) -> dict[str, Any]:
    entry = CODES[code]
    return {
        "id": code,
        "name": entry.name,
        "shortDescription": {"text": entry.summary},
        "defaultConfiguration": {"level": entry.severity.value},
    }


def test_every_formatter_is_a_format_choice(capsys: pytest.CaptureFixture[str]) -> None:
    assert "sarif" in FORMATTERS
    for name in FORMATTERS:
        assert run(["validate", "--format", name, str(EXAMPLES / "sklearn-3x")]) == 0, name
    capsys.readouterr()


def test_golden_invalid_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "models" / "bad"
    bad.mkdir(parents=True)
    (bad / "MLmodel").write_text("flavors: {}\nrun_id: job-1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    code, log = sarif_of(["models/bad"], capsys)

    assert code == 1
    location = {"uri": "models/bad/MLmodel", "uriBaseId": "%SRCROOT%"}
    assert log == {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlmodel",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": PLACEHOLDER_INFORMATION_URI,
                        "rules": [_rule("V202"), _rule("V401")],
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": [
                    {
                        "ruleId": "V202",
                        "ruleIndex": 0,
                        "level": "error",
                        "message": {
                            "text": "'flavors' is empty: the model cannot be used as any flavor"
                        },
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": location,
                                    "region": {"startLine": 1, "startColumn": 10},
                                },
                                "logicalLocations": [{"fullyQualifiedName": "flavors"}],
                            }
                        ],
                    },
                    {
                        "ruleId": "V401",
                        "ruleIndex": 1,
                        "level": "warning",
                        "message": {"text": "run_id 'job-1' is not 32 lowercase hex digits"},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": location,
                                    "region": {"startLine": 2, "startColumn": 9},
                                },
                                "logicalLocations": [{"fullyQualifiedName": "run_id"}],
                            }
                        ],
                    },
                ],
            }
        ],
    }
    assert log["runs"][0]["tool"]["driver"]["rules"][0] == {
        "id": "V202",
        "name": "no-flavors",
        "shortDescription": {"text": "the document has no flavor"},
        "defaultConfiguration": {"level": "error"},
    }


def test_hint_is_part_of_the_message_and_rules_are_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(EXAMPLES / "mlflow-docs-2018", tmp_path / "a")
    shutil.copytree(EXAMPLES / "mlflow-docs-2018", tmp_path / "b")
    monkeypatch.chdir(tmp_path)

    code, log = sarif_of(["a", "b/MLmodel"], capsys)

    assert code == 1
    run_ = log["runs"][0]
    assert [rule["id"] for rule in run_["tool"]["driver"]["rules"]] == ["V201"]
    results = run_["results"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results] == [
        "a/MLmodel",
        "b/MLmodel",
    ]
    assert results[0]["message"]["text"].endswith(
        " (hint: add model_path: with the sklearn flavor's pickled_model)"
    )
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 7,
        "startColumn": 3,
    }


def test_clean_model_has_no_results(capsys: pytest.CaptureFixture[str]) -> None:
    code, log = sarif_of([str(EXAMPLES / "sklearn-3x")], capsys)
    assert code == 0
    run_ = log["runs"][0]
    assert run_["results"] == []
    assert run_["tool"]["driver"]["rules"] == []


def test_run_level_findings_are_tool_execution_notifications() -> None:
    plugin = diagnostic("V210", "flavor plugin 'x' failed to load: boom", hint="reinstall it")
    finding = diagnostic("V202", "'flavors' is empty", line=1, column=10).with_file("m/MLmodel")
    result = ValidationResult([FileReport("m/MLmodel", [finding])], general=[plugin])

    log = to_sarif(result, root=Path("/project").absolute())

    check_sarif(log)
    run_ = log["runs"][0]
    assert [r["ruleId"] for r in run_["results"]] == ["V202"]
    assert run_["tool"]["driver"]["notifications"] == [_rule("V210")]
    assert run_["invocations"] == [
        {
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {
                    "descriptor": {"id": "V210", "index": 0},
                    "level": "warning",
                    "message": {
                        "text": "flavor plugin 'x' failed to load: boom (hint: reinstall it)"
                    },
                }
            ],
        }
    ]


def test_result_level_is_the_finding_s_rule_level_the_catalogue_s() -> None:
    lowered = diagnostic("V500", "missing", severity=Severity.WARNING).with_file("MLmodel")
    outside = Diagnostic("X900", Severity.ERROR, "from elsewhere", file="MLmodel")
    log = to_sarif(ValidationResult([FileReport("MLmodel", [lowered, outside])]), root=Path.cwd())

    check_sarif(log)
    run_ = log["runs"][0]
    assert [r["level"] for r in run_["results"]] == ["warning", "error"]
    rules = run_["tool"]["driver"]["rules"]
    assert rules[0] == _rule("V500")
    assert rules[0]["defaultConfiguration"] == {"level": "error"}
    assert rules[1] == {
        "id": "X900",
        "shortDescription": {"text": "from elsewhere"},
        "defaultConfiguration": {"level": "error"},
    }
    # no line: no region
    assert "region" not in run_["results"][0]["locations"][0]["physicalLocation"]


def test_uris(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    assert artifact_location("my models/m 1/MLmodel", root) == {
        "uri": "my%20models/m%201/MLmodel",
        "uriBaseId": "%SRCROOT%",
    }
    assert artifact_location(str(root / "a" / ".." / "b" / "MLmodel"), root) == {
        "uri": "b/MLmodel",
        "uriBaseId": "%SRCROOT%",
    }
    outside = tmp_path / "elsewhere" / "MLmodel"
    assert artifact_location(str(outside), root) == {"uri": outside.as_uri()}
    assert artifact_location("../elsewhere/MLmodel", root) == {"uri": outside.as_uri()}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("version",), "2.1"),
        (("runs", 0, "results", 0, "level"), "fatal"),
        (("runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startLine"), 0),
        (("runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startColumn"), 0),
        (("runs", 0, "results", 0, "message"), {"txt": "x"}),
        (("runs", 0, "tool", "driver", "name"), "other"),
    ],
)
def test_subset_schema_rejects_broken_logs(path: tuple[str | int, ...], value: object) -> None:
    finding = diagnostic("V202", "'flavors' is empty", line=1, column=10).with_file("MLmodel")
    log = to_sarif(ValidationResult([FileReport("MLmodel", [finding])]), root=Path.cwd())
    check_sarif(log)
    target: Any = log
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SARIF_SUBSET_SCHEMA).validate(log)


def test_lint_findings_are_described_from_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "tests" / "cases" / "valid" / "unknown_keys_and_flavor", tmp_path / "m")
    monkeypatch.chdir(tmp_path)

    run(["lint", "--format", "sarif", "m"])
    log = json.loads(capsys.readouterr().out)

    check_sarif(log)
    descriptors = log["runs"][0]["tool"]["driver"]["rules"]
    assert any(d["id"].startswith("MLM") for d in descriptors), "the linter found nothing"
    for descriptor in descriptors:
        assert descriptor == _rule(descriptor["id"])
