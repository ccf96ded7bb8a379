"""A tiny pickle assembler for hostile payloads: values, globals, calls and ``partial``.

Payloads are assembled from opcodes (never produced by running the gadget), so a payload can
name any global (aliases such as ``six.exec_``, dotted qualnames such as ``ndarray.tofile``,
modules that do not exist here) exactly as an attacker would write it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

from harness.pickle_payloads import bu, s4


@dataclass(frozen=True)
class G:
    """A global, pushed with STACK_GLOBAL."""

    module: str
    name: str


@dataclass(frozen=True)
class C:
    """``fn(*args)`` through REDUCE."""

    fn: Any
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class P:
    """``functools.partial(fn, *args, **kwargs)``, restored with BUILD as CPython pickles it."""

    fn: Any
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class B:
    """``obj`` then BUILD ``state`` (``__setstate__`` or a ``__dict__`` update)."""

    obj: Any
    state: Any


def _text(value: str) -> bytes:
    return s4(value) if len(value.encode()) < 256 else bu(value)


def enc(value: Any) -> bytes:
    """The opcodes pushing ``value`` (protocol 4)."""
    if isinstance(value, G):
        return _text(value.module) + _text(value.name) + b"\x93"
    if isinstance(value, C):
        return enc(value.fn) + enc(tuple(value.args)) + b"R"
    if isinstance(value, P):
        head = enc(G("functools", "partial")) + b"(" + enc(value.fn) + b"tR"
        state = (value.fn, tuple(value.args), dict(value.kwargs), None)
        return head + enc(state) + b"b"
    if isinstance(value, B):
        return enc(value.obj) + enc(value.state) + b"b"
    if value is None:
        return b"N"
    if value is True:
        return b"\x88"
    if value is False:
        return b"\x89"
    if isinstance(value, int):
        return b"J" + struct.pack("<i", value)
    if isinstance(value, float):
        return b"G" + struct.pack(">d", value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bytes):
        return b"B" + struct.pack("<I", len(value)) + value
    if isinstance(value, tuple):
        return b"(" + b"".join(enc(v) for v in value) + b"t"
    if isinstance(value, list):
        return b"](" + b"".join(enc(v) for v in value) + b"e"
    if isinstance(value, dict):
        return b"}(" + b"".join(enc(k) + enc(v) for k, v in value.items()) + b"u"
    raise TypeError(f"cannot assemble {type(value).__name__}")


def assemble(value: Any) -> bytes:
    """A whole protocol 4 pickle of ``value``."""
    return b"\x80\x04" + enc(value) + b"."


class Reduces:
    """Pickles (with the real pickler) as ``func(*args)``: for payloads embedded in real
    objects' state (an estimator's attribute, an object array's element)."""

    def __init__(self, func: Any, *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return self.func, self.args
