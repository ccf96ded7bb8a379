"""A model under check cannot configure its own check (issue 8 item 3, configuration part).

--isolated reads no configuration; a configuration inside the model directory never
deselects MLM5xx; configuration and declared schema files are bounded, regular files
only; a declared schema's $ref never leaves the file and nothing is ever fetched.
"""

from __future__ import annotations

import json
import os
import pickle
import stat
from pathlib import Path

import pytest

from mlmodel.checking.config import (
    MAX_SCHEMA_DEPTH,
    MAX_SCHEMA_NODES,
    load_config,
    no_network_registry,
)
from mlmodel.checking.lint.engine import LintOptions, lint_paths
from mlmodel.checking.validate import validate_paths
from mlmodel.cli.app import run
from mlmodel.core.errors import UsageError

PYFUNC = "flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n    python_model: m.pkl\n"
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mknod)")


class Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo pwned",))


def evil_model(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "MLmodel").write_text(PYFUNC)
    (folder / "m.pkl").write_bytes(pickle.dumps(Evil()))
    (folder / "requirements.txt").write_text("mlflow==3.18.0\ncloudpickle==3.1.3\n")
    return folder


def lint_codes(model: Path, **options: object) -> list[str]:
    result = lint_paths([model], LintOptions(**options))  # type: ignore[arg-type]
    return sorted({d.code for d in result.result.diagnostics})


# -- configuration inside the model directory --------------------------------------------


@pytest.mark.parametrize(
    "setting",
    [
        'ignore = ["MLM5"]',
        'ignore = ["MLM501"]',
        'ignore = ["mlm"]',
        'ignore = ["M"]',
        'ignore = ["ALL"]',
        'select = ["MLM1"]',
        'select = ["MLM501"]\nignore = ["MLM50"]',
    ],
)
@pytest.mark.parametrize("name", [".mlmodel.toml", "pyproject.toml"])
def test_a_config_in_the_model_directory_cannot_silence_security_rules(
    tmp_path: Path, name: str, setting: str
) -> None:
    model = evil_model(tmp_path / "model")
    text = setting if name == ".mlmodel.toml" else "[tool.mlmodel]\n" + setting
    (model / name).write_text(text + "\n")
    assert "MLM501" in lint_codes(model)
    assert run(["lint", str(model)]) == 1


def test_the_same_config_above_the_model_directory_is_trusted(tmp_path: Path) -> None:
    model = evil_model(tmp_path / "models" / "model")
    (tmp_path / ".mlmodel.toml").write_text('ignore = ["MLM5"]\n')
    assert "MLM501" not in lint_codes(model)
    assert load_config(model).inside_model is False


def test_a_config_in_the_model_directory_still_tunes_other_rules(tmp_path: Path) -> None:
    model = evil_model(tmp_path / "model")
    assert "MLM301" in lint_codes(model)
    (model / ".mlmodel.toml").write_text('ignore = ["MLM301", "MLM5"]\n')
    config = load_config(model)
    assert (config.inside_model, config.ignore, config.overridden) == (True, ("MLM301",), ("MLM5",))
    codes = lint_codes(model)
    assert "MLM301" not in codes and "MLM501" in codes


def test_a_config_in_the_model_directory_declares_schemas_only_inside_it(tmp_path: Path) -> None:
    model = evil_model(tmp_path / "model")
    (tmp_path / "outside.json").write_text('{"type": "object"}')
    (model / ".mlmodel.toml").write_text('[flavors]\npython_function = "../outside.json"\n')
    with pytest.raises(UsageError, match="may only declare schemas inside it"):
        validate_paths([model])


# -- --isolated -----------------------------------------------------------------------------


def test_isolated_reads_no_configuration(tmp_path: Path) -> None:
    model = evil_model(tmp_path / "models" / "model")
    (tmp_path / ".mlmodel.toml").write_text('ignore = ["MLM5", "MLM301"]\n')
    assert "MLM501" not in lint_codes(model)
    assert {"MLM301", "MLM501"} <= set(lint_codes(model, isolated=True))


def test_isolated_honours_no_suppression_comment(tmp_path: Path) -> None:
    model = evil_model(tmp_path / "model")
    text = PYFUNC.replace("flavors:\n", "flavors:  # mlmodel: disable=MLM301\n")
    (model / "MLmodel").write_text(text)
    assert "MLM301" not in lint_codes(model)
    codes = lint_codes(model, isolated=True)
    assert "MLM301" in codes and "MLM001" not in codes


def test_isolated_skips_a_configuration_that_would_break_the_run(tmp_path: Path) -> None:
    model = evil_model(tmp_path / "model")
    os.mkfifo(model / ".mlmodel.toml")
    with pytest.raises(UsageError, match="a FIFO, not a regular file"):
        validate_paths([model])
    assert run(["validate", str(model)]) == 2
    assert run(["lint", str(model)]) == 2
    assert validate_paths([model], isolated=True).reports
    assert run(["validate", "--isolated", "--no-check-files", str(model)]) == 0
    assert run(["lint", "--isolated", str(model)]) == 1  # MLM501
    assert run(["inspect", "--isolated", str(model)]) == 0
    assert run(["convert", "--isolated", str(model)]) == 0


# -- configuration files: regular and bounded ---------------------------------------------


def test_a_fifo_configuration_is_refused_without_blocking(tmp_path: Path) -> None:
    model = evil_model(tmp_path / "model")
    os.mkfifo(tmp_path / "pyproject.toml")
    with pytest.raises(UsageError, match="a FIFO, not a regular file"):
        validate_paths([model])


