"""mlmodel.runtime.load.tree_check: every fitted tree family passes ``verify_trees`` and saves with
the default skops format (MLflow loads it and predicts the same); crafted tree states are
refused, each in a child process that would call ``predict`` after the check, and without the
check the out-of-range child cases crash that process."""

from __future__ import annotations

import copy
import io
import json
import pickle
import re
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("sklearn")
pytest.importorskip("skops")
pytest.importorskip("mlflow")

import mlflow.pyfunc
import mlflow.sklearn
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.ensemble import (
    BaggingClassifier,
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
    RandomTreesEmbedding,
    StackingClassifier,
    VotingClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
)
from sklearn.tree._tree import Tree

import mlmodel.sklearn
from harness.child_process import run_bounded
from mlmodel.core.errors import UnsafeModelError
from mlmodel.runtime.load.tree_check import VERIFIED_TYPES, verify_trees

X, Y = load_iris(return_X_y=True)
#: iris with missing values in three columns; in one, missing tells a class apart (a
#: split that sends every present value left, threshold +inf)
X_MISSING = X.copy()
X_MISSING[::7, 0] = np.nan
X_MISSING[3::11, 2] = np.nan
X_MISSING[Y == 1, 1] = np.nan
#: iris plus a categorical column (0..5) that tells the classes apart in part
X_CATEGORICAL = np.c_[X, Y * 2 + np.arange(len(Y)) % 2]
#: the child process refuses with this exit code (a clean exit, no predict)
REFUSED = 3


@dataclass(frozen=True)
class Family:
    build: Callable[[], Any]
    data: Any
    trees: int  # verify_trees' count
    method: str = "predict"
    #: types besides the trees that skops 0.16 does not trust: the user lists them
    skops_trusted: tuple[str, ...] = ()


#: Stacking's and Voting's named_estimators_
BUNCH = ("sklearn.utils._bunch.Bunch",)


FAMILIES: dict[str, Family] = {
    "decision_tree_classifier": Family(lambda: DecisionTreeClassifier(random_state=0), X, 1),
    "decision_tree_regressor": Family(lambda: DecisionTreeRegressor(random_state=0), X, 1),
    "decision_tree_missing": Family(lambda: DecisionTreeClassifier(random_state=0), X_MISSING, 1),
    "extra_tree_classifier": Family(lambda: ExtraTreeClassifier(random_state=0), X, 1),
    "extra_tree_regressor": Family(lambda: ExtraTreeRegressor(random_state=0), X, 1),
    "random_forest_classifier": Family(
        lambda: RandomForestClassifier(n_estimators=5, random_state=0), X, 5
    ),
    "random_forest_regressor": Family(
        lambda: RandomForestRegressor(n_estimators=4, random_state=0), X, 4
    ),
    "extra_trees_classifier": Family(
        lambda: ExtraTreesClassifier(n_estimators=3, random_state=0), X, 3
    ),
    "extra_trees_regressor": Family(
        lambda: ExtraTreesRegressor(n_estimators=3, random_state=0), X, 3
    ),
    # three classes: estimators_ is a (4, 3) object array
    "gradient_boosting_classifier": Family(
        lambda: GradientBoostingClassifier(n_estimators=4, random_state=0), X, 12
    ),
    "gradient_boosting_regressor": Family(
        lambda: GradientBoostingRegressor(n_estimators=4, random_state=0), X, 4
    ),
    "hist_gradient_boosting_classifier": Family(
        lambda: HistGradientBoostingClassifier(max_iter=4, random_state=0), X, 12
    ),
    "hist_gradient_boosting_regressor": Family(
        lambda: HistGradientBoostingRegressor(max_iter=4, random_state=0), X, 4
    ),
    "hist_gradient_boosting_missing": Family(
        lambda: HistGradientBoostingClassifier(max_iter=3, random_state=0), X_MISSING, 9
    ),
    "hist_gradient_boosting_categorical": Family(
        lambda: HistGradientBoostingRegressor(max_iter=5, categorical_features=[4], random_state=0),
        X_CATEGORICAL,
        5,
        # the numerical columns' FunctionTransformer(partial(check_array, ...))
        skops_trusted=("functools.partial", "sklearn.utils.validation.check_array"),
    ),
    "isolation_forest": Family(
        lambda: IsolationForest(n_estimators=5, max_features=2, random_state=0), X, 5
    ),
    "pipeline": Family(
        lambda: Pipeline(
            [("scale", StandardScaler()), ("forest", RandomForestClassifier(3, random_state=0))]
        ),
        X,
        3,
    ),
    "column_transformer_pipeline": Family(
        lambda: Pipeline(
            [
                (
                    "columns",
                    ColumnTransformer(
                        [("scale", StandardScaler(), [0, 1])], remainder="passthrough"
                    ),
                ),
                ("boost", GradientBoostingClassifier(n_estimators=2, random_state=0)),
            ]
        ),
        X,
        6,
    ),
    "column_transformer_of_trees": Family(
        lambda: ColumnTransformer(
            [("embed", RandomTreesEmbedding(n_estimators=3, random_state=0), [0, 1, 2])]
        ),
        X,
        3,
        "transform",
    ),
    "bagging": Family(
        lambda: BaggingClassifier(
            DecisionTreeClassifier(), n_estimators=4, max_features=2, random_state=0
        ),
        X,
        4,
    ),
    "stacking": Family(
        lambda: StackingClassifier(
            [
                ("tree", DecisionTreeClassifier(random_state=0)),
                ("forest", RandomForestClassifier(n_estimators=3, random_state=0)),
            ],
            final_estimator=LogisticRegression(max_iter=500),
            cv=3,
        ),
        X,
        4,
        skops_trusted=BUNCH,
    ),
    "voting": Family(
        lambda: VotingClassifier(
            [
                ("tree", DecisionTreeClassifier(random_state=0)),
                ("extra", ExtraTreesClassifier(n_estimators=3, random_state=0)),
            ],
            voting="soft",
        ),
        X,
        4,
        skops_trusted=BUNCH,
    ),
}


