"""Safe deserialisation: an exact allowlist decides, trust comes only from the loader.

A pickle, cloudpickle or skops file loads without trust only when every global it needs is
on its framework's allowlist (:mod:`mlmodel.pickle_scan.allowlist`: exact names, by kind).
Pickles are read once; the bytes are scanned statically (to name everything a refusal
concerns, with the denylist's reason where one applies) and then unpickled from those same
bytes by an unpickler whose ``find_class`` refuses any name off the list, so the scanner
and the unpickler cannot disagree. Trees found in the loaded object are verified before it
is returned (:mod:`mlmodel.runtime.load.tree_check`).

Trust is granted by whoever loads, never by the model (:class:`LoadPolicy`):
``trusted_types`` adds exact names; a signature that verifies against a trusted key
(``manifest``) trusts the files it covers, whose bytes are checked against it as they are
loaded; ``allow_unsafe`` (or ``MLMODEL_ALLOW_UNSAFE=1``) switches the checks off.
``MLMODEL_NO_PICKLE=1`` refuses every pickle whatever the trust. A model's own
``skops_trusted_types`` is a request, shown in the refusal, never a grant.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType
from typing import IO, TYPE_CHECKING, Any, ClassVar, Final, Literal

from mlmodel.runtime.errors import MissingDependencyError, UnsafeModelError

if TYPE_CHECKING:
    from mlmodel.pickle_scan import PickleScan

ALLOW_UNSAFE_ENV: Final = "MLMODEL_ALLOW_UNSAFE"
NO_PICKLE_ENV: Final = "MLMODEL_NO_PICKLE"
_TRUE: Final = frozenset(["1", "true", "yes", "on"])

PickleModule = Literal["pickle", "cloudpickle"]
#: who is asking: refusals name the ways to grant trust in the caller's words
Caller = Literal["python", "cli"]


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


@dataclass(frozen=True)
class Manifest:
    """A verified signature: the digest of every file it covers (POSIX path relative to the
    model directory -> hex digest of ``algorithm``)."""

    model_dir: Path
    digests: Mapping[str, str]
    algorithm: str = "sha256"
    signature: Path | None = None
    key: Path | None = None


@dataclass(frozen=True)
class LoadPolicy:
    """What a load may deserialise and run. Build it with :meth:`resolve` to honour the
    environment and the loader's configuration."""

    allow_unsafe: bool = False
    strict: bool = False
    no_pickle: bool = False
    #: exact ``module.Name`` globals (or skops types) the loader trusts beyond the allowlist
    trusted_types: frozenset[str] = frozenset()
    #: public keys whose signature grants trust; ``require_signature`` refuses anything else
    trusted_keys: tuple[Path, ...] = ()
    require_signature: bool = False
    #: the signature verified for this load (set by the gate, never by a caller)
    manifest: Manifest | None = field(default=None, compare=False)
    caller: Caller = "python"

    @classmethod
    def resolve(
        cls,
        *,
        allow_unsafe: bool = False,
        strict: bool = False,
        trusted_types: Iterable[str] = (),
        trusted_keys: Iterable[str | os.PathLike[str]] = (),
        require_signature: bool = False,
        caller: Caller = "python",
        model_dir: Path | None = None,
    ) -> LoadPolicy:
        """The policy of one load: the arguments, plus ``MLMODEL_ALLOW_UNSAFE``,
        ``MLMODEL_NO_PICKLE`` and ``[tool.mlmodel.trust]`` of the configuration that applies
        to the current directory (never one inside ``model_dir``). ``strict`` takes only
        what the arguments grant (no environment or configuration grant; a configured
        ``require-signature`` still applies)."""
        from mlmodel.checking.config import TrustConfig, loader_trust

        config = loader_trust(model_dir) if model_dir is not None else TrustConfig()
        grants = not strict
        return cls(
            allow_unsafe=allow_unsafe or (grants and _env_flag(ALLOW_UNSAFE_ENV)),
            strict=strict,
            no_pickle=_env_flag(NO_PICKLE_ENV),
            trusted_types=frozenset(trusted_types)
            | (frozenset(config.trusted_types) if grants else frozenset()),
            trusted_keys=tuple(Path(k) for k in trusted_keys) + (config.keys if grants else ()),
            require_signature=require_signature or config.require_signature,
            caller=caller,
        )

    @property
    def signed(self) -> bool:
        return self.manifest is not None

    @property
    def trusts_code(self) -> bool:
        """Whether Python from the model directory may run (its own code, by-value pickles)."""
        return self.allow_unsafe or self.manifest is not None

    def with_manifest(self, manifest: Manifest) -> LoadPolicy:
        return replace(self, manifest=manifest)

    # -- the ways to grant trust, in the caller's words --------------------------------

    def grant_type(self, names: Sequence[str]) -> str:
        shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
        if self.caller == "cli":
            flags = " ".join(f"--trust-type {n}" for n in names[:3])
            return f"trust {'it' if len(names) == 1 else 'them'} with {flags}"
        listed = ", ".join(repr(n) for n in names[:3])
        return f"trust {shown} with trusted_types=[{listed}]"

    def grant_signature(self) -> str:
        if self.caller == "cli":
            return "sign the model (mlmodel sign) and pass --trusted-key PUBLIC.pem"
        return "sign the model (mlmodel sign) and pass trusted_keys=['public.pem']"

    def grant_all(self) -> str:
        flag = "--allow-unsafe" if self.caller == "cli" else "allow_unsafe=True"
        return f"{flag} (or {ALLOW_UNSAFE_ENV}=1) switches every check off"


