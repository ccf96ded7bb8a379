"""One-line golden tests per lint rule: source, files, expected (code, line)."""

from __future__ import annotations

import json
import os
import pickle
import zipfile
from pathlib import Path
from typing import Any

import pytest

from mlmodel.checking.lint.engine import LintOptions, lint_paths
from mlmodel.checking.lint.rules import RULE_MODULES, all_rules

PYFUNC = "flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n    python_model: m.pkl\n"
SIG = 'signature:\n  inputs: \'[{"type": "double", "name": "a", "required": true}]\'\n'
SIG2 = (
    'signature:\n  inputs: \'[{"type": "double", "name": "a", "required": true}, '
    '{"type": "long", "name": "b", "required": true}]\'\n'
)
EXAMPLE = "saved_input_example_info:\n  artifact_path: input_example.json\n  type: dataframe\n"
ENV: dict[str, object] = {
    "requirements.txt": "mlflow==3.18.0\ncloudpickle==3.1.3",
    "m.pkl": pickle.dumps([1]),
}


class Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo pwned",))


def skops_file(types: list[str]) -> bytes:
    import io

    schema = {
        "__class__": types[0].rsplit(".", 1)[1],
        "__module__": types[0].rsplit(".", 1)[0],
        "content": [
            {"__class__": t.rsplit(".", 1)[1], "__module__": t.rsplit(".", 1)[0]} for t in types[1:]
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))
    return buffer.getvalue()


LR = "sklearn.linear_model._logistic.LogisticRegression"
TRUST = "[trust]\nrequire-signature = true\n"

