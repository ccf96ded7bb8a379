"""``import mlmodel`` stays light: heavy libraries load only on the paths that need them."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

HEAVY = ("sklearn", "pandas", "numpy", "jsonschema", "uvicorn", "mlflow", "pyspark")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys; {code}; import json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return list(json.loads(out.splitlines()[-1]))  # the last line: what the code printed came first


def test_import_mlmodel_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import mlmodel")
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
    # nor pydantic, ruamel or PyYAML: the top level is lazy
    assert not [m for m in loaded if m.split(".")[0] in ("pydantic", "ruamel", "yaml", "typer")]


def test_validating_loads_no_heavy_library_and_no_ruamel() -> None:
    loaded = _loaded_after(
        "from mlmodel.checking.validate import validate_file; validate_file('examples/sklearn-3x')"
    )
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
    roots = {m.split(".")[0] for m in loaded}
    assert "ruamel" not in roots  # the fast path parses with libyaml only
    assert "pydantic" not in roots  # precompiled core schemas: pydantic_core only
    assert "pydantic_core" in roots


def test_validation_errors_load_neither_pydantic_nor_core_schema() -> None:
    """The validators run on pydantic-core's extension alone, even when they find errors
    (error URLs would import pydantic; ``core_schema`` and ``typing_extensions`` are the
    typing-heavy half of pydantic_core's package)."""
    signature = json.dumps(json.dumps([{"type": "nope"}]))
    document = (
        f"flavors: {{python_function: {{loader_module: 3}}}}\nsignature: {{inputs: {signature}}}\n"
    )
    loaded = _loaded_after(
        "from mlmodel.checking.validate import validate_bytes; "
        f"found = validate_bytes({document!r}.encode(), check_files=False); "
        "assert {d.code for d in found} == {'V200', 'V301'}, found"
    )
    assert "pydantic_core._pydantic_core" in loaded
    for module in ("pydantic", "pydantic_core.core_schema", "typing_extensions"):
        assert module not in loaded, module


def test_pydantic_core_loaded_alone_is_reused_by_pydantic() -> None:
    loaded = _loaded_after(
        "import mlmodel.schema.core as core; import pydantic; "
        "assert pydantic.TypeAdapter(int).validate_python('3') == 3; "
        "import pydantic_core; assert pydantic_core.SchemaValidator is core.SchemaValidator"
    )
    assert "pydantic" in loaded


def test_runtime_public_modules_load_no_heavy_library() -> None:
    """mlmodel.Model, mlmodel.models and mlmodel.sklearn import numpy, pandas, scikit-learn,
    skops or MLflow only when a model is saved or loaded."""
    loaded = _loaded_after("import mlmodel, mlmodel.models, mlmodel.sklearn; mlmodel.Model")
    heavy = (*HEAVY, "skops", "cloudpickle", "scipy")
    assert not [m for m in loaded if m.split(".")[0] in heavy]


def test_cli_validate_loads_only_what_validating_needs() -> None:
    """``mlmodel validate`` sniffs referenced model files with :mod:`mlmodel.pickle_scan.sniff`
    alone: the scanner's other modules, ``pickletools``/``pickle``, ``hashlib`` (no file
    stamp for a file never written back), ``secrets``, ``zipfile`` and rich are not imported."""
    loaded = _loaded_after(
        "from mlmodel.cli.app import run; assert run(['validate', 'examples/sklearn-3x']) == 0"
    )
    assert "mlmodel.pickle_scan.sniff" in loaded  # the referenced model.pkl was sniffed
    scanner = [m for m in loaded if m.startswith("mlmodel.pickle_scan.")]
    assert scanner == ["mlmodel.pickle_scan.sniff"], scanner
    for module in ("pickletools", "pickle", "hashlib", "secrets", "zipfile", "rich"):
        assert not [m for m in loaded if m.split(".")[0] == module], module


def test_console_validate_imports_neither_typer_nor_the_other_commands() -> None:
    """The console script's ``mlmodel validate PATH`` runs without typer
    (:mod:`mlmodel.cli.direct`): no typer, no click (typer's vendored copy or the real one),
    no shell-completion support, no rich, no typer application or option declarations, and
    no other command's module."""
    probe = (
        "import json, sys\n"
        "sys.argv = ['mlmodel', 'validate', 'examples/sklearn-3x']\n"
        "from mlmodel.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print(json.dumps([code, sorted(sys.modules)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    code, loaded = json.loads(out.splitlines()[-1])
    assert code == 0
    assert "mlmodel.cli.validate_run" in loaded  # it did run validate
    roots = {m.split(".")[0] for m in loaded}
    assert not roots & {"typer", "click", "shellingham", "rich", "pydantic", "ruamel"}
    cli = {m for m in loaded if m.startswith("mlmodel.cli.")}
    assert not [m for m in cli if m.endswith("_cmd")], cli
    assert not cli & {"mlmodel.cli.app", "mlmodel.cli.options"}
    # typer's own start-up imports, which nothing on validate's path needs
    for module in ("subprocess", "platform", "uuid", "traceback", "gettext"):
        assert module not in loaded, module


def test_pickle_scan_names_resolve_lazily() -> None:
    """The package's public names load their submodule on first use, and are all listed."""
    import mlmodel.pickle_scan as package
    from mlmodel.pickle_scan import containers, sniff

    assert sorted(package._HOMES) == sorted(package.__all__)
    for name in package.__all__:
        assert getattr(package, name) is getattr(
            importlib.import_module(f"mlmodel.pickle_scan.{package._HOMES[name]}"), name
        )
    assert package.scan_pickle is containers.scan_pickle
    assert package.is_pickle is sniff.is_pickle
    assert set(package.__all__) <= set(dir(package))
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018


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
        "import mlmodel.core.uris, mlmodel.tracking; "
        "mlmodel.core.uris.parse_model_uri('models:/m@champion'); "
        "mlmodel.tracking.resolve_model_dir; mlmodel.tracking.log_model"
    )
    assert not [m for m in loaded if m.split(".")[0] in HEAVY]
