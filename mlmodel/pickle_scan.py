"""Static pickle scanner: what a pickle would import, without unpickling it.

Approach
--------
A pickle is a little stack program. Everything it can *do* goes through callables it first
fetches by name: ``GLOBAL`` (module and name in the opcode's argument, protocols 0-3),
``STACK_GLOBAL`` (protocol 4+: module and name are the two strings on top of the stack) and
``INST`` (protocol 0: fetch a class and call it). This module walks the opcode stream with
:func:`pickletools.genops` (a pure parser: nothing is imported, constructed or executed) and
simulates the pickle machine's stack and memo just enough to know which *strings* sit where:
string pushes (``UNICODE``, ``BINUNICODE``, ``SHORT_BINUNICODE``, ``BINUNICODE8`` and the
protocol 0-2 ``STRING`` family, which Python 3 loads as ``str``), memo stores (``PUT``,
``BINPUT``, ``LONG_BINPUT``, ``MEMOIZE``) and memo reads (``GET``, ``BINGET``,
``LONG_BINGET``), ``DUP`` and tuples. Every other value is opaque. So ``STACK_GLOBAL`` is
resolved from the real operands, not "the last two strings seen" (which is wrong as soon as a
dict key was pushed between them, as in every numpy array inside a scikit-learn pickle).
``OBJ``, ``NEWOBJ`` and ``REDUCE`` call a callable already fetched by one of the three opcodes
above, so they never add an import of their own, except through the *import gadgets* below.

Each distinct ``module.name`` is reported once, in order, with the offset of the opcode that
first imported it. ``dangerous`` is the subset matching :data:`DENYLIST`: callables that let a
pickle run code, start processes, load more pickles, or touch files, the network or the
interpreter. A ``STACK_GLOBAL`` whose operands are not plain strings (built at load time by
another call) and ``EXT1/2/4`` (callables from :mod:`copyreg`'s extension registry) cannot be
resolved statically and are always reported as dangerous.

Details that matter:

* Python 2 names: like :meth:`pickle.Unpickler.find_class`, imports read while the protocol
  is below 3 are mapped with :mod:`_compat_pickle` (``commands.getoutput`` is
  ``subprocess.getoutput``, ``__builtin__.eval`` is ``builtins.eval``); the mapped name is
  reported and the written one kept in ``PickleImport.written``; both are checked.
* Attribute paths: from protocol 4 the unpickler resolves a dotted *name* attribute by
  attribute (``pathlib`` + ``os.system`` is ``os.system``), so every suffix of a dotted name is
  checked against the denylist too, as are dunder hops such as ``__globals__``.
* Import gadgets: ``numpy.core._ufunc_reconstruct(module, name)`` imports any callable, and
  ``cloudpickle``'s ``_builtin_type(name)`` returns ``types.<name>`` (how cloudpickle rebuilds
  ``CodeType`` for functions defined in ``__main__`` or lambdas). When such a gadget is
  ``REDUCE``\\ d with literal string arguments the resulting import is reported (opcode
  ``REDUCE``); with arguments that are not literal strings it is reported as dangerous.
* ``builtins.getattr`` is dangerous even though CPython itself emits it for bound methods of
  built-in types (``[].append``): from any object, ``getattr`` chains reach ``__globals__`` and
  from there ``os.system``. Fitted scikit-learn estimators never use it (see the tests).
* Several pickles in one file (joblib and legacy torch files write more than one) are scanned
  one after the other, each with a fresh memo. Bytes after the last ``STOP`` that do not even
  start a pickle opcode are counted in ``trailing_bytes``: ``pickle.load`` would fail on them
  at once, before fetching anything.
* Zip archives (torch ``.pt`` zip files, ``.skops``, any file that starts with a zip local
  header): every member whose name ends in ``.pkl`` or ``.pickle`` is scanned from the archive,
  streamed and never extracted to disk. A file that merely *ends* like a zip but starts like a
  pickle is scanned as a pickle, because that is how ``pickle.load`` reads it.
* Bad input never raises: an unreadable, empty, truncated or garbage file gives a result with
  ``error`` set, and keeps the imports found before the point of failure (the unpickler would
  have executed those before failing too). Reads are bounded by the real size of the data, so a
  huge declared length (``BINBYTES8`` of 2**62 bytes) allocates nothing.

Limits
------
It is static: it reports what the pickle would *import*, not what it would *do* with it. A
denylist is only as good as its entries; an unknown module that happens to run code (a
project's own ``run_shell`` helper) is listed in ``imports`` but not in ``dangerous``, so treat
``imports`` as the allowlist input, and ``dangerous`` as a quick red flag. Joblib stores numpy
arrays as raw bytes *between* pickle opcodes: a joblib file with arrays gets an ``error`` at the
first array (the imports before it are reported). Persistent ids (``PERSID``/``BINPERSID``,
used by torch for tensor storages) are resolved by the loading application and are only
counted. Stdlib only, no third-party imports.
"""

