"""The static pickle scanner: malicious pickles are flagged, real models are not, and nothing
is ever unpickled. Every malicious pickle is *built* here (pickle.dumps of a __reduce__, or
hand-written opcodes) and only ever scanned."""

from __future__ import annotations

import ast
import builtins
import io
import os
import pathlib
import pickle
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mlmodel.pickle_scan as pickle_scan_module
from mlmodel.pickle_scan import DENYLIST, PickleScan, danger, scan_pickle, scan_pickle_bytes

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PROTOCOLS = [0, 1, 2, 3, 4, 5]
OS_SYSTEM = {"os.system", "posix.system", "nt.system"}  # pickle names the defining module


class Reduces:
    """Pickles as ``func(*args)``: what a malicious pickle looks like, built safely."""

    def __init__(self, func: Any, args: tuple[Any, ...]) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return self.func, self.args


def dangerous_names(scan: PickleScan) -> set[str]:
    return {d.qualname for d in scan.dangerous}


pytestmark = pytest.mark.usefixtures("never_unpickle")


# --------------------------------------------------------------------------- benign


@pytest.mark.parametrize("example", ["sklearn-3x", "mlflow-docs-2018"])
def test_example_models_are_clean(example: str) -> None:
    scan = scan_pickle(EXAMPLES / example / "model.pkl")
    assert scan.error is None and scan.ok
    assert scan.dangerous == ()
    assert scan.pickles == 1 and scan.protocols == (4,)
    assert scan.import_names[0] == "sklearn.linear_model._logistic.LogisticRegression"
    assert set(scan.import_names) == {
        "sklearn.linear_model._logistic.LogisticRegression",
        "numpy._core.multiarray._reconstruct",
        "numpy.ndarray",
        "numpy.dtype",
    }
    offsets = [i.offset for i in scan.imports]
    assert offsets == sorted(offsets) and all(i.opcode == "STACK_GLOBAL" for i in scan.imports)


def _fitted_estimators() -> list[object]:
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from sklearn.tree import DecisionTreeRegressor

    x, y = load_iris(return_X_y=True)
    return [
        LogisticRegression(max_iter=300).fit(x, y),
        RandomForestClassifier(n_estimators=3, random_state=0).fit(x, y),
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=300)).fit(x, y),
        DecisionTreeRegressor(max_depth=3).fit(x, y),
        OneHotEncoder().fit([["a"], ["b"]]),
    ]


def test_real_sklearn_pickles_are_clean() -> None:
    import cloudpickle
    import numpy as np
    from sklearn.preprocessing import FunctionTransformer

    estimators = [*_fitted_estimators(), FunctionTransformer(np.log1p).fit([[1.0]])]
    seen: set[str] = set()
    for estimator in estimators:
        blobs = [pickle.dumps(estimator, protocol=p) for p in PROTOCOLS]
        blobs.append(cloudpickle.dumps(estimator))
        for blob in blobs:
            scan = scan_pickle_bytes(blob)
            assert scan.error is None, scan.error
            assert scan.dangerous == (), (type(estimator).__name__, scan.dangerous)
            assert scan.pickles == 1
            assert any(n.startswith("sklearn.") for n in scan.import_names)
            seen.update(scan.import_names)
    # what real scikit-learn pickles import: sklearn classes, numpy reconstruction helpers,
    # copyreg (protocol 0-1), _codecs.encode (bytes at protocol 0-2), builtins.object
    roots = {n.split(".")[0] for n in seen}
    assert roots <= {
        "sklearn",
        "numpy",
        "copy_reg",
        "copyreg",
        "_codecs",
        "__builtin__",
        "builtins",
    }, roots
    assert not {n for n in seen if n.startswith(("builtins.", "__builtin__."))} - {
        "builtins.object",
        "__builtin__.object",
    }


def test_a_clean_pickle_saved_to_disk(tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(_fitted_estimators()[2], protocol=5))
    scan = scan_pickle(path)
    assert scan.ok and "sklearn.pipeline.Pipeline" in scan.import_names
    assert "sklearn.preprocessing._data.StandardScaler" in scan.import_names


# --------------------------------------------------------------------------- malicious


