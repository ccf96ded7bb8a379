"""Requirements as the environment files write them: the lines of a ``requirements.txt``
and the Python that python_env.yaml or conda.yaml asks for. Text only: nothing is installed,
imported or fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "PythonRequirement",
    "Requirement",
    "normalise_name",
    "parse_conda_python",
    "parse_requirements",
]

_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
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


def normalise_name(name: str) -> str:
    """A distribution name as pip compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirements(text: str) -> list[Requirement]:
    """The requirements of a requirements.txt; options, paths and URLs are skipped."""
    found: list[Requirement] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #")[0].strip()
        if not line or line.startswith(("#", "-", ".")) or "://" in line:
            continue
        match = _REQUIREMENT.match(line)
        if match:
            found.append(Requirement(number, line, normalise_name(match.group(1)), match.group(3)))
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