@as_root
def test_a_configuration_linked_to_a_device_is_refused(tmp_path: Path) -> None:
    model = evil_model(tmp_path / "model")
    zero = tmp_path / "zero"
    os.mknod(zero, stat.S_IFCHR | 0o666, os.makedev(1, 5))  # our own /dev/zero
    (model / ".mlmodel.toml").symlink_to(zero)
    with pytest.raises(UsageError, match="a character device, not a regular file"):
        validate_paths([model])


def test_a_huge_configuration_is_refused_before_it_is_read(tmp_path: Path) -> None:
    model = evil_model(tmp_path / "model")
    with (model / ".mlmodel.toml").open("wb") as handle:
        handle.truncate(1 << 40)  # sparse
    with pytest.raises(UsageError, match="above the 1048576-byte limit"):
        validate_paths([model])


def test_a_deeply_nested_configuration_is_a_usage_error(tmp_path: Path) -> None:
    model = evil_model(tmp_path / "model")
    (model / ".mlmodel.toml").write_text("select = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(UsageError, match="cannot read the configuration"):
        validate_paths([model])


# -- declared schemas: bounded and sandboxed ------------------------------------------------

MODEL = "flavors:\n  my_flavor:\n    threshold: 2\n  python_function:\n    loader_module: x.y\n"


def declared(tmp_path: Path, schema_name: str = "s.json") -> Path:
    (tmp_path / ".mlmodel.toml").write_text(f'[flavors]\nmy_flavor = "{schema_name}"\n')
    model = tmp_path / "m"
    model.mkdir()
    (model / "MLmodel").write_text(MODEL)
    return model


def nested(depth: int) -> dict[str, object]:
    schema: dict[str, object] = {"type": "object"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 10)}]\n"
    for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("s.json", json.dumps(nested(MAX_SCHEMA_DEPTH)), "nested deeper than 64 levels"),
        ("s.json", "[" * 200_000 + "]" * 200_000, "nested deeper than 64 levels"),
        ("s.yaml", BOMB, f"more than {MAX_SCHEMA_NODES} values"),
        ("s.yaml", "a: &a [*a]\n", "nested deeper than 64 levels"),
        ("s.json", '{"$ref": "http://127.0.0.1:9/schema.json"}', "points outside the schema file"),
        ("s.json", '{"properties": {"x": {"$ref": "other.json#/a"}}}', "points outside"),
        ("s.json", '{"$dynamicRef": "https://127.0.0.1/x"}', "points outside"),
        ("s.json", '{"$ref": "#/$defs/missing"}', "points at nothing in the schema"),
        ("s.json", b"\xff\xfe{}", "not UTF-8"),
    ],
    ids=[
        "too-deep",
        "json-recursion",
        "yaml-bomb",
        "recursive-alias",
        "remote-ref",
        "file-ref",
        "remote-dynamic-ref",
        "dangling-ref",
        "not-utf8",
    ],
)
def test_a_hostile_declared_schema_is_a_usage_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | bytes,
    message: str,
) -> None:
    model = declared(tmp_path, name)
    target = tmp_path / name
    target.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(UsageError, match=message):
        validate_paths([model])
    assert run(["validate", str(tmp_path / "m")]) == 2
    assert message.split(" ")[0] in capsys.readouterr().err


def test_a_schema_at_the_limits_is_used(tmp_path: Path) -> None:
    model = declared(tmp_path)
    schema = nested(MAX_SCHEMA_DEPTH - 3)
    schema["properties"] = {"threshold": {"$ref": "#/$defs/small"}}
    schema["$defs"] = {"small": {"maximum": 1}}
    (tmp_path / "s.json").write_text(json.dumps(schema))
    found = validate_paths([model], check_files=False).diagnostics
    assert [(d.code, d.line) for d in found] == [("V212", 3)]


@pytest.mark.parametrize("kind", ["fifo", "device", "huge"])
def test_a_declared_schema_must_be_a_bounded_regular_file(tmp_path: Path, kind: str) -> None:
    model = declared(tmp_path)
    target = tmp_path / "s.json"
    if kind == "fifo":
        os.mkfifo(target)
        message = "a FIFO, not a regular file"
    elif kind == "device":
        if os.geteuid() != 0:
            pytest.skip("needs root (mknod)")
        os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 5))
        message = "a character device, not a regular file"
    else:
        with target.open("wb") as handle:
            handle.truncate(1 << 40)
        message = "above the 1048576-byte limit"
    with pytest.raises(UsageError, match=message):
        validate_paths([model])


def test_a_ref_the_loader_cannot_check_is_a_diagnostic_never_a_fetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A nested $id changes what '#' means: the broken reference is found while checking,
    reported on the flavor as V212, and nothing is fetched."""
    import urllib.request

    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("the network was used")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    model = declared(tmp_path)
    schema = {
        "$defs": {"x": {"$id": "http://127.0.0.1:9/x.json", "$ref": "#/nope"}},
        "properties": {"threshold": {"$ref": "#/$defs/x"}},
    }
    (tmp_path / "s.json").write_text(json.dumps(schema))
    found = validate_paths([model], check_files=False).diagnostics
    assert [(d.code, d.line, d.column) for d in found] == [("V212", 2, 3)]
    assert "cannot be applied" in found[0].message


def test_the_registry_refuses_every_retrieval(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    from jsonschema import Draft202012Validator
    from referencing.exceptions import Unresolvable

    calls: list[object] = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: calls.append(a))
    validator = Draft202012Validator(
        {"$ref": "http://127.0.0.1:9/x.json"}, registry=no_network_registry()
    )
    with pytest.raises(Unresolvable):
        list(validator.iter_errors({}))
    assert calls == []
