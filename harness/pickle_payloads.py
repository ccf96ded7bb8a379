"""Malicious pickle payload families, crafted as bytes (never produced by running code).

Each family is a distinct technique: a callable (by rule or by class of gadget), an opcode
path to it, a container it hides in, or a way to escape file selection. Every payload is a
model folder: file name -> bytes (plus in-folder symlinks), written by :func:`write`.
The shell command in a payload would create ``canary`` if it ever ran: the tests prove it
never does. Shared by ``tests/security/test_pickle_payloads.py`` and ``bench/bench_pickle_scan.py``.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def s4(text: str) -> bytes:
    """SHORT_BINUNICODE (protocol 4)."""
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


def bu(text: str) -> bytes:
    """BINUNICODE (protocol 1+)."""
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def g0(module: str, name: str) -> bytes:
    """GLOBAL (protocols 0-3)."""
    return f"c{module}\n{name}\n".encode()


def call0(module: str, name: str, *args: str) -> bytes:
    """Protocol 0: ``module.name(*args)``."""
    return g0(module, name) + b"(" + b"".join(f"V{a}\n".encode() for a in args) + b"tR."


def call2(module: str, name: str, *args: str) -> bytes:
    """Protocol 2: GLOBAL, BINUNICODE arguments, TUPLE, REDUCE."""
    return b"\x80\x02" + g0(module, name) + b"(" + b"".join(bu(a) for a in args) + b"tR."


def sg4(module: str, name: str) -> bytes:
    """STACK_GLOBAL (protocol 4)."""
    return s4(module) + s4(name) + b"\x93"


def call4(module: str, name: str, *args: str) -> bytes:
    """Protocol 4: STACK_GLOBAL, SHORT_BINUNICODE arguments, TUPLE, REDUCE."""
    return b"\x80\x04" + sg4(module, name) + b"(" + b"".join(s4(a) for a in args) + b"tR."


def benign() -> bytes:
    """A harmless protocol 4 pickle of ``{"a": 1}`` (written by hand)."""
    return b"\x80\x04}\x94" + s4("a") + b"K\x01s."


def torch_zip(data_pkl: bytes, inner: str = "archive/data.pkl") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(inner, data_pkl)
        archive.writestr("archive/version", b"3\n")
    return buffer.getvalue()


@dataclass(frozen=True)
class Payload:
    family: str
    files: dict[str, bytes]
    symlinks: dict[str, str] = field(default_factory=dict)  #: link name -> target (in folder)
    why: str = ""


def _cmd(canary: str) -> str:
    return f"touch {canary}"


Builder = Callable[[str], Payload]


def _one(family: str, name: str, build: Callable[[str], bytes], why: str = "") -> Builder:
    return lambda c: Payload(family, {name: build(c)}, why=why)


def _many(count: int, c: str) -> dict[str, bytes]:
    files = {f"part-{i:04d}.pkl": benign() for i in range(count)}
    files["zz-last.pkl"] = call4("os", "system", _cmd(c))
    return files


#: family name -> builder(canary path) -> payload
FAMILIES: dict[str, Builder] = {
    # --- the classic callables, through each opcode path -------------------------------
    "os.system protocol 0": _one("", "model.pkl", lambda c: call0("os", "system", _cmd(c))),
    "posix.system protocol 2": _one("", "model.pkl", lambda c: call2("posix", "system", _cmd(c))),
    "os.popen protocol 4": _one("", "model.pkl", lambda c: call4("os", "popen", _cmd(c))),
    "subprocess.Popen": _one("", "model.pkl", lambda c: call4("subprocess", "Popen", _cmd(c))),
    "subprocess.check_output": _one(
        "", "model.pkl", lambda c: call2("subprocess", "check_output", _cmd(c))
    ),
    "builtins.eval": _one(
        "",
        "model.pkl",
        lambda c: call4("builtins", "eval", f"__import__('os').system('{_cmd(c)}')"),
    ),
    "builtins.exec": _one(
        "", "model.pkl", lambda c: call2("builtins", "exec", f"import os;os.system('{_cmd(c)}')")
    ),
    "builtins.compile": _one(
        "", "model.pkl", lambda c: call4("builtins", "compile", "1", "x", "eval")
    ),
    "builtins.open (writes a file)": _one(
        "", "model.pkl", lambda c: call4("builtins", "open", c, "w")
    ),
    "builtins.__import__ + getattr": _one(
        "",
        "model.pkl",
        lambda c: (
            b"\x80\x04"
            + sg4("builtins", "getattr")
            + b"("
            + sg4("builtins", "__import__")
            + b"("
            + s4("os")
            + b"tR"
            + s4("system")
            + b"tR("
            + s4(_cmd(c))
            + b"tR."
        ),
    ),
    "Python 2 commands.getoutput": _one(
        "", "model.pkl", lambda c: call0("commands", "getoutput", _cmd(c))
    ),
    "Python 2 __builtin__.eval": _one("", "model.pkl", lambda c: call0("__builtin__", "eval", "1")),
    "INST opcode": _one("", "model.pkl", lambda c: f"(V{_cmd(c)}\nios\nsystem\n.".encode()),
    "OBJ opcode": _one(
        "", "model.pkl", lambda c: b"\x80\x02(" + g0("os", "system") + bu(_cmd(c)) + b"o."
    ),
    "NEWOBJ opcode": _one(
        "",
        "model.pkl",
        lambda c: b"\x80\x02" + g0("subprocess", "Popen") + b"(" + bu(_cmd(c)) + b"t\x81.",
    ),
    "memoized STACK_GLOBAL operands": _one(
        "",
        "model.pkl",
        lambda c: (
            b"\x80\x04"
            + s4("os")
            + b"\x94"
            + s4("system")
            + b"\x94}\x94"  # a dict pushed between: not "the last two strings"
            + b"0h\x00h\x01\x93("
            + s4(_cmd(c))
            + b"tR."
        ),
    ),
    "dotted attribute path (pathlib.os.system)": _one(
        "", "model.pkl", lambda c: call4("pathlib", "os.system", _cmd(c))
    ),
    "STACK_GLOBAL on computed operands": _one(
        "",
        "model.pkl",
        lambda c: (
            b"\x80\x04"
            + sg4("builtins", "str")
            + b"("
            + s4("os")
            + b"tR"
            + s4("system")
            + b"\x93("
            + s4(_cmd(c))
            + b"tR."
        ),
    ),
    "EXT2 extension registry": _one("", "model.pkl", lambda c: b"\x80\x02\x83\x01\x00)R."),
    "numpy _ufunc_reconstruct import gadget": _one(
        "",
        "model.pkl",
        lambda c: (
            b"\x80\x02"
            + g0("numpy.core", "_ufunc_reconstruct")
            + b"("
            + bu("os")
            + bu("system")
            + b"tR("
            + bu(_cmd(c))
            + b"tR."
        ),
    ),
    "dunder hop (object.__subclasses__)": _one(
        "", "model.pkl", lambda c: call4("builtins", "object.__subclasses__")
    ),
    # --- picklescan's denylist: gaps MLM501 had --------------------------------------------
    "pkgutil.resolve_name": _one(
        "",
        "model.pkl",
        lambda c: (
            b"\x80\x04"
            + sg4("pkgutil", "resolve_name")
            + b"("
            + s4("os:system")
            + b"tR("
            + s4(_cmd(c))
            + b"tR."
        ),
    ),
    "pydoc.locate": _one(
        "",
        "model.pkl",
        lambda c: (
            b"\x80\x04"
            + sg4("pydoc", "locate")
            + b"("
            + s4("os.system")
            + b"tR("
            + s4(_cmd(c))
            + b"tR."
        ),
    ),
    "cProfile.run": _one(
        "", "model.pkl", lambda c: call4("cProfile", "run", f"import os;os.system('{_cmd(c)}')")
    ),
    "profile.run": _one(
        "", "model.pkl", lambda c: call2("profile", "run", f"import os;os.system('{_cmd(c)}')")
    ),
    "_osx_support._read_output": _one(
        "", "model.pkl", lambda c: call4("_osx_support", "_read_output", _cmd(c))
    ),
    "pydoc.pipepager": _one("", "model.pkl", lambda c: call4("pydoc", "pipepager", "x", _cmd(c))),
    "uuid._get_command_stdout": _one(
        "", "model.pkl", lambda c: call4("uuid", "_get_command_stdout", "touch", c)
    ),
    "logging.FileHandler": _one("", "model.pkl", lambda c: call4("logging", "FileHandler", c)),
    "operator.methodcaller chain": _one(
        "",
        "model.pkl",
        lambda c: (
            b"\x80\x04"
            + sg4("operator", "methodcaller")
            + b"("
            + s4("system")
            + s4(_cmd(c))
            + b"tR("
            + sg4("importlib", "import_module")
            + b"("
            + s4("os")
            + b"tRtR."
        ),
    ),
    "operator.attrgetter chain": _one(
        "",
        "model.pkl",
        lambda c: (
            b"\x80\x04"
            + sg4("operator", "attrgetter")
            + b"("
            + s4("_os.system")
            + b"tR("
            + sg4("tempfile", "gettempdir")
            + b")RtR("
            + s4(_cmd(c))
            + b"tR."
        ),
    ),
    # --- gadgets both scanners missed: module-private aliases, file openers ------------------
    "tempfile._os.system": _one(
        "", "model.pkl", lambda c: call4("tempfile", "_os.system", _cmd(c))
    ),
    "threading._os.system": _one(
        "", "model.pkl", lambda c: call4("threading", "_os.system", _cmd(c))
    ),
    "_pyio.open": _one("", "model.pkl", lambda c: call4("_pyio", "open", c, "w")),
    "gzip.open": _one("", "model.pkl", lambda c: call4("gzip", "open", c, "wb")),
    "platform._syscmd_file": _one("", "model.pkl", lambda c: call4("platform", "_syscmd_file", c)),
    "shutil.os alias": _one("", "model.pkl", lambda c: call4("shutil", "os.system", _cmd(c))),
    # --- more classes of gadgets --------------------------------------------------------------
    "nested pickle.loads": _one("", "model.pkl", lambda c: call2("pickle", "loads", "x")),
    "marshal + types.FunctionType": _one(
        "",
        "model.pkl",
        lambda c: (
            b"\x80\x02"
            + g0("types", "FunctionType")
            + b"("
            + g0("marshal", "loads")
            + b"(C\x01xtRtR."
        ),
    ),
    "runpy._run_code": _one("", "model.pkl", lambda c: call4("runpy", "_run_code", "1", "{}")),
    "importlib.import_module": _one(
        "", "model.pkl", lambda c: call4("importlib", "import_module", "os")
    ),
    "timeit.timeit": _one(
        "",
        "model.pkl",
        lambda c: call4("timeit", "timeit", f"__import__('os').system('{_cmd(c)}')"),
    ),
    "numpy.testing runstring": _one(
        "",
        "model.pkl",
        lambda c: call4("numpy.testing._private.utils", "runstring", "import os", "{}"),
    ),
    "ctypes.CDLL": _one("", "model.pkl", lambda c: call4("ctypes", "CDLL", "libc.so.6")),
    "socket.create_connection": _one(
        "", "model.pkl", lambda c: call4("socket", "create_connection", "127.0.0.1")
    ),
    "webbrowser.open": _one("", "model.pkl", lambda c: call4("webbrowser", "open", "http://x")),
    "shutil.rmtree": _one("", "model.pkl", lambda c: call4("shutil", "rmtree", c)),
    "pty.spawn": _one("", "model.pkl", lambda c: call4("pty", "spawn", _cmd(c))),
    "asyncio.create_subprocess_shell": _one(
        "", "model.pkl", lambda c: call4("asyncio", "create_subprocess_shell", _cmd(c))
    ),
    "code.InteractiveInterpreter": _one(
        "", "model.pkl", lambda c: call4("code", "InteractiveInterpreter")
    ),
    "yaml.unsafe_load": _one("", "model.pkl", lambda c: call4("yaml", "unsafe_load", "!!python")),
    "torch.load of another file": _one("", "model.pkl", lambda c: call4("torch", "load", "x.pt")),
    "pandas.read_pickle": _one("", "model.pkl", lambda c: call4("pandas", "read_pickle", "x")),
    "pdb.run": _one("", "model.pkl", lambda c: call4("pdb", "run", "import os")),
    "sys.modules via attribute": _one("", "model.pkl", lambda c: call4("sys", "modules.get", "os")),
    "tarfile.open": _one("", "model.pkl", lambda c: call4("tarfile", "open", c, "w")),
    "logging.config.listen": _one("", "model.pkl", lambda c: call4("logging.config", "listen")),
    "functools.partial(os.system)": _one(
        "",
        "model.pkl",
        lambda c: (
            b"\x80\x04"
            + sg4("functools", "partial")
            + sg4("os", "system")
            + s4(_cmd(c))
            + b"\x86R)R."
        ),
    ),
    # --- outside testers' families: code, nested loading, file writes -----------------------
    "six.exec_": _one(
        "", "model.pkl", lambda c: call4("six", "exec_", f"import os;os.system('{_cmd(c)}')")
    ),
    "six.moves.getoutput": _one(
        "", "model.pkl", lambda c: call4("six.moves", "getoutput", _cmd(c))
    ),
    "rich.style.loads (marshal.loads)": _one(
        "", "model.pkl", lambda c: call4("rich.style", "loads", "c\x00")
    ),
    "pandas pickle_compat.loads": _one(
        "", "model.pkl", lambda c: call4("pandas.compat.pickle_compat", "loads", "x")
    ),
    "pyspark.cloudpickle.loads": _one(
        "", "model.pkl", lambda c: call2("pyspark.cloudpickle", "loads", "x")
    ),
    "yaml.unsafe_load_all": _one(
        "",
        "model.pkl",
        lambda c: call4("yaml", "unsafe_load_all", "!!python/object/apply:os.system"),
    ),
    "joblib numpy_pickle_utils.Unpickler": _one(
        "", "model.pkl", lambda c: call4("joblib.numpy_pickle_utils", "Unpickler", "x")
    ),
    "numpy.lib.format.read_array": _one(
        "", "model.pkl", lambda c: call4("numpy.lib.format", "read_array", "x.npy")
    ),
    "mlflow.pyfunc.load_model": _one(
        "", "model.pkl", lambda c: call4("mlflow.pyfunc", "load_model", "runs:/x/model")
    ),
    "mlmodel.sklearn.load_model": _one(
        "", "model.pkl", lambda c: call4("mlmodel.sklearn", "load_model", "other")
    ),
    "numpy.ctypeslib.load_library": _one(
        "", "model.pkl", lambda c: call4("numpy.ctypeslib", "load_library", "libevil", ".")
    ),
    "numpy.ndarray.tofile": _one("", "model.pkl", lambda c: call4("numpy", "ndarray.tofile", c)),
    "pathlib Path.write_text": _one(
        "", "model.pkl", lambda c: call4("pathlib", "Path.write_text", c, "x")
    ),
    "pandas DataFrame.to_pickle": _one(
        "", "model.pkl", lambda c: call4("pandas.core.frame", "DataFrame.to_pickle", c)
    ),
    "scipy.io.savemat": _one("", "model.pkl", lambda c: call4("scipy.io", "savemat", c)),
    "joblib.dump": _one("", "model.pkl", lambda c: call4("joblib", "dump", "x", c)),
    "sklearn.datasets.fetch_openml": _one(
        "", "model.pkl", lambda c: call4("sklearn.datasets", "fetch_openml", "x")
    ),
    "mlmodel.core.fsio writer": _one(
        "", "model.pkl", lambda c: call4("mlmodel.core.fsio", "write_file", c, "x")
    ),
    # --- the scanner and the unpickler disagree ---------------------------------------------
    "I0x1 (C unpickler only) before os.system": _one(
        "", "model.pkl", lambda c: b"I0x1\n0" + call0("os", "system", _cmd(c))
    ),
    "truncated after a benign prefix, then garbage": _one(
        "", "model.pkl", lambda c: b"\x80\x04" + s4("a") + b"\xff" + call4("os", "system", _cmd(c))
    ),
    # --- containers -------------------------------------------------------------------------
    "second pickle after a benign one": _one(
        "", "model.pkl", lambda c: benign() + call4("os", "system", _cmd(c))
    ),
    "gzip-compressed pickle": _one(
        "", "model.pkl.gz", lambda c: gzip.compress(call4("os", "system", _cmd(c)))
    ),
    "joblib compress=3 (zlib)": _one(
        "", "model.joblib", lambda c: zlib.compress(call4("os", "system", _cmd(c)), 3)
    ),
    "bz2-compressed pickle": _one(
        "", "model.pkl", lambda c: bz2.compress(call4("os", "system", _cmd(c)))
    ),
    "xz-compressed pickle": _one(
        "", "model.pkl", lambda c: lzma.compress(call4("os", "system", _cmd(c)))
    ),
    "torch zip archive": _one("", "model.pt", lambda c: torch_zip(call2("os", "system", _cmd(c)))),
    # --- files never selected by name -------------------------------------------------------
    "protocol 0 pickle named .bin": _one(
        "", "weights.bin", lambda c: call0("os", "system", _cmd(c))
    ),
    "pickle without a suffix": _one("", "model", lambda c: call0("os", "system", _cmd(c))),
    "protocol 4 pickle named .txt": _one("", "notes.txt", lambda c: call4("os", "system", _cmd(c))),
    "torch zip named .bin": _one(
        "", "pytorch_model.bin", lambda c: torch_zip(call2("os", "system", _cmd(c)))
    ),
    "in-folder symlink to a pickle": lambda c: Payload(
        "",
        {"hidden/blob.dat": call0("os", "system", _cmd(c))},
        symlinks={"model.pkl": "hidden/blob.dat"},
    ),
    "the file after 250 others": lambda c: Payload("", _many(250, c)),
}


def build(family: str, canary: str) -> Payload:
    payload = FAMILIES[family](canary)
    return Payload(family, payload.files, payload.symlinks, payload.why)


def write(payload: Payload, folder: Path) -> Path:
    """Write a payload's files into ``folder`` (created): the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in payload.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for link, target in payload.symlinks.items():
        (folder / link).symlink_to(target)
    return folder
