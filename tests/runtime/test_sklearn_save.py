"""mlmodel.sklearn.save_model against real MLflow 3.17: every model mlmodel saves loads in
``mlflow.sklearn.load_model`` and ``mlflow.pyfunc.load_model`` and predicts identically,
writes the files MLflow writes, and passes ``mlmodel validate`` and ``mlmodel lint`` clean."""

from __future__ import annotations

import importlib.metadata
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from mlmodel.cli.app import run
from mlmodel.core.errors import UnsafeModelError, UsageError

pytest.importorskip("mlflow")
np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
pytest.importorskip("sklearn")
pytest.importorskip("skops")

import mlflow.models
import mlflow.pyfunc
import mlflow.sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import mlmodel.sklearn
from mlmodel.models import Model, infer_signature

FRAME = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "b": [1, 0, 1, 0, 1, 1]})
TARGET = np.array([0, 0, 0, 1, 1, 1])
FORMATS = ["skops", "cloudpickle", "pickle"]


@pytest.fixture(autouse=True)
def _allow_mlflow_to_unpickle(monkeypatch: pytest.MonkeyPatch) -> None:
    # MLflow 3.17 refuses to deserialize any sklearn model without this opt-in
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")


@pytest.fixture(scope="module")
def classifier() -> LogisticRegression:
    return LogisticRegression().fit(FRAME, TARGET)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())]).fit(
        FRAME, TARGET
    )


def _clean(
    model_dir: Path,
    capsys: pytest.CaptureFixture[str],
    *,
    signature: bool = True,
    code: bool = False,
) -> None:
    """No finding at all; a model saved without a signature gets only MLM301 (no signature),
    one saved with code_paths only MLM507 (loading runs Python from the model directory)."""
    assert run(["validate", "--strict", str(model_dir)]) == 0, capsys.readouterr().out
    ignore = [] if signature else ["--ignore", "MLM301"]
    if code:
        assert run(["lint", "--select", "MLM507", str(model_dir)]) == 0  # warnings only
        assert "MLM507" in capsys.readouterr().out
        ignore += ["--ignore", "MLM507"]
    assert run(["lint", "--strict", *ignore, str(model_dir)]) == 0, capsys.readouterr().out
    if not signature:
        assert run(["lint", "--strict", str(model_dir)]) == 1
        assert "MLM301" in capsys.readouterr().out
    capsys.readouterr()


def _mlflow_predictions(model_dir: Path, data: Any) -> tuple[Any, Any]:
    native = mlflow.sklearn.load_model(str(model_dir))
    pyfunc = mlflow.pyfunc.load_model(str(model_dir))
    return native, pyfunc.predict(data)


CASES = [
    pytest.param(
        fmt,
        with_example,
        with_signature,
        id=f"{fmt}-ex{int(with_example)}-sig{int(with_signature)}",
    )
    for fmt in FORMATS
    for with_example in (False, True)
    for with_signature in (False, True)
]


