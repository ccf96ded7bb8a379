"""Static pickle scanner: what a pickle would import, without unpickling it. Fails closed.

Nothing is ever unpickled, imported or executed: the opcode stream is parsed and the
pickle machine's stack simulated on literals (:mod:`.opcodes`). The verdict
(:class:`PickleScan`): ``safe`` only when the whole input was scanned (``error`` is None)
and no import matched the denylist (``dangerous`` is empty, :mod:`.denylist`). A scan
error is never a pass: where the scanner and the real unpickler could disagree (``I0x1``
parses in CPython's C unpickler but not in :mod:`pickletools`), the input is not safe.
Beside the denylist, :func:`judge` gives the allowlist judgement for a framework
(:mod:`.allowlist`): the imports a scikit-learn, XGBoost or LightGBM model does not need.

Modules, one job each:

* :mod:`.sniff` -- what a file is from its first bytes (:func:`is_pickle`, :func:`sniff_file`)
* :mod:`.opcodes` -- the opcode scanner (stack machine, import gadgets, joblib arrays)
* :mod:`.denylist` -- dangerous callables, by rule and by class of gadget
* :mod:`.allowlist` -- what each framework's pickles need
* :mod:`.containers` -- :func:`scan_pickle`, :func:`scan_pickle_bytes`: plain, gzip/zlib/
  bz2/xz-compressed, zip archives of pickles
* :mod:`.selection` -- which files of a model directory are pickles, by content, bounded

Limits: static analysis reports what a pickle *imports*, not what it *does*. Persistent ids
(torch tensor storages) are resolved by the loading application and only counted. Stdlib
only.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlmodel.pickle_scan.allowlist import (
        FRAMEWORKS,
        allowed_names,
        framework_for_flavor,
        framework_for_reference,
        judge,
    )
    from mlmodel.pickle_scan.containers import DEFAULT_MAX_BYTES, scan_pickle, scan_pickle_bytes
    from mlmodel.pickle_scan.denylist import DENYLIST, DenyRule, danger
    from mlmodel.pickle_scan.results import (
        AllowlistResult,
        DangerousImport,
        PickleImport,
        PickleScan,
    )
    from mlmodel.pickle_scan.selection import (
        DirectoryScan,
        ScanBudget,
        holds_pickles,
        scan_pickles,
        select_pickles,
    )
    from mlmodel.pickle_scan.sniff import (
        FileKind,
        is_pickle,
        is_pickle_bytes,
        sniff_bytes,
        sniff_file,
    )

#: public name -> the submodule that defines it. The package imports a submodule only when
#: one of its names is first asked for (module ``__getattr__``), so a caller that needs
#: only :mod:`.sniff` (``validate`` sniffing a referenced file) never loads the scanner.
_HOMES: dict[str, str] = {
    "FRAMEWORKS": "allowlist",
    "allowed_names": "allowlist",
    "framework_for_flavor": "allowlist",
    "framework_for_reference": "allowlist",
    "judge": "allowlist",
    "DEFAULT_MAX_BYTES": "containers",
    "scan_pickle": "containers",
    "scan_pickle_bytes": "containers",
    "DENYLIST": "denylist",
    "DenyRule": "denylist",
    "danger": "denylist",
    "AllowlistResult": "results",
    "DangerousImport": "results",
    "PickleImport": "results",
    "PickleScan": "results",
    "DirectoryScan": "selection",
    "ScanBudget": "selection",
    "holds_pickles": "selection",
    "scan_pickles": "selection",
    "select_pickles": "selection",
    "FileKind": "sniff",
    "is_pickle": "sniff",
    "is_pickle_bytes": "sniff",
    "sniff_bytes": "sniff",
    "sniff_file": "sniff",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_submodule(home), name)
    globals()[name] = value
    return value


def _submodule(home: str) -> ModuleType:
    # plain import statements of this package's own modules: the scanner never imports a
    # name computed at run time (test_pickle_scan checks that it uses no importlib)
    if home == "allowlist":
        from mlmodel.pickle_scan import allowlist

        return allowlist
    elif home == "containers":
        from mlmodel.pickle_scan import containers

        return containers
    elif home == "denylist":
        from mlmodel.pickle_scan import denylist

        return denylist
    elif home == "results":
        from mlmodel.pickle_scan import results

        return results
    elif home == "selection":
        from mlmodel.pickle_scan import selection

        return selection
    else:
        from mlmodel.pickle_scan import sniff

        return sniff


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DENYLIST",
    "FRAMEWORKS",
    "AllowlistResult",
    "DangerousImport",
    "DenyRule",
    "DirectoryScan",
    "FileKind",
    "PickleImport",
    "PickleScan",
    "ScanBudget",
    "allowed_names",
    "danger",
    "framework_for_flavor",
    "framework_for_reference",
    "holds_pickles",
    "is_pickle",
    "is_pickle_bytes",
    "judge",
    "scan_pickle",
    "scan_pickle_bytes",
    "scan_pickles",
    "select_pickles",
    "sniff_bytes",
    "sniff_file",
]