@dataclass(frozen=True)
class TrustOptions:
    """What the caller of a load grants, as given (picklable: Spark ships it to executors).
    :meth:`policy` adds the environment and the loader's configuration for one model."""

    allow_unsafe: bool = False
    strict: bool = False
    trusted_types: tuple[str, ...] = ()
    trusted_keys: tuple[str, ...] = ()
    require_signature: bool = False
    caller: Caller = "python"

    @classmethod
    def of(
        cls,
        *,
        allow_unsafe: bool = False,
        strict: bool = False,
        trusted_types: Iterable[str] | None = None,
        trusted_keys: Iterable[str | os.PathLike[str]] | None = None,
        require_signature: bool = False,
        caller: Caller = "python",
    ) -> TrustOptions:
        if isinstance(trusted_types, str) or isinstance(trusted_keys, (str, os.PathLike)):
            raise TypeError("trusted_types and trusted_keys take lists, not one string")
        return cls(
            allow_unsafe=allow_unsafe,
            strict=strict,
            trusted_types=tuple(str(t) for t in trusted_types or ()),
            trusted_keys=tuple(os.fspath(k) for k in trusted_keys or ()),
            require_signature=require_signature,
            caller=caller,
        )

    def policy(self, model_dir: Path | None) -> LoadPolicy:
        return LoadPolicy.resolve(
            allow_unsafe=self.allow_unsafe,
            strict=self.strict,
            trusted_types=self.trusted_types,
            trusted_keys=self.trusted_keys,
            require_signature=self.require_signature,
            caller=self.caller,
            model_dir=model_dir,
        )


#: files up to this size are read once, scanned from memory and unpickled from the same
#: bytes; larger unsigned ones are scanned and unpickled from a stream (the allowlist
#: unpickler enforces the list on what it reads either way)
IN_MEMORY_MAX: Final = 256 * 1024 * 1024
_SCAN_CACHE: OrderedDict[bytes, PickleScan] = OrderedDict()
_SCAN_CACHE_SIZE: Final = 64


def _scan_bytes(data: bytes) -> PickleScan:
    """The scan of ``data``, remembered by content digest (a scan is a pure function of the
    bytes, so a repeated load of the same file is not scanned again)."""
    from mlmodel.pickle_scan import scan_pickle_bytes

    key = hashlib.blake2b(data, digest_size=32).digest()
    scan = _SCAN_CACHE.get(key)
    if scan is None:
        scan = scan_pickle_bytes(data)
        _SCAN_CACHE[key] = scan
        if len(_SCAN_CACHE) > _SCAN_CACHE_SIZE:
            _SCAN_CACHE.popitem(last=False)
    else:
        _SCAN_CACHE.move_to_end(key)
    return scan


