"""Requirements as the environment files write them, parsed in one place: the lines of a
``requirements.txt`` (read by ``inspect`` and ``lint``; written by the runtime's save, which
follows the ``-r``/``-c`` files a caller names and keeps one line per distribution), and the
Python that python_env.yaml or conda.yaml asks for. Text only: nothing is installed, imported
or fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MLFLOW_DISTRIBUTIONS",
    "PythonRequirement",
    "Requirement",
    "expand_includes",
    "included_files",
    "normalise_name",
    "parse_conda_python",
    "parse_requirement",
    "parse_requirements",
    "read_requirements_file",
    "requirement_name",
    "strip_comment",
]

#: MLflow's distributions, as requirement files name them (normalised)
MLFLOW_DISTRIBUTIONS = ("mlflow", "mlflow-skinny", "mlflow-tracing")

_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)\s*=?\s*(\S+)$")
_PYTHON_DEP = re.compile(r"^python(?![A-Za-z0-9_.-])\s*(.*)$")
_PYTHON_SPEC = re.compile(r"^(==|=|>=|<=|!=|~=|>|<)?\s*([0-9][0-9A-Za-z.*+]*)$")


@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement line of ``requirements.txt``."""

    line: int  #: 1-based line number
    text: str  #: the line without its comment
    name: str  #: normalised: lower case, runs of ``-_.`` as ``-``
    spec: str  #: what follows the name (and extras): ``==1.5.2``, ``>=2``...

    @property
    def pinned_version(self) -> str | None:
        """The version of an ``==``/``===`` pin, else None."""
        match = re.match(r"^===?\s*([^\s;,]+)$", self.spec.split(";")[0].strip())
        return match.group(1) if match else None

    @property
    def direct_reference(self) -> bool:
        """Whether the requirement names a URL (``name @ https://...``), not versions."""
        return self.spec.startswith("@")