from __future__ import annotations

import _compat_pickle
import io
import pickletools
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Final, cast

__all__ = [
    "DENYLIST",
    "DangerousImport",
    "DenyRule",
    "PickleImport",
    "PickleScan",
    "scan_pickle",
    "scan_pickle_bytes",
]

DEFAULT_MAX_BYTES: Final = 512 * 1024 * 1024
ZIP_MAGIC: Final = b"PK\x03\x04"
PICKLE_MEMBER_SUFFIXES: Final = (".pkl", ".pickle")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PickleImport:
    """One distinct callable a pickle imports, at the first opcode that imports it."""

    module: str
    name: str
    offset: int  #: byte offset of the opcode, in the file or in the zip member
    opcode: str  #: GLOBAL, STACK_GLOBAL, INST, or REDUCE (through an import gadget)
    member: str | None = None  #: the zip member, None for a plain pickle
    #: ``module.name`` as written, when the unpickler maps it to another one: protocol 0-2
    #: pickles may use Python 2 names (``__builtin__.eval``, ``commands.getoutput``) that
    #: :mod:`pickle` imports under their Python 3 names (``builtins.eval``, ``subprocess``)
    written: str | None = None

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class DangerousImport:
    """An import matching the denylist, or one that cannot be resolved statically."""

    qualname: str  #: ``module.name``, or ``<unresolved ...>``
    offset: int
    reason: str
    member: str | None = None


@dataclass(frozen=True)
class PickleScan:
    """What a pickle file (or every pickle member of a zip) would import."""

    imports: tuple[PickleImport, ...] = ()
    dangerous: tuple[DangerousImport, ...] = ()
    pickles: int = 0  #: complete pickle streams scanned (STOP reached)
    members: tuple[str, ...] = ()  #: zip members scanned; empty for a plain pickle
    protocols: tuple[int, ...] = ()  #: distinct PROTO values seen (protocol 0-1 has none)
    persistent_ids: int = 0  #: PERSID/BINPERSID opcodes (resolved by the loader, e.g. torch)
    trailing_bytes: int = 0  #: bytes after the last pickle that do not start a pickle
    error: str | None = None  #: why (part of) the input could not be scanned

    @property
    def import_names(self) -> tuple[str, ...]:
        """The distinct imports as ``module.name`` strings, in order of first occurrence."""
        return tuple(i.qualname for i in self.imports)

    @property
    def ok(self) -> bool:
        """Fully scanned and nothing dangerous (still check ``imports`` against an allowlist)."""
        return self.error is None and not self.dangerous


# --------------------------------------------------------------------------- denylist


@dataclass(frozen=True)
class DenyRule:
    """``module`` (and its submodules); every name when ``names`` is None."""

    module: str
    names: frozenset[str] | None
    reason: str

    def matches(self, module: str, name: str) -> bool:
        if module != self.module and not module.startswith(self.module + "."):
            return False
        return self.names is None or name in self.names


def _rule(module: str, names: str | None, reason: str) -> DenyRule:
    return DenyRule(module, None if names is None else frozenset(names.split()), reason)


_BUILTIN_NAMES: Final = (
    "eval exec compile open __import__ getattr setattr delattr globals locals vars input breakpoint"
)
_NESTED = "loads load Unpickler _loads _load _Unpickler"

