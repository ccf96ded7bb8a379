"""Drift: the model's requirements against what the running interpreter has installed.

The requirements are read as text (``requirements.txt``, else the pip section of the
conda file the document names); nothing of the model is imported or run, and nothing is
installed: each listed distribution is looked up with ``importlib.metadata`` and its
marker evaluated (:mod:`mlmodel.environments.specifiers`).

One :class:`PackageDrift` per requirement, with a :class:`Verdict`:

* an exact pin (``==1.5.2``, ``===``, ``==1.5.*``) that the installed version misses is a
  mismatch of the first release component that differs: ``mismatch-major`` (or the epoch),
  ``mismatch-minor``, ``mismatch-patch`` (the third component and anything after it:
  pre-, post-, dev-releases);
* a range (``>=1.3``, ``~=1.4.2``, ``>=1,<2``) is ``ok`` when the installed version meets
  every clause; else the mismatch is graded against each clause it fails, the worst kept
  (``>=1.5`` with 1.3 installed: minor; ``<2`` with 2.1: major); a ``!=`` clause that names
  the installed release is ``mismatch-major`` (the requirement says that release does not
  work);
* ``unpinned``: a name without a version; ``missing``: not installed; ``skipped-marker``:
  its marker does not hold here (``; python_version < "3.9"``); ``unjudged``: a version, a
  specifier or a marker that cannot be read.

A drift *matters* when it is likely to break the model: a major or minor mismatch of the
model's framework (the library of its flavors: scikit-learn for ``sklearn``, see
:mod:`mlmodel.flavors.libraries`) or a missing package. MLflow's own distributions
(``mlflow``, ``mlflow-skinny``, ``mlflow-tracing``) are reported but never matter: mlmodel
loads and serves the model in their place.
"""

from __future__ import annotations

import enum
import functools
import importlib.metadata
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlmodel.flavors.libraries import framework_distributions
from mlmodel.modeldir.requirements import MLFLOW_DISTRIBUTIONS, Requirement, parse_requirements

if TYPE_CHECKING:
    from mlmodel.environments.specifiers import Clause, Version
    from mlmodel.modeldir.location import ModelLocation

__all__ = [
    "DriftReport",
    "PackageDrift",
    "Verdict",
    "check_model",
    "drift_of",
    "warn_at_load",
]


class Verdict(enum.StrEnum):
    """How the installed version of a requirement compares with it."""

    ok = "ok"
    mismatch_patch = "mismatch-patch"
    mismatch_minor = "mismatch-minor"
    mismatch_major = "mismatch-major"
    missing = "missing"
    unpinned = "unpinned"
    skipped_marker = "skipped-marker"
    unjudged = "unjudged"

    @property
    def is_mismatch(self) -> bool:
        """A version mismatch or a missing package (what ``--strict`` fails on)."""
        return self in _MISMATCHES


_MISMATCHES = frozenset(
    {Verdict.mismatch_patch, Verdict.mismatch_minor, Verdict.mismatch_major, Verdict.missing}
)
_SEVERITY = (Verdict.mismatch_patch, Verdict.mismatch_minor, Verdict.mismatch_major)


@dataclass(frozen=True, slots=True)
class PackageDrift:
    """One requirement of the model against the running interpreter."""

    name: str  #: the distribution, normalised (``scikit-learn``)
    required: str  #: the specifier and marker as written (``==1.5.2``), ``""`` for none
    installed: str | None  #: the installed version; None when missing or not looked up
    verdict: Verdict
    matters: bool  #: likely to break the model (see the module's docstring)
    framework: bool  #: the library of one of the model's flavors
    line: int  #: its line in the requirements file

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "required": self.required,
            "installed": self.installed,
            "verdict": self.verdict.value,
            "matters": self.matters,
            "framework": self.framework,
        }