CASES: list[tuple[str, str, dict[str, object], list[tuple[str, int]]]] = [
    # retired codes select (and suppress) the validation code that reports the problem
    ("MLM101-fail", PYFUNC + "    python_version: 3.10\n", ENV, [("V402", 5)]),
    ("MLM101-pass", PYFUNC + "    python_version: '3.10'\n", ENV, []),
    ("MLM102-fail", "time_created: 2018-05-25T17:28:53.35\n" + PYFUNC, ENV, [("MLM102", 1)]),
    ("MLM102-pass", "utc_time_created: '2018-05-25 17:28:53.350000'\n" + PYFUNC, ENV, []),
    ("MLM103-fail", PYFUNC + "utc_time_created: 2024-01-31T12:00:00+02:00\n", ENV, [("V400", 5)]),
    ("MLM103-pass", PYFUNC + "utc_time_created: '2024-01-31 10:00:00'\n", ENV, []),
    ("MLM104-fail", PYFUNC + "    conda_env: conda.yaml\n", ENV, [("MLM104", 5)]),
    ("MLM104-pass", PYFUNC + "    env: conda.yaml\n", ENV, []),
    (
        "MLM105-fail",
        PYFUNC + "    env: conda.yaml\n",
        {**ENV, "python_env.yaml": "python: 3.11.7\n"},
        [("MLM105", 5)],
    ),
    ("MLM105-pass", PYFUNC + "    env:\n      conda: conda.yaml\n", ENV, []),
    (
        "MLM106-fail",
        (
            "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    data: m.pkl\n"
            "  sklearn:\n    pickled_model: m.pkl\n"
        ),
        ENV,
        [("MLM106", 4)],
    ),
    (
        "MLM106-pass",
        (
            "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    data: m.pkl\n"
            "    model_path: m.pkl\n  sklearn:\n    pickled_model: m.pkl\n"
        ),
        ENV,
        [],
    ),
    ("MLM201-fail", "flavors:\n  sklearn:\n    pickled_model: m.pkl\n", ENV, [("MLM201", 1)]),
    ("MLM201-pass", PYFUNC, ENV, []),
    ("MLM202-fail", PYFUNC + "  mleap:\n    model_data: mleap/model\n", ENV, [("V209", 5)]),
    ("MLM202-pass", PYFUNC, ENV, []),
    ("MLM203-fail", PYFUNC + "    model_code_path: /home/a/agent.py\n", ENV, [("MLM203", 5)]),
    ("MLM203-pass", PYFUNC + "    model_code_path: agent.py\n", ENV, []),
    ("MLM301-fail", PYFUNC, ENV, [("MLM301", 1)]),
    ("MLM301-pass", PYFUNC + SIG, ENV, []),
    (
        "MLM302-fail",
        PYFUNC + SIG2 + EXAMPLE,
        {**ENV, "input_example.json": '{"columns": ["a", "c"], "data": [[1, 2]]}'},
        [("MLM302", 8)],
    ),
    (
        "MLM302-pass",
        PYFUNC + SIG2 + EXAMPLE,
        {**ENV, "input_example.json": '{"columns": ["a", "b"], "data": [[1, 2]]}'},
        [],
    ),
    ("MLM401-fail", PYFUNC, {"m.pkl": b""}, [("MLM401", 2)]),
    ("MLM401-pass", PYFUNC, ENV, []),
    ("MLM402-fail", PYFUNC, {**ENV, "requirements.txt": "mlflow\nnumpy>=1"}, [("MLM402", 2)]),
    ("MLM402-pass", PYFUNC, ENV, []),
    (
        "MLM403-fail",
        PYFUNC + "  sklearn:\n    pickled_model: m.pkl\n    sklearn_version: 1.5.2\n",
        {**ENV, "requirements.txt": "scikit-learn==1.3.0"},
        [("MLM403", 7)],
    ),
    (
        "MLM403-pass",
        PYFUNC + "  sklearn:\n    pickled_model: m.pkl\n    sklearn_version: 1.5.2\n",
        {**ENV, "requirements.txt": "scikit-learn==1.5.2"},
        [],
    ),
    (
        "MLM404-fail",
        PYFUNC + "    python_version: 3.11.7\n",
        {**ENV, "python_env.yaml": "python: 3.10.12\n"},
        [("MLM404", 5)],
    ),
    (
        "MLM404-pass",
        PYFUNC + "    python_version: 3.11.7\n",
        {**ENV, "python_env.yaml": "python: 3.11.7\n"},
        [],
    ),
    (
        "MLM405-fail",
        PYFUNC + "model_size_bytes: 10\n",
        {**ENV, "big.bin": b"x" * 200_000},
        [("MLM405", 5)],
    ),
    ("MLM405-pass", PYFUNC + "model_size_bytes: 200000\n", {**ENV, "big.bin": b"x" * 200_000}, []),
    ("MLM501-fail", PYFUNC, {**ENV, "m.pkl": pickle.dumps(Evil())}, [("MLM501", 4)]),
    ("MLM501-pass", PYFUNC, ENV, []),
    (
        "MLM501-fail",  # fails closed: the C unpickler reads I0x1, pickletools does not
        PYFUNC,
        {**ENV, "m.pkl": b"I0x1\n0cos\nsystem\n(Vls\ntR."},
        [("MLM501", 4)],
    ),
    (
        "MLM501-fail",  # selected by content: a protocol-0 pickle named .bin in a folder
        PYFUNC + "    artifacts:\n      weights:\n        path: artifacts\n",
        {**ENV, "artifacts/weights.bin": b"cos\nsystem\n(Vls\ntR."},
        [("MLM501", 7)],
    ),
    (
        "MLM503-fail",
        PYFUNC + "  sklearn:\n    pickled_model: s.pkl\n",
        {**ENV, "s.pkl": b"\x80\x02cmyproject.features\nClean\n)\x81."},
        [("MLM503", 6)],
    ),
    (
        "MLM503-pass",
        PYFUNC + "  sklearn:\n    pickled_model: s.pkl\n",
        {**ENV, "s.pkl": b"\x80\x02csklearn.linear_model._logistic\nLogisticRegression\n)\x81."},
        [],
    ),
    (
        "MLM503-fail",  # a PythonModel class from the project: judged by the common list
        PYFUNC,
        {**ENV, "m.pkl": b"\x80\x02cmyproject.model\nMyModel\n)\x81."},
        [("MLM503", 4)],
    ),
    ("MLM503-pass", PYFUNC, {**ENV, "m.pkl": pickle.dumps({"a": [1.0, 2.0], "b": (1, "x")})}, []),
    (
        "MLM503-pass",  # mlflow.sklearn's pyfunc file is the sklearn flavor's: sklearn's list
        (
            "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
            "    model_path: s.pkl\n"
            "  sklearn:\n    pickled_model: s.pkl\n"
        ),
        {**ENV, "s.pkl": b"\x80\x02csklearn.linear_model._logistic\nLogisticRegression\n)\x81."},
        [],
    ),
    (
        "MLM502-fail",
        PYFUNC + f"  sklearn:\n    pickled_model: m.skops\n    serialization_format: skops\n"
        f"    skops_trusted_types:\n    - {LR}\n    - sklearn.svm._classes.SVC\n",
        {**ENV, "m.skops": skops_file([LR, "numpy.ndarray"])},
        [("MLM502", 8)],
    ),
    (
        "MLM502-pass",
        PYFUNC + f"  sklearn:\n    pickled_model: m.skops\n    serialization_format: skops\n"
        f"    skops_trusted_types:\n    - {LR}\n",
        {**ENV, "m.skops": skops_file([LR, "numpy.ndarray"])},
        [],
    ),
    # signed models, and MLM506's failing case (a sparse 5 GB file): tests/security/test_signing.py
    ("MLM504-fail", PYFUNC, {**ENV, "model.sig": '{"mediaType": "x"'}, [("MLM504", 1)]),
    ("MLM504-pass", PYFUNC, ENV, []),
    ("MLM505-fail", PYFUNC, {**ENV, ".mlmodel.toml": TRUST}, [("MLM505", 1)]),
    ("MLM505-pass", PYFUNC, {**ENV, ".mlmodel.toml": TRUST, "model.sig": "{}"}, []),
    ("MLM506-pass", PYFUNC, {**ENV, "model.sig": "{}"}, []),
    (
        "MLM507-fail",
        PYFUNC + "    code: code\n",
        {**ENV, "code/helpers.py": "X = 1\n"},
        [("MLM507", 5)],
    ),
    (
        "MLM507-fail",
        (
            "flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.loaders.code_model\n"
            "    model_code_path: agent.py\n"
        ),
        {**ENV, "agent.py": "print('runs')\n"},
        [("MLM507", 4)],
    ),
    (
        "MLM507-fail",
        PYFUNC.replace("mlflow.pyfunc.model", "mypackage.loader"),
        ENV,
        [("MLM507", 3)],
    ),
    ("MLM507-pass", PYFUNC, ENV, []),
    ("MLM507-pass", PYFUNC + "    code: code\n", {**ENV, "code": b""}, []),  # a file, not a folder
]


