"""The walk ``validate`` and ``lint`` share over the models they are given.

Every path is resolved first (a model directory to its MLmodel file, a model URI fetched
into the cache) and every model's project configuration read, so that a bad path or a bad
configuration is a usage error before any model is checked. Then each model is checked in
the order given, each report naming the model as its :class:`ModelLocation` does, and the
run's own findings (a flavor plugin that failed to load) close the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlmodel.core.codes import diagnostic
from mlmodel.core.diagnostics import Diagnostic
from mlmodel.core.errors import ParseError
from mlmodel.core.results import FileReport, ValidationResult
from mlmodel.modeldir.location import ModelLocation, resolve_model_location

if TYPE_CHECKING:
    from mlmodel.checking.config import ProjectConfig

__all__ = ["Target", "check_targets", "report_for", "report_of", "resolve_targets"]


@dataclass(frozen=True, slots=True)
class Target:
    """One model of a run: where it is read and the project configuration that governs it."""

    location: ModelLocation
    config: ProjectConfig


def resolve_targets(
    paths: Sequence[str | Path | ModelLocation],
    *,
    isolated: bool = False,
    refuse: Callable[[ModelLocation], None] | None = None,
) -> list[Target]:
    """Each path's model and project configuration, in the order given.

    Raises :class:`~mlmodel.core.errors.UsageError` for a path that is not a model, or a bad
    configuration, before any model is checked; ``refuse`` (``lint --fix`` on a remote
    model) may raise it for a location once every path is resolved, before configurations
    are read. ``isolated`` reads no configuration file.
    """
    from mlmodel.checking.config import load_configs

    resolved = [resolve_model_location(p) for p in paths]
    if refuse is not None:
        for location in resolved:
            refuse(location)
    configs = load_configs([r.file for r in resolved], isolated=isolated)
    return [Target(r, config) for r, config in zip(resolved, configs, strict=True)]


def check_targets(
    targets: Sequence[Target], check: Callable[[Target], FileReport]
) -> ValidationResult:
    """The reports of ``check`` on each model, in order, then the findings about the run
    itself (the flavor registry's problems)."""
    from mlmodel.flavors.registry import default_registry

    reports = [check(target) for target in targets]
    return ValidationResult(reports, general=list(default_registry().problems))


def report_of(location: ModelLocation, run: Callable[[], list[Diagnostic]]) -> FileReport:
    """The report of one model: what ``run`` finds. A file that cannot be read gives its
    finding (too large: V112; not a regular file, or unreadable: V115); any other exception
    is a finding too (V199): a bug in one check must not hide other files' findings."""
    try:
        found = run()
    except ParseError as exc:
        found = list(exc.diagnostics)
    except Exception as exc:  # noqa: BLE001 - reported as a finding, never hidden
        found = [diagnostic("V199", f"mlmodel failed on this file: {type(exc).__name__}: {exc}")]
    return report_for(location, found)


def report_for(location: ModelLocation, found: list[Diagnostic]) -> FileReport:
    """The report of one model's findings, each naming the model as ``location`` does (a
    fetched model by its URI; the cached copy read is ``local_path``)."""
    shown = location.shown
    local = str(location.file) if location.remote else None
    return FileReport(path=shown, diagnostics=[d.with_file(shown) for d in found], local_path=local)
