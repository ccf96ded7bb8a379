"""mlmodel.modeldir: the one home of model-directory facts, and its users agreeing on them."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmodel.checking.inspection import inspect_model
from mlmodel.checking.lint.engine import LintOptions, lint_paths
from mlmodel.modeldir.containment import inside, is_inside, locate
from mlmodel.modeldir.environment_files import read_environment
from mlmodel.modeldir.pickles import pickle_files
from mlmodel.modeldir.requirements import (
    PythonRequirement,
    parse_conda_python,
    parse_requirements,
    requirement_name,
)
from tests.conftest import EXAMPLES

GOOD = EXAMPLES / "sklearn-3x"


@pytest.mark.parametrize(
    ("relative", "problem"),
    [
        ("model.pkl", None),
        ("sub/../model.pkl", None),
        ("does-not-exist.pkl", None),
        ("/etc/passwd", "absolute"),
        ("C:\\model.pkl", "absolute"),
        ("\\\\server\\share", "absolute"),
        ("..", "escapes"),
        ("../model.pkl", "escapes"),
        ("a/../../model.pkl", "escapes"),
        ("link/model.pkl", "symlink-outside"),
    ],
)
def test_locate(tmp_path: Path, relative: str, problem: str | None) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (tmp_path / "outside").mkdir()
    (model / "link").symlink_to(tmp_path / "outside")
    found = locate(model, relative)
    assert found.problem == problem
    assert (found.target is None) == (problem is not None)
    assert (inside(model, relative) is None) == (problem is not None)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "..", ".", "", "/"]), max_size=6))
def test_inside_never_leaves_the_directory(
    tmp_path_factory: pytest.TempPathFactory, parts: list[str]
) -> None:
    model = tmp_path_factory.getbasetemp() / "prop-model"
    model.mkdir(exist_ok=True)
    relative = "/".join(parts)
    found = inside(model, relative)
    if found is not None:
        assert is_inside(model, found)


@pytest.mark.parametrize(
    ("dependency", "expected"),
    [
        ("python=3.10.12", PythonRequirement("conda.yaml", "3.10.12")),
        ("python==3.10", PythonRequirement("conda.yaml", "3.10")),
        ("python>=3.9", PythonRequirement("conda.yaml", "3.9", ">=")),
        ("python >=3.9", PythonRequirement("conda.yaml", "3.9", ">=")),
        ("python 3.10.*", PythonRequirement("conda.yaml", "3.10")),
        ("python<3.12", PythonRequirement("conda.yaml", "3.12", "<")),
        ("python", None),
        ("python-dateutil=2.8", None),
        ("pip<=24", None),
    ],
)
def test_parse_conda_python(dependency: str, expected: PythonRequirement | None) -> None:
    assert parse_conda_python(dependency) == expected


@pytest.mark.parametrize(
    ("requirement", "version", "allowed"),
    [
        (PythonRequirement("x", "3.10"), "3.10.12", True),
        (PythonRequirement("x", "3.10.12"), "3.10", True),
        (PythonRequirement("x", "3.10.12"), "3.11.7", False),
        (PythonRequirement("x", "3.9", ">="), "3.11.7", True),
        (PythonRequirement("x", "3.9", ">="), "3.8.10", False),
        (PythonRequirement("x", "3.12", "<"), "3.11.7", True),
        (PythonRequirement("x", "3.12", "<"), "3.12.0", False),
        (PythonRequirement("x", "3.10", "~="), "3.11", True),
        (PythonRequirement("x", "3.10.2", "~="), "3.11.0", False),
    ],
)
def test_python_requirement_allows(
    requirement: PythonRequirement, version: str, allowed: bool
) -> None:
    assert requirement.allows(version) is allowed


def test_requirements_parsed_once_for_everyone() -> None:
    text = "# comment\nmlflow==3.17.2\n-r other.txt\nscikit_learn[alldeps] >= 1.3  # note\n\n"
    found = parse_requirements(text)
    assert [(r.line, r.name, r.spec, r.pinned_version) for r in found] == [
        (2, "mlflow", "==3.17.2", "3.17.2"),
        (4, "scikit-learn", ">= 1.3", None),
    ]


@pytest.mark.parametrize(
    ("line", "name", "listed"),
    [
        ("Scikit_Learn[alldeps]>=1.3", "scikit-learn", True),
        ("  numpy  # note", "numpy", True),
        ("mlflow @ git+https://github.com/mlflow/mlflow", "mlflow", False),
        ("https://example.com/a-1.0-py3-none-any.whl", None, False),
        ("git+https://github.com/org/pkg", None, False),
        ("C:\\wheels\\pkg.whl", None, False),
        ("./local/pkg", None, False),
        ("-c constraints.txt", None, False),
    ],
)
def test_one_requirement_parser_for_lint_and_save(
    line: str, name: str | None, listed: bool
) -> None:
    """The names save deduplicates by are the names lint reads; a URL has none, a direct
    reference has its own (and pins no version, so lint does not list it)."""
    assert requirement_name(line) == name
    assert [r.name for r in parse_requirements(line)] == ([name] if listed else [])


def test_save_keeps_every_url_requirement() -> None:
    from mlmodel.runtime.document.environment import Environment

    urls = ["https://a.example/x-1.0-py3-none-any.whl", "https://b.example/y-2.0.tar.gz"]
    built = Environment.build([], pip_requirements=[*urls, "mlflow @ git+https://c.example/m"])
    assert built.requirements == [*urls, "mlflow @ git+https://c.example/m"]


def _model_with_conda(tmp_path: Path, dependency: str, python_version: str) -> Path:
    model = tmp_path / "m"
    shutil.copytree(GOOD, model)
    text = (model / "MLmodel").read_text(encoding="utf-8")
    (model / "MLmodel").write_text(
        text.replace("python_version: 3.11.7", f"python_version: {python_version}"),
        encoding="utf-8",
    )
    (model / "python_env.yaml").unlink()
    (model / "conda.yaml").write_text(
        f"name: env\ndependencies:\n- {dependency}\n- pip\n", encoding="utf-8"
    )
    return model


@pytest.mark.parametrize(
    ("dependency", "python_version", "shown", "mismatch"),
    [
        ("python>=3.9", "3.11.7", ">=3.9", False),
        ("python>=3.9", "3.8.10", ">=3.9", True),
        ("python=3.11", "3.11.7", "3.11", False),
        ("python==3.10.12", "3.11.7", "3.10.12", True),
    ],
)
def test_conda_python_reads_the_same_in_inspect_and_lint(
    tmp_path: Path, dependency: str, python_version: str, shown: str, mismatch: bool
) -> None:
    """``python>=3.9`` in conda.yaml used to be missed by inspect and read as 3.9 by lint."""
    model = _model_with_conda(tmp_path, dependency, python_version)
    assert inspect_model(model).environment.conda_python == shown
    env = read_environment(model, {"flavors": {"python_function": {}}})
    assert env.conda_python is not None and str(env.conda_python) == shown
    result = lint_paths([model], LintOptions(select=("MLM404",)))
    codes = [d.code for d in result.result.diagnostics]
    assert codes == (["MLM404"] if mismatch else [])


def test_pickle_files_by_content_and_reference(tmp_path: Path) -> None:
    model = tmp_path / "m"
    shutil.copytree(GOOD, model)
    (model / "weights.bin").write_bytes(pickle.dumps({"a": 1}, protocol=4))
    (model / "notes.txt").write_text("not a pickle\n", encoding="utf-8")
    outside = tmp_path / "outside.pkl"
    outside.write_bytes(pickle.dumps(1))
    os.symlink(outside, model / "link.pkl")
    data = {"flavors": {"sklearn": {"pickled_model": "model.pkl"}}}
    referenced = pickle_files(model, data)
    assert [(key, path.name) for key, path in referenced] == [
        (("flavors", "sklearn", "pickled_model"), "model.pkl")
    ]
    everything = {path.name for _key, path in pickle_files(model, data, every_file=True)}
    assert everything == {"model.pkl", "weights.bin"}