def make_model(folder: Path, text: str, files: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "MLmodel").write_text(text)
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(str(content))
    return folder


@pytest.mark.parametrize(("case", "text", "files", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule(
    tmp_path: Path, case: str, text: str, files: dict[str, object], expected: list[tuple[str, int]]
) -> None:
    code = case.split("-")[0]
    model = make_model(tmp_path / "m", text, files)
    result = lint_paths([model], LintOptions(select=(code,)))
    assert [(d.code, d.line) for d in result.result.diagnostics] == expected


def test_every_rule_has_cases_and_a_documented_example() -> None:
    covered = {case[0].split("-")[0] for case in CASES}
    assert covered >= set(RULE_MODULES)
    for rule in all_rules():
        assert "Fails" in rule.doc and "Passes" in rule.doc, rule.code
        assert rule.code.startswith("MLM") and rule.name


def test_rule_docs_are_generated_from_the_rules() -> None:
    from mlmodel.generators.rules_doc import REGENERATE, TARGET, render

    assert TARGET.read_text(encoding="utf-8") == render(), f"run: {REGENERATE}"


class Canary:
    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.target), "w"))


def test_dangerous_pickle_is_found_without_ever_unpickling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = tmp_path / "canary-was-unpickled"
    model = make_model(tmp_path / "m", PYFUNC, {**ENV, "m.pkl": pickle.dumps(Canary(canary))})

    def forbidden(*_: object, **__: object) -> None:
        raise AssertionError("the linter unpickled something")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "Unpickler", forbidden)
    found = lint_paths([model], LintOptions(select=("MLM501",))).result.diagnostics
    assert [(d.code, d.severity.value) for d in found] == [("MLM501", "error")]
    assert "builtins.open" in found[0].message or "io.open" in found[0].message
    assert not canary.exists()


def test_real_sklearn_pickles_pass(tmp_path: Path) -> None:
    from mlmodel.checking.lint.engine import lint_paths as lint

    examples = Path(__file__).resolve().parents[2] / "examples"
    for name in ("sklearn-3x", "mlflow-docs-2018"):
        found = lint([examples / name], LintOptions(select=("MLM501",))).result.diagnostics
        assert found == [], name


class Shell:
    def __reduce__(self) -> tuple[object, tuple[list[str]]]:
        import subprocess

        return (subprocess.Popen, (["echo", "pwned"],))


class Eval:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (eval, ("1 + 1",))