def _refuse_no_pickle(path: Path) -> UnsafeModelError:
    return UnsafeModelError(
        f"{path}: refusing to unpickle: pickle loading is switched off "
        f"({NO_PICKLE_ENV}=1); use a model saved in a non-pickle format (skops)",
        path=str(path),
    )


def framework_of(flavor: str) -> str:
    """The allowlist that judges a flavor's files (``python_function``: the common list)."""
    from mlmodel.pickle_scan.allowlist import framework_for_flavor

    return framework_for_flavor(flavor) or "python_function"


def allowed_globals(flavor: str, policy: LoadPolicy) -> frozenset[str]:
    from mlmodel.pickle_scan.allowlist import allowed_names

    return allowed_names(framework_of(flavor)) | policy.trusted_types


# -- signed bytes ----------------------------------------------------------------------


def _read_signed(path: Path, policy: LoadPolicy) -> bytes:
    """The bytes of ``path``, checked against the verified signature's digest."""
    manifest = policy.manifest
    assert manifest is not None
    try:
        relative = Path(os.path.relpath(path, manifest.model_dir)).as_posix()
    except ValueError:
        relative = str(path)
    expected = manifest.digests.get(relative)
    if expected is None:
        raise UnsafeModelError(
            f"{path}: refusing to load: the model's signature does not cover this file",
            path=str(path),
        )
    data = Path(path).read_bytes()
    if hashlib.new(manifest.algorithm, data).hexdigest() != expected:
        raise UnsafeModelError(
            f"{path}: refusing to load: the file changed after its signature was verified",
            path=str(path),
        )
    return data


# -- pickles ---------------------------------------------------------------------------


class _Refused(pickle.UnpicklingError):
    def __init__(self, qualname: str) -> None:
        super().__init__(qualname)
        self.qualname = qualname


def _normalised(module: str, name: str) -> tuple[str, str]:
    """Python 2 names as the unpickler maps them (``__builtin__.set`` -> ``builtins.set``)."""
    import _compat_pickle

    if (module, name) in _compat_pickle.NAME_MAPPING:
        mapped: tuple[str, str] = _compat_pickle.NAME_MAPPING[(module, name)]
        return mapped
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


class _AllowlistUnpickler(pickle._Unpickler):
    """An unpickler that imports only the exact names of ``allowed`` (the standard
    library's "restricting globals" pattern); EXT opcodes and Python 2 names go through
    :meth:`find_class` too. BUILD may set the state of an object this load made, never of
    a class, function or module it imported: ``BUILD`` on ``csr_matrix`` with slot state
    would otherwise rebind its methods in this process. (The pure-Python unpickler, whose
    opcode table can be changed: about 3x the C one's time, 22 ms for a 2.3 MB forest.)"""

    dispatch: ClassVar[dict[int, Callable[[Any], None]]] = dict(pickle._Unpickler.dispatch)

    def __init__(self, file: IO[bytes], allowed: frozenset[str]) -> None:
        super().__init__(file)
        self._allowed = allowed
        self._imported: set[int] = set()

    def find_class(self, module: str, name: str) -> Any:
        module, name = _normalised(module, name)
        qualname = f"{module}.{name}"
        if qualname not in self._allowed:
            raise _Refused(qualname)
        found = super().find_class(module, name)
        self._imported.add(id(found))
        return found

    def _load_build(self) -> None:
        stack: list[Any] = getattr(self, "stack", [])
        target = stack[-2] if len(stack) >= 2 else None
        if id(target) in self._imported or isinstance(target, _NOT_BUILDABLE):
            what = getattr(target, "__qualname__", type(target).__name__)
            raise _Refused(f"a BUILD that rebinds {what} (an imported class or function)")
        _PLAIN_BUILD(self)

    dispatch[pickle.BUILD[0]] = _load_build


_PLAIN_BUILD: Final[Callable[[Any], None]] = pickle._Unpickler.dispatch[pickle.BUILD[0]]
#: what BUILD must never change: it would rebind names for the whole process
_NOT_BUILDABLE: Final = (type, ModuleType, FunctionType, BuiltinFunctionType, MethodType)