@pytest.fixture(scope="module")
def fitted() -> dict[str, Any]:
    models = {}
    for name, family in FAMILIES.items():
        model = family.build()
        if family.method == "transform" or name == "isolation_forest":
            model.fit(family.data)
        else:
            model.fit(family.data, Y)
        models[name] = model
    return models


def _output(model: Any, family: Family) -> Any:
    result = getattr(model, family.method)(family.data)
    return result.toarray() if hasattr(result, "toarray") else result


@pytest.mark.parametrize("name", FAMILIES)
def test_fitted_trees_pass(fitted: dict[str, Any], name: str) -> None:
    assert verify_trees(fitted[name], source="model.skops") == FAMILIES[name].trees


def test_categorical_and_missing_fixtures_exercise_their_cases(fitted: dict[str, Any]) -> None:
    """The categorical model has categorical splits; the missing-value tree an +inf split."""
    boosted = fitted["hist_gradient_boosting_categorical"]
    assert any(p.nodes["is_categorical"].any() for it in boosted._predictors for p in it)
    assert verify_trees(boosted, source="m") == 5
    assert np.isinf(fitted["decision_tree_missing"].tree_.threshold).any()


def test_verified_types_are_the_tree_types() -> None:
    assert {
        "sklearn.tree._tree.Tree",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    } <= VERIFIED_TYPES


def test_no_trees_and_cycles_in_the_graph() -> None:
    a: list[Any] = []
    a.append(a)
    holder = {"self": a, "model": LogisticRegression(max_iter=1000).fit(X, Y)}
    assert verify_trees(holder, source="m") == 0


@pytest.fixture(autouse=True)
def _allow_mlflow_to_unpickle(monkeypatch: pytest.MonkeyPatch) -> None:
    # MLflow 3.17 refuses to deserialize any sklearn model without this opt-in
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")


@pytest.mark.parametrize("name", FAMILIES)
def test_save_model_default_skops_round_trip(
    fitted: dict[str, Any], name: str, tmp_path: Path
) -> None:
    model, family = fitted[name], FAMILIES[name]
    path = tmp_path / name
    saved = mlmodel.sklearn.save_model(
        model, path, skops_trusted_types=list(family.skops_trusted) or None
    )
    conf = saved.flavors["sklearn"]
    assert conf["serialization_format"] == "skops"
    # exactly the types skops does not trust by default, which MLflow passes to skops.io.load
    import skops.io

    assert conf["skops_trusted_types"] == sorted(
        skops.io.get_untrusted_types(file=path / "model.skops")
    )
    assert set(conf["skops_trusted_types"]) == VERIFIED_TYPES & set(
        conf["skops_trusted_types"]
    ) | set(family.skops_trusted)
    expected = _output(model, family)
    np.testing.assert_array_equal(_output(mlflow.sklearn.load_model(str(path)), family), expected)
    np.testing.assert_array_equal(_output(mlmodel.sklearn.load_model(path), family), expected)
    if family.method == "predict":
        pyfunc = mlflow.pyfunc.load_model(str(path))
        np.testing.assert_array_equal(np.asarray(pyfunc.predict(family.data)), expected)


def test_save_model_keeps_the_given_list_without_trees(tmp_path: Path) -> None:
    model = LogisticRegression(max_iter=500).fit(X, Y)
    saved = mlmodel.sklearn.save_model(model, tmp_path / "m")
    assert saved.flavors["sklearn"]["skops_trusted_types"] is None