@pytest.mark.parametrize(
    ("payload", "expected"),
    [(Evil(), "system"), (Shell(), "subprocess.Popen"), (Eval(), "builtins.eval")],
    ids=["os", "subprocess", "eval"],
)
def test_dangerous_pickle_names_what_it_would_call(
    tmp_path: Path, payload: object, expected: str
) -> None:
    for protocol in (0, 2, 5):
        model = make_model(
            tmp_path / f"m{protocol}", PYFUNC, {**ENV, "m.pkl": pickle.dumps(payload, protocol)}
        )
        (found,) = lint_paths([model], LintOptions(select=("MLM501",))).result.diagnostics
        assert found.code == "MLM501" and expected in found.message


# --------------------------------------------------------------------------- MLM503


def _global2(module: str, name: str) -> bytes:
    """Protocol 2: ``module.name()`` (NEWOBJ), without the STOP."""
    return b"\x80\x02c" + f"{module}\n{name}\n".encode() + b")\x81"


#: a python_model pickle importing a project class and two denylisted callables
MIXED = b"".join(
    [_global2("myproject.model", "MyModel"), _global2("six", "exec_"), _global2("os", "system")]
)
MIXED += b"\x87."  # TUPLE3, STOP


def test_mlm503_leaves_denylisted_globals_to_mlm501(tmp_path: Path) -> None:
    model = make_model(tmp_path / "m", PYFUNC, {**ENV, "m.pkl": MIXED})
    both = lint_paths([model], LintOptions(select=("MLM501", "MLM503"))).result.diagnostics
    by_code = {d.code: d.message for d in both}
    assert set(by_code) == {"MLM501", "MLM503"}
    assert "os.system" in by_code["MLM501"] and "six.exec_" in by_code["MLM501"]
    assert "myproject.model.MyModel" in by_code["MLM503"]
    assert "os.system" not in by_code["MLM503"] and "six.exec_" not in by_code["MLM503"]


def test_mlm503_alone_names_every_global_and_its_danger(tmp_path: Path) -> None:
    model = make_model(tmp_path / "m", PYFUNC, {**ENV, "m.pkl": MIXED})
    (found,) = lint_paths([model], LintOptions(select=("MLM503",))).result.diagnostics
    assert "myproject.model.MyModel, six.exec_ (runs source code" in found.message
    assert "os.system (operating system access" in found.message
    assert "pyfunc pickles" in found.message
    assert "mlmodel loads it only when the loader trusts it" in found.message
    assert "--trust-type / trusted_types, a signature, or --allow-unsafe" in found.message
    assert found.hint is not None and "trusted-types" in found.hint


def test_mlm503_judges_a_flavor_file_by_its_framework(tmp_path: Path) -> None:
    text = PYFUNC + "  sklearn:\n    pickled_model: s.pkl\n"
    model = make_model(tmp_path / "m", text, {**ENV, "s.pkl": _global2("xgboost.core", "Booster")})
    (found,) = lint_paths([model], LintOptions(select=("MLM503",))).result.diagnostics
    assert "xgboost.core.Booster" in found.message and "sklearn model files" in found.message


def test_mlm503_honours_the_project_trust_but_not_the_model_s(tmp_path: Path) -> None:
    files = {**ENV, "m.pkl": _global2("myproject.model", "MyModel") + b"."}
    trust = '[trust]\ntrusted-types = ["myproject.model.MyModel"]\n'
    # the configuration inside the model directory grants nothing
    model = make_model(tmp_path / "project" / "m", PYFUNC, {**files, ".mlmodel.toml": trust})
    found = lint_paths([model], LintOptions(select=("MLM503",))).result.diagnostics
    assert [d.code for d in found] == ["MLM503"]
    # the project's configuration (above the model) trusts exactly that name
    (model / ".mlmodel.toml").unlink()
    (tmp_path / "project" / ".mlmodel.toml").write_text(trust)
    assert lint_paths([model], LintOptions(select=("MLM503",))).result.diagnostics == []
    # ... and --isolated reads no configuration
    isolated = LintOptions(select=("MLM503",), isolated=True)
    assert [d.code for d in lint_paths([model], isolated).result.diagnostics] == ["MLM503"]
    # another name is still reported
    (tmp_path / "project" / ".mlmodel.toml").write_text(trust.replace("MyModel", "Other"))
    found = lint_paths([model], LintOptions(select=("MLM503",))).result.diagnostics
    assert [d.code for d in found] == ["MLM503"]


def test_mlm507_names_the_reason_and_ignores_the_linter_s_import_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    model = make_model(tmp_path / "m", PYFUNC + "    code: code\n", {**ENV, "code/a.py": "X = 1"})
    monkeypatch.setattr(sys, "path", [str(model), *sys.path])
    (found,) = lint_paths([model], LintOptions(select=("MLM507",))).result.diagnostics
    assert "flavors.python_function.code puts code/ first on the import path" in found.message
    assert "only when the loader trusts the model" in found.message
    assert found.severity.value == "warning"