def _unpickle(handle: IO[bytes], allowed: frozenset[str] | None, module: PickleModule) -> Any:
    if allowed is not None:
        return _AllowlistUnpickler(handle, allowed).load()
    if module == "cloudpickle":
        require("cloudpickle", "cloudpickle")  # by-value functions need it importable
    return pickle.load(handle)


def _explain(names: Sequence[str], scan: PickleScan | None) -> str:
    """``name (why)`` for each refused name: the denylist's reason where it has one."""
    reasons = {d.qualname: d.reason for d in scan.dangerous} if scan is not None else {}
    shown = [f"{n} ({reasons[n]})" if n in reasons else n for n in names[:8]]
    return ", ".join(shown) + (f" and {len(names) - 8} more" if len(names) > 8 else "")


def _refuse_globals(
    path: Path, names: Sequence[str], scan: PickleScan | None, policy: LoadPolicy, flavor: str
) -> UnsafeModelError:
    dangerous = scan is not None and any(d.qualname in names for d in scan.dangerous)
    framework = framework_of(flavor)
    whose = "" if framework == "python_function" else f"{framework} "
    what = (
        "can run code or touch files"
        if dangerous
        else f"are not on the allowlist of {whose}model files"
    )
    return UnsafeModelError(
        f"{path}: refusing to unpickle: it imports {_explain(names, scan)}, which {what}. "
        f"Loading it could run arbitrary code. If you trust this "
        f"model: {policy.grant_type(list(names))}; or {policy.grant_signature()}; "
        f"or {policy.grant_all()}",
        path=str(path),
        globals_=list(names),
    )


def check_pickle_file(
    path: Path, policy: LoadPolicy, *, flavor: str, dry_run: bool = False
) -> None:
    """Raise :class:`UnsafeModelError` unless ``path`` may be unpickled under ``policy``:
    for files another library will unpickle, and for checks before a load. Static, unless
    ``dry_run``: then a file that passes is also unpickled once by the allowlist unpickler
    (building allowed objects only), which refuses what no static reading sees (BUILD on
    an imported class), before the other library unpickles it for real."""
    if policy.no_pickle:
        raise _refuse_no_pickle(path)
    if policy.allow_unsafe:
        return
    if policy.manifest is not None:
        _read_signed(path, policy)
        return
    from mlmodel.pickle_scan import scan_pickle

    data = _small_file_bytes(path)
    scan = _scan_bytes(data) if data is not None else scan_pickle(path)
    _judge(path, scan, policy, flavor)
    if dry_run and not scan.members and not scan.persistent_ids:
        _dry_run(path, data, scan, policy, flavor)


def _dry_run(
    path: Path, data: bytes | None, scan: PickleScan, policy: LoadPolicy, flavor: str
) -> None:
    """Unpickle ``path`` (its bytes ``data``, when read already) once with the allowlist
    unpickler and throw the result away."""
    if data is None:
        data = Path(path).read_bytes()
    if scan.compression is not None:
        data = _decompressed(path, data, scan.compression)
    try:
        _unpickle(io.BytesIO(data), allowed_globals(flavor, policy), "pickle")
    except _Refused as exc:
        raise _refuse_globals(path, [exc.qualname], scan, policy, flavor) from None
    except Exception as exc:  # noqa: BLE001 - the real load would stop there too
        raise UnsafeModelError(
            f"{path}: refusing to unpickle: a trial load with the allowlist failed "
            f"({type(exc).__name__}: {exc})",
            path=str(path),
        ) from None


def _decompressed(path: Path, data: bytes, compression: str) -> bytes:
    """``data`` decompressed, at most :data:`IN_MEMORY_MAX` bytes of it."""
    import bz2
    import lzma
    import zlib

    decompressor: Any
    if compression == "gzip":
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif compression == "zlib":
        decompressor = zlib.decompressobj()
    elif compression == "bz2":
        decompressor = bz2.BZ2Decompressor()
    else:
        decompressor = lzma.LZMADecompressor()
    out = decompressor.decompress(data, IN_MEMORY_MAX + 1)
    if len(out) > IN_MEMORY_MAX:
        raise UnsafeModelError(
            f"{path}: refusing to unpickle: it decompresses to more than {IN_MEMORY_MAX} bytes",
            path=str(path),
        )
    return bytes(out)


