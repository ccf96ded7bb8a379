"""Round-trip documents: byte-identical writes, minimal edits in the file's own style."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlmodel import read_mlmodel
from mlmodel.core.errors import EditError, ParseError
from mlmodel.yamlio.document import MLmodelDocument

SKLEARN = """\
# a comment at the top
artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn  # inline comment
    model_path: model.pkl
    python_version: 3.10.12
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.3.2
mlflow_version: 2.9.2
run_id: 2d9f4b6a8c0e4f1a9b3c5d7e9f1a2b3c
signature:
  inputs: '[{"type": "double", "name": "a", "required": true}, {"type": "long", "name":
    "b", "required": true}]'
  outputs: null
utc_time_created: '2023-12-01 09:30:00.000001'
"""


def doc(text: str) -> MLmodelDocument:
    return MLmodelDocument.from_bytes(text.encode())


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(a) == len(b), (a, b)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


# -- byte identity -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(SKLEARN.encode(), id="plain"),
        pytest.param(SKLEARN.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(SKLEARN.rstrip("\n").encode(), id="no-final-newline"),
        pytest.param(b"\xef\xbb\xbf" + SKLEARN.encode(), id="bom"),
        pytest.param(b'{"flavors": {"x": {"a": 1}},\n "run_id": "r"}', id="json"),
        pytest.param(b"time_created: 2018-05-25T17:28:53.35\nflavors: {x: {}}\n", id="timestamp"),
        pytest.param(b'\n\nflavors:\n  x:\n    a: "q"   # c\n\n\n', id="blank-lines"),
    ],
)
def test_unedited_document_writes_back_byte_identical(raw: bytes, tmp_path: Path) -> None:
    target = tmp_path / "MLmodel"
    target.write_bytes(raw)
    document = read_mlmodel(tmp_path)
    document.write()
    assert target.read_bytes() == raw


def test_timestamp_is_kept_exactly_as_written() -> None:
    document = doc("time_created: 2018-05-25T17:28:53.35\nflavors:\n  x: {}\nrun_id: a\n")
    document["run_id"] = "b"
    assert document.text == "time_created: 2018-05-25T17:28:53.35\nflavors:\n  x: {}\nrun_id: b\n"


# -- scalar edits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "old_line", "new_line"),
    [
        (("run_id",), "abc", "run_id: 2d9f4b6a8c0e4f1a9b3c5d7e9f1a2b3c\n", "run_id: abc\n"),
        (
            ("flavors", "sklearn", "sklearn_version"),
            "1.5.2",
            "    sklearn_version: 1.3.2\n",
            "    sklearn_version: 1.5.2\n",
        ),
        (
            ("flavors", "python_function", "python_version"),
            "3.10",
            "    python_version: 3.10.12\n",
            "    python_version: '3.10'\n",
        ),
        (
            ("utc_time_created",),
            "2024-01-01 00:00:00",
            "utc_time_created: '2023-12-01 09:30:00.000001'\n",
            "utc_time_created: '2024-01-01 00:00:00'\n",
        ),
        (
            ("flavors", "python_function", "loader_module"),
            "mlflow.pyfunc.model",
            "    loader_module: mlflow.sklearn  # inline comment\n",
            "    loader_module: mlflow.pyfunc.model  # inline comment\n",
        ),
        (("flavors", "sklearn", "code"), "src", "    code: null\n", "    code: src\n"),
        (("mlflow_version",), "yes", "mlflow_version: 2.9.2\n", "mlflow_version: 'yes'\n"),
        (("mlflow_version",), 3, "mlflow_version: 2.9.2\n", "mlflow_version: 3\n"),
    ],
)
def test_setting_a_scalar_changes_one_line(
    path: tuple[str, ...], value: object, old_line: str, new_line: str
) -> None:
    document = doc(SKLEARN)
    document.set(path, value)
    assert changed_lines(SKLEARN, document.text) == [(old_line, new_line)]
    assert document.data == _expected(SKLEARN, path, value)


def _expected(text: str, path: tuple[str, ...], value: object) -> object:
    import yaml

    data = yaml.safe_load(text)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def test_mapping_access_like_tomlkit() -> None:
    document = doc(SKLEARN)
    document["flavors"]["sklearn"]["sklearn_version"] = "1.5.2"
    assert document["flavors"]["sklearn"]["sklearn_version"] == "1.5.2"
    assert "    sklearn_version: 1.5.2\n" in document.text
    assert list(document["flavors"]) == ["python_function", "sklearn"]
    assert document["flavors"]["python_function"]["env"]["conda"] == "conda.yaml"


def test_quote_style_is_kept() -> None:
    text = "flavors:\n  x:\n    a: \"double\"\n    b: 'single'\n"
    document = doc(text)
    document["flavors"]["x"]["a"] = "new"
    document["flavors"]["x"]["b"] = "it's"
    assert document.text == "flavors:\n  x:\n    a: \"new\"\n    b: 'it''s'\n"


# -- adding and deleting keys ------------------------------------------------------------


def test_added_key_goes_in_sorted_place_when_keys_are_sorted() -> None:
    document = doc(SKLEARN)
    document["model_uuid"] = "5b1e0c9a2f3d4e6b8a7c9d0e1f2a3b4c"
    lines = document.text.splitlines()
    assert lines[lines.index("mlflow_version: 2.9.2") + 1] == (
        "model_uuid: 5b1e0c9a2f3d4e6b8a7c9d0e1f2a3b4c"
    )
    assert len(lines) == len(SKLEARN.splitlines()) + 1


def test_added_key_goes_last_when_keys_are_not_sorted() -> None:
    text = "time_created: 2018-05-25T17:28:53.35\n\nflavors:\n  sklearn:\n    a: 1\n"
    document = doc(text)
    document["flavors"]["sklearn"]["pickled_model"] = "model.pkl"
    assert document.text == text + "    pickled_model: model.pkl\n"


def test_adding_a_nested_mapping_uses_the_files_indentation() -> None:
    text = "flavors:\n    x:\n        a: 1\nrun_id: r\n"
    document = doc(text)
    document["flavors"]["python_function"] = {"loader_module": "m", "env": {"conda": "c.yaml"}}
    assert document.text == (
        "flavors:\n    python_function:\n        env:\n            conda: c.yaml\n"
        "        loader_module: m\n    x:\n        a: 1\nrun_id: r\n"
    )


def test_adding_a_list_follows_the_files_sequence_style() -> None:
    document = doc("flavors:\n  x: {}\nrun_id: r\n")
    document["prompts"] = ["prompts:/a/1", "prompts:/b/2"]
    assert document.text == (
        "flavors:\n  x: {}\nprompts:\n- prompts:/a/1\n- prompts:/b/2\nrun_id: r\n"
    )


def test_adding_to_an_empty_flow_mapping_turns_it_into_a_block() -> None:
    document = doc("flavors: {}\nrun_id: r\n")
    document["flavors"]["sklearn"] = {"pickled_model": "model.pkl"}
    assert document.text == "flavors:\n  sklearn:\n    pickled_model: model.pkl\nrun_id: r\n"


def test_delete_removes_the_whole_entry_only() -> None:
    document = doc(SKLEARN)
    del document["signature"]
    assert "signature" not in document.text
    assert document.text.count("\n") == SKLEARN.count("\n") - 4
    del document["flavors"]["python_function"]["env"]
    assert "conda.yaml" not in document.text
    assert "# inline comment" in document.text and "# a comment at the top" in document.text


def test_deleting_the_last_key_of_a_mapping_leaves_an_empty_mapping() -> None:
    document = doc("flavors:\n  x:\n    a: 1\nrun_id: r\n")
    del document["flavors"]["x"]["a"]
    assert document.text == "flavors:\n  x: {}\nrun_id: r\n"


def test_crlf_and_missing_final_newline_are_kept_when_editing() -> None:
    text = "flavors:\r\n  x:\r\n    a: 1\r\nrun_id: r"
    document = doc(text)
    document["utc_time_created"] = "2024-01-01 00:00:00"
    document["flavors"]["x"]["b"] = 2
    assert document.text == (
        "flavors:\r\n  x:\r\n    a: 1\r\n    b: 2\r\nrun_id: r\r\n"
        "utc_time_created: '2024-01-01 00:00:00'"
    )


def test_json_styled_documents_stay_json_styled() -> None:
    text = '{\n  "flavors": {\n    "x": {\n      "a": "b"\n    }\n  },\n  "run_id": "r"\n}'
    document = doc(text)
    document["run_id"] = "s"
    document["artifact_path"] = "model"
    document["flavors"]["x"]["a"] = "c"
    assert document.text == (
        '{\n  "flavors": {\n    "x": {\n      "a": "c"\n    }\n  },\n  "run_id": "s",\n'
        '  "artifact_path": "model"\n}'
    )
    del document["run_id"]
    assert document.text == (
        '{\n  "flavors": {\n    "x": {\n      "a": "c"\n    }\n  },\n  "artifact_path": "model"\n}'
    )


def test_sequence_items_can_be_set_and_appended() -> None:
    document = doc("flavors:\n  x: {}\nprompts:\n- a\n- b\n")
    document["prompts"][1] = "c"
    assert document.text == "flavors:\n  x: {}\nprompts:\n- a\n- c\n"
    document["prompts"].append("d")
    assert document["prompts"][:] == ["a", "c", "d"]
    del document["prompts"][0]
    assert document.data["prompts"] == ["c", "d"]


# -- positions ---------------------------------------------------------------------------


def test_every_key_and_value_knows_its_line_and_column() -> None:
    document = doc(SKLEARN)
    where = document.position("flavors", "sklearn", "pickled_model")
    assert (where.key_line, where.key_column, where.line, where.column) == (13, 5, 13, 20)
    assert document["flavors"].position("sklearn").key_line == 11


# -- failures ----------------------------------------------------------------------------


def test_broken_yaml_cannot_be_opened_for_editing() -> None:
    with pytest.raises(ParseError) as info:
        doc("flavors:\n  a: b: c\n")
    assert info.value.diagnostics


def test_atomic_write_leaves_the_old_file_when_the_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "MLmodel"
    target.write_text(SKLEARN)
    document = read_mlmodel(target)
    document["run_id"] = "new"

    def boom(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        document.write()
    assert target.read_text() == SKLEARN
    assert [p.name for p in tmp_path.iterdir()] == ["MLmodel"]


def test_index_out_of_range_is_an_edit_error() -> None:
    document = doc("flavors:\n  x: {}\nprompts:\n- a\n")
    with pytest.raises(EditError):
        document.set(("prompts", 5), "z")
    assert document.text == "flavors:\n  x: {}\nprompts:\n- a\n"


def test_setting_the_same_value_leaves_the_text_alone() -> None:
    text = "flavors:\n  x:\n    a: '1'   # keep me exactly\nrun_id: r\n"
    document = doc(text)
    document["flavors"]["x"]["a"] = "1"
    assert document.text == text
    document["flavors"]["x"]["a"] = 1  # a different type is an edit
    assert document.text == "flavors:\n  x:\n    a: 1   # keep me exactly\nrun_id: r\n"


def test_setting_below_a_scalar_is_an_edit_error() -> None:
    document = doc("flavors:\n  x: {}\nrun_id: r\n")
    with pytest.raises(EditError, match="run_id is not a mapping"):
        document.set(("run_id", "inner"), 1)
    with pytest.raises(EditError, match="whole document"):
        document.set((), {})