@dataclass(frozen=True, slots=True)
class DriftReport:
    """The drift of one model's requirements; ``source`` is the file they come from
    (``requirements.txt``, ``conda.yaml``), None when the model lists none."""

    model: str  #: how messages name the model
    source: str | None
    packages: tuple[PackageDrift, ...]

    @property
    def has_requirements(self) -> bool:
        return self.source is not None

    @property
    def matters(self) -> bool:
        """Whether any drift is likely to break the model."""
        return any(p.matters for p in self.packages)

    @property
    def mismatches(self) -> tuple[PackageDrift, ...]:
        """The mismatched and missing packages."""
        return tuple(p for p in self.packages if p.verdict.is_mismatch)

    def failed(self, *, strict: bool = False) -> bool:
        """The gate's answer: a drift that matters, or with ``strict`` any mismatch of a
        package other than MLflow's."""
        if strict:
            return any(p.name not in MLFLOW_DISTRIBUTIONS for p in self.mismatches)
        return self.matters

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form ``mlmodel env check --format json`` prints."""
        return {
            "model": self.model,
            "source": self.source,
            "packages": [p.to_json() for p in self.packages],
            "mismatches": len(self.mismatches),
            "matters": self.matters,
        }


def check_model(model: str | os.PathLike[str] | ModelLocation) -> DriftReport:
    """The drift of a model directory, its MLmodel file or a model URI (fetched first) in
    the running interpreter. Raises :class:`~mlmodel.core.errors.ModelNotFoundError` when
    there is no model, :class:`~mlmodel.core.errors.ParseError` when its MLmodel or
    requirements cannot be read."""
    from mlmodel.core.errors import ParseError
    from mlmodel.modeldir.location import resolve_model_location
    from mlmodel.modeldir.sidefiles import SideFileError, load_yaml

    location = resolve_model_location(model)
    try:
        document = load_yaml(location.file)
    except SideFileError as exc:
        raise ParseError(f"{location.shown}: {exc}") from None
    if not isinstance(document, Mapping):
        raise ParseError(f"{location.shown}: the MLmodel file is not a mapping")
    return drift_of(location.model_dir, document, shown=location.shown_dir)


def drift_of(
    model_dir: Path, document: Mapping[str, Any], *, shown: str | None = None
) -> DriftReport:
    """The drift of the model in ``model_dir`` whose parsed MLmodel is ``document``."""
    from mlmodel.environments.specifiers import MarkerError, marker_environment

    source, requirements = _requirements(model_dir, document)
    flavors = document.get("flavors")
    frameworks = framework_distributions(flavors if isinstance(flavors, Mapping) else ())
    environment = marker_environment() if any(";" in r.spec for r in requirements) else {}
    packages = []
    for requirement in requirements:
        try:
            packages.append(_judge(requirement, frameworks, environment))
        except MarkerError:
            spec = requirement.spec.strip()
            packages.append(
                PackageDrift(
                    requirement.name,
                    spec,
                    None,
                    Verdict.unjudged,
                    False,
                    requirement.name in frameworks,
                    requirement.line,
                )
            )
    return DriftReport(shown or str(model_dir), source, tuple(packages))


def _requirements(
    model_dir: Path, document: Mapping[str, Any]
) -> tuple[str | None, list[Requirement]]:
    """(the file, its requirements): requirements.txt, else the conda file's pip section
    (models logged before MLflow 1.26 have only that)."""
    from mlmodel.core.errors import ParseError
    from mlmodel.modeldir.containment import inside
    from mlmodel.modeldir.environment_files import env_file_name
    from mlmodel.modeldir.sidefiles import SideFileError, load_yaml, read_text

    target = inside(model_dir, "requirements.txt")
    try:
        if target is not None and os.path.lexists(target):
            return "requirements.txt", parse_requirements(read_text(target))
        flavors = document.get("flavors")
        pyfunc = flavors.get("python_function") if isinstance(flavors, Mapping) else None
        conda_name = env_file_name(pyfunc if isinstance(pyfunc, Mapping) else None, "conda")
        conda = inside(model_dir, conda_name)
        if conda is None or not os.path.lexists(conda):
            return None, []
        pip = _conda_pip(load_yaml(conda))
        return (conda_name, parse_requirements("\n".join(pip))) if pip is not None else (None, [])
    except SideFileError as exc:
        raise ParseError(f"{model_dir}: {exc}") from None


def _conda_pip(conda: object) -> list[str] | None:
    """The ``pip:`` list of a conda environment, or None when it has none."""
    dependencies = conda.get("dependencies") if isinstance(conda, Mapping) else None
    for dependency in dependencies if isinstance(dependencies, list) else []:
        if isinstance(dependency, Mapping) and isinstance(dependency.get("pip"), list):
            return [str(item) for item in dependency["pip"]]
    return None


@functools.cache
def _installed(name: str) -> str | None:
    """The installed version of ``name``, looked up once per process (reading a package's
    metadata parses its whole METADATA file: a millisecond or two each)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _judge(
    requirement: Requirement, frameworks: frozenset[str], environment: dict[str, str]
) -> PackageDrift:
    from mlmodel.environments.specifiers import evaluate_marker, parse_clauses, parse_version

    spec, _, marker = requirement.spec.partition(";")
    spec = spec.strip()
    required = requirement.spec.strip()
    framework = requirement.name in frameworks

    def result(verdict: Verdict, installed: str | None) -> PackageDrift:
        matters = requirement.name not in MLFLOW_DISTRIBUTIONS and (
            verdict is Verdict.missing
            or (framework and verdict in (Verdict.mismatch_minor, Verdict.mismatch_major))
        )
        return PackageDrift(
            requirement.name, required, installed, verdict, matters, framework, requirement.line
        )

    if marker.strip() and not evaluate_marker(marker, environment):
        return result(Verdict.skipped_marker, None)
    installed = _installed(requirement.name)
    if installed is None:
        return result(Verdict.missing, None)
    clauses = parse_clauses(spec)
    version = parse_version(installed)
    if clauses is None or version is None:
        return result(Verdict.unjudged, installed)
    if not clauses:
        return result(Verdict.unpinned, installed)
    return result(_grade(version, clauses), installed)