#: callables that let a pickle run code or touch the system
DENYLIST: Final[tuple[DenyRule, ...]] = (
    _rule("os", None, "operating system access: processes (system, popen, exec*), files"),
    _rule("posix", None, "os internals: processes and files"),
    _rule("nt", None, "os internals (Windows): processes and files"),
    _rule("subprocess", None, "starts processes"),
    _rule("_posixsubprocess", None, "starts processes (fork_exec)"),
    _rule("asyncio.subprocess", None, "starts processes"),
    _rule("asyncio", "create_subprocess_exec create_subprocess_shell", "starts processes"),
    _rule("pty", None, "spawns processes on a terminal"),
    _rule("multiprocessing", None, "starts processes, runs callables"),
    _rule(
        "builtins",
        _BUILTIN_NAMES,
        "runs code, imports modules, opens files or reaches "
        "any attribute (getattr chains reach __globals__ and os.system)",
    ),
    _rule("__builtin__", _BUILTIN_NAMES, "Python 2 builtins: runs code, imports, opens files"),
    _rule("sys", None, "interpreter internals (sys.modules, settrace, exit)"),
    _rule("importlib", None, "imports arbitrary modules"),
    _rule("runpy", None, "runs modules and scripts"),
    _rule("code", None, "interactive interpreter: runs source code"),
    _rule("codeop", None, "compiles source code"),
    _rule("timeit", None, "runs source code strings"),
    _rule("ctypes", None, "calls native code, writes memory"),
    _rule("marshal", None, "loads code objects"),
    _rule("types", "CodeType FunctionType", "builds functions from bytecode"),
    _rule("pickle", _NESTED, "nested unpickling"),
    _rule("_pickle", _NESTED, "nested unpickling"),
    _rule("dill", _NESTED, "nested unpickling"),
    _rule("cloudpickle", _NESTED, "nested unpickling"),
    _rule("joblib", "load", "nested unpickling of a file"),
    _rule("numpy", "load", "loads files, pickles with allow_pickle"),
    _rule("torch", "load", "nested unpickling of a file"),
    _rule("shutil", None, "copies, moves and deletes files"),
    _rule("io", "open open_code FileIO", "opens files"),
    _rule("_io", "open open_code FileIO", "opens files"),
    _rule("codecs", "open", "opens files"),
    _rule("socket", None, "network access"),
    _rule("webbrowser", None, "opens URLs, starts a browser"),
    _rule("urllib", None, "network access"),
    _rule("requests", None, "network access"),
    _rule("http", None, "network access"),
    _rule("ftplib", None, "network access"),
    _rule("smtplib", None, "network access (sends mail)"),
    _rule("telnetlib", None, "network access"),
    _rule(
        "operator",
        "attrgetter methodcaller",
        "reaches any attribute or calls any method (e.g. __globals__, system)",
    ),
)

#: attributes that lead from any object to globals, classes or code
_DUNDER_HOPS: Final = frozenset(
    [
        "__globals__",
        "__builtins__",
        "__subclasses__",
        "__code__",
        "__class__",
        "__base__",
        "__bases__",
        "__mro__",
        "__dict__",
        "__getattribute__",
        "__import__",
        "__loader__",
        "__spec__",
        "__closure__",
        "__func__",
        "__self__",
        "__reduce__",
        "__reduce_ex__",
        "__init_subclass__",
        "__call__",
        "__getitem__",
    ]
)

#: pathlib methods that create, write or delete (pickled Path *objects* use the class only)
_PATHLIB_WRITES: Final = frozenset(
    [
        "touch",
        "write_text",
        "write_bytes",
        "open",
        "unlink",
        "rmdir",
        "mkdir",
        "rename",
        "replace",
        "chmod",
        "lchmod",
        "symlink_to",
        "hardlink_to",
        "link_to",
    ]
)


def _danger(module: str, name: str) -> str | None:
    """Why ``module.name`` is dangerous, or None."""
    for rule in DENYLIST:
        if rule.matches(module, name):
            return rule.reason
    parts = name.split(".")
    if len(parts) > 1:
        hops = [p for p in parts if p in _DUNDER_HOPS]
        if hops:
            return f"attribute path through {hops[0]} (reaches globals, classes or code)"
        for i in range(len(parts) - 1):  # protocol 4+: dotted names are attribute paths
            via = ".".join(parts[i:-1])
            for rule in DENYLIST:
                if rule.matches(via, parts[-1]):
                    return f"{rule.reason} (reached as attribute {module}.{name})"
        if (module == "pathlib" or module.startswith("pathlib.")) and parts[-1] in _PATHLIB_WRITES:
            return "creates, writes or deletes files"
    return None


