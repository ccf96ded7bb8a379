"""The built-in flavor table: every MLflow flavor, its schema, loader ties and golden cases."""

from __future__ import annotations

import csv
import json
import tomllib

import pytest

from mlmodel.checking.validators.loaders import MLFLOW_LOADERS
from mlmodel.flavors.builtin import BUILTIN_FLAVORS
from mlmodel.flavors.registry import (
    BUILTIN_ENTRY_POINT,
    ENTRY_POINT_GROUP,
    FlavorSpec,
    default_registry,
)
from mlmodel.generators.core_schemas import TARGET
from mlmodel.schema.compiled import sources
from tests.conftest import CORPUS, ROOT, requires_corpus

#: flavors in the corpus that MLflow never wrote (an sktime plugin and R's carrier::crate)
THIRD_PARTY = {"mlflow_sktime", "crate"}

#: every flavor MLflow 3.18 writes or used to write (spec section 4)
MLFLOW_FLAVORS = {
    "python_function",
    "sklearn",
    "xgboost",
    "lightgbm",
    "catboost",
    "pytorch",
    "tensorflow",
    "keras",
    "onnx",
    "transformers",
    "sentence_transformers",
    "spark",
    "mleap",
    "h2o",
    "statsmodels",
    "prophet",
    "pmdarima",
    "spacy",
    "fastai",
    "paddle",
    "shap",
    "openai",
    "langchain",
    "llama_index",
    "dspy",
    "johnsnowlabs",
    "diffusers",
    "diviner",
    "promptflow",
    "gluon",
}

#: the first MLflow release without the flavor (checked against the published wheels)
REMOVED_IN = {
    "fastai": "3.0",
    "mleap": "3.0",
    "diviner": "3.7",
    "promptflow": "3.7",
    "gluon": "2.20",
}

#: keys MLflow's loaders index without a default (checked against MLflow's sources)
REQUIRED = {
    "python_function": {"loader_module"},
    "sklearn": {"pickled_model"},
    "xgboost": {"data"},
    "lightgbm": {"data"},
    "catboost": {"model_type"},
    "pytorch": {"model_data", "pytorch_version"},
    "onnx": {"data"},
    "transformers": {"task", "pipeline_model_type"},
    "spark": {"model_data"},
    "paddle": {"pickled_model"},
    "shap": {"serialized_explainer", "underlying_model_flavor"},
    "johnsnowlabs": {"model_data"},
    "diffusers": {"base_model", "adapter_type", "adapter_weights"},
    "diviner": {"model_type"},
}

#: values of the right type for required keys that are not plain strings
VALUES = {"adapter_type": "lora", "model_type": "CatBoost"}

SPECS = {spec.name: spec for spec in BUILTIN_FLAVORS}


def _corpus_flavors() -> dict[str, list[str]]:
    """Flavor name -> corpus files that have it (MANIFEST.tsv)."""
    found: dict[str, list[str]] = {}
    with (CORPUS / "MANIFEST.tsv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            for name in filter(None, row["flavors"].split(",")):
                found.setdefault(name, []).append(row["file"])
    return found


@requires_corpus
def test_every_corpus_flavor_has_a_builtin_schema() -> None:
    builtins = default_registry().builtins()
    flavors = _corpus_flavors()
    assert flavors, "MANIFEST.tsv lists no flavors"
    unknown = {name: files for name, files in flavors.items() if name not in builtins}
    assert set(unknown) == THIRD_PARTY, unknown


def test_every_mlflow_flavor_is_builtin() -> None:
    assert set(SPECS) == MLFLOW_FLAVORS
    assert len(SPECS) == len(BUILTIN_FLAVORS), "a flavor is defined twice"


@pytest.mark.parametrize("spec", BUILTIN_FLAVORS, ids=lambda s: s.name)
def test_schema_imports_and_is_compiled(spec: FlavorSpec) -> None:
    model = spec.load_schema()
    assert model.model_config.get("extra") == "allow", "unknown keys must stay allowed"
    assert sources().get(f"flavor:{spec.name}") == spec.schema
    compiled = json.loads(TARGET.read_text(encoding="utf-8"))["schemas"]
    assert f"flavor:{spec.name}" in compiled, "run `python -m mlmodel.generators.core_schemas`"
    minimal = {key: VALUES.get(key, "x") for key in REQUIRED.get(spec.name, ())}
    spec.validator().validate_python(minimal)
    spec.validator().validate_python({**minimal, "a_key_mlmodel_does_not_know": [1, {"a": 2}]})


@pytest.mark.parametrize("spec", BUILTIN_FLAVORS, ids=lambda s: s.name)
def test_required_keys_are_those_the_loaders_need(spec: FlavorSpec) -> None:
    fields = spec.load_schema().model_fields
    required = {name for name, field in fields.items() if field.is_required()}
    assert required == REQUIRED.get(spec.name, set())


@pytest.mark.parametrize("spec", BUILTIN_FLAVORS, ids=lambda s: s.name)
def test_paths_name_schema_fields(spec: FlavorSpec) -> None:
    fields = spec.load_schema().model_fields
    for ref in spec.paths:
        assert ref.key[0] in fields, f"{spec.name}: path key {ref.key} is not a known field"


def test_removed_flavors() -> None:
    removed = {spec.name: spec.removed_in for spec in BUILTIN_FLAVORS if spec.removed_in}
    assert removed == REMOVED_IN


def test_loader_modules_are_mlflow_loaders_and_unique() -> None:
    seen: dict[str, str] = {}
    for spec in BUILTIN_FLAVORS:
        for module in spec.loader_modules:
            assert module == f"mlflow.{spec.name}", (spec.name, module)
            assert module in MLFLOW_LOADERS
            assert module not in seen, f"{module} tied to {seen.get(module)} and {spec.name}"
            seen[module] = spec.name
    assert set(seen.values()) == MLFLOW_FLAVORS - {"python_function", "mleap"}


def test_every_builtin_flavor_has_golden_cases() -> None:
    cases = ROOT / "tests" / "cases"
    for name in MLFLOW_FLAVORS - {"python_function", "sklearn"}:
        assert (cases / "valid" / f"flavor_{name}" / "MLmodel").is_file(), name
        invalid = list((cases / "invalid").glob(f"flavor_{name}_*/expected.txt"))
        assert invalid, f"no invalid golden case for {name}"
        if REQUIRED.get(name):
            missing = list((cases / "invalid").glob(f"flavor_{name}_missing_*/expected.txt"))
            assert any("V201" in p.read_text() for p in missing), f"no missing-key case: {name}"


def test_builtin_entry_point_names_the_table() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    group = pyproject["project"]["entry-points"][ENTRY_POINT_GROUP]
    assert group["builtin"] == "mlmodel.flavors.builtin:BUILTIN_FLAVORS" == BUILTIN_ENTRY_POINT
