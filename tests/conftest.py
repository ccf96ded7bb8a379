"""Shared fixtures. The public corpus is read from ../shared/corpus when it exists."""

from __future__ import annotations

import contextlib
import csv
import importlib
import importlib.machinery
import os
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.saved_models import SavedModels

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "github"
EXAMPLES = ROOT / "examples"

#: the corpus files that must get errors (see the corpus README's conformance rule)
CORPUS_MUST_FAIL = {"0006.MLmodel": "V100", "0190.MLmodel": "V100", "0251.MLmodel": "V201"}


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.MLmodel")) if CORPUS.is_dir() else []


def corpus_mlflow_loads() -> dict[str, bool]:
    """File name -> whether MLflow's Model.load read it (CHECKS.tsv)."""
    table = CORPUS / "CHECKS.tsv"
    if not table.is_file():
        return {}
    with table.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t")
        next(rows)
        return {row[0]: row[2] == "ok" for row in rows}


def _xdist_worker_main_is_a_module() -> None:
    """A pytest-xdist worker runs as ``python -c``: its ``__main__`` has neither ``__file__``
    nor ``__spec__``, which pyspark.sql.connect (imported by MLflow's ``infer_signature`` for
    lists, strings and scalars) takes for a doctest run and answers with ``sys.exit(0)``. A
    spec named ``__main__`` tells it otherwise; multiprocessing's spawn does not re-import a
    main module of that name in its children."""
    main = sys.modules["__main__"]
    worker = bool(os.environ.get("PYTEST_XDIST_WORKER"))
    if worker and getattr(main, "__spec__", None) is None and not hasattr(main, "__file__"):
        main.__spec__ = importlib.machinery.ModuleSpec("__main__", None)


_xdist_worker_main_is_a_module()


requires_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus not present")


def corpus_params() -> list[object]:
    files = corpus_files()
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/corpus not present"))]
    return [pytest.param(f, id=f.stem) for f in files]


@pytest.fixture
def never_unpickle(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any unpickling during a test fails loudly (pickling is still allowed).

    The Unpickler classes are replaced by subclasses whose ``load`` raises, so libraries that
    subclass them at import time (joblib) still import."""

    def refuse(*args: object, **kwargs: object) -> Any:
        raise AssertionError("the scanner must never unpickle")

    # libraries that bind pickle.load at import time import now, before the patch, so that
    # the patch never outlives the test through them
    for name in ("cloudpickle", "joblib"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)

    c_pickle = sys.modules.get("_pickle")
    for module in (pickle, c_pickle):
        if module is None:
            continue
        for name in ("loads", "load", "_loads", "_load"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, refuse)
        refusing = type("RefusingUnpickler", (module.Unpickler,), {"load": refuse})
        monkeypatch.setattr(module, "Unpickler", refusing)
    monkeypatch.setattr(pickle._Unpickler, "load", refuse)
    yield


@pytest.fixture(scope="session", autouse=True)
def installer_caches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """uv's and pip's caches under this session's temporary folder (per xdist worker), so the
    model environments the tests create write nothing outside it (uv fills an empty cache in
    about 2 s here; pip took as long with its cache as without)."""
    folder = tmp_path_factory.mktemp("installer-caches")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UV_CACHE_DIR", str(folder / "uv"))
        patch.setenv("PIP_CACHE_DIR", str(folder / "pip"))
        yield folder


@pytest.fixture(scope="session")
def saved_models(tmp_path_factory: pytest.TempPathFactory) -> SavedModels:
    """Models saved once per session (per xdist worker), copied for each test: see
    :mod:`tests.saved_models`."""
    return SavedModels(tmp_path_factory.mktemp("saved-models"))


#: the modules that take longest (``pytest --durations=0``, summed per module), longest
#: first. xdist's ``--dist loadfile`` hands modules to its workers in collection order, so
#: these go first: a long module handed out last keeps one worker busy while the others
#: have finished. The rest keep their order. A module missing here only runs later.
SLOWEST_FIRST = (
    "tests/spark/test_spark_udf.py",
    "tests/security/test_tree_check.py",
    "tests/security/test_malicious_models.py",
    "tests/security/test_malicious_spark.py",
    "tests/security/test_pickle_payloads.py",
    "tests/checking/test_hostile.py",
    "tests/runtime/test_pyfunc_interop.py",
    "tests/tracking/test_tracking_server.py",
    "tests/tracking/test_tracking.py",
    "tests/environments/test_env_manager.py",
    "tests/serving/test_generate_dockerfile.py",
    "tests/spark/test_spark_env_manager.py",
    "tests/serving/test_serve_parity.py",
    "tests/security/test_pyfunc_safety.py",
    "tests/cli/test_pre_commit.py",
    "tests/checking/test_mlflow_version.py",
    "tests/runtime/test_save_crash.py",
    "tests/serving/test_serve_robustness.py",
    "tests/serving/test_openapi_fuzz.py",
    "tests/serving/test_docs_page.py",
    "tests/serving/test_docs_page_browser.py",
    "tests/serving/test_openapi.py",
    "tests/docs/test_code_blocks.py",
    "tests/docs/test_site.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: index for index, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


#: set to 1 to let MLflow infer the requirements of every model the tests save with it
INFER_REQUIREMENTS_ENV = "MLMODEL_TESTS_INFER_REQUIREMENTS"


def _mlflow_default_requirements(
    model_uri: str, flavor: str, fallback: list[str] | None = None, **kwargs: Any
) -> list[str] | None:
    """What ``mlflow.models.infer_pip_requirements`` returns when its inference fails: the
    flavor's default requirements. MLflow infers them by loading the model in a fresh
    interpreter (4-5 s per save here); the saved models are otherwise MLflow's own."""
    return fallback


def pytest_configure(config: pytest.Config) -> None:
    """MLflow saves made by the tests skip its requirement inference subprocess (unless
    ``MLMODEL_TESTS_INFER_REQUIREMENTS=1``): requirements.txt lists the flavor's defaults,
    as MLflow writes it when inference fails."""
    if os.environ.get(INFER_REQUIREMENTS_ENV) == "1":
        return
    try:
        import mlflow.models
    except ImportError:
        return
    mlflow.models.infer_pip_requirements = _mlflow_default_requirements  # type: ignore[assignment]