MALICIOUS = [
    pytest.param(Reduces(os.system, ("echo pwned",)), OS_SYSTEM, id="os.system"),
    pytest.param(
        Reduces(subprocess.Popen, (["echo", "pwned"],)), {"subprocess.Popen"}, id="subprocess.Popen"
    ),
    pytest.param(Reduces(builtins.eval, ("1+1",)), {"builtins.eval"}, id="eval"),
    pytest.param(Reduces(builtins.exec, ("import os",)), {"builtins.exec"}, id="exec"),
    pytest.param(Reduces(builtins.getattr, ((), "__class__")), {"builtins.getattr"}, id="getattr"),
]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(("payload", "expected"), MALICIOUS)
def test_malicious_reduce_is_flagged(payload: Reduces, expected: set[str], protocol: int) -> None:
    blob = pickle.dumps(payload, protocol=protocol)
    scan = scan_pickle_bytes(blob)
    assert scan.error is None
    assert dangerous_names(scan) & expected, scan
    assert not scan.ok
    for finding in scan.dangerous:
        assert finding.reason and finding.member is None
        assert 0 <= finding.offset < len(blob)


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_nested_in_containers(protocol: int) -> None:
    payload = {"weights": [1.0, 2.0], "steps": [("scale", {"x": Reduces(os.system, ("id",))})]}
    scan = scan_pickle_bytes(pickle.dumps(payload, protocol=protocol))
    assert dangerous_names(scan) & OS_SYSTEM
    assert scan.error is None


def test_hand_written_global_protocol_0() -> None:
    scan = scan_pickle_bytes(b"cos\nsystem\n(S'echo pwned'\ntR.")
    assert scan.import_names == ("os.system",)
    assert scan.imports[0].offset == 0 and scan.imports[0].opcode == "GLOBAL"
    assert dangerous_names(scan) == {"os.system"}


@pytest.mark.parametrize(
    ("blob", "expected", "written"),
    [
        (b"ccommands\ngetoutput\n(S'id'\ntR.", "subprocess.getoutput", "commands.getoutput"),
        (b"c__builtin__\neval\n(S'1+1'\ntR.", "builtins.eval", "__builtin__.eval"),
        (b"ccPickle\nloads\n(S''\ntR.", "pickle.loads", "cPickle.loads"),
        (b"c_pickle\nloads\n(S''\ntR.", "_pickle.loads", None),
        (b"\x80\x02cdill\nloads\n.", "dill.loads", None),
    ],
)
def test_python2_names_are_mapped_like_the_unpickler_does(
    blob: bytes, expected: str, written: str | None
) -> None:
    scan = scan_pickle_bytes(blob)
    assert scan.import_names == (expected,)
    assert scan.imports[0].written == written
    assert dangerous_names(scan) == {expected}


def test_python2_names_are_not_mapped_from_protocol_3() -> None:
    scan = scan_pickle_bytes(b"\x80\x03c__builtin__\neval\n.")
    assert scan.import_names == ("__builtin__.eval",)
    assert dangerous_names(scan) == {"__builtin__.eval"}


def test_inst_opcode() -> None:
    scan = scan_pickle_bytes(b"(S'echo pwned'\nisubprocess\ncheck_output\n.")
    assert scan.imports[0].opcode == "INST"
    assert dangerous_names(scan) == {"subprocess.check_output"}


def _short_unicode(text: str) -> bytes:
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


def test_stack_global_with_memoized_strings() -> None:
    # memoize "os" and "system", push decoys, drop everything, then fetch both from the memo
    blob = (
        b"\x80\x04"
        + _short_unicode("os")
        + b"\x94"  # memo 0
        + _short_unicode("system")
        + b"\x94"  # memo 1
        + _short_unicode("decoy.module")
        + b"\x94"  # memo 2
        + b"0000"  # POP x 3 (the last POP pops an empty stack: tolerated)
        + b"h\x00h\x01"  # BINGET 0, BINGET 1
        + b"\x93"  # STACK_GLOBAL
        + _short_unicode("echo pwned")
        + b"\x85R."  # TUPLE1 REDUCE STOP
    )
    scan = scan_pickle_bytes(blob)
    assert scan.error is None
    assert scan.import_names == ("os.system",)
    assert scan.imports[0].opcode == "STACK_GLOBAL"
    assert dangerous_names(scan) == {"os.system"}