# -- crafted trees ----------------------------------------------------------------------------


#: id(crafted Tree) -> (the Tree, its constructor arguments, the state it was set from)
_RAW_STATES: dict[int, tuple[Tree, tuple[Any, ...], dict[str, Any]]] = {}


def _tree(template: Tree, state: dict[str, Any], **layout: Any) -> Tree:
    """A Tree with ``template``'s layout (or ``layout``'s) and ``state``."""
    n_features = layout.get("n_features", template.n_features)
    n_classes = np.asarray(layout.get("n_classes", template.n_classes), dtype=np.intp)
    n_outputs = layout.get("n_outputs", template.n_outputs)
    tree = Tree(n_features, n_classes, n_outputs)
    tree.__setstate__(state)
    _RAW_STATES[id(tree)] = (tree, (n_features, n_classes, n_outputs), state)
    return tree


class _CraftedPickler(pickle.Pickler):
    """Pickles a crafted Tree as the state it was set from, as an attacker's file holds it
    (``Tree.__getstate__`` would read ``node_count`` nodes, past the buffer)."""

    def reducer_override(self, obj: Any) -> Any:
        raw = _RAW_STATES.get(id(obj))
        if raw is not None and raw[0] is obj:
            return Tree, raw[1], raw[2]
        return NotImplemented


def _crafted_pickle(payload: Any) -> bytes:
    buffer = io.BytesIO()
    _CraftedPickler(buffer, protocol=pickle.DEFAULT_PROTOCOL).dump(payload)
    return buffer.getvalue()


def _internal_nodes(nodes: Any) -> Any:
    return np.flatnonzero(nodes["left_child"] != -1)


def _parents(nodes: Any) -> dict[int, int]:
    return {
        int(child): int(node)
        for node in _internal_nodes(nodes)
        for child in (nodes["left_child"][node], nodes["right_child"][node])
    }


def _edited(model: Any, edit: Callable[[dict[str, Any]], None], **layout: Any) -> Any:
    """A copy of a fitted decision tree whose tree_ state went through ``edit``."""
    crafted = copy.deepcopy(model)
    state = model.tree_.__getstate__()
    state = {**state, "nodes": state["nodes"].copy(), "values": state["values"].copy()}
    edit(state)
    crafted.tree_ = _tree(model.tree_, state, **layout)
    return crafted


def _set(field: str, value: Any, node: int | str = 0) -> Callable[[dict[str, Any]], None]:
    def edit(state: dict[str, Any]) -> None:
        nodes = state["nodes"]
        index = int(_internal_nodes(nodes)[-1]) if node == "last_internal" else int(node)
        nodes[field][index] = value

    return edit


def _self_loop(state: dict[str, Any]) -> None:
    """A node points to itself; its parent adopts its left child instead: every node keeps
    exactly one parent, but the node and its right subtree hang off a cycle."""
    nodes = state["nodes"]
    parents = _parents(nodes)
    node = next(int(n) for n in _internal_nodes(nodes) if n != 0)
    parent = parents[node]
    side = "left_child" if nodes["left_child"][parent] == node else "right_child"
    nodes[side][parent] = nodes["left_child"][node]
    nodes["left_child"][node] = node


def _back_to_ancestor(state: dict[str, Any]) -> None:
    """The deepest-numbered internal node's left child points to its parent (an ancestor)."""
    nodes = state["nodes"]
    node = int(_internal_nodes(nodes)[-1])
    nodes["left_child"][node] = _parents(nodes)[node]


def _shared(state: dict[str, Any]) -> None:
    """The root's right child is also reached from its left child (two parents)."""
    nodes = state["nodes"]
    left = int(nodes["left_child"][0])
    if nodes["left_child"][left] == -1:  # iris: the root's left child is a pure leaf
        state["nodes"] = nodes = nodes.copy()
        other = int(nodes["right_child"][0])
        nodes["right_child"][0] = int(nodes["left_child"][other])
        nodes["left_child"][other] = left
        return
    nodes["right_child"][left] = nodes["right_child"][0]


def _orphan(state: dict[str, Any]) -> None:
    """One more leaf that no node points to."""
    nodes, values = state["nodes"], state["values"]
    leaf = nodes[np.flatnonzero(nodes["left_child"] == -1)[0]]
    state["nodes"] = np.concatenate([nodes, leaf[None]])
    state["values"] = np.concatenate([values, values[-1:]])
    state["node_count"] += 1


def _leaf_mismatch(state: dict[str, Any]) -> None:
    nodes = state["nodes"]
    leaf = int(np.flatnonzero(nodes["left_child"] == -1)[0])
    nodes["right_child"][leaf] = 1