def _grade(installed: Version, clauses: Iterable[Clause]) -> Verdict:
    """``ok``, or the worst mismatch of the clauses ``installed`` fails."""
    worst: Verdict = Verdict.ok
    for clause in clauses:
        allowed = clause.allows(installed)
        if allowed is None:
            return Verdict.unjudged
        if allowed:
            continue
        level = _level(installed, clause)
        if worst is Verdict.ok or _SEVERITY.index(level) > _SEVERITY.index(worst):
            worst = level
    return worst


def _level(installed: Version, clause: Clause) -> Verdict:
    """How far ``installed`` is from the version of a clause it fails: the first release
    component that differs (within the prefix of a ``.*`` clause)."""
    target = clause.target()
    if clause.operator == "!=" or target is None or installed.epoch != target.epoch:
        return Verdict.mismatch_major
    width = len(target.release) if clause.wildcard else max(3, len(installed.release))
    ours, theirs = installed.padded(width), target.padded(width)
    if ours[0] != theirs[0]:
        return Verdict.mismatch_major
    if width > 1 and ours[1] != theirs[1]:
        return Verdict.mismatch_minor
    return Verdict.mismatch_patch


#: (distribution, requirement) already warned about in this process
_WARNED: set[tuple[str, str]] = set()


def warn_at_load(model_dir: Path, document: Mapping[str, Any], logger: logging.Logger) -> None:
    """Log a warning for each requirement of the model that the running interpreter does not
    meet (MLflow's distributions excepted), once per package and requirement per process:
    the package, the requirement, what is installed and how to fix it. A model whose
    requirements cannot be read loads as before (the reason logged at debug level)."""
    from mlmodel.core.errors import MLModelError

    try:
        report = drift_of(model_dir, document)
    except (MLModelError, OSError, ValueError) as exc:
        logger.debug("%s: drift not checked: %s", model_dir, exc)
        return
    for package in report.mismatches:
        key = (package.name, package.required)
        if package.name in MLFLOW_DISTRIBUTIONS or key in _WARNED:
            continue
        _WARNED.add(key)
        logger.warning("%s", load_warning(model_dir, package))


def load_warning(model_dir: Path, package: PackageDrift) -> str:
    """The message of :func:`warn_at_load` for one package."""
    requirement = f"{package.name}{package.required}"
    if package.installed is None:
        found = f"{package.name} is not installed"
    else:
        level = package.verdict.value.removeprefix("mismatch-")
        found = f"{package.name} {package.installed} is installed ({level} version differs)"
    return (
        f"{found}, but the model at {model_dir} requires {requirement}: it may fail to load "
        f"or predict differently. See every difference with `mlmodel env check {model_dir}`; "
        "install the model's requirements.txt here, or run the model in an environment of "
        "its own with `--env-manager uv`."
    )