# --------------------------------------------------------------------------- stack machine


class _Opaque:
    __slots__ = ()


class _Mark:
    __slots__ = ()


_OPAQUE: Final = _Opaque()
_MARK: Final = _Mark()


@dataclass(frozen=True)
class _Global:
    module: str
    name: str


_Value = str | _Global | tuple[object, ...] | _Opaque | _Mark

_STRING_OPS: Final = frozenset(
    [
        "UNICODE",
        "BINUNICODE",
        "SHORT_BINUNICODE",
        "BINUNICODE8",
        "STRING",
        "BINSTRING",
        "SHORT_BINSTRING",
    ]
)
_GET_OPS: Final = frozenset(("GET", "BINGET", "LONG_BINGET"))
_PUT_OPS: Final = frozenset(("PUT", "BINPUT", "LONG_BINPUT"))
_TUPLE_N: Final = {"EMPTY_TUPLE": 0, "TUPLE1": 1, "TUPLE2": 2, "TUPLE3": 3}

#: callables that import what their string arguments name: (module, name) -> how
_GADGETS: Final = {
    ("numpy.core", "_ufunc_reconstruct"): "module_name",
    ("numpy._core", "_ufunc_reconstruct"): "module_name",
    ("numpy.core.multiarray", "_ufunc_reconstruct"): "module_name",
    ("cloudpickle.cloudpickle", "_builtin_type"): "types",
    ("cloudpickle.cloudpickle_fast", "_builtin_type"): "types",
}


class _BoundedReader:
    """A read-only stream that never asks its source for more than what is left."""

    def __init__(self, raw: IO[bytes], size: int) -> None:
        self._raw = raw
        self._size = size
        self._pos = 0

    def read(self, n: int = -1) -> bytes:
        left = self._size - self._pos
        data = self._raw.read(left if n < 0 or n > left else n)
        self._pos += len(data)
        return data

    def readline(self) -> bytes:
        data = self._raw.readline(self._size - self._pos)
        self._pos += len(data)
        return data

    def tell(self) -> int:
        return self._pos


