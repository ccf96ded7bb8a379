"""Safe loading: nothing is unpickled before the static scanner has read it.

Every pickle, cloudpickle or joblib file is scanned with :func:`mlmodel.pickle_scan.scan_pickle`
first (the scan never imports or executes anything). A file that imports a denylisted global,
or that cannot be scanned completely, is refused with an error naming the file and the globals,
unless the caller opted in (``allow_unsafe=True`` or ``MLMODEL_ALLOW_UNSAFE=1``). ``strict``
also refuses every global outside the flavor's allowlist. ``MLMODEL_NO_PICKLE=1`` switches
pickle-family loading off entirely (an opt-in does not override it). skops files are loaded
trusting only the types the file needs that the flavor's ``skops_trusted_types`` lists.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from mlmodel.runtime.errors import MissingDependencyError, UnsafeModelError

if TYPE_CHECKING:
    from mlmodel.pickle_scan import PickleScan

ALLOW_UNSAFE_ENV: Final = "MLMODEL_ALLOW_UNSAFE"
NO_PICKLE_ENV: Final = "MLMODEL_NO_PICKLE"
_TRUE: Final = frozenset(["1", "true", "yes", "on"])

PickleModule = Literal["pickle", "cloudpickle", "joblib"]


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


@dataclass(frozen=True)
class LoadPolicy:
    """What a load may deserialise. Build it with :meth:`resolve` to honour the environment."""

    allow_unsafe: bool = False
    strict: bool = False
    no_pickle: bool = False

    @classmethod
    def resolve(cls, *, allow_unsafe: bool = False, strict: bool = False) -> LoadPolicy:
        return cls(
            allow_unsafe=allow_unsafe or _env_flag(ALLOW_UNSAFE_ENV),
            strict=strict,
            no_pickle=_env_flag(NO_PICKLE_ENV),
        )


#: files up to this size are read once, scanned from memory and unpickled from the same
#: bytes (nothing can change between the scan and the load); larger ones are streamed twice
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


def check_pickle_file(path: Path, policy: LoadPolicy, *, flavor: str) -> None:
    """Raise :class:`UnsafeModelError` unless ``path`` may be unpickled under ``policy``."""
    _read_checked(path, policy, flavor=flavor, keep=False)


def _read_checked(path: Path, policy: LoadPolicy, *, flavor: str, keep: bool) -> bytes | None:
    """Scan ``path`` and apply the policy; the bytes scanned when ``keep`` and small enough."""
    from mlmodel.pickle_scan import scan_pickle

    if policy.no_pickle:
        raise _refuse_no_pickle(path)
    try:
        size = Path(path).stat().st_size
    except OSError:
        size = -1
    data: bytes | None = None
    if 0 <= size <= IN_MEMORY_MAX:
        try:
            data = Path(path).read_bytes()
        except OSError:
            data = None
    scan = _scan_bytes(data) if data is not None else scan_pickle(path)
    _apply_policy(path, scan, policy, flavor)
    return data if keep else None


def _apply_policy(path: Path, scan: PickleScan, policy: LoadPolicy, flavor: str) -> None:
    if policy.allow_unsafe:
        return
    if scan.dangerous:
        names = [d.qualname for d in scan.dangerous]
        reasons = "; ".join(f"{d.qualname} ({d.reason})" for d in scan.dangerous[:5])
        raise UnsafeModelError(
            f"{path}: refusing to unpickle: it imports {reasons}. Loading it could run "
            f"arbitrary code. If you trust this file, pass allow_unsafe=True or set "
            f"{ALLOW_UNSAFE_ENV}=1",
            path=str(path),
            globals_=names,
        )
    if scan.error is not None:
        raise UnsafeModelError(
            f"{path}: refusing to unpickle: the file could not be scanned completely "
            f"({scan.error}). If you trust this file, pass allow_unsafe=True or set "
            f"{ALLOW_UNSAFE_ENV}=1",
            path=str(path),
            globals_=[i.qualname for i in scan.imports],
        )
    if policy.strict:
        outside = _outside_allowlist(scan.import_names, flavor)
        if outside:
            raise UnsafeModelError(
                f"{path}: strict mode: imports outside the {flavor} allowlist: "
                f"{', '.join(outside[:10])}",
                path=str(path),
                globals_=outside,
            )


def load_pickle_file(
    path: Path, policy: LoadPolicy, *, flavor: str, module: PickleModule = "pickle"
) -> Any:
    """Check ``path`` with the scanner and the policy, then unpickle the bytes scanned."""
    data = _read_checked(path, policy, flavor=flavor, keep=True)
    if module == "joblib":
        joblib = require("joblib", "joblib")
        return joblib.load(io.BytesIO(data) if data is not None else path)
    if module == "cloudpickle":
        loader = require("cloudpickle", "cloudpickle")
    else:
        import pickle as loader
    if data is not None:
        return loader.loads(data)
    with Path(path).open("rb") as handle:
        return loader.load(handle)


def load_skops_file(
    path: Path, policy: LoadPolicy, *, flavor: str, trusted: list[str] | None
) -> Any:
    """Load a skops file trusting exactly the types it needs that ``trusted`` allows."""
    skops_io = require("skops.io", "skops")
    needed = list(skops_io.get_untrusted_types(file=path))
    declared = set(trusted or ())
    refused = [t for t in needed if t not in declared]
    if policy.strict:
        refused += _outside_allowlist([t for t in needed if t in declared], flavor)
    if refused and not policy.allow_unsafe:
        raise UnsafeModelError(
            f"{path}: refusing to load: the skops file needs types the model does not trust: "
            f"{', '.join(refused[:10])}. If you trust this file, pass allow_unsafe=True or set "
            f"{ALLOW_UNSAFE_ENV}=1",
            path=str(path),
            globals_=refused,
        )
    return skops_io.load(
        path, trusted=needed if policy.allow_unsafe else [t for t in needed if t not in refused]
    )


def _outside_allowlist(names: Sequence[str], flavor: str) -> list[str]:
    """The ``module.name`` imports (or skops types) outside the flavor's allowlist
    (:func:`mlmodel.pickle_scan.judge`); every one of them when the flavor has none."""
    from mlmodel.pickle_scan import PickleImport, PickleScan, framework_for_flavor, judge

    framework = framework_for_flavor(flavor)
    if framework is None:
        return list(names)
    imports = []
    for name in names:
        module, _, attr = name.rpartition(".")
        imports.append(PickleImport(module, attr, 0, "GLOBAL"))
    return list(judge(PickleScan(imports=tuple(imports)), framework).unexpected_names)


def require(module: str, package: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"loading this model needs the {package!r} package: pip install {package}",
            package=package,
        ) from exc
