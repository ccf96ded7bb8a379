"""The opcode scanner: a pickle's stack machine simulated on values, nothing executed.

A pickle is a little stack program. Everything it can *do* goes through callables it first
fetches by name: ``GLOBAL`` (module and name in the opcode's argument, protocols 0-3),
``STACK_GLOBAL`` (protocol 4+: module and name are the two strings on top of the stack) and
``INST`` (protocol 0: fetch a class and call it). The stream is walked with
:func:`pickletools.genops` (a pure parser) and the machine's stack and memo are simulated just
enough to know which *literals* sit where: strings, integers, booleans, ``None``, tuples and
dicts of those, fetched globals and the objects built from them. Everything else is opaque.
So ``STACK_GLOBAL`` is resolved from its real operands, not "the last two strings seen".

Each distinct ``module.name`` is reported once with the offset of the opcode that first
imported it; the subset matching :func:`~mlmodel.pickle_scan.denylist.danger` is
``dangerous``, as are imports that cannot be resolved statically (a ``STACK_GLOBAL`` on
computed operands, ``EXT1/2/4`` extension codes, an import gadget on computed arguments).

Import gadgets: ``numpy.core._ufunc_reconstruct(module, name)`` imports any callable, and
cloudpickle's ``_builtin_type(name)`` returns ``types.<name>``; with literal arguments the
resulting import is reported (opcode ``REDUCE``).

joblib arrays: joblib writes each numpy array's raw bytes into the file right after the
``BUILD`` of its ``joblib.numpy_pickle.NumpyArrayWrapper`` (after an alignment padding
byte), and pickles object arrays there as a nested protocol-2 pickle. The scanner computes
the byte count from the wrapper's literal state (shape, dtype), skips exactly those bytes
(object arrays are scanned as the nested pickle they are) and goes on, as joblib's
unpickler does. A wrapper whose size cannot be computed is an error, never a guess.

Python 2 names are mapped with :mod:`_compat_pickle` while the protocol is below 3, as
:meth:`pickle.Unpickler.find_class` does; the written name is kept and checked too.
"""

from __future__ import annotations

import _compat_pickle
import pickletools
import re
from dataclasses import dataclass, field
from typing import IO, Final, Protocol, cast

from mlmodel.core.errors import MLModelError
from mlmodel.pickle_scan.denylist import danger
from mlmodel.pickle_scan.results import DangerousImport, PickleImport, PickleScan

__all__ = ["Scanner", "Stream"]

_SKIP_CHUNK: Final = 1 << 20


class Stream(Protocol):
    """What the scanner reads: a forward-only byte stream that knows where it ends."""

    def read(self, n: int = -1, /) -> bytes: ...
    def readline(self) -> bytes: ...
    def tell(self) -> int: ...
    def at_end(self) -> bool: ...


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


@dataclass(eq=False)
class _Dict:
    items: dict[object, object] = field(default_factory=dict)


@dataclass(eq=False)
class _Obj:
    """An object built by calling a fetched global (REDUCE, NEWOBJ, OBJ, INST)."""

    func: object
    args: object = None
    state: object = None


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
_INT_OPS: Final = frozenset(["INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4"])
_GET_OPS: Final = frozenset(("GET", "BINGET", "LONG_BINGET"))
_PUT_OPS: Final = frozenset(("PUT", "BINPUT", "LONG_BINPUT"))
_TUPLE_N: Final = {"EMPTY_TUPLE": 0, "TUPLE1": 1, "TUPLE2": 2, "TUPLE3": 3}
_CONSTANTS: Final = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}

#: callables that import what their string arguments name: (module, name) -> how
_GADGETS: Final = {
    ("numpy.core", "_ufunc_reconstruct"): "module_name",
    ("numpy._core", "_ufunc_reconstruct"): "module_name",
    ("numpy.core.multiarray", "_ufunc_reconstruct"): "module_name",
    ("numpy._core.multiarray", "_ufunc_reconstruct"): "module_name",
    ("cloudpickle.cloudpickle", "_builtin_type"): "types",
    ("cloudpickle.cloudpickle_fast", "_builtin_type"): "types",
}

_JOBLIB_WRAPPERS: Final = frozenset(
    [
        ("joblib.numpy_pickle", "NumpyArrayWrapper"),
        ("sklearn.externals.joblib.numpy_pickle", "NumpyArrayWrapper"),
    ]
)
_DTYPES: Final = frozenset([("numpy", "dtype"), ("numpy.core.multiarray", "dtype")])
_DTYPE_SIZE: Final = re.compile(r"[<>|=]?[a-zA-Z](\d+)")


class ScanError(MLModelError):
    """The stream cannot be scanned further (the message says where and why)."""


