"""What a scan found: the result types and the verdict API."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PickleImport:
    """One distinct callable a pickle imports, at the first opcode that imports it."""

    module: str
    name: str
    offset: int  #: byte offset of the opcode, in the (decompressed) file or in the zip member
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
    """What a pickle file (or every pickle member of a zip, or a compressed pickle) imports.

    The verdict, fail closed: :attr:`safe` only when the whole input was scanned (no
    :attr:`error`) and nothing matched the denylist (no :attr:`dangerous`). An input the
    scanner could not read to the end is never safe: the real unpickler may accept what the
    scanner refused (``I0x1`` parses in CPython's C unpickler) and go on to what comes next.
    """

    imports: tuple[PickleImport, ...] = ()
    dangerous: tuple[DangerousImport, ...] = ()
    pickles: int = 0  #: complete pickle streams scanned (STOP reached)
    members: tuple[str, ...] = ()  #: zip members scanned; empty for a plain pickle
    protocols: tuple[int, ...] = ()  #: distinct PROTO values seen (protocol 0-1 has none)
    persistent_ids: int = 0  #: PERSID/BINPERSID opcodes (resolved by the loader, e.g. torch)
    trailing_bytes: int = 0  #: bytes after the last pickle that do not start a pickle
    arrays: int = 0  #: joblib numpy arrays whose raw bytes were skipped
    compression: str | None = None  #: gzip, zlib, bz2 or xz when the pickle was compressed
    error: str | None = None  #: why (part of) the input could not be scanned: never safe

    @property
    def import_names(self) -> tuple[str, ...]:
        """The distinct imports as ``module.name`` strings, in order of first occurrence."""
        return tuple(i.qualname for i in self.imports)

    @property
    def safe(self) -> bool:
        """Fully scanned and nothing dangerous (an allowlist may still ask for a review)."""
        return self.error is None and not self.dangerous

    @property
    def ok(self) -> bool:
        """The same as :attr:`safe` (the older name)."""
        return self.safe


@dataclass(frozen=True)
class AllowlistResult:
    """The imports of a scan outside what a framework's models need (``unexpected``)."""

    framework: str
    unexpected: tuple[PickleImport, ...] = ()

    @property
    def expected_only(self) -> bool:
        return not self.unexpected

    @property
    def unexpected_names(self) -> tuple[str, ...]:
        return tuple(i.qualname for i in self.unexpected)