@pytest.mark.parametrize(("fmt", "with_example", "with_signature"), CASES)
def test_mlflow_loads_and_predicts_identically(
    fmt: str,
    with_example: bool,
    with_signature: bool,
    classifier: LogisticRegression,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "model"
    signature = infer_signature(FRAME, classifier.predict(FRAME)) if with_signature else None
    model = mlmodel.sklearn.save_model(
        classifier,
        target,
        serialization_format=fmt,
        signature=signature,
        input_example=FRAME.head(3) if with_example else None,
    )
    expected = classifier.predict(FRAME)
    native, predicted = _mlflow_predictions(target, FRAME)
    np.testing.assert_array_equal(native.predict(FRAME), expected)
    np.testing.assert_array_equal(np.asarray(predicted), expected)
    ours = mlmodel.sklearn.load_model(target)
    np.testing.assert_array_equal(ours.predict(FRAME), expected)
    # a signature is written when given or inferred from the example, as in MLflow
    assert (model.signature is not None) == (with_signature or with_example)
    assert Model.load(target).to_dict() == model.to_dict()
    _clean(target, capsys, signature=model.signature is not None)


def test_pipeline_with_predict_proba(
    pipeline: Pipeline, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "model"
    mlmodel.sklearn.save_model(
        pipeline, target, pyfunc_predict_fn="predict_proba", input_example=FRAME.head(2)
    )
    native, predicted = _mlflow_predictions(target, FRAME)
    np.testing.assert_allclose(np.asarray(predicted), pipeline.predict_proba(FRAME), rtol=0, atol=0)
    np.testing.assert_array_equal(native.predict(FRAME), pipeline.predict(FRAME))
    flavor = Model.load(target).flavors["python_function"]
    assert flavor["predict_fn"] == "predict_proba"
    _clean(target, capsys)


def test_code_paths_are_copied_and_recorded(
    classifier: LogisticRegression, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    helper = tmp_path / "src" / "helpers.py"
    helper.parent.mkdir()
    helper.write_text("SCALE = 2\n")
    package = tmp_path / "src" / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "junk.pyc").write_bytes(b"x")
    target = tmp_path / "model"
    mlmodel.sklearn.save_model(
        classifier, target, code_paths=[str(helper), package], input_example=FRAME.head(1)
    )
    assert (target / "code" / "helpers.py").read_text() == "SCALE = 2\n"
    assert (target / "code" / "pkg" / "__init__.py").is_file()
    assert not (target / "code" / "pkg" / "__pycache__").exists()
    flavors = Model.load(target).flavors
    assert flavors["python_function"]["code"] == "code"
    assert flavors["sklearn"]["code"] == "code"
    _native, predicted = _mlflow_predictions(target, FRAME)
    np.testing.assert_array_equal(np.asarray(predicted), classifier.predict(FRAME))
    _clean(target, capsys, code=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_files_and_content_as_mlflow(
    fmt: str, classifier: LogisticRegression, tmp_path: Path
) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    example = FRAME.head(2)
    mlmodel.sklearn.save_model(classifier, ours, serialization_format=fmt, input_example=example)
    mlflow.sklearn.save_model(
        classifier, str(theirs), serialization_format=fmt, input_example=example
    )
    assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in theirs.iterdir())
    for name in ("input_example.json", "serving_input_example.json", "python_env.yaml"):
        assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name
    ours_doc = Model.load(ours).to_dict()
    theirs_doc = mlflow.models.Model.load(str(theirs)).to_dict()
    # values that must differ: identity, time, writer
    for key in ("model_uuid", "utc_time_created"):
        ours_doc.pop(key)
        theirs_doc.pop(key)
    assert ours_doc.pop("mlmodel_version") == importlib.metadata.version("mlmodel")
    assert theirs_doc.pop("mlflow_version") == mlflow.__version__
    if fmt != "skops":  # pickle bytes differ with memo ids; the skops zip holds object ids
        pass
    ours_doc.pop("model_size_bytes")
    theirs_doc.pop("model_size_bytes")
    assert ours_doc == theirs_doc


@pytest.mark.parametrize("fmt", FORMATS)
def test_requirements_are_the_installed_versions(
    fmt: str, classifier: LogisticRegression, tmp_path: Path
) -> None:
    target = tmp_path / "model"
    mlmodel.sklearn.save_model(classifier, target, serialization_format=fmt)
    text = (target / "requirements.txt").read_text()
    assert not text.endswith("\n")
    lines = text.split("\n")
    assert lines[0] == f"mlflow=={importlib.metadata.version('mlflow-skinny')}"
    pins = dict(line.split("==") for line in lines)
    assert pins["scikit-learn"] == importlib.metadata.version("scikit-learn")
    library = {"skops": "skops", "cloudpickle": "cloudpickle"}.get(fmt)
    if library:
        assert pins[library] == importlib.metadata.version(library)
    assert "numpy" not in pins  # scikit-learn requires it already
    conda = (target / "conda.yaml").read_text()
    assert "- pip:\n  - " + lines[0] in conda


def test_extra_and_explicit_requirements_and_constraints(
    classifier: LogisticRegression, tmp_path: Path
) -> None:
    mlmodel.sklearn.save_model(
        classifier, tmp_path / "extra", extra_pip_requirements=["requests==2.0.0"]
    )
    assert "requests==2.0.0" in (tmp_path / "extra" / "requirements.txt").read_text().split("\n")
    constraints = tmp_path / "constraints-in.txt"
    constraints.write_text("urllib3<3\n")
    requirements = tmp_path / "reqs-in.txt"
    requirements.write_text(f"scikit-learn\n-c {constraints.name}\n")
    mlmodel.sklearn.save_model(classifier, tmp_path / "explicit", pip_requirements=requirements)
    saved = (tmp_path / "explicit" / "requirements.txt").read_text().split("\n")
    assert saved[1:] == ["scikit-learn", "-c constraints.txt"]
    assert (tmp_path / "explicit" / "constraints.txt").read_text() == "urllib3<3"
    with pytest.raises(UsageError):
        mlmodel.sklearn.save_model(
            classifier, tmp_path / "both", pip_requirements=["a"], extra_pip_requirements=["b"]
        )
    assert not (tmp_path / "both").exists()


def test_no_pyfunc_flavor_without_the_predict_fn(tmp_path: Path) -> None:
    scaler = StandardScaler().fit(FRAME)
    model = mlmodel.sklearn.save_model(scaler, tmp_path / "model")
    assert "python_function" not in model.flavors
    assert "sklearn" in Model.load(tmp_path / "model").flavors


def test_existing_non_empty_directory_is_never_overwritten(
    classifier: LogisticRegression, tmp_path: Path
) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not empty"):
        mlmodel.sklearn.save_model(classifier, target)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no staging left behind
    empty = tmp_path / "empty"
    empty.mkdir()
    mlmodel.sklearn.save_model(classifier, empty)
    assert (empty / "MLmodel").is_file()


def test_failed_save_leaves_nothing(tmp_path: Path) -> None:
    class Unpicklable(LogisticRegression):  # type: ignore[misc]
        def __reduce__(self) -> Any:
            raise TypeError("no")

    with pytest.raises(UsageError):
        mlmodel.sklearn.save_model(Unpicklable(), tmp_path / "model")
    assert list(tmp_path.iterdir()) == []


class _Canary:
    def __reduce__(self) -> Any:
        return (eval, ("__import__('os').getpid()",))


def test_load_model_refuses_a_dangerous_pickle(
    classifier: LogisticRegression, tmp_path: Path
) -> None:
    target = tmp_path / "model"
    mlmodel.sklearn.save_model(classifier, target, serialization_format="pickle")
    (target / "model.pkl").write_bytes(pickle.dumps(_Canary()))
    with pytest.raises(UnsafeModelError) as caught:
        mlmodel.sklearn.load_model(target)
    assert caught.value.globals == ["builtins.eval"]
    assert "model.pkl" in str(caught.value)
    assert isinstance(mlmodel.sklearn.load_model(target, allow_unsafe=True), int)


def test_load_model_refuses_an_unreadable_pickle(
    classifier: LogisticRegression, tmp_path: Path
) -> None:
    target = tmp_path / "model"
    mlmodel.sklearn.save_model(classifier, target, serialization_format="cloudpickle")
    (target / "model.pkl").write_bytes(b"\x80\x04garbage")
    with pytest.raises(UnsafeModelError, match="could not be scanned"):
        mlmodel.sklearn.load_model(target)


def test_metadata_and_input_example_read_back(
    classifier: LogisticRegression, tmp_path: Path
) -> None:
    target = tmp_path / "model"
    mlmodel.sklearn.save_model(
        classifier, target, input_example=FRAME.head(2), metadata={"owner": "ana", "n": 1}
    )
    model = Model.load(target)
    assert model.metadata == {"owner": "ana", "n": 1}
    example = model.load_input_example(target)
    pd.testing.assert_frame_equal(example, FRAME.head(2))
    mlflow_example = mlflow.models.Model.load(str(target)).load_input_example(str(target))
    pd.testing.assert_frame_equal(example, mlflow_example)
    serving = json.loads(model.get_serving_input(target) or "")
    assert serving["dataframe_split"]["columns"] == ["a", "b"]
    schema = model.get_input_schema()
    assert schema is not None and schema.input_names() == ["a", "b"]