class Scanner:
    """Accumulates imports and findings over every stream of a file or archive."""

    def __init__(self) -> None:
        self.imports: dict[tuple[str, str], PickleImport] = {}
        self.dangerous: list[DangerousImport] = []
        self.pickles = 0
        self.members: list[str] = []
        self.protocols: list[int] = []
        self.persistent_ids = 0
        self.trailing_bytes = 0
        self.arrays = 0
        self.compression: str | None = None
        self.errors: list[str] = []
        self.member: str | None = None
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
            arrays=self.arrays,
            compression=self.compression,
            error="; ".join(self.errors) or None,
        )

    def fail(self, message: str) -> None:
        self.errors.append(f"{self.member}: {message}" if self.member else message)

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
            module, name, offset, opcode, self.member, None if written == qualname else written
        )
        reason = danger(module, name)
        if reason is None and written != qualname:
            reason = danger(*written.split(".", 1))  # an unpickler without fix_imports
        if reason is not None:
            self.dangerous.append(DangerousImport(qualname, offset, reason, self.member))

    def _unresolved(self, what: str, offset: int, reason: str) -> None:
        self.dangerous.append(DangerousImport(f"<unresolved {what}>", offset, reason, self.member))

    # ------------------------------------------------------------------ streams

    def scan_stream(self, stream: Stream, member: str | None) -> None:
        """Scan every pickle in ``stream`` one after the other (joblib and legacy torch files
        hold several); bytes after the last one that do not start an opcode are counted."""
        self.member = member
        try:
            if stream.at_end():
                self.fail("empty (0 bytes): not a pickle")
                return
        except ScanError as exc:
            self.fail(str(exc))
            return
        first = True
        while True:
            start = stream.tell()
            try:
                if stream.at_end():
                    return
                ops = self.scan_one(stream)
            except ScanError as exc:
                self.fail(str(exc))
                return
            if ops:
                self.pickles += 1
            elif first:
                self.fail("not a pickle")
                return
            else:
                _drain(stream)
                self.trailing_bytes += stream.tell() - start
                return
            first = False

    def scan_one(self, stream: Stream) -> int:
        """Scan one pickle up to its STOP: the opcodes read (0 when none could be read).

        Raises :class:`ScanError` for a stream that stops being a pickle after its first
        opcode: the real unpickler may read it differently, so the scan cannot vouch for it.
        """
        stack: list[object] = []
        memo: dict[int, object] = {}
        self._proto = 0  # an unpickler starts at 0 until a PROTO opcode
        ops = 0
        try:
            for op, arg, pos in pickletools.genops(cast("IO[bytes]", stream)):
                ops += 1
                self._step(op, arg, pos if pos is not None else -1, stack, memo, stream)
        except ScanError:
            raise
        except Exception as exc:
            if ops == 0 and "unknown" in str(exc):
                return 0  # the first byte is not even an opcode: nothing here is a pickle
            raise ScanError(f"invalid or truncated pickle: {exc or type(exc).__name__}") from exc
        return ops

    # ------------------------------------------------------------------ opcodes

    def _step(
        self,
        op: pickletools.OpcodeInfo,
        arg: object,
        offset: int,
        stack: list[object],
        memo: dict[int, object],
        stream: Stream,
    ) -> None:
        name = op.name
        if name in _STRING_OPS:
            stack.append(arg if isinstance(arg, str) else _OPAQUE)
        elif name in _INT_OPS:
            stack.append(arg if isinstance(arg, int) else _OPAQUE)
        elif name in _CONSTANTS:
            stack.append(_CONSTANTS[name])
        elif name in _PUT_OPS and isinstance(arg, int):
            memo[arg] = stack[-1] if stack else _OPAQUE
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1] if stack else _OPAQUE
        elif name in _GET_OPS and isinstance(arg, int):
            stack.append(memo.get(arg, _OPAQUE))
        elif name == "DUP":
            stack.append(stack[-1] if stack else _OPAQUE)
        elif name == "PROTO" and isinstance(arg, int):
            self._proto = arg
            if arg not in self.protocols:
                self.protocols.append(arg)
        elif name in ("GLOBAL", "INST") and isinstance(arg, str):
            module, _, attr = arg.partition(" ")
            self._import(module, attr, offset, name)
            if name == "GLOBAL":
                stack.append(_Global(module, attr))
            else:
                _pop_to_mark(stack)
                stack.append(_Obj(_Global(module, attr)))
        elif name == "STACK_GLOBAL":
            attr_v = stack.pop() if stack else _OPAQUE
            module_v = stack.pop() if stack else _OPAQUE
            if isinstance(module_v, str) and isinstance(attr_v, str):
                self._import(module_v, attr_v, offset, name)
                stack.append(_Global(module_v, attr_v))
            else:
                self._unresolved(
                    "STACK_GLOBAL", offset, "module or name is not a literal string: computed"
                )
                stack.append(_OPAQUE)
        elif name in ("EXT1", "EXT2", "EXT4"):
            self._unresolved(f"{name} {arg}", offset, "callable from copyreg's extension registry")
            stack.append(_OPAQUE)
        elif name in ("PERSID", "BINPERSID"):
            self.persistent_ids += 1
            _generic(op, stack)
        elif name in _TUPLE_N:
            n = _TUPLE_N[name]
            items = stack[len(stack) - n :] if n else []
            del stack[len(stack) - n :]
            stack.append(tuple(items))
        elif name == "TUPLE":
            stack.append(tuple(_pop_to_mark(stack)))
        elif name == "EMPTY_DICT":
            stack.append(_Dict())
        elif name == "DICT":
            items = _pop_to_mark(stack)
            stack.append(_Dict(dict(zip(items[::2], items[1::2], strict=False))))
        elif name in ("SETITEM", "SETITEMS"):
            items = _pop_to_mark(stack) if name == "SETITEMS" else stack[-2:]
            if name == "SETITEM":
                del stack[-2:]
            target = stack[-1] if stack else _OPAQUE
            if isinstance(target, _Dict):
                for key, value in zip(items[::2], items[1::2], strict=False):
                    if isinstance(key, str | int):
                        target.items[key] = value
        elif name == "REDUCE":
            args = stack.pop() if stack else _OPAQUE
            func = stack.pop() if stack else _OPAQUE
            if isinstance(func, _Global):
                self._gadget(func, args, offset)
            stack.append(_Obj(func, args))
        elif name in ("NEWOBJ", "NEWOBJ_EX"):
            if name == "NEWOBJ_EX" and stack:
                stack.pop()
            args = stack.pop() if stack else _OPAQUE
            cls = stack.pop() if stack else _OPAQUE
            stack.append(_Obj(cls, args))
        elif name == "OBJ":
            items = _pop_to_mark(stack)
            stack.append(_Obj(items[0] if items else _OPAQUE))
        elif name == "BUILD":
            state = stack.pop() if stack else _OPAQUE
            target = stack[-1] if stack else _OPAQUE
            if isinstance(target, _Obj):
                target.state = state
                if isinstance(target.func, _Global) and (
                    (target.func.module, target.func.name) in _JOBLIB_WRAPPERS
                ):
                    self._joblib_array(target, stream, offset)
        else:
            _generic(op, stack)

    def _gadget(self, func: _Global, args: object, offset: int) -> None:
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

    def _joblib_array(self, wrapper: _Obj, stream: Stream, offset: int) -> None:
        """Skip (or scan, for object arrays) the array joblib wrote after its wrapper."""
        state = wrapper.state.items if isinstance(wrapper.state, _Dict) else {}
        shape = state.get("shape")
        dtype = state.get("dtype")
        itemsize, has_object = _dtype_size(dtype)
        if not isinstance(shape, tuple) or not all(isinstance(n, int) and n >= 0 for n in shape):
            raise ScanError(f"joblib array at {offset}: its shape is not a literal tuple")
        if itemsize is None:
            raise ScanError(f"joblib array at {offset}: its dtype cannot be read statically")
        self.arrays += 1
        if has_object:
            saved = self._proto
            if self.scan_one(stream) == 0:
                raise ScanError(f"joblib object array at {offset}: not a pickle")
            self._proto = saved
            return
        if isinstance(state.get("numpy_array_alignment_bytes"), int):
            padding = stream.read(1)
            if len(padding) != 1:
                raise ScanError(f"joblib array at {offset}: truncated")
            _skip(stream, padding[0], offset)
        count = 1
        for n in shape:
            count *= n
        _skip(stream, count * itemsize, offset)