def normalise_name(name: str) -> str:
    """A distribution name as pip compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def strip_comment(raw: str) -> str:
    """A requirements line without its comment (`` #`` and what follows) and outer blanks."""
    return raw.split(" #")[0].strip()


def parse_requirement(raw: str, line: int = 1) -> Requirement | None:
    """The requirement on one line (``line`` is its number), or None for a blank line, a
    comment, an option (``-r``, ``-c``, ``-e``...), a path or a URL. A direct reference
    (``name @ url``) is a requirement: its name is known."""
    text = strip_comment(raw)
    if not text or text.startswith(("#", "-", ".")):
        return None
    match = _REQUIREMENT.match(text)
    if match is None or match.group(3).startswith((":", "+")):  # https://, git+https://
        return None
    return Requirement(line, text, normalise_name(match.group(1)), match.group(3))


def requirement_name(raw: str) -> str | None:
    """The normalised distribution name of a requirement line (None for options, paths,
    URLs)."""
    found = parse_requirement(raw)
    return found.name if found is not None else None


def parse_requirements(text: str) -> list[Requirement]:
    """The requirements of a requirements.txt; options, paths and URLs (direct references
    included: they pin no version a check can read) are skipped."""
    found: list[Requirement] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        requirement = parse_requirement(raw, number)
        if requirement is not None and not requirement.direct_reference:
            found.append(requirement)
    return found


def read_requirements_file(
    path: Path, _including: tuple[Path, ...] = ()
) -> tuple[list[str], list[str]]:
    """The requirements and constraints of a requirements file, each line without its
    comment (blank and comment lines dropped), its ``-r``/``-c`` files followed. Each file
    is read within :data:`mlmodel.modeldir.sidefiles.MAX_SIDE_FILE_BYTES` (a FIFO or a huge
    file is a :class:`~mlmodel.core.errors.UsageError` naming it, never a hang); a file that
    includes itself is refused."""
    from mlmodel.core.errors import UsageError
    from mlmodel.modeldir.sidefiles import SideFileError, read_text

    if path.absolute() in _including:
        raise UsageError(f"{path}: the requirements file includes itself (-r/-c)")
    try:
        text = read_text(path)
    except SideFileError as exc:
        raise UsageError(f"{path}: cannot read the requirements file: {exc}") from None
    lines = (strip_comment(raw) for raw in text.splitlines())
    return expand_includes(
        (line for line in lines if line and not line.startswith("#")),
        path.parent,
        (*_including, path.absolute()),
    )


def expand_includes(
    lines: Iterable[str], base: Path, _including: tuple[Path, ...] = ()
) -> tuple[list[str], list[str]]:
    """``lines`` as (requirements, constraints): ``-r FILE`` (``--requirement``) replaced by
    FILE's requirements, ``-c FILE`` (``--constraint``) by nothing, its lines going to the
    constraints; FILE relative to ``base``. Other lines are kept as they are."""
    requirements: list[str] = []
    constraints: list[str] = []
    for line in lines:
        option = _INCLUDE.match(line)
        if option is None:
            requirements.append(line)
            continue
        inner, inner_constraints = read_requirements_file(base / option.group(2), _including)
        if option.group(1) in ("-c", "--constraint"):
            constraints.extend(inner)
        else:
            requirements.extend(inner)
        constraints.extend(inner_constraints)
    return requirements, constraints


def included_files(path: Path, _seen: tuple[Path, ...] = ()) -> list[Path]:
    """``path`` and every file its ``-r``/``-c`` lines name, recursively (each relative to
    the file naming it), in the order met, each once; read as
    :func:`read_requirements_file` reads them (a file that includes itself is refused)."""
    from mlmodel.core.errors import UsageError
    from mlmodel.modeldir.sidefiles import SideFileError, read_text

    if path.absolute() in _seen:
        raise UsageError(f"{path}: the requirements file includes itself (-r/-c)")
    try:
        text = read_text(path)
    except SideFileError as exc:
        raise UsageError(f"{path}: cannot read the requirements file: {exc}") from None
    found = [path]
    for raw in text.splitlines():
        option = _INCLUDE.match(strip_comment(raw))
        if option is not None:
            for inner in included_files(path.parent / option.group(2), (*_seen, path.absolute())):
                if inner not in found:
                    found.append(inner)
    return found


@dataclass(frozen=True, slots=True)
class PythonRequirement:
    """The Python an environment file asks for.

    ``operator`` is None for an exact version (python_env.yaml's ``python: 3.10.12``,
    conda's ``python=3.10`` prefix match or ``python==3.10.12``), else the comparison of a
    constraint such as conda's ``python>=3.9``.
    """

    source: str  #: the file it comes from
    version: str
    operator: str | None = None

    def __str__(self) -> str:
        return self.version if self.operator is None else f"{self.operator}{self.version}"

    def allows(self, version: str) -> bool:
        """Whether Python ``version`` meets this requirement.

        Exact versions match on their common leading components (``3.10`` allows
        ``3.10.12``), as conda and MLflow's environment restore do.
        """
        ours, theirs = _numbers(version), _numbers(self.version)
        if not ours or not theirs:
            return True  # not numeric: nothing can be said
        common = min(len(ours), len(theirs))
        if self.operator is None:
            return ours[:common] == theirs[:common]
        if self.operator == "~=":
            return ours >= theirs and ours[: len(theirs) - 1] == theirs[: len(theirs) - 1]
        width = max(len(ours), len(theirs))
        a = ours + (0,) * (width - len(ours))
        b = theirs + (0,) * (width - len(theirs))
        return {
            ">=": a >= b,
            "<=": a <= b,
            ">": a > b,
            "<": a < b,
            "!=": ours[:common] != theirs[:common],
        }[self.operator]


def _numbers(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for part in version.strip().split("."):
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def parse_conda_python(dependency: str, source: str = "conda.yaml") -> PythonRequirement | None:
    """The Python a conda dependency string asks for (``python=3.10``, ``python>=3.9``,
    ``python 3.10.*``), or None when it is not a versioned ``python`` dependency."""
    match = _PYTHON_DEP.match(dependency.strip())
    if match is None:
        return None
    spec = _PYTHON_SPEC.match(match.group(1).strip())
    if spec is None:
        return None
    operator, version = spec.group(1), spec.group(2).rstrip(".*")
    if not version:
        return None
    return PythonRequirement(source, version, None if operator in (None, "=", "==") else operator)
