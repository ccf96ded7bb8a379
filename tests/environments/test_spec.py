"""What defines a model's environment (read as text) and its cache key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlmodel.environments.spec import environment_key, read_spec


def test_python_env_first_with_its_included_files(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    (model / "MLmodel").write_text("flavors:\n  python_function:\n    python_version: 3.10.4\n")
    (model / "python_env.yaml").write_text(
        "python: 3.11.7\ndependencies:\n- -r requirements.txt\n- -c constraints.txt\n"
    )
    (model / "requirements.txt").write_text("cachetools==5.5.2  # pinned\n-r more.txt\n")
    (model / "more.txt").write_text("tabulate>=0.9\n")
    (model / "constraints.txt").write_text("idna<4\n")
    (model / "conda.yaml").write_text("dependencies:\n- python=3.9\n- pip:\n  - other==1\n")
    spec = read_spec(model)
    assert spec.requirements == ("cachetools==5.5.2", "tabulate>=0.9")
    assert spec.constraints == ("idna<4",)
    assert (spec.source, spec.python, spec.python_source) == (
        "python_env.yaml",
        "3.11.7",
        "python_env.yaml",
    )
    key = environment_key(spec, "3.11.7", "uv", ["serve"])
    assert key == environment_key(spec, "3.11.7", "uv", ["serve"])
    assert key != environment_key(spec, "3.11.8", "uv", ["serve"])
    assert key != environment_key(spec, "3.11.7", "virtualenv", ["serve"])
    (model / "more.txt").write_text("tabulate>=0.8\n")  # an included file's content counts
    assert key != environment_key(read_spec(model), "3.11.7", "uv", ["serve"])


def test_conda_pip_section_and_flavor_python(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    (model / "MLmodel").write_text("flavors:\n  python_function:\n    python_version: 3.10.4\n")
    (model / "conda.yaml").write_text("dependencies:\n- python>=3.9\n- pip:\n  - other==1\n")
    spec = read_spec(model)
    assert (spec.requirements, spec.source) == (("other==1",), "conda.yaml")
    assert (spec.python, spec.python_source) == (
        "3.10.4",
        "MLmodel (python_function python_version)",
    )
    (model / "MLmodel").write_text("flavors: {}\n")
    assert read_spec(model).python is None


@pytest.mark.parametrize(
    ("python_function", "left_out"),
    [
        ("loader_module: mlflow.sklearn", True),  # mlmodel's own loader: no MLflow imported
        ("loader_module: mlflow.lightgbm", True),
        (None, True),  # no python_function: the sklearn flavor is loaded natively
        ("loader_module: mlflow.sklearn\n    code: code", False),  # its code may import it
        ("loader_module: mlflow.pyfunc.model", False),  # a pickled PythonModel needs MLflow
        ("loader_module: some.custom_loader", False),
    ],
)
def test_mlflow_is_left_out_only_where_mlmodel_loads_without_it(
    tmp_path: Path, python_function: str | None, left_out: bool
) -> None:
    model = tmp_path / "m"
    model.mkdir()
    pyfunc = f"  python_function:\n    {python_function}\n" if python_function else ""
    (model / "MLmodel").write_text(f"flavors:\n{pyfunc}  sklearn:\n    sklearn_version: 1.5.2\n")
    (model / "requirements.txt").write_text(
        "mlflow==3.17.2\nscikit-learn==1.5.2\nMLflow_Skinny==3.17.2\nmlflow-tracing>=3\n"
    )
    spec = read_spec(model)
    mlflow = ("mlflow==3.17.2", "MLflow_Skinny==3.17.2", "mlflow-tracing>=3")
    if left_out:
        assert spec.requirements == ("scikit-learn==1.5.2",)
        assert spec.left_out == mlflow
    else:
        assert spec.requirements == (mlflow[0], "scikit-learn==1.5.2", *mlflow[1:])
        assert spec.left_out == ()
