"""What each pickle of the model would import, read from its opcodes by
:mod:`mlmodel.pickle_scan` (nothing is unpickled), and the verdict mlmodel's loaders would
reach: it loads by default when every import is on the allowlist of the framework that loads
it, else it needs the loader's trust for the imports off the list. ``inspect`` reads no
configuration, so no ``[tool.mlmodel.trust]`` is taken into account."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlmodel.checking.inspection.types import PickleInfo, PickleReport

#: why nothing is scanned for a document with no model directory (stdin)
NO_MODEL_DIR = "not scanned: no model directory (an MLmodel read from stdin)"
from mlmodel.modeldir import pickle_files, relative_posix


def describe_pickles(data: dict[str, Any], model_dir: Path | None) -> PickleReport:
    if model_dir is None:
        return PickleReport(False, NO_MODEL_DIR)
    report = PickleReport(True)
    from mlmodel.pickle_scan import allowed_names, framework_for_reference, scan_pickle

    flavors = data.get("flavors")
    flavors = flavors if isinstance(flavors, dict) else {}
    found = sorted(
        {
            relative_posix(model_dir, path): (path, framework_for_reference(key, flavors))
            for key, path in pickle_files(model_dir, data, every_file=True, lfs_pointers=True)
        }.items()
    )
    for relative, (target, framework) in found:
        try:
            result = scan_pickle(target)
        except Exception as exc:  # noqa: BLE001 - one bad pickle must not stop the inspection
            report.pickles.append(PickleInfo(relative, error=f"{type(exc).__name__}: {exc}"))
            continue
        dangerous = [f"{d.qualname}: {d.reason}" for d in result.dangerous]
        allowed = allowed_names(framework)
        outside = [name for name in result.import_names if name not in allowed]
        outside += [d.qualname for d in result.dangerous if d.qualname.startswith("<unresolved")]
        report.pickles.append(
            PickleInfo(
                relative,
                imports=list(result.import_names),
                dangerous=bool(dangerous),
                dangerous_imports=dangerous,
                error=result.error,
                allowlist=framework,
                loads_by_default=result.error is None and not outside,
                needs_trust=outside,
            )
        )
    return report