def _small_file_bytes(path: Path) -> bytes | None:
    """The bytes of ``path`` when it is at most :data:`IN_MEMORY_MAX`, else None."""
    try:
        if Path(path).stat().st_size <= IN_MEMORY_MAX:
            return Path(path).read_bytes()
    except OSError:
        pass
    return None


def _judge(path: Path, scan: PickleScan, policy: LoadPolicy, flavor: str) -> None:
    if scan.error is not None:
        raise UnsafeModelError(
            f"{path}: refusing to unpickle: the file could not be scanned completely "
            f"({scan.error}). If you trust this model: {policy.grant_signature()}; or "
            f"{policy.grant_all()}",
            path=str(path),
            globals_=[i.qualname for i in scan.imports],
        )
    allowed = allowed_globals(flavor, policy)
    outside = [name for name in scan.import_names if name not in allowed]
    # what the scanner could not name (a module or name computed at load time, an import
    # gadget) is never allowed: another library's unpickler would import it unchecked
    outside += [d.qualname for d in scan.dangerous if d.qualname not in allowed]
    if outside:
        raise _refuse_globals(path, list(dict.fromkeys(outside)), scan, policy, flavor)


def load_pickle_file(
    path: Path, policy: LoadPolicy, *, flavor: str, module: PickleModule = "pickle"
) -> Any:
    """Unpickle ``path`` under ``policy`` (see the module's docstring)."""
    if policy.no_pickle:
        raise _refuse_no_pickle(path)
    if policy.allow_unsafe:
        with Path(path).open("rb") as handle:
            return _unpickle(handle, None, module)
    if policy.manifest is not None:
        return _unpickle(io.BytesIO(_read_signed(path, policy)), None, module)
    from mlmodel.pickle_scan import scan_pickle

    data = _small_file_bytes(path)
    scan = _scan_bytes(data) if data is not None else scan_pickle(path)
    _judge(path, scan, policy, flavor)
    allowed = allowed_globals(flavor, policy)
    try:
        if data is not None:
            return _unpickle(io.BytesIO(data), allowed, module)
        with Path(path).open("rb") as handle:
            return _unpickle(handle, allowed, module)
    except _Refused as exc:  # the scanner read less than the unpickler: refuse all the same
        raise _refuse_globals(path, [exc.qualname], scan, policy, flavor) from None


# -- skops -----------------------------------------------------------------------------


def load_skops_file(
    path: Path, policy: LoadPolicy, *, flavor: str, requested: Sequence[str] | None
) -> Any:
    """Load a skops file trusting the types it needs that are on the flavor's allowlist or
    that the loader trusts. ``requested`` (the model's ``skops_trusted_types``) grants
    nothing: it is named in the refusal so the user can decide."""
    skops_io = require("skops.io", "skops")
    data = _read_signed(path, policy) if policy.manifest is not None else Path(path).read_bytes()
    needed = [str(t) for t in skops_io.get_untrusted_types(data=data)]
    if policy.allow_unsafe or policy.manifest is not None:
        return skops_io.loads(data, trusted=needed)
    allowed = allowed_globals(flavor, policy)
    refused = [t for t in needed if t not in allowed]
    if refused:
        asked = [t for t in refused if t in set(requested or ())]
        note = (
            f" The model's skops_trusted_types asks to trust {', '.join(asked[:5])}; a model "
            "cannot grant itself trust."
            if asked
            else ""
        )
        raise UnsafeModelError(
            f"{path}: refusing to load: the skops file needs types that are not on the "
            f"allowlist: {', '.join(refused[:10])}.{note} If you trust this model: "
            f"{policy.grant_type(refused)}; or {policy.grant_signature()}; or "
            f"{policy.grant_all()}",
            path=str(path),
            globals_=refused,
        )
    return skops_io.loads(data, trusted=needed)


def require(module: str, package: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"loading this model needs the {package!r} package: pip install {package}",
            package=package,
        ) from exc