def test_stack_global_uses_real_operands_not_the_last_strings_seen() -> None:
    # a dict key between the two strings must not be taken for the name
    blob = (
        b"\x80\x04}"
        + _short_unicode("key")
        + _short_unicode("builtins")
        + _short_unicode("exec")
        + b"\x93"  # builtins.exec
        + b"s."  # SETITEM
    )
    scan = scan_pickle_bytes(blob)
    assert scan.import_names == ("builtins.exec",)
    assert scan.imports[0].offset == blob.index(b"\x93")


def test_memo_with_put_and_long_binget() -> None:
    blob = (
        b"\x80\x02Vsubprocess\np7\n0" + b"Vrun\nr\x00\x01\x00\x000" + b"g7\nj\x00\x01\x00\x00\x93."
    )
    scan = scan_pickle_bytes(blob)
    assert dangerous_names(scan) == {"subprocess.run"}


def test_unresolvable_stack_global_is_dangerous() -> None:
    # the module name is the *result* of a call: it cannot be known without running it
    blob = (
        b"\x80\x04"
        + _short_unicode("builtins")
        + _short_unicode("str")
        + b"\x93"
        + _short_unicode("os")
        + b"\x85R"
        + _short_unicode("system")
        + b"\x93)R."
    )
    scan = scan_pickle_bytes(blob)
    assert "<unresolved STACK_GLOBAL>" in dangerous_names(scan)
    assert "builtins.str" in scan.import_names and "builtins.str" not in dangerous_names(scan)


def test_dotted_attribute_paths_are_followed() -> None:
    # protocol 4 resolves "os.system" as an attribute path of pathlib: it is os.system
    blob = b"\x80\x04" + _short_unicode("pathlib") + _short_unicode("os.system") + b"\x93."
    scan = scan_pickle_bytes(blob)
    assert scan.import_names == ("pathlib.os.system",)
    assert "attribute" in scan.dangerous[0].reason
    sneaky = b"\x80\x04" + _short_unicode("mymod") + _short_unicode("f.__globals__") + b"\x93."
    assert dangerous_names(scan_pickle_bytes(sneaky)) == {"mymod.f.__globals__"}
    nested_class = b"\x80\x04" + _short_unicode("mymod") + _short_unicode("Outer.Inner") + b"\x93."
    assert scan_pickle_bytes(nested_class).ok


def test_import_gadgets_are_resolved() -> None:
    # numpy's old ufunc reconstructor imports whatever its two string arguments name
    blob = b"cnumpy.core\n_ufunc_reconstruct\n(S'os'\nS'system'\ntR."
    scan = scan_pickle_bytes(blob)
    assert "os.system" in dangerous_names(scan)
    assert scan.imports[-1].opcode == "REDUCE"
    computed = b"cnumpy.core\n_ufunc_reconstruct\n(S'os'\n)tR."
    assert "<unresolved numpy.core._ufunc_reconstruct()>" in dangerous_names(
        scan_pickle_bytes(computed)
    )


def test_cloudpickled_function_is_flagged_as_code() -> None:
    import cloudpickle

    scan = scan_pickle_bytes(cloudpickle.dumps(lambda x: x + 1))
    assert scan.error is None
    assert "types.CodeType" in dangerous_names(scan)  # through _builtin_type("CodeType")


def test_extension_codes_are_unresolved() -> None:
    scan = scan_pickle_bytes(b"\x80\x02\x82\x01)R.")
    assert dangerous_names(scan) == {"<unresolved EXT1 1>"}


def test_second_pickle_appended_after_a_benign_one(tmp_path: Path) -> None:
    benign = pickle.dumps({"coef": [1.0, 2.0]}, protocol=4)
    evil = pickle.dumps(Reduces(os.system, ("echo pwned",)), protocol=2)
    path = tmp_path / "model.pkl"
    path.write_bytes(benign + evil)
    scan = scan_pickle(path)
    assert scan.pickles == 2 and scan.error is None
    assert scan.protocols == (4, 2)
    assert dangerous_names(scan) & OS_SYSTEM
    assert scan.dangerous[0].offset >= len(benign)