def _count(delta: int) -> Callable[[dict[str, Any]], None]:
    def edit(state: dict[str, Any]) -> None:
        state["node_count"] += delta

    return edit


def _after_load_node_count(model: Any) -> Patch:
    """Tree.__setstate__ clamps node_count to the nodes given, so no file delivers a larger
    one today; set after loading, ``__getstate__`` would read past the node buffer."""
    return ["tree_"], "node_count", model.tree_.node_count + 3


def _node_count_past(model: Any) -> Any:
    crafted = copy.deepcopy(model)
    crafted.tree_.node_count += 3
    return crafted


def _depth(value: int) -> Callable[[dict[str, Any]], None]:
    def edit(state: dict[str, Any]) -> None:
        state["max_depth"] = value

    return edit


def _wider_tree(model: Any) -> Any:
    """The tree claims 10 features (the estimator has 4) and splits on feature 7."""
    crafted = _edited(model, _set("feature", 7), n_features=10)
    assert crafted.n_features_in_ == 4
    return crafted


def _two_class_tree(model: Any) -> Any:
    """A consistent Tree for 2 classes inside a 3-class estimator (values shape (n, 1, 2))."""

    def edit(state: dict[str, Any]) -> None:
        state["values"] = np.ascontiguousarray(state["values"][:, :, :2])

    return _edited(model, edit, n_classes=[2])


def _two_output_tree(model: Any) -> Any:
    def edit(state: dict[str, Any]) -> None:
        state["values"] = np.ascontiguousarray(np.repeat(state["values"], 2, axis=1))

    return _edited(model, edit, n_classes=[3, 3], n_outputs=2)


def _forest_member_wider(forest: Any) -> Any:
    """A forest member whose tree and n_features_in_ claim 6 features (the forest has 4,
    and calls its trees without input validation)."""
    crafted = copy.deepcopy(forest)
    member = crafted.estimators_[1]
    member.tree_ = _edited(member, _set("feature", 5), n_features=6).tree_
    member.n_features_in_ = 6
    return crafted


def _boosting_wrong_shape(boosting: Any) -> Any:
    crafted = copy.deepcopy(boosting)
    crafted.estimators_ = np.ascontiguousarray(crafted.estimators_[:, :2])
    return crafted


def _predictor_edit(
    boosting: Any, edit: Callable[[Any], None], iteration: int = 0, tree: int = 0
) -> Any:
    crafted = copy.deepcopy(boosting)
    predictor = crafted._predictors[iteration][tree]
    edit(predictor)
    return crafted


def _hgb_set(field: str, value: Any, node: int = 0) -> Callable[[Any], Any]:
    def edit(predictor: Any) -> None:
        predictor.nodes = predictor.nodes.copy()
        predictor.nodes[field][node] = value

    return lambda boosting: _predictor_edit(boosting, edit)


def _hgb_categorical(field: str, value: Any) -> Callable[[Any], Any]:
    """Edit the first categorical split of the categorical model."""

    def craft(boosting: Any) -> Any:
        crafted = copy.deepcopy(boosting)
        for iteration in crafted._predictors:
            for predictor in iteration:
                splits = np.flatnonzero(predictor.nodes["is_categorical"])
                if splits.size:
                    predictor.nodes = predictor.nodes.copy()
                    predictor.nodes[field][splits[0]] = value
                    return crafted
        raise AssertionError("no categorical split")

    return craft


def _wider_nodes(nodes: Any) -> Any:
    fields = [(name, nodes.dtype[name]) for name in nodes.dtype.names]
    wider = np.dtype([(n, "<u8" if n in ("left", "right") else t) for n, t in fields])
    return nodes.astype(wider)


def _hgb_wrong_dtype(boosting: Any) -> Any:
    def edit(predictor: Any) -> None:
        predictor.nodes = _wider_nodes(predictor.nodes)

    return _predictor_edit(boosting, edit)


def _after_load_wrong_dtype(model: Any) -> Patch:
    """TreePredictor.__setstate__ casts its nodes to scikit-learn's dtype, so no file can
    deliver another one today: the child installs it after loading (defence in depth)."""
    return ["_predictors", 0, 0], "nodes", _wider_nodes(model._predictors[0][0].nodes)


def _hgb_narrow_bitsets(boosting: Any) -> Any:
    def edit(predictor: Any) -> None:
        predictor.raw_left_cat_bitsets = np.zeros((1, 4), dtype=np.uint32)

    return _predictor_edit(boosting, edit)


#: (the attribute names and indices leading to an object, the attribute to set, its value)
Patch = tuple[list[str | int], str, Any]


@dataclass(frozen=True)
class Crafted:
    base: str  # the fitted model it starts from
    craft: Callable[[Any], Any]
    message: str  # a fragment the refusal names (the path, the node, what is wrong)
    crashes: bool = False  # predicting without the check kills the process
    #: what the child sets in the model after loading it (for states no file can deliver)
    after_load: Callable[[Any], Patch] | None = None