# --------------------------------------------------------------------------- MLM502, real MLflow


@pytest.fixture(scope="module")
def xy() -> tuple[object, object]:
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(0)
    x = rng.random((60, 3))
    return x, (x[:, 0] > 0.5).astype(int)


def _save(flavor: str, model: object, path: Path, **kwargs: object) -> Path:
    import importlib
    import warnings

    module = importlib.import_module(f"mlflow.{flavor}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # explicit requirements: MLflow infers none (that runs a child process per save)
        module.save_model(
            model, path, serialization_format="skops", pip_requirements=[flavor], **kwargs
        )
    return path


def _untrusted(model: object) -> list[str]:
    import skops.io

    return [str(t) for t in skops.io.get_untrusted_types(data=skops.io.dumps(model))]


def _stock_models(x: object, y: object) -> dict[str, tuple[str, Any]]:
    import lightgbm
    import xgboost
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.feature_selection import SelectKBest, f_classif
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, MinMaxScaler
    from sklearn.tree import DecisionTreeRegressor

    np = pytest.importorskip("numpy")
    fitted: dict[str, tuple[str, Any]] = {
        "sklearn-tree": ("sklearn", DecisionTreeRegressor(max_depth=2)),
        "sklearn-forest": ("sklearn", RandomForestClassifier(n_estimators=2, max_depth=2)),
        "sklearn-hgb": ("sklearn", HistGradientBoostingClassifier(max_iter=2)),
        "sklearn-pipeline": (
            "sklearn",
            make_pipeline(
                MinMaxScaler(),
                FunctionTransformer(np.log1p),
                SelectKBest(f_classif, k=2),
                LogisticRegression(),
            ),
        ),
        "sklearn-xgboost": ("sklearn", xgboost.XGBClassifier(n_estimators=2)),
        "sklearn-lightgbm": ("sklearn", lightgbm.LGBMClassifier(n_estimators=2, verbose=-1)),
        "lightgbm-regressor": ("lightgbm", lightgbm.LGBMRegressor(n_estimators=3, verbose=-1)),
        "lightgbm-classifier": ("lightgbm", lightgbm.LGBMClassifier(n_estimators=3, verbose=-1)),
    }
    for _flavor, model in fitted.values():
        model.fit(x, y)
    return fitted


STOCK = [
    "sklearn-tree",
    "sklearn-forest",
    "sklearn-hgb",
    "sklearn-pipeline",
    "sklearn-xgboost",
    "sklearn-lightgbm",
    "lightgbm-regressor",
    "lightgbm-classifier",
]


@pytest.fixture(scope="module")
def stock_models(xy: tuple[object, object]) -> dict[str, tuple[str, object]]:
    return _stock_models(*xy)


@pytest.mark.parametrize("name", STOCK)
def test_mlm502_passes_stock_mlflow_skops_models(
    name: str, stock_models: dict[str, tuple[str, object]], tmp_path: Path
) -> None:
    """What MLflow writes when the user trusts what skops asks for (sklearn), or by itself
    (lightgbm: a fixed list of LightGBM classes, whatever the model's class)."""
    flavor, model = stock_models[name]
    kwargs = {"skops_trusted_types": _untrusted(model)} if flavor == "sklearn" else {}
    path = _save(flavor, model, tmp_path / "m", **kwargs)
    assert "skops_trusted_types" in (path / "MLmodel").read_text()
    found = lint_paths([path], LintOptions(select=("MLM502",))).result.diagnostics
    assert found == [], [d.message for d in found]


def test_mlm502_flags_what_a_stock_lightgbm_model_does_not_need(
    stock_models: dict[str, tuple[str, object]], tmp_path: Path
) -> None:
    import yaml

    _flavor, model = stock_models["lightgbm-classifier"]
    path = _save("lightgbm", model, tmp_path / "m", skops_trusted_types=["os.system"])
    written = yaml.safe_load((path / "MLmodel").read_text())
    assert "os.system" in written["flavors"]["lightgbm"]["skops_trusted_types"]
    (found,) = lint_paths([path], LintOptions(select=("MLM502",))).result.diagnostics
    assert "1 type(s)" in found.message and "os.system" in found.message
    assert "LGBM" not in found.message
    assert "mlmodel treats the list as a request and grants nothing from it" in found.message