def test_trailing_non_pickle_bytes_are_counted_not_errors() -> None:
    scan = scan_pickle_bytes(pickle.dumps([1, 2]) + b"\xff\xfe raw array data")
    assert scan.ok and scan.pickles == 1 and scan.trailing_bytes == 17


def test_persistent_ids_are_counted() -> None:
    scan = scan_pickle_bytes(b"\x80\x02X\x07\x00\x00\x00storageQ.")
    assert scan.ok and scan.persistent_ids == 1


# --------------------------------------------------------------------------- zip archives


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_members_are_scanned(tmp_path: Path) -> None:
    evil = pickle.dumps(Reduces(builtins.exec, ("print(1)",)), protocol=2)
    data = _zip(
        {
            "archive/version": b"3\n",
            "archive/data.pkl": pickle.dumps({"a": 1}, protocol=2),
            "archive/constants.pkl": evil,
            "archive/data/0": b"\x00" * 64,
        }
    )
    path = tmp_path / "model.pt"
    path.write_bytes(data)
    before = sorted(p.name for p in tmp_path.iterdir())
    for scan in (scan_pickle(path), scan_pickle_bytes(data)):
        assert scan.members == ("archive/data.pkl", "archive/constants.pkl")
        assert scan.pickles == 2 and scan.error is None
        assert [(d.qualname, d.member) for d in scan.dangerous] == [
            ("builtins.exec", "archive/constants.pkl")
        ]
        assert scan.imports[0].member == "archive/constants.pkl"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing extracted


def test_zip_errors_are_per_member() -> None:
    data = _zip({"a.pkl": b"garbage!", "b.pkl": pickle.dumps(Reduces(os.system, ("id",)))})
    scan = scan_pickle_bytes(data)
    assert scan.error is not None and scan.error.startswith("a.pkl: ")
    assert dangerous_names(scan) & OS_SYSTEM


def test_zip_member_over_the_budget() -> None:
    data = _zip({"data.pkl": pickle.dumps(list(range(1000)))})
    scan = scan_pickle_bytes(data, max_bytes=100)
    assert scan.error is not None and "max_bytes" in scan.error


def test_a_pickle_ending_like_a_zip_is_scanned_as_a_pickle() -> None:
    # pickle.load reads from the start: a zip end record appended must not hide the pickle
    evil = pickle.dumps(Reduces(os.system, ("id",)), protocol=2)
    scan = scan_pickle_bytes(evil + _zip({"x.txt": b"x"}))
    assert dangerous_names(scan) & OS_SYSTEM


def test_broken_zip_header_is_scanned_as_a_pickle() -> None:
    scan = scan_pickle_bytes(b"PK\x03\x04 not really a zip")
    assert scan.error is not None and scan.members == ()


# --------------------------------------------------------------------------- canary


def test_canary_file_is_never_created(tmp_path: Path) -> None:
    canary_open = tmp_path / "canary-open"
    canary_touch = tmp_path / "canary-touch"
    blobs = [
        pickle.dumps(Reduces(builtins.open, (str(canary_open), "w")), protocol=p) for p in PROTOCOLS
    ]
    blobs += [
        pickle.dumps(Reduces(pathlib.Path.touch, (canary_touch,)), protocol=p) for p in (4, 5)
    ]
    for i, blob in enumerate(blobs):
        path = tmp_path / f"evil{i}.pkl"
        path.write_bytes(blob)
        for scan in (scan_pickle(path), scan_pickle_bytes(blob)):
            assert scan.dangerous, scan
            assert dangerous_names(scan) & {
                "builtins.open",
                "io.open",
                "_io.open",
                "pathlib.Path.touch",
                "pathlib._local.Path.touch",
            }
    assert not canary_open.exists()
    assert not canary_touch.exists()


