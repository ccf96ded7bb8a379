"""What defines a model's environment (read as text) and its cache key."""

from __future__ import annotations

from pathlib import Path

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
