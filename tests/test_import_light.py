"""``import mlmodel`` stays light: heavy libraries load only on the paths that need them."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sklearn", "pandas", "numpy", "jsonschema", "uvicorn", "mlflow", "pyspark")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys; {code}; import json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return list(json.loads(out))


def test_import_mlmodel_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import mlmodel")
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
    # nor pydantic, ruamel or PyYAML: the top level is lazy
    assert not [m for m in loaded if m.split(".")[0] in ("pydantic", "ruamel", "yaml", "typer")]


def test_validating_loads_no_heavy_library_and_no_ruamel() -> None:
    loaded = _loaded_after(
        "from mlmodel.api import validate_file; validate_file('examples/sklearn-3x')"
    )
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
    roots = {m.split(".")[0] for m in loaded}
    assert "ruamel" not in roots  # the fast path parses with libyaml only
    assert "pydantic" not in roots  # precompiled core schemas: pydantic_core only
    assert "pydantic_core" in roots


def test_runtime_public_modules_load_no_heavy_library() -> None:
    """mlmodel.Model, mlmodel.models and mlmodel.sklearn import numpy, pandas, scikit-learn,
    skops or MLflow only when a model is saved or loaded."""
    loaded = _loaded_after("import mlmodel, mlmodel.models, mlmodel.sklearn; mlmodel.Model")
    heavy = (*HEAVY, "skops", "cloudpickle", "scipy")
    assert not [m for m in loaded if m.split(".")[0] in heavy]


def test_import_pyfunc_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import mlmodel.pyfunc; mlmodel.pyfunc.load_model")
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
    assert not [m for m in loaded if m.split(".")[0] in ("pydantic", "ruamel", "yaml", "typer")]


def test_loading_a_model_never_imports_mlflow_or_pydantic() -> None:
    """A native load validates (pydantic_core only), unpickles and predicts: no MLflow, no
    pydantic model classes, no ruamel."""
    loaded = _loaded_after(
        "import mlmodel.pyfunc; "
        "m = mlmodel.pyfunc.load_model('examples/sklearn-3x'); "
        "m.predict(m.input_example)"
    )
    roots = {m.split(".")[0] for m in loaded}
    assert "sklearn" in roots  # it really loaded the model
    assert not roots & {"mlflow", "pydantic", "ruamel", "typer"}  # (sklearn imports rich)


def test_model_uris_and_tracking_import_no_mlflow() -> None:
    """Parsing a model URI and importing mlmodel.tracking stay light: MLflow loads only when
    a URI is resolved or a model logged."""
    loaded = _loaded_after(
        "import mlmodel.uris, mlmodel.tracking; "
        "mlmodel.uris.parse_model_uri('models:/m@champion'); "
        "mlmodel.tracking.resolve_model_dir; mlmodel.tracking.log_model"
    )
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