def test_unpickling_is_really_refused_in_this_module() -> None:
    blob = pickle.dumps(1)
    for attempt in (
        lambda: pickle.loads(blob),
        lambda: pickle.load(io.BytesIO(blob)),
        lambda: pickle.Unpickler(io.BytesIO(blob)).load(),
        lambda: pickle._Unpickler(io.BytesIO(blob)).load(),
    ):
        with pytest.raises(AssertionError):
            attempt()  # type: ignore[no-untyped-call]  # the lambdas' inferred type is untyped


# --------------------------------------------------------------------------- bad input


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pkl"
    path.write_bytes(b"")
    scan = scan_pickle(path)
    assert scan.error is not None and "empty" in scan.error
    assert scan.imports == () and scan.pickles == 0 and not scan.ok
    assert scan_pickle_bytes(b"").error == scan.error


@pytest.mark.parametrize(
    "data",
    [b"hello world", b"\x00\x01\x02", b"\x80\x04\x95", b"\xff" * 100, b"{}", b"(((((", b"\x80"],
)
def test_garbage_gives_an_error(data: bytes) -> None:
    scan = scan_pickle_bytes(data)
    assert scan.error is not None and not scan.ok


def test_truncated_malicious_pickle_keeps_what_it_saw(tmp_path: Path) -> None:
    blob = pickle.dumps(Reduces(os.system, ("echo pwned " * 20,)), protocol=4)
    path = tmp_path / "cut.pkl"
    path.write_bytes(blob[: len(blob) - 20])
    scan = scan_pickle(path)
    assert scan.error is not None and "truncated" in scan.error
    assert dangerous_names(scan) & OS_SYSTEM


def test_every_truncation_of_a_real_pickle_is_handled() -> None:
    blob = pickle.dumps(_fitted_estimators()[0], protocol=2)
    for cut in range(len(blob)):
        scan = scan_pickle_bytes(blob[:cut])
        assert scan.error is not None
        assert scan.dangerous == ()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_never_raise(data: bytes) -> None:
    assert isinstance(scan_pickle_bytes(data), PickleScan)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=40), st.integers(min_value=0, max_value=60))
def test_mutated_pickles_never_raise(noise: bytes, at: int) -> None:
    blob = pickle.dumps({"a": [1, "x", 2.0, (3,)]}, protocol=4)
    assert isinstance(scan_pickle_bytes(blob[:at] + noise + blob[at:]), PickleScan)


@pytest.mark.parametrize(
    "header",
    [
        b"\x80\x04\x8e" + (2**62).to_bytes(8, "little"),  # BINBYTES8
        b"\x80\x04\x8d" + (2**62).to_bytes(8, "little"),  # BINUNICODE8
        b"\x80\x03B" + (2**31 - 1).to_bytes(4, "little"),  # BINBYTES
        b"\x80\x02\x8b" + (2**31 - 1).to_bytes(4, "little"),  # LONG4
    ],
)
def test_huge_declared_length_allocates_nothing(tmp_path: Path, header: bytes) -> None:
    path = tmp_path / "huge.pkl"
    path.write_bytes(header + b"tiny")
    tracemalloc.start()
    try:
        on_disk = scan_pickle(path)
        in_memory = scan_pickle_bytes(header + b"tiny")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert on_disk.error is not None and in_memory.error is not None
    assert peak < 1024 * 1024, peak


def test_file_over_max_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big.pkl"
    path.write_bytes(pickle.dumps(list(range(100))))
    scan = scan_pickle(path, max_bytes=10)
    assert scan.error is not None and "max_bytes" in scan.error
    assert scan_pickle_bytes(path.read_bytes(), max_bytes=10).error is not None


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "cannot read" in (scan_pickle(tmp_path / "nope.pkl").error or "")
    assert "cannot read" in (scan_pickle(tmp_path).error or "")


# --------------------------------------------------------------------------- module hygiene


def test_module_imports_only_the_standard_library() -> None:
    package = Path(pickle_scan_module.__file__).parent
    tree = ast.Module(
        body=[
            node
            for file in sorted(package.glob("*.py"))
            for node in ast.parse(file.read_text(encoding="utf-8")).body
        ],
        type_ignores=[],
    )
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert roots - {"__future__", "mlmodel"} <= set(sys.stdlib_module_names), roots
    assert not roots & {"pickle", "_pickle", "marshal", "importlib", "subprocess"}, roots


