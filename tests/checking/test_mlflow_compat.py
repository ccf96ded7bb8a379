"""Compatibility with real MLflow, both ways (MLflow is a test-only dependency)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlmodel import read_mlmodel, validate_file
from mlmodel.yamlio.document import MLmodelDocument
from tests.conftest import CORPUS, EXAMPLES, corpus_mlflow_loads, requires_corpus

mlflow = pytest.importorskip("mlflow")
pytest.importorskip("sklearn")
pytest.importorskip("pandas")

RUN_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def saved_by_mlflow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model saved for real by MLflow, with a signature and an input example."""
    import mlflow.sklearn
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    frame = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1, 0, 1, 0]})
    model = LogisticRegression().fit(frame, [0, 0, 1, 1])
    target = tmp_path_factory.mktemp("saved") / "model"
    mlflow.sklearn.save_model(
        model,
        str(target),
        serialization_format="cloudpickle",
        input_example=frame.head(2),
    )
    return target


def test_mlflow_written_model_is_clean_and_round_trips(saved_by_mlflow: Path) -> None:
    report = validate_file(saved_by_mlflow)
    assert report.diagnostics == []
    raw = (saved_by_mlflow / "MLmodel").read_bytes()
    assert read_mlmodel(saved_by_mlflow).to_bytes() == raw


def test_mlflow_reads_what_mlmodel_edits(saved_by_mlflow: Path, tmp_path: Path) -> None:
    from mlflow.models import Model

    copy = tmp_path / "model"
    shutil.copytree(saved_by_mlflow, copy)
    document = read_mlmodel(copy)
    document["run_id"] = RUN_ID
    document["metadata"] = {"owner": "team-a", "stage": "prod"}
    document["flavors"]["python_function"]["predict_fn"] = "predict_proba"
    document.write()
    assert validate_file(copy).diagnostics == []
    loaded = Model.load(str(copy))
    assert loaded.run_id == RUN_ID
    assert loaded.metadata == {"owner": "team-a", "stage": "prod"}
    pyfunc = mlflow.pyfunc.load_model(str(copy))
    import pandas as pd

    probabilities = pyfunc.predict(pd.DataFrame({"a": [0.5], "b": [1]}))
    assert probabilities.shape == (1, 2)


def test_example_3x_loads_and_predicts_in_mlflow() -> None:
    import pandas as pd

    assert validate_file(EXAMPLES / "sklearn-3x").diagnostics == []
    model = mlflow.pyfunc.load_model(str(EXAMPLES / "sklearn-3x"))
    prediction = model.predict(pd.DataFrame({"hours": [1.0, 9.0], "visits": [1, 9]}))
    assert len(prediction) == 2


def test_error_verdict_matches_a_failing_mlflow_load() -> None:
    report = validate_file(EXAMPLES / "mlflow-docs-2018")
    assert [d.code for d in report.diagnostics if d.is_error] == ["V201"]
    with pytest.raises(KeyError, match="model_path"):
        mlflow.pyfunc.load_model(str(EXAMPLES / "mlflow-docs-2018"))


def test_missing_loader_module_fails_in_mlflow_too(tmp_path: Path) -> None:
    model = tmp_path / "m"
    model.mkdir()
    (model / "MLmodel").write_text("flavors:\n  python_function:\n    env: null\n")
    assert [d.code for d in validate_file(model).diagnostics] == ["V201"]
    with pytest.raises(Exception, match="loader_module"):
        mlflow.pyfunc.load_model(str(model))


@requires_corpus
def test_mlflow_reads_every_edited_corpus_file(tmp_path: Path) -> None:
    from mlflow.models import Model

    checked = 0
    for name, ok in corpus_mlflow_loads().items():
        if not ok:
            continue
        document = MLmodelDocument.from_bytes((CORPUS / name).read_bytes())
        document["run_id"] = RUN_ID
        folder = tmp_path / name
        folder.mkdir()
        document.write(folder / "MLmodel")
        loaded = Model.load(str(folder))
        assert loaded.run_id == RUN_ID, name
        assert loaded.flavors == document.data.get("flavors", {}), name
        checked += 1
    assert checked == 266