def _tree_case(edit: Callable[[dict[str, Any]], None]) -> Callable[[Any], Any]:
    return lambda model: _edited(model, edit)


HUGE = 10**12  # a node index far outside any mapping: following it faults

CRAFTED: dict[str, Crafted] = {
    "child_out_of_range": Crafted(
        "decision_tree_classifier",
        _tree_case(_set("left_child", HUGE)),
        f"at tree_, node 0: left child {HUGE} is out of range",
        crashes=True,
    ),
    "child_below_minus_one": Crafted(
        "decision_tree_classifier",
        _tree_case(_set("right_child", -HUGE)),
        f"at tree_, node 0: right child {-HUGE} is out of range",
        crashes=True,
    ),
    "child_past_the_end": Crafted(
        "decision_tree_classifier",
        _tree_case(_set("left_child", 17, "last_internal")),
        "left child 17 is out of range [0, 17)",
    ),
    "cycle_to_ancestor": Crafted(
        "decision_tree_classifier", _tree_case(_back_to_ancestor), "2 parents (a shared node"
    ),
    "cycle_to_root": Crafted(
        "decision_tree_classifier",
        _tree_case(_set("left_child", 0, "last_internal")),
        "points back to the root",
    ),
    "self_loop": Crafted(
        "decision_tree_classifier", _tree_case(_self_loop), "unreachable from the root"
    ),
    "shared_node": Crafted("decision_tree_classifier", _tree_case(_shared), "2 parents"),
    "unreachable_node": Crafted(
        "decision_tree_classifier", _tree_case(_orphan), "node 17: the node has no parent"
    ),
    "leaf_mismatch": Crafted(
        "decision_tree_classifier", _tree_case(_leaf_mismatch), "leaf marks disagree"
    ),
    "feature_past_n_features_in": Crafted(
        "decision_tree_classifier",
        _tree_case(_set("feature", 4)),
        "node 0: feature index 4 is out of range [0, 4)",
    ),
    "feature_past_estimator_features": Crafted(
        "decision_tree_classifier", _wider_tree, "feature index 7 is out of range [0, 4)"
    ),
    "negative_feature": Crafted(
        "decision_tree_classifier",
        _tree_case(_set("feature", -3)),
        "feature index -3 is out of range",
    ),
    "nan_threshold": Crafted(
        "decision_tree_classifier",
        _tree_case(_set("threshold", np.nan)),
        "node 0: threshold nan on an internal node",
    ),
    "minus_inf_threshold": Crafted(
        "decision_tree_classifier",
        _tree_case(_set("threshold", -np.inf)),
        "threshold -inf on an internal node",
    ),
    "node_count_past_nodes": Crafted(
        "decision_tree_classifier",
        _node_count_past,
        "node_count 20 does not match the 17 nodes stored",
        after_load=_after_load_node_count,
    ),
    "node_count_below_nodes": Crafted(
        "decision_tree_classifier",
        _tree_case(_count(-2)),
        "node_count 15 does not match the 17 nodes stored",
    ),
    "max_depth_too_small": Crafted(
        "decision_tree_classifier", _tree_case(_depth(1)), "max_depth 1 differs from the depth"
    ),
    "values_classes_mismatch": Crafted(
        "decision_tree_classifier", _two_class_tree, "n_classes [2] differs from the estimator's"
    ),
    "values_outputs_mismatch": Crafted(
        "decision_tree_classifier", _two_output_tree, "n_outputs 2 differs from the estimator's 1"
    ),
    "forest_member_features": Crafted(
        "random_forest_classifier",
        _forest_member_wider,
        "the ensemble at the model itself: estimators_[1] expects 6 features, the ensemble 4",
    ),
    "boosting_shape": Crafted(
        "gradient_boosting_classifier",
        _boosting_wrong_shape,
        "estimators_ has 2 trees per iteration, n_trees_per_iteration_ is 3",
    ),
    "hgb_left_out_of_range": Crafted(
        "hist_gradient_boosting_regressor",
        _hgb_set("left", 2**32 - 7),
        f"at _predictors[0][0], node 0: left child {2**32 - 7} is out of range",
        crashes=True,
    ),
    "hgb_right_out_of_range": Crafted(
        "hist_gradient_boosting_regressor",
        _hgb_set("right", 5000),
        "node 0: right child 5000 is out of range",
    ),
    "hgb_feature_out_of_range": Crafted(
        "hist_gradient_boosting_regressor",
        _hgb_set("feature_idx", 9),
        "node 0: feature index 9 is out of range [0, 4)",
    ),
    "hgb_bitset_out_of_range": Crafted(
        "hist_gradient_boosting_categorical",
        _hgb_categorical("bitset_idx", 40),
        "bitset index 40 is out of range",
    ),
    "hgb_categorical_on_numeric_feature": Crafted(
        "hist_gradient_boosting_categorical",
        _hgb_categorical("feature_idx", 2),
        "categorical split on non-categorical feature 2",
    ),
    "hgb_nodes_dtype": Crafted(
        "hist_gradient_boosting_regressor",
        _hgb_wrong_dtype,
        "the nodes array has dtype",
        after_load=_after_load_wrong_dtype,
    ),
    "hgb_bitsets_shape": Crafted(
        "hist_gradient_boosting_regressor",
        _hgb_narrow_bitsets,
        "raw_left_cat_bitsets is not an (n, 8) array",
    ),
}