def test_denylist_is_documented() -> None:
    assert all(rule.reason for rule in DENYLIST)
    modules = {rule.module for rule in DENYLIST}
    for required in (
        "os",
        "posix",
        "nt",
        "subprocess",
        "builtins",
        "__builtin__",
        "sys",
        "shutil",
        "socket",
        "importlib",
        "runpy",
        "pty",
        "code",
        "codeop",
        "ctypes",
        "pickle",
        "_pickle",
        "dill",
        "cloudpickle",
        "marshal",
        "types",
        "webbrowser",
        "urllib",
        "requests",
        "http",
        "ftplib",
        "smtplib",
        "telnetlib",
        "asyncio",
        "multiprocessing",
        "operator",
    ):
        assert required in modules, required


# --------------------------------------------------------------------------- denylist reasons


def _global4(module: str, name: str) -> bytes:
    """Protocol 4: ``module.name()`` through STACK_GLOBAL (dotted names are attribute paths)."""

    def s4(text: str) -> bytes:
        raw = text.encode()
        return b"\x8c" + bytes([len(raw)]) + raw

    return b"\x80\x04" + s4(module) + s4(name) + b"\x93)R."


#: gadget families outside testers used (module, name, part of the reason)
EXPLAINED = [
    # code and nested loading
    ("six", "exec_", "runs source code"),
    ("six.moves", "getoutput", "aliases"),
    ("six.moves", "builtins.eval", "runs code"),
    ("rich.style", "loads", "marshal.loads"),
    ("pandas.compat.pickle_compat", "loads", "unpickling"),
    ("pandas.compat.pickle_compat", "Unpickler", "unpickling"),
    ("pandas", "read_pickle", "unpickles"),
    ("pandas.io.pickle", "read_pickle", "unpickl"),
    ("pyspark.cloudpickle", "loads", "unpickling"),
    ("pyspark.cloudpickle.cloudpickle", "_builtin_type", "builds code"),
    ("cloudpickle", "loads", "unpickling"),
    ("cloudpickle", "load", "unpickling"),
    ("cloudpickle.cloudpickle", "_builtin_type", "code objects"),
    ("cloudpickle.cloudpickle", "_make_function", "code objects"),
    ("yaml", "unsafe_load", "arbitrary Python objects"),
    ("yaml", "unsafe_load_all", "arbitrary Python objects"),
    ("yaml", "load", "arbitrary Python objects"),
    ("yaml", "full_load_all", "arbitrary Python objects"),
    ("yaml.loader", "UnsafeLoader", "arbitrary Python objects"),
    ("joblib.numpy_pickle_utils", "Unpickler", "unpickling"),
    ("joblib.numpy_pickle", "NumpyUnpickler", "unpickling"),
    ("joblib", "load", "unpickling"),
    ("numpy.lib.format", "read_array", "unpickles"),
    ("numpy", "load", "unpickles"),
    ("numpy.lib.npyio", "load", "unpickles"),
    ("mlflow.pyfunc", "load_model", "another model"),
    ("mlflow.sklearn", "load_model", "another model"),
    ("mlflow.sklearn", "_load_pyfunc", "another model"),
    ("mlflow.pyfunc.model", "_load_pyfunc", "another model"),
    ("mlflow.lightgbm", "load_model", "another model"),
    ("mlmodel.pyfunc", "load_model", "another model"),
    ("mlmodel.sklearn", "load_model", "another model"),
    ("mlmodel.runtime.load.dispatch", "load_pyfunc", "mlmodel's loaders"),
    ("mlmodel.runtime.load.safety", "load_pickle_file", "mlmodel's loaders"),
    ("keras.models", "load_model", "deserialises"),
    ("transformers", "AutoModel.from_pretrained", "deserialises"),
    ("numpy.ctypeslib", "load_library", "native libraries"),
    ("ctypes", "CDLL", "native code"),
    ("importlib", "import_module", "imports"),
    ("runpy", "run_path", "runs modules"),
    ("code", "InteractiveConsole", "runs source code"),
    ("pty", "spawn", "processes"),
    ("operator", "attrgetter", "any attribute"),
    ("operator", "methodcaller", "any method"),
    ("functools", "partialmethod", "wraps any callable"),
    ("functools", "reduce", "any callable"),
    ("numpy.core", "_ufunc_reconstruct", "imports any module attribute"),
    ("numpy._core", "_ufunc_reconstruct", "imports any module attribute"),
    ("numpy.core.multiarray", "_ufunc_reconstruct", "imports any module attribute"),
    ("types", "CodeType", "bytecode"),
    ("types", "FunctionType", "bytecode"),
    ("typing", "get_type_hints", "eval"),
    ("numexpr", "evaluate", "eval"),
    # files
    ("numpy", "ndarray.tofile", "files"),
    ("numpy", "memmap", "files"),
    ("numpy._core.memmap", "memmap", "files"),
    ("numpy", "save", "files"),
    ("numpy", "savez", "files"),
    ("numpy", "savez_compressed", "files"),
    ("numpy", "savetxt", "files"),
    ("numpy.lib.format", "open_memmap", "files"),
    ("joblib", "dump", "writes files"),
    ("joblib.numpy_pickle", "dump", "writes files"),
    ("pathlib", "Path.write_text", "files"),
    ("pathlib", "Path.write_bytes", "files"),
    ("pathlib", "PosixPath.touch", "files"),
    ("pathlib", "Path.symlink_to", "files"),
    ("pathlib", "Path.mkdir", "files"),
    ("pathlib", "Path.unlink", "files"),
    ("pandas", "DataFrame.to_csv", "writes files"),
    ("pandas.core.frame", "DataFrame.to_pickle", "writes files"),
    ("pandas.core.generic", "NDFrame.to_clipboard", "subprocess"),
    ("pandas", "Series.to_parquet", "writes files"),
    ("pandas", "read_csv", "URLs"),
    ("scipy.io", "savemat", "files"),
    ("scipy.io", "mmwrite", "files"),
    ("scipy.io.wavfile", "write", "files"),
    ("shutil", "copyfile", "files"),
    ("tempfile", "mkstemp", "files"),
    ("logging", "FileHandler", "files"),
    ("zipfile", "ZipFile", "archives"),
    ("tarfile", "open", "archives"),
    ("mlmodel.core.fsio", "write_file", "files"),
    ("sklearn.datasets", "dump_svmlight_file", "writes files"),
    ("sklearn.datasets._svmlight_format_io", "dump_svmlight_file", "writes files"),
    ("sklearn.datasets", "fetch_openml", "network"),
    ("sklearn.datasets._california_housing", "fetch_california_housing", "network"),
]


