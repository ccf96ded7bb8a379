"""Verify the tree structures inside a loaded scikit-learn object graph.

scikit-learn's Cython tree code (``sklearn.tree._tree.Tree``, gradient boosting's
``predict_stages``, HistGradientBoosting's ``TreePredictor``) follows child indices and reads
feature columns and bitset rows without bounds checks. A model file holding a crafted tree can
therefore crash the process or read (and, through ``decision_path``, write) out of bounds when
the model is called. skops 0.16 stopped trusting these types for that reason.

:func:`verify_trees` walks a freshly loaded object (estimators' ``__dict__``, lists, tuples,
dicts, numpy object arrays) and checks every tree it finds: node arrays of exactly the dtype
the installed scikit-learn uses, consistent shapes, child indices forming a proper tree rooted
at node 0, feature indices inside both the tree's and its owning estimator's feature count,
usable thresholds, categorical bitset rows in range. The first failure raises
:class:`~mlmodel.runtime.errors.UnsafeModelError` naming the file, the estimator path inside the
model (``steps[1][1].estimators_[3].tree_``), the node and what is wrong.

The same walk checks the other native structures a fitted estimator hands to compiled code
without bounds checks: nearest-neighbour trees (KDTree, BallTree), scipy sparse matrices
(index arrays in range: a sparsified ``coef_`` or sparse support vectors meet C++ sparse
kernels), and libsvm models (SVC, NuSVC, SVR, NuSVR, OneClassSVM: the support vector,
dual coefficient, intercept and probability arrays of the sizes libsvm reads).

The types in :data:`VERIFIED_TYPES` are trusted only together with this check. numpy and
scikit-learn are imported inside the functions, never when this module is imported.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from numbers import Integral
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType
from typing import TYPE_CHECKING, Any, Final

from mlmodel.runtime.errors import UnsafeModelError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

TREE: Final = "sklearn.tree._tree.Tree"
TREE_PREDICTOR: Final = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
#: "module.Qualname" of the types that are trusted only together with :func:`verify_trees`
KD_TREE: Final = "sklearn.neighbors._kd_tree.KDTree"
BALL_TREE: Final = "sklearn.neighbors._ball_tree.BallTree"
VERIFIED_TYPES: Final[frozenset[str]] = frozenset({TREE, TREE_PREDICTOR, KD_TREE, BALL_TREE})

#: objects and containers the walk visits at most; a bigger graph is refused, not skipped
MAX_OBJECTS: Final = 2_000_000
#: scikit-learn's marker of a leaf's children (``sklearn.tree._tree.TREE_LEAF``)
_TREE_LEAF: Final = -1
#: HistGradientBoosting bitsets hold 256 bits per row (``X_BINNED_DTYPE`` is uint8)
_BITSET_WORDS: Final = 8

_ATOMIC: Final = (
    str,
    bytes,
    bytearray,
    int,
    float,
    complex,
    bool,
    type(None),
    type,
    ModuleType,
    FunctionType,
    BuiltinFunctionType,
    MethodType,
)


@dataclass(frozen=True)
class _Context:
    """What the walk knows about the estimator that holds the current object."""

    owner: Any = None  # the nearest enclosing scikit-learn estimator
    n_features_limit: int | None = None  # a feature count imposed by an enclosing ensemble


class _Refusal(Exception):
    """A check failed; :func:`verify_trees` turns it into an ``UnsafeModelError``."""

    def __init__(self, what: str, node: int | None = None, *, ensemble: bool = False) -> None:
        super().__init__(what)
        self.what = what
        self.node = node
        self.ensemble = ensemble  # about an ensemble's members, not one tree


def verify_trees(obj: Any, *, source: str) -> int:
    """Check every tree inside ``obj``; returns the number of trees checked.

    ``source`` names the file ``obj`` was loaded from (it starts every error message). Raises
    :class:`~mlmodel.runtime.errors.UnsafeModelError` on the first tree that scikit-learn
    could not safely predict with, or when the object graph is too large to walk
    (more than :data:`MAX_OBJECTS` objects).
    """
    tree_type = _loaded_class("sklearn.tree._tree", "Tree")
    predictor_type = _loaded_class(
        "sklearn.ensemble._hist_gradient_boosting.predictor", "TreePredictor"
    )
    neighbors = tuple(
        t
        for t in (
            _loaded_class("sklearn.neighbors._kd_tree", "KDTree"),
            _loaded_class("sklearn.neighbors._ball_tree", "BallTree"),
        )
        if t is not None
    )
    libsvm = _loaded_class("sklearn.svm._base", "BaseLibSVM")
    checked = 0
    seen: set[int] = set()
    stack: list[tuple[Any, str, _Context]] = [(obj, "", _Context())]
    while stack:
        item, path, context = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if len(seen) > MAX_OBJECTS:
            raise UnsafeModelError(
                f"{source}: refusing to load: the model holds more than {MAX_OBJECTS} objects, "
                "too many to verify its trees",
                path=source,
            )
        try:
            if tree_type is not None and isinstance(item, tree_type):
                _check_tree(item, context)
                checked += 1
                continue
            if predictor_type is not None and isinstance(item, predictor_type):
                _check_predictor(item, context)
                checked += 1
                continue
            if neighbors and isinstance(item, neighbors):
                _check_binary_tree(item, context)
                checked += 1
                continue
            if _is_sparse(item):
                _check_sparse(item)
                continue
            if libsvm is not None and isinstance(item, libsvm):
                _check_libsvm(item)
            stack.extend(reversed(list(_children(item, path, context))))
        except _Refusal as refusal:
            kind = TREE if tree_type is not None and isinstance(item, tree_type) else None
            if kind is None and predictor_type is not None and isinstance(item, predictor_type):
                kind = TREE_PREDICTOR
            if kind is None and neighbors and isinstance(item, neighbors):
                kind = f"{type(item).__module__}.{type(item).__qualname__}"
            what = "ensemble" if refusal.ensemble else "tree"
            if _is_sparse(item):
                what = "sparse matrix"
            elif libsvm is not None and isinstance(item, libsvm):
                what = "support vector machine"
            where = path or "the model itself"
            node = f", node {refusal.node}" if refusal.node is not None else ""
            raise UnsafeModelError(
                f"{source}: refusing to load: the {what} at {where}{node}: {refusal.what}",
                path=source,
                globals_=[kind] if kind else [],
            ) from None
    return checked


def _loaded_class(module: str, name: str) -> type | None:
    """``module.name`` when ``module`` is imported already (no instance exists otherwise)."""
    loaded = sys.modules.get(module)
    found = getattr(loaded, name, None) if loaded is not None else None
    return found if isinstance(found, type) else None


def _join(path: str, attribute: str) -> str:
    return f"{path}.{attribute}" if path else attribute


def _children(item: Any, path: str, context: _Context) -> Iterator[tuple[Any, str, _Context]]:
    """The objects ``item`` holds that may hold trees, with their paths and contexts."""
    if isinstance(item, _ATOMIC):
        return
    if isinstance(item, dict):
        for key, value in item.items():
            if not isinstance(value, _ATOMIC):
                yield value, f"{path}[{key!r}]", context
        return
    if isinstance(item, list | tuple | set | frozenset):
        for index, value in enumerate(item):
            if not isinstance(value, _ATOMIC):
                yield value, f"{path}[{index}]", context
        return
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(item, numpy.ndarray):
        if item.dtype.hasobject:
            for index, value in numpy.ndenumerate(item):
                if not isinstance(value, _ATOMIC):
                    where = ", ".join(str(int(i)) for i in index)
                    yield value, f"{path}[{where}]", context
        return
    attributes = getattr(item, "__dict__", None)
    if not isinstance(attributes, dict):
        return
    inner = _Context(owner=item) if _is_estimator(item) else context
    members = _ensemble_members(item, path)
    for name, value in attributes.items():
        if isinstance(value, _ATOMIC):
            continue
        if members is not None and name == "estimators_":
            yield from members
            continue
        yield value, _join(path, name), inner


def _is_estimator(item: Any) -> bool:
    base = _loaded_class("sklearn.base", "BaseEstimator")
    return base is not None and isinstance(item, base)


def _int_attribute(item: Any, name: str) -> int | None:
    value = vars(item).get(name)
    if isinstance(value, Integral) and not isinstance(value, bool):
        return int(value)
    return None


def _ensemble_members(item: Any, path: str) -> list[tuple[Any, str, _Context]] | None:
    """The trees of an ensemble that calls them without input validation.

    Forests, gradient boosting and IsolationForest validate ``X`` once against their own (or
    their first tree's) feature count and then call each tree with ``check_input=False``, so
    every member must agree on the feature count; it becomes the members' limit. ``None`` for
    any other object."""
    forest = _loaded_class("sklearn.ensemble._forest", "BaseForest")
    boosting = _loaded_class("sklearn.ensemble._gb", "BaseGradientBoosting")
    isolation = _loaded_class("sklearn.ensemble._iforest", "IsolationForest")
    kinds = tuple(k for k in (forest, boosting, isolation) if k is not None)
    if not kinds or not isinstance(item, kinds):
        return None
    import numpy as np

    estimators = vars(item).get("estimators_")
    if estimators is None:
        return []
    name = _join(path, "estimators_")
    n_features = _int_attribute(item, "n_features_in_")

    def refuse(what: str) -> _Refusal:
        return _Refusal(what, ensemble=True)

    if boosting is not None and isinstance(item, boosting):
        if not isinstance(estimators, np.ndarray) or estimators.ndim != 2:
            raise refuse("estimators_ is not a 2-D array")
        per_iteration = _int_attribute(item, "n_trees_per_iteration_")
        if per_iteration is not None and estimators.shape[1] != per_iteration:
            raise refuse(
                f"estimators_ has {estimators.shape[1]} trees per iteration, "
                f"n_trees_per_iteration_ is {per_iteration}"
            )
        indexed = [
            (value, f"{name}[{i}, {j}]", index)
            for index, ((i, j), value) in enumerate(np.ndenumerate(estimators))
        ]
    elif isinstance(estimators, list | tuple):
        indexed = [(value, f"{name}[{i}]", i) for i, value in enumerate(estimators)]
    else:
        raise refuse("estimators_ is not a list")
    features = None
    if isolation is not None and isinstance(item, isolation):
        features = vars(item).get("estimators_features_")
    members: list[tuple[Any, str, _Context]] = []
    for value, where, index in indexed:
        if value is None or isinstance(value, _ATOMIC) or not hasattr(value, "__dict__"):
            raise refuse(f"{where} is not an estimator")
        limit = n_features
        if features is not None:
            if not isinstance(features, list | tuple) or len(features) != len(indexed):
                raise refuse("estimators_features_ does not match estimators_")
            limit = len(features[index])
        member_features = _int_attribute(value, "n_features_in_")
        if limit is not None and member_features != limit:
            raise refuse(f"{where} expects {member_features} features, the ensemble {limit}")
        members.append((value, where, _Context(owner=value, n_features_limit=limit)))
    return members


def _feature_limit(n_features: int, context: _Context) -> int:
    limit = n_features
    owner_features = _int_attribute(context.owner, "n_features_in_") if context.owner else None
    if owner_features is not None:
        limit = min(limit, owner_features)
    if context.n_features_limit is not None:
        limit = min(limit, context.n_features_limit)
    return limit


def _first(mask: npt.NDArray[np.bool_]) -> int:
    import numpy as np

    return int(np.flatnonzero(mask)[0])


def _check_structure(
    left: npt.NDArray[np.int64], right: npt.NDArray[np.int64], internal: npt.NDArray[np.bool_]
) -> int:
    """Children of internal nodes in range and forming one tree rooted at 0; its depth.

    Every non-root node must have exactly one parent and the root none; then a node not
    reached from the root lies on (or hangs off) a cycle. The walk goes level by level, each
    node at most once, so it ends for any input."""
    import numpy as np

    n = len(left)
    for name, child in (("left", left), ("right", right)):
        bad = internal & ((child < 0) | (child >= n))
        if bad.any():
            node = _first(bad)
            raise _Refusal(f"{name} child {int(child[node])} is out of range [0, {n})", node)
    children = np.concatenate([left[internal], right[internal]])
    parents = np.bincount(children, minlength=n)
    if parents[0]:
        parent = _first(internal & ((left == 0) | (right == 0)))
        raise _Refusal("a child points back to the root (a cycle)", parent)
    shared = parents[1:] != 1
    if shared.any():
        node = _first(shared) + 1
        count = int(parents[node])
        if count == 0:
            raise _Refusal("the node has no parent (unreachable from the root)", node)
        raise _Refusal(f"the node has {count} parents (a shared node or a cycle)", node)
    reached = np.zeros(n, dtype=bool)
    frontier = np.array([0], dtype=np.int64)
    depth = -1
    while frontier.size:
        reached[frontier] = True
        depth += 1
        inner = frontier[internal[frontier]]
        frontier = np.concatenate([left[inner], right[inner]])
    if not reached.all():
        raise _Refusal(
            "the node is unreachable from the root (it lies on a cycle)", _first(~reached)
        )
    return depth


def _check_tree(tree: Any, context: _Context) -> None:
    """One ``sklearn.tree._tree.Tree`` (its ``__getstate__()`` and layout attributes)."""
    import numpy as np
    from sklearn.tree._tree import NODE_DTYPE

    node_count, capacity = int(tree.node_count), int(tree.capacity)
    if node_count < 1 or node_count != capacity:
        # __getstate__ wraps node_count nodes of a capacity-sized buffer: check first
        raise _Refusal(f"node_count {node_count} does not match the {capacity} nodes stored")
    n_outputs, n_features = int(tree.n_outputs), int(tree.n_features)
    n_classes = np.asarray(tree.n_classes)
    if n_outputs < 1 or n_classes.shape != (n_outputs,) or (n_classes < 1).any():
        raise _Refusal(f"n_classes {n_classes.tolist()} does not match n_outputs {n_outputs}")
    if int(tree.max_n_classes) != int(n_classes.max()):
        raise _Refusal(f"max_n_classes {tree.max_n_classes} is not max(n_classes)")
    state = tree.__getstate__()
    nodes, values = state.get("nodes"), state.get("values")
    if not isinstance(nodes, np.ndarray) or nodes.dtype != NODE_DTYPE or nodes.ndim != 1:
        got = getattr(nodes, "dtype", type(nodes).__name__)
        raise _Refusal(f"the nodes array has dtype {got}, expected {NODE_DTYPE}")
    if len(nodes) != node_count or state.get("node_count") != node_count:
        raise _Refusal(f"node_count {state.get('node_count')} != {len(nodes)} nodes")
    expected_values = (node_count, n_outputs, int(n_classes.max()))
    if not isinstance(values, np.ndarray) or values.dtype != np.float64:
        raise _Refusal("the values array is not float64")
    if values.shape != expected_values:
        raise _Refusal(f"the values array has shape {values.shape}, expected {expected_values}")
    _check_owner_outputs(tree, context, n_outputs, n_classes)
    if n_features < 1:
        raise _Refusal(f"n_features is {n_features}")
    left = nodes["left_child"].astype(np.int64)
    right = nodes["right_child"].astype(np.int64)
    leaf = left == _TREE_LEAF
    mismatch = leaf != (right == _TREE_LEAF)
    if mismatch.any():
        node = _first(mismatch)
        raise _Refusal(
            f"leaf marks disagree (left child {int(left[node])}, right child {int(right[node])})",
            node,
        )
    internal = ~leaf
    depth = _check_structure(left, right, internal)
    if int(state.get("max_depth", -1)) != depth:
        # decision_path sizes its output by max_depth
        raise _Refusal(f"max_depth {state.get('max_depth')} differs from the depth {depth}")
    feature = nodes["feature"]
    limit = _feature_limit(n_features, context)
    bad = internal & ((feature < 0) | (feature >= limit))
    if bad.any():
        node = _first(bad)
        raise _Refusal(f"feature index {int(feature[node])} is out of range [0, {limit})", node)
    threshold = nodes["threshold"]
    # +inf is legitimate: the splitter sends all non-missing values left with it
    bad = internal & (np.isnan(threshold) | (threshold == -np.inf))
    if bad.any():
        node = _first(bad)
        raise _Refusal(f"threshold {float(threshold[node])} on an internal node", node)


def _check_owner_outputs(
    tree: Any, context: _Context, n_outputs: int, n_classes: npt.NDArray[Any]
) -> None:
    """A decision tree estimator's ``n_outputs_``/``n_classes_`` agree with its ``tree_``."""
    import numpy as np

    owner = context.owner
    if owner is None or vars(owner).get("tree_") is not tree:
        return
    owner_outputs = _int_attribute(owner, "n_outputs_")
    if owner_outputs is not None and owner_outputs != n_outputs:
        raise _Refusal(f"n_outputs {n_outputs} differs from the estimator's {owner_outputs}")
    owner_classes = vars(owner).get("n_classes_")
    if owner_classes is not None:
        expected = np.atleast_1d(np.asarray(owner_classes))
        if expected.shape != n_classes.shape or (expected != n_classes).any():
            raise _Refusal(
                f"n_classes {n_classes.tolist()} differs from the estimator's {expected.tolist()}"
            )


def _check_predictor(predictor: Any, context: _Context) -> None:
    """One HistGradientBoosting ``TreePredictor``."""
    import numpy as np
    from sklearn.ensemble._hist_gradient_boosting.common import (
        PREDICTOR_RECORD_DTYPE,
        X_BITSET_INNER_DTYPE,
    )

    attributes = vars(predictor)
    nodes = attributes.get("nodes")
    if not isinstance(nodes, np.ndarray) or nodes.dtype != PREDICTOR_RECORD_DTYPE:
        got = getattr(nodes, "dtype", type(nodes).__name__)
        raise _Refusal(f"the nodes array has dtype {got}, expected {PREDICTOR_RECORD_DTYPE}")
    if nodes.ndim != 1 or len(nodes) < 1:
        raise _Refusal(f"the nodes array has shape {nodes.shape}")
    n_bitsets = None
    for name in ("binned_left_cat_bitsets", "raw_left_cat_bitsets"):
        bitsets = attributes.get(name)
        if (
            not isinstance(bitsets, np.ndarray)
            or bitsets.dtype != X_BITSET_INNER_DTYPE
            or bitsets.ndim != 2
            or bitsets.shape[1] != _BITSET_WORDS
        ):
            raise _Refusal(
                f"{name} is not an (n, {_BITSET_WORDS}) array of {np.dtype(X_BITSET_INNER_DTYPE)}"
            )
        if n_bitsets is not None and bitsets.shape[0] != n_bitsets:
            raise _Refusal("the binned and raw bitsets have different numbers of rows")
        n_bitsets = bitsets.shape[0]
    assert n_bitsets is not None
    leaf = nodes["is_leaf"] != 0
    internal = ~leaf
    left = nodes["left"].astype(np.int64)
    right = nodes["right"].astype(np.int64)
    stray = leaf & ((left != 0) | (right != 0))
    if stray.any():
        node = _first(stray)
        raise _Refusal(f"a leaf has children ({int(left[node])}, {int(right[node])})", node)
    _check_structure(left, right, internal)
    feature = nodes["feature_idx"]
    owner_features = _int_attribute(context.owner, "n_features_in_") if context.owner else None
    if owner_features is None:
        raise _Refusal("the estimator holding the tree has no n_features_in_")
    limit = _feature_limit(owner_features, context)
    bad = internal & ((feature < 0) | (feature >= limit))
    if bad.any():
        node = _first(bad)
        raise _Refusal(f"feature index {int(feature[node])} is out of range [0, {limit})", node)
    categorical = internal & (nodes["is_categorical"] != 0)
    bad = categorical & (nodes["bitset_idx"] >= n_bitsets)
    if bad.any():
        node = _first(bad)
        raise _Refusal(
            f"bitset index {int(nodes['bitset_idx'][node])} is out of range [0, {n_bitsets})",
            node,
        )
    if categorical.any():
        # predict looks the feature up in the bin mapper's known-categories bitsets
        mapper = vars(context.owner).get("_bin_mapper")
        mask = vars(mapper).get("is_categorical_") if hasattr(mapper, "__dict__") else None
        if not isinstance(mask, np.ndarray) or mask.ndim != 1:
            raise _Refusal("categorical splits without the bin mapper's is_categorical_")
        known = np.zeros(limit, dtype=bool)
        known[: min(limit, len(mask))] = mask[:limit].astype(bool)
        bad = categorical & ~known[np.clip(feature, 0, limit - 1)]
        if bad.any():
            node = _first(bad)
            raise _Refusal(
                f"categorical split on non-categorical feature {int(feature[node])}", node
            )
    bad = internal & ~categorical & np.isnan(nodes["num_threshold"])
    if bad.any():
        raise _Refusal("NaN threshold on an internal node", _first(bad))


__all__ = ["VERIFIED_TYPES", "verify_trees"]


def _check_binary_tree(tree: Any, context: _Context) -> None:
    """A KDTree or BallTree (nearest neighbours): its queries index ``data`` through
    ``idx_array``, the nodes as an implicit binary heap (children ``2i+1``, ``2i+2``) and
    ``node_bounds`` by node, none of it bounds-checked."""
    import numpy as np

    state = tree.__getstate__()
    if not isinstance(state, tuple) or len(state) < 13:
        raise _Refusal("its state is not the one this scikit-learn writes")
    data, idx_array, node_data, node_bounds = state[:4]
    n_levels, n_nodes = state[5], state[6]
    sample_weight = state[12]
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.dtype != np.float64:
        raise _Refusal("its data is not a 2-D float64 array")
    n_samples, n_features = data.shape
    if (
        not isinstance(idx_array, np.ndarray)
        or idx_array.ndim != 1
        or idx_array.dtype != np.intp
        or len(idx_array) != n_samples
    ):
        raise _Refusal(f"its index array is not {n_samples} integers")
    seen = np.zeros(n_samples, dtype=bool)
    if n_samples and (idx_array.min() < 0 or idx_array.max() >= n_samples):
        raise _Refusal(f"its index array points outside the {n_samples} samples")
    seen[idx_array] = True
    if not seen.all():
        raise _Refusal("its index array is not a permutation of the samples")
    expected = type(tree)(np.zeros((2, 1)), leaf_size=2).__getstate__()
    if not isinstance(node_data, np.ndarray) or node_data.dtype != expected[2].dtype:
        raise _Refusal("its node data are not of the dtype this scikit-learn expects")
    if not isinstance(n_nodes, int) or not isinstance(n_levels, int) or n_nodes != len(node_data):
        raise _Refusal("its node count disagrees with its node data")
    if n_nodes < 1 or n_levels < 1 or n_nodes != 2**n_levels - 1:
        raise _Refusal(f"{n_nodes} nodes cannot form {n_levels} full levels")
    bounds_rows = expected[3].shape[0]
    if (
        not isinstance(node_bounds, np.ndarray)
        or node_bounds.dtype != np.float64
        or node_bounds.shape != (bounds_rows, n_nodes, n_features)
    ):
        raise _Refusal(f"its node bounds are not of shape {(bounds_rows, n_nodes, n_features)}")
    start, end = node_data["idx_start"], node_data["idx_end"]
    is_leaf = node_data["is_leaf"]
    bad = (start < 0) | (start > end) | (end > n_samples) | ((is_leaf != 0) & (is_leaf != 1))
    if bad.any():
        raise _Refusal("its sample range or leaf flag is out of range", _first(bad))
    inner = np.flatnonzero(is_leaf == 0)
    if len(inner) and 2 * int(inner.max()) + 2 >= n_nodes:
        raise _Refusal("an inner node's children lie past the last node", int(inner.max()))
    if sample_weight is not None and (
        not isinstance(sample_weight, np.ndarray) or sample_weight.shape != (n_samples,)
    ):
        raise _Refusal(f"its sample weights are not {n_samples} values")
    owner_features = _int_attribute(context.owner, "n_features_in_")
    if owner_features is not None and owner_features != n_features:
        raise _Refusal(
            f"it holds {n_features} features, its estimator {owner_features}", ensemble=True
        )


def _is_sparse(item: Any) -> bool:
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and bool(sparse.issparse(item))


def _check_sparse(matrix: Any) -> None:
    """Index arrays in range, as scipy's full format check sees them (CSR, CSC); COO
    coordinates inside the shape. Other formats are not on the allowlist."""
    import numpy as np

    fmt = getattr(matrix, "format", None)
    try:
        if fmt in ("csr", "csc"):
            matrix.check_format(full_check=True)
            return
        if fmt == "coo":
            coords = getattr(matrix, "coords", None) or (matrix.row, matrix.col)
            if len(coords) != len(matrix.shape) or any(
                not isinstance(c, np.ndarray) or c.shape != matrix.data.shape for c in coords
            ):
                raise _Refusal("its coordinates do not match its data")
            for axis, (c, size) in enumerate(zip(coords, matrix.shape, strict=True)):
                if c.size and (c.min() < 0 or c.max() >= size):
                    raise _Refusal(f"a coordinate on axis {axis} lies outside its shape")
            return
    except (ValueError, TypeError, AttributeError) as exc:
        raise _Refusal(f"its {fmt} index arrays are not consistent ({exc})") from None
    raise _Refusal(f"the {fmt} sparse format is not verified")


def _shape(value: Any) -> tuple[int, ...] | None:
    shape = getattr(value, "shape", None)
    return tuple(int(n) for n in shape) if isinstance(shape, tuple) else None


def _check_libsvm(model: Any) -> None:
    """The arrays libsvm's predict reads with sizes from other arrays (sklearn itself checks
    only the support vector count, CVE-2020-28975)."""
    import numpy as np

    if not hasattr(model, "support_"):
        return  # not fitted
    support = model.support_
    if not isinstance(support, np.ndarray) or support.ndim != 1:
        raise _Refusal("support_ is not a 1-D array")
    count = len(support)
    fit_shape = getattr(model, "shape_fit_", None)
    if not isinstance(fit_shape, tuple) or len(fit_shape) != 2:
        raise _Refusal("shape_fit_ is not the shape of the training data")
    if count and (support.min() < 0 or support.max() >= int(fit_shape[0])):
        raise _Refusal("support_ points outside the training samples")
    vectors = _shape(model.support_vectors_)
    precomputed = model.kernel == "precomputed"
    expected_vectors = (0, 0) if precomputed else (count, int(fit_shape[1]))
    if vectors != expected_vectors:
        raise _Refusal(f"support_vectors_ has shape {vectors}, not {expected_vectors}")
    n_support = np.asarray(model._n_support)
    classification = model._impl in ("c_svc", "nu_svc")
    n_class = len(n_support) if classification else 2
    if classification and (n_class < 2 or int(n_support.sum()) != count):
        raise _Refusal("_n_support does not add up to the support vectors")
    pairs = n_class * (n_class - 1) // 2 if classification else 1
    expected_dual = (n_class - 1 if classification else 1, count)
    if _shape(model._dual_coef_) != expected_dual:
        raise _Refusal(f"dual_coef_ has shape {_shape(model._dual_coef_)}, not {expected_dual}")
    if _shape(model._intercept_) != (pairs,):
        raise _Refusal(f"intercept_ has shape {_shape(model._intercept_)}, not {(pairs,)}")
    for name in ("_probA", "_probB"):
        shape = _shape(getattr(model, name, np.empty(0)))
        if shape not in ((0,), (pairs,)):
            raise _Refusal(f"{name} has shape {shape}, not (0,) or {(pairs,)}")