#: the child: imports the libraries once, then forks one process per job, which loads its
#: crafted pickle, verifies it (unless told not to), then predicts; the parent records each
#: job's exit status (a negative signal number for a crash) and what it printed
CHILD = """
import json, os, pickle, sys
import sklearn.ensemble, sklearn.tree  # warm: every fork shares them
from mlmodel.core.errors import UnsafeModelError
from mlmodel.runtime.load.tree_check import verify_trees

def job(path, mode):
    with open(path, "rb") as handle:
        model, data, patch = pickle.load(handle)
    if patch is not None:
        steps, attribute, value = patch
        target = model
        for step in steps:
            target = target[step] if isinstance(step, int) else getattr(target, step)
        setattr(target, attribute, value)
    if mode == "verify":
        try:
            verify_trees(model, source=path)
        except UnsafeModelError as exc:
            print("REFUSED", exc, flush=True)
            os._exit(3)
    print("PREDICTING", flush=True)
    print("PREDICTED", model.predict(data)[:3], flush=True)
    os._exit(0)

jobs = json.loads(open(sys.argv[1]).read())
results = {}
for key, (path, mode, out) in jobs.items():
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        try:
            job(path, mode)
        finally:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    results[key] = os.waitstatus_to_exitcode(status)
with open(sys.argv[2], "w") as handle:
    json.dump(results, handle)
"""


@dataclass(frozen=True)
class ChildRun:
    returncode: int
    stdout: str


def _crafted_file(folder: Path, crafted: Crafted, fitted: dict[str, Any]) -> Path:
    """The pickle a child loads: the crafted model (or the base model and the patch that
    ``crafted.after_load`` applies after loading) and the data to predict."""
    base = fitted[crafted.base]
    model, patch = crafted.craft(base), None
    if crafted.after_load is not None:
        model, patch = base, crafted.after_load(base)
    path = folder / "crafted.pkl"
    path.write_bytes(_crafted_pickle((model, FAMILIES[crafted.base].data, patch)))
    return path