def _drain(stream: Stream) -> None:
    """Read what is left of a stream (bounded by the stream itself)."""
    try:
        while stream.read(_SKIP_CHUNK):
            pass
    except ScanError:
        pass


def _skip(stream: Stream, n: int, offset: int) -> None:
    while n > 0:
        got = len(stream.read(min(n, _SKIP_CHUNK)))
        if got == 0:
            raise ScanError(f"joblib array at {offset}: truncated ({n} bytes missing)")
        n -= got


def _dtype_size(dtype: object) -> tuple[int | None, bool]:
    """(item size, holds Python objects) of a pickled ``numpy.dtype``, or (None, False)."""
    if not isinstance(dtype, _Obj) or not isinstance(dtype.func, _Global):
        return None, False
    if (dtype.func.module, dtype.func.name) not in _DTYPES:
        return None, False
    args = dtype.args if isinstance(dtype.args, tuple) else ()
    state = dtype.state if isinstance(dtype.state, tuple) else ()
    if not args or not isinstance(args[0], str):
        return None, False
    has_object = args[0].lstrip("<>|=").startswith("O")
    if len(state) > 7 and isinstance(state[7], int):
        has_object = has_object or bool(state[7] & 1)
    if len(state) > 5 and isinstance(state[5], int) and state[5] > 0:
        return state[5], has_object
    match = _DTYPE_SIZE.fullmatch(args[0])
    if match is None:
        return None, False
    return int(match.group(1)), has_object


def _pop_to_mark(stack: list[object]) -> list[object]:
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] is _MARK:
            items = stack[i + 1 :]
            del stack[i:]
            return items
    items = stack[:]
    stack.clear()
    return items


def _generic(op: pickletools.OpcodeInfo, stack: list[object]) -> None:
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