class _Scanner:
    """Accumulates imports and findings over every stream of a file or archive."""

    def __init__(self) -> None:
        self.imports: dict[tuple[str, str], PickleImport] = {}
        self.dangerous: list[DangerousImport] = []
        self.pickles = 0
        self.members: list[str] = []
        self.protocols: list[int] = []
        self.persistent_ids = 0
        self.trailing_bytes = 0
        self.errors: list[str] = []
        self._member: str | None = None
        self._proto = 0

    def result(self) -> PickleScan:
        return PickleScan(
            imports=tuple(self.imports.values()),
            dangerous=tuple(self.dangerous),
            pickles=self.pickles,
            members=tuple(self.members),
            protocols=tuple(self.protocols),
            persistent_ids=self.persistent_ids,
            trailing_bytes=self.trailing_bytes,
            error="; ".join(self.errors) or None,
        )

    def fail(self, message: str) -> None:
        self.errors.append(f"{self._member}: {message}" if self._member else message)

    def _import(self, module: str, name: str, offset: int, opcode: str) -> None:
        written = f"{module}.{name}"
        if opcode != "REDUCE" and self._proto < 3:  # what find_class does (fix_imports)
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        if (module, name) in self.imports:
            return
        qualname = f"{module}.{name}"
        self.imports[(module, name)] = PickleImport(
            module, name, offset, opcode, self._member, None if written == qualname else written
        )
        reason = _danger(module, name)
        if reason is None and written != qualname:
            reason = _danger(*written.split(".", 1))  # an unpickler without fix_imports
        if reason is not None:
            self.dangerous.append(DangerousImport(qualname, offset, reason, self._member))

    def _unresolved(self, what: str, offset: int, reason: str) -> None:
        self.dangerous.append(DangerousImport(f"<unresolved {what}>", offset, reason, self._member))

    # ------------------------------------------------------------------ streams

    def scan_stream(
        self, stream: _BoundedReader | io.BytesIO, size: int, member: str | None
    ) -> None:
        self._member = member
        if size == 0:
            self.fail("empty (0 bytes): not a pickle")
            return
        first = True
        while stream.tell() < size:
            start = stream.tell()
            completed, ops, error = self._scan_one(stream)
            if completed:
                self.pickles += 1
            elif not first and ops == 0:
                self.trailing_bytes += size - start
                return
            else:
                where = "not a pickle" if first and ops == 0 else "invalid or truncated pickle"
                self.fail(f"{where}: {error}")
                return
            first = False

    def _scan_one(self, stream: _BoundedReader | io.BytesIO) -> tuple[bool, int, str]:
        """Scan one pickle up to its STOP: (completed, opcodes read, error message)."""
        stack: list[_Value] = []
        memo: dict[int, _Value] = {}
        self._proto = 0  # an unpickler starts at 0 until a PROTO opcode
        ops = 0
        try:
            for op, arg, pos in pickletools.genops(cast("IO[bytes]", stream)):
                ops += 1
                self._step(op, arg, pos, stack, memo)
            return True, ops, ""
        except Exception as exc:  # noqa: BLE001 - genops raises ValueError; nothing may escape
            return False, ops, str(exc) or type(exc).__name__

    def _step(
        self,
        op: pickletools.OpcodeInfo,
        arg: object,
        pos: int | None,
        stack: list[_Value],
        memo: dict[int, _Value],
    ) -> None:
        name = op.name
        offset = pos if pos is not None else -1
        if name in _STRING_OPS:
            stack.append(arg if isinstance(arg, str) else _OPAQUE)
            return
        if name in _PUT_OPS and isinstance(arg, int):
            memo[arg] = stack[-1] if stack else _OPAQUE
            return
        if name == "MEMOIZE":
            memo[len(memo)] = stack[-1] if stack else _OPAQUE
            return
        if name in _GET_OPS and isinstance(arg, int):
            stack.append(memo.get(arg, _OPAQUE))
            return
        if name == "DUP":
            stack.append(stack[-1] if stack else _OPAQUE)
            return
        if name == "PROTO" and isinstance(arg, int):
            self._proto = arg
            if arg not in self.protocols:
                self.protocols.append(arg)
            return
        if name in ("GLOBAL", "INST") and isinstance(arg, str):
            module, _, attr = arg.partition(" ")
            self._import(module, attr, offset, name)
            if name == "GLOBAL":
                stack.append(_Global(module, attr))
                return
        elif name == "STACK_GLOBAL":
            attr_v = stack.pop() if stack else _OPAQUE
            module_v = stack.pop() if stack else _OPAQUE
            if isinstance(module_v, str) and isinstance(attr_v, str):
                self._import(module_v, attr_v, offset, name)
                stack.append(_Global(module_v, attr_v))
            else:
                self._unresolved(
                    "STACK_GLOBAL",
                    offset,
                    "module or name is not a literal string: computed at load time",
                )
                stack.append(_OPAQUE)
            return
        elif name in ("EXT1", "EXT2", "EXT4"):
            self._unresolved(f"{name} {arg}", offset, "callable from copyreg's extension registry")
        elif name in ("PERSID", "BINPERSID"):
            self.persistent_ids += 1
        elif name in _TUPLE_N:
            n = _TUPLE_N[name]
            items = stack[len(stack) - n :] if n else []
            del stack[len(stack) - n :]
            stack.append(tuple(items))
            return
        elif name == "TUPLE":
            stack.append(tuple(_pop_to_mark(stack)))
            return
        elif name == "REDUCE":
            args = stack.pop() if stack else _OPAQUE
            func = stack.pop() if stack else _OPAQUE
            if isinstance(func, _Global):
                self._gadget(func, args, offset)
            stack.append(_OPAQUE)
            return
        _generic(op, stack)

    def _gadget(self, func: _Global, args: _Value, offset: int) -> None:
        kind = _GADGETS.get((func.module, func.name))
        if kind is None:
            return
        strings = list(args) if isinstance(args, tuple) else [_OPAQUE]
        if all(isinstance(a, str) for a in strings):
            if kind == "module_name" and len(strings) == 2:
                self._import(str(strings[0]), str(strings[1]), offset, "REDUCE")
                return
            if kind == "types" and len(strings) == 1:
                self._import("types", str(strings[0]), offset, "REDUCE")
                return
        self._unresolved(
            f"{func.module}.{func.name}()",
            offset,
            "imports a callable named by arguments that are not literal strings",
        )