@pytest.fixture(scope="module")
def child_runs(
    fitted: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, ChildRun]:
    """``CASE/verify`` for every crafted case, ``CASE/no-verify`` for those that crash: each
    in its own forked process of one child interpreter (sklearn imported once)."""
    base = tmp_path_factory.mktemp("crafted")
    jobs: dict[str, tuple[str, str, str]] = {}
    for name, crafted in CRAFTED.items():
        folder = base / name
        folder.mkdir()
        model_file = _crafted_file(folder, crafted, fitted)
        modes = ("verify", "no-verify") if crafted.crashes else ("verify",)
        for mode in modes:
            jobs[f"{name}/{mode}"] = (str(model_file), mode, str(folder / f"{mode}.out"))
    (base / "child.py").write_text(CHILD, encoding="utf-8")
    (base / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    done = run_bounded(
        [sys.executable, str(base / "child.py"), str(base / "jobs.json"), str(base / "out.json")],
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    codes = json.loads((base / "out.json").read_text())
    return {
        key: ChildRun(codes[key], Path(out).read_text(errors="replace"))
        for key, (_, _, out) in jobs.items()
    }


@pytest.mark.parametrize("case", CRAFTED)
def test_crafted_tree_is_refused_before_predict(
    fitted: dict[str, Any], case: str, child_runs: dict[str, ChildRun]
) -> None:
    crafted = CRAFTED[case]
    model = crafted.craft(fitted[crafted.base])
    with pytest.raises(UnsafeModelError) as caught:
        verify_trees(model, source="crafted.pkl")
    assert crafted.message in str(caught.value)
    assert str(caught.value).startswith("crafted.pkl: refusing to load: ")
    result = child_runs[f"{case}/verify"]
    assert result.returncode == REFUSED, (result.returncode, result.stdout)
    assert "REFUSED" in result.stdout and crafted.message in result.stdout
    assert "PREDICTING" not in result.stdout


@pytest.mark.parametrize("case", [name for name, c in CRAFTED.items() if c.crashes])
def test_without_the_check_the_crafted_tree_crashes_predict(
    case: str, child_runs: dict[str, ChildRun]
) -> None:
    result = child_runs[f"{case}/no-verify"]
    assert "PREDICTING" in result.stdout
    assert "PREDICTED" not in result.stdout
    assert result.returncode in (-signal.SIGSEGV, -signal.SIGBUS), (
        result.returncode,
        result.stdout[-2000:],
    )


def test_mlmodel_load_model_refuses_a_crafted_skops_file(
    fitted: dict[str, Any], tmp_path: Path
) -> None:
    """End to end in a child: a model directory whose skops file (trusting Tree, as
    mlmodel writes it) holds a crafted tree is refused by mlmodel.sklearn.load_model."""
    import skops.io

    model = fitted["decision_tree_classifier"]
    path = tmp_path / "model"
    mlmodel.sklearn.save_model(model, path)
    crafted = CRAFTED["child_out_of_range"].craft(model)
    skops.io.dump(crafted, path / "model.skops")
    script = tmp_path / "load.py"
    script.write_text(
        "import sys, numpy as np\n"
        "import mlmodel.sklearn\n"
        "from mlmodel.core.errors import UnsafeModelError\n"
        "try:\n"
        "    model = mlmodel.sklearn.load_model(sys.argv[1])\n"
        "except UnsafeModelError as exc:\n"
        "    print('REFUSED', exc)\n"
        "    sys.exit(3)\n"
        "print('PREDICTING', flush=True)\n"
        "model.predict(np.zeros((2, 4)))\n",
        encoding="utf-8",
    )
    result = run_bounded([sys.executable, str(script), str(path)], timeout=60)
    assert result.returncode == REFUSED, (result.stdout, result.stderr)
    assert "model.skops: refusing to load: the tree at tree_, node 0" in result.stdout
    assert "PREDICTING" not in result.stdout


def test_walk_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlmodel.runtime.load import tree_check

    monkeypatch.setattr(tree_check, "MAX_OBJECTS", 50)
    with pytest.raises(UnsafeModelError, match="more than 50 objects"):
        verify_trees([[i] for i in range(100)], source="big.pkl")


def test_deep_tree_needs_no_recursion() -> None:
    """A chain 1000 levels deep (each split peels off the largest target) verifies without
    recursion; its state is refused as soon as max_depth is below the real depth."""
    n = 1000
    data = np.arange(n, dtype=np.float64).reshape(-1, 1)
    deep = DecisionTreeRegressor().fit(data, 2.0 ** np.arange(n))
    assert deep.tree_.max_depth >= n - 1 > sys.getrecursionlimit() - 10
    assert verify_trees(deep, source="deep") == 1
    with pytest.raises(UnsafeModelError, match=f"max_depth {n - 2} differs from the depth"):
        verify_trees(_edited(deep, _depth(n - 2)), source="deep")


def test_save_model_records_only_the_needed_types(fitted: dict[str, Any], tmp_path: Path) -> None:
    saved = mlmodel.sklearn.save_model(
        fitted["random_forest_classifier"],
        tmp_path / "m",
        skops_trusted_types=["sklearn.utils._bunch.Bunch", "numpy.dtype"],
    )
    assert saved.flavors["sklearn"]["skops_trusted_types"] == ["sklearn.tree._tree.Tree"]


def test_save_model_refuses_a_crafted_tree(fitted: dict[str, Any], tmp_path: Path) -> None:
    crafted = CRAFTED["child_past_the_end"].craft(fitted["decision_tree_classifier"])
    with pytest.raises(UnsafeModelError, match=r"model\.skops: refusing to load: the tree at"):
        mlmodel.sklearn.save_model(crafted, tmp_path / "m")
    assert not (tmp_path / "m").exists()


# -- nearest-neighbour trees (KDTree, BallTree) ------------------------------------------


def _neighbour_tree(algorithm: str) -> Any:
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(3)
    return KNeighborsClassifier(algorithm=algorithm, leaf_size=4).fit(
        rng.random((40, 3)), [0, 1] * 20
    )


def _with_state(model: Any, edit: Callable[[list[Any]], None]) -> Any:
    state = [v.copy() if isinstance(v, np.ndarray) else v for v in model._tree.__getstate__()]
    edit(state)
    cls: Any = type(model._tree)
    tree = cls.__new__(cls)
    tree.__setstate__(tuple(state))
    model._tree = tree
    return model


def _index(value: int) -> Callable[[list[Any]], None]:
    def edit(state: list[Any]) -> None:
        state[1][0] = value

    return edit


def _duplicate(state: list[Any]) -> None:
    state[1][1] = state[1][0]


def _node_field(field: str, value: int) -> Callable[[list[Any]], None]:
    def edit(state: list[Any]) -> None:
        state[2][field][0] = value

    return edit


def _inner_last(state: list[Any]) -> None:
    state[2]["is_leaf"][-1] = 0


def _bounds(state: list[Any]) -> None:
    state[3] = state[3][:, :-1, :].copy()


NEIGHBOUR_CASES = {
    "index past the samples": (_index(10**9), "outside the 40 samples"),
    "negative index": (_index(-5), "outside the 40 samples"),
    "not a permutation": (_duplicate, "not a permutation"),
    "range past the samples": (_node_field("idx_end", 41), "out of range"),
    "negative start": (_node_field("idx_start", -1), "out of range"),
    "leaf flag": (_node_field("is_leaf", 7), "out of range"),
    "children past the last node": (_inner_last, "children lie past the last node"),
}


@pytest.mark.parametrize("algorithm", ["kd_tree", "ball_tree"])
def test_neighbour_trees_pass(algorithm: str) -> None:
    model = pickle.loads(pickle.dumps(_neighbour_tree(algorithm)))
    assert verify_trees(model, source="m.pkl") == 1


@pytest.mark.parametrize("algorithm", ["kd_tree", "ball_tree"])
@pytest.mark.parametrize("case", sorted(NEIGHBOUR_CASES))
def test_crafted_neighbour_trees_are_refused(algorithm: str, case: str) -> None:
    edit, message = NEIGHBOUR_CASES[case]
    model = _with_state(_neighbour_tree(algorithm), edit)
    with pytest.raises(UnsafeModelError, match=re.escape(message)) as info:
        verify_trees(model, source="m.pkl")
    assert str(info.value).startswith("m.pkl: refusing to load: the tree at _tree")


# -- sparse matrices and libsvm models ---------------------------------------------------


def _sparsified() -> Any:
    from scipy import sparse

    model = LogisticRegression(max_iter=1000).fit(X, Y)
    model.sparsify()
    assert sparse.issparse(model.coef_)
    return model


def _svc(**kwargs: Any) -> Any:
    from sklearn.svm import SVC

    return SVC(**kwargs).fit(X, Y)


def test_sparse_and_libsvm_models_pass() -> None:
    from scipy import sparse
    from sklearn.svm import SVR, OneClassSVM

    models = [
        _sparsified(),
        _svc(),
        _svc(kernel="linear"),
        SVR().fit(X, X[:, 0]),
        OneClassSVM().fit(X),
        _svc().fit(sparse.csr_matrix(X), Y),
    ]
    for model in models:
        assert verify_trees(pickle.loads(pickle.dumps(model)), source="m.pkl") == 0
    coo = sparse.coo_matrix(np.eye(3))
    assert verify_trees({"m": coo}, source="m.pkl") == 0


def _bad_index(model: Any) -> Any:
    model.coef_.indices[0] = 10**6
    return model


def _bad_indptr(model: Any) -> Any:
    model.coef_.indptr[-1] = 10**6
    return model


def _bad_coo(_model: Any) -> Any:
    from scipy import sparse

    coo = sparse.coo_matrix(np.eye(3))
    coo.col[0] = 7
    return {"m": coo}


def _svc_dual(_model: Any) -> Any:
    model = _svc()
    model._dual_coef_ = model._dual_coef_[:, :1].copy()
    return model


def _svc_intercept(_model: Any) -> Any:
    model = _svc()
    model._intercept_ = np.zeros(5)
    return model


def _svc_support(_model: Any) -> Any:
    model = _svc()
    model.support_ = model.support_ + 10**6
    return model


def _svc_prob(_model: Any) -> Any:
    model = _svc()
    model._probA = np.zeros(4)
    return model


SPARSE_AND_SVM = {
    "csr index past the columns": (_bad_index, "sparse matrix at coef_"),
    "csr indptr past the data": (_bad_indptr, "sparse matrix at coef_"),
    "coo coordinate past the shape": (_bad_coo, "outside its shape"),
    "svc dual coefficients too short": (_svc_dual, "dual_coef_ has shape"),
    "svc intercepts too long": (_svc_intercept, "intercept_ has shape"),
    "svc support past the samples": (_svc_support, "support_ points outside"),
    "svc probA too long": (_svc_prob, "_probA has shape"),
}


@pytest.mark.parametrize("case", sorted(SPARSE_AND_SVM))
def test_crafted_sparse_and_libsvm_states_are_refused(case: str) -> None:
    craft, message = SPARSE_AND_SVM[case]
    with pytest.raises(UnsafeModelError, match=re.escape(message)):
        verify_trees(craft(_sparsified()), source="m.pkl")
