"""Every known field is type-checked (guards the compiled schemas against dropping one)."""

from __future__ import annotations

import pytest

from mlmodel.checking.validate import validate_bytes

BASE = "flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n    python_model: m.pkl\n"

TOP_LEVEL = [
    "utc_time_created",
    "time_created",
    "run_id",
    "artifact_path",
    "model_uuid",
    "mlflow_version",
    "model_id",
    "prompts",
    "signature",
    "is_signature_from_type_hint",
    "type_hint_from_example",
    "saved_input_example_info",
    "databricks_runtime",
    "metadata",
    "model_size_bytes",
    "resources",
    "env_vars",
    "auth_policy",
]
PYFUNC = [
    "python_version",
    "data",
    "code",
    "env",
    "predict_fn",
    "config",
    "streamable",
    "predict_stream_fn",
    "model_code_path",
    "cloudpickle_version",
    "python_model_compression",
    "artifacts",
    "model_path",
]
SKLEARN = ["sklearn_version", "serialization_format", "skops_trusted_types", "code", "extra_files"]

WRONG = "[[1], {a: 2}]"  # a list of a list and a mapping: wrong for every field above


def _about(key: str, field: str) -> bool:
    return key == field or key.startswith((field + "[", field + "."))


@pytest.mark.parametrize("field", TOP_LEVEL)
def test_top_level_field_types_are_checked(field: str) -> None:
    text = BASE + f"{field}: {WRONG}\n"
    found = [d for d in validate_bytes(text.encode(), check_files=False) if d.is_error]
    assert found
    assert all(_about(d.key, field) and d.line == 5 and d.code == "V200" for d in found)


@pytest.mark.parametrize("field", PYFUNC)
def test_python_function_field_types_are_checked(field: str) -> None:
    text = BASE + f"    {field}: {WRONG}\n"
    found = [d for d in validate_bytes(text.encode(), check_files=False) if d.is_error]
    key = f"flavors.python_function.{field}"
    assert any(_about(d.key, key) and d.line == 5 and d.code in ("V200", "V203") for d in found)


@pytest.mark.parametrize("field", SKLEARN)
def test_sklearn_field_types_are_checked(field: str) -> None:
    text = BASE + f"  sklearn:\n    pickled_model: m.pkl\n    {field}: {WRONG}\n"
    found = [d for d in validate_bytes(text.encode(), check_files=False) if d.is_error]
    key = f"flavors.sklearn.{field}"
    assert any(_about(d.key, key) and d.line == 7 and d.code in ("V200", "V203") for d in found)