def _pop_to_mark(stack: list[_Value]) -> list[_Value]:
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] is _MARK:
            items = stack[i + 1 :]
            del stack[i:]
            return items
    items = stack[:]
    stack.clear()
    return items


def _generic(op: pickletools.OpcodeInfo, stack: list[_Value]) -> None:
    """Apply an opcode's documented stack effect, with opaque results."""
    before = op.stack_before
    if pickletools.markobject in before:
        _pop_to_mark(stack)
        below = before.index(pickletools.markobject)
    else:
        below = len(before)
    del stack[max(0, len(stack) - below) :]
    for item in op.stack_after:
        stack.append(_MARK if item is pickletools.markobject else _OPAQUE)


# --------------------------------------------------------------------------- entry points


def _scan_zip(scanner: _Scanner, archive: zipfile.ZipFile, max_bytes: int) -> None:
    budget = max_bytes
    for info in archive.infolist():
        if info.is_dir() or not info.filename.lower().endswith(PICKLE_MEMBER_SUFFIXES):
            continue
        scanner.members.append(info.filename)
        scanner._member = info.filename
        if info.file_size > budget:
            scanner.fail(f"{info.file_size} bytes uncompressed, over the max_bytes budget")
            continue
        budget -= info.file_size
        try:
            with archive.open(info) as raw:
                reader = _BoundedReader(raw, info.file_size)
                scanner.scan_stream(reader, info.file_size, info.filename)
        except Exception as exc:  # noqa: BLE001 - bad compression, encryption, CRC: go on
            scanner._member = info.filename
            scanner.fail(f"cannot read the member: {exc}")
    scanner._member = None


def _open_zip(stream: BinaryIO) -> zipfile.ZipFile | None:
    """The archive when the data starts with a zip local header and opens as a zip."""
    if stream.read(4) != ZIP_MAGIC:
        stream.seek(0)
        return None
    stream.seek(0)
    try:
        return zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        stream.seek(0)
        return None


def scan_pickle_bytes(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> PickleScan:
    """Scan a pickle (or a zip of pickles) held in memory. Never raises on bad data."""
    scanner = _Scanner()
    buffer = io.BytesIO(data)
    archive = _open_zip(buffer)
    if archive is not None:
        with archive:
            _scan_zip(scanner, archive, max_bytes)
    elif len(data) > max_bytes:
        scanner.fail(f"{len(data)} bytes, larger than max_bytes ({max_bytes})")
    else:
        scanner.scan_stream(buffer, len(data), None)
    return scanner.result()


def scan_pickle(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> PickleScan:
    """Scan a pickle file, or every ``*.pkl`` member of a zip file, without loading it.

    Never raises on bad input: a missing, unreadable, oversized, empty, truncated or garbage
    file gives a result whose ``error`` says why.
    """
    scanner = _Scanner()
    try:
        with Path(path).open("rb") as handle:
            size = _size(handle)
            archive = _open_zip(handle)
            if archive is not None:
                with archive:
                    _scan_zip(scanner, archive, max_bytes)
            elif size > max_bytes:
                scanner.fail(f"{size} bytes, larger than max_bytes ({max_bytes})")
            else:
                scanner.scan_stream(_BoundedReader(handle, size), size, None)
    except OSError as exc:
        scanner.fail(f"cannot read {path}: {exc.strerror or exc}")
    return scanner.result()


def _size(handle: BinaryIO) -> int:
    end = handle.seek(0, io.SEEK_END)
    handle.seek(0)
    return end


#: names under which MLflow's flavors and their libraries save pickles (or zips of pickles).
PICKLE_SUFFIXES = frozenset(
    {
        ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".cloudpickle", ".statsmodels", ".pmd",
        ".shap", ".div",
    }
)  # fmt: skip


def looks_like_pickle(path: Path) -> bool:
    """Whether the file at ``path`` should be scanned as a pickle: a pickle's name, or a first
    byte that is the PROTO opcode (every pickle of protocol 2 and above starts with it).
    Reads at most one byte; never raises."""
    if path.suffix.lower() in PICKLE_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(1) == b"\x80"
    except OSError:
        return False