@pytest.mark.parametrize(
    ("module", "name", "reason"), EXPLAINED, ids=[f"{m}.{n}" for m, n, _ in EXPLAINED]
)
def test_the_denylist_explains_the_gadget(module: str, name: str, reason: str) -> None:
    explained = danger(module, name)
    assert explained is not None and reason in explained, explained
    scan = scan_pickle_bytes(_global4(module, name))
    assert f"{module}.{name}" in dangerous_names(scan) and not scan.safe


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("json", "loads"),  # plain data
        ("tomllib", "loads"),
        ("joblib.numpy_pickle", "NumpyArrayWrapper"),  # joblib's array records
        ("numpy.random._pickle", "__randomstate_ctor"),  # a real module, not pickle
        ("pandas.core.frame", "DataFrame"),
        ("pathlib", "PosixPath"),
        ("sklearn.datasets", "load_iris"),
    ],
)
def test_the_denylist_leaves_data_types_alone(module: str, name: str) -> None:
    assert danger(module, name) is None


def test_no_allowlisted_global_is_on_the_denylist() -> None:
    from mlmodel.pickle_scan import allowed_globals

    names = {
        value
        for field in vars(allowed_globals).values()
        if isinstance(field, frozenset)
        for value in field
    }
    assert len(names) > 400
    flagged = {}
    for qualname in names:
        module, name = qualname.rsplit(".", 1)
        reason = danger(module, name)
        if reason is not None:
            flagged[qualname] = reason
    assert not flagged
