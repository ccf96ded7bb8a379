"""What each MLflow release can load: the version timeline of the MLmodel format as data.

``--mlflow-version X.Y`` judges a model against one release instead of the newest. The
entries come from the format reference's timeline (MLMODEL_FORMAT.md §1.5 and §4); each
names the first release that reads a feature (``since``) or the first that no longer does
(flavors: ``FlavorSpec.removed_in``). Nothing here is looked up at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlmodel.core.errors import UsageError

__all__ = [
    "COLSPEC_OPTIONAL_SINCE",
    "COLSPEC_OPTIONAL_UNTIL",
    "COLSPEC_REQUIRED_SINCE",
    "COLUMN_TYPES_SINCE",
    "FLAVORS_SINCE",
    "KNOWN_SERIES",
    "LOADER_MODULES_SINCE",
    "NEWEST",
    "ORIGINAL_TOP_LEVEL_KEYS",
    "PYFUNC_KEYS_SINCE",
    "SERIALIZATION_FORMATS_SINCE",
    "TENSOR_SPEC_SINCE",
    "UNKNOWN_KEYS_SINCE",
    "Release",
    "is_known",
    "known_releases",
    "release",
    "removed_by",
]

_RELEASE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")


@dataclass(frozen=True, order=True, slots=True)
class Release:
    """An MLflow release number, ``X.Y`` or ``X.Y.Z`` (a missing patch is 0)."""

    major: int
    minor: int
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> Release:
        """``"2.9"`` -> Release(2, 9, 0). Raises :class:`ValueError` for anything else."""
        match = _RELEASE.match(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not an MLflow release number (X.Y or X.Y.Z)")
        major, minor, patch = match.groups()
        return cls(int(major), int(minor), int(patch or 0))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}" + (f".{self.patch}" if self.patch else "")


#: the newest release the format reference describes; the default target.
NEWEST = Release(3, 18)

#: every MLflow release series: major -> (first minor, last minor). A release number is
#: known when its X.Y falls in one of them (any patch Z of a known X.Y is accepted: patch
#: releases are many and change no format). The last series ends at :data:`NEWEST`.
KNOWN_SERIES: dict[int, tuple[int, int]] = {
    0: (1, 9),
    1: (0, 30),
    2: (0, 22),
    NEWEST.major: (0, NEWEST.minor),
}


def known_releases() -> str:
    """The known releases in one line: ``0.1-0.9, 1.0-1.30, 2.0-2.22, 3.0-3.18``."""
    return ", ".join(
        f"{major}.{first}-{major}.{last}" for major, (first, last) in KNOWN_SERIES.items()
    )


def is_known(target: Release) -> bool:
    """Whether ``target`` names a published MLflow release series (see :data:`KNOWN_SERIES`)."""
    series = KNOWN_SERIES.get(target.major)
    return series is not None and series[0] <= target.minor <= series[1]


#: MLflow < 1.7 passed every top-level key to ``Model.__init__``, which took only these.
ORIGINAL_TOP_LEVEL_KEYS = frozenset({"artifact_path", "run_id", "utc_time_created", "flavors"})
UNKNOWN_KEYS_SINCE = Release(1, 7)

#: ColSpec ``type`` names and the release that first reads them.
COLUMN_TYPES_SINCE: dict[str, Release] = {
    "datetime": Release(1, 16),
    "array": Release(2, 10),
    "object": Release(2, 10),
    "map": Release(2, 12),
    "sparkml_vector": Release(2, 16),
    "any": Release(2, 19),
}
#: TensorSpec signatures (``{"type": "tensor", ...}``).
TENSOR_SPEC_SINCE = Release(1, 14)
#: ColSpec ``required``; before it ``ColSpec.__init__`` refuses the keyword.
COLSPEC_REQUIRED_SINCE = Release(2, 10)
#: ColSpec ``optional``: read from 2.4, refused from 2.18 (V308).
COLSPEC_OPTIONAL_SINCE = Release(2, 4)
COLSPEC_OPTIONAL_UNTIL = Release(2, 18)

#: (flavor, serialization_format) -> first release whose loader reads that format.
SERIALIZATION_FORMATS_SINCE: dict[tuple[str, str], Release] = {
    ("sklearn", "skops"): Release(3, 9),
    ("lightgbm", "skops"): Release(3, 9),
}
#: python_function settings a loader needs and older releases ignore or lack.
PYFUNC_KEYS_SINCE: dict[str, Release] = {
    "python_model_compression": Release(3, 0),  # a compressed python_model.pkl.<ext>
    "model_code_path": Release(2, 12, 2),  # models from code
}
#: python_function loader modules MLflow added after its first releases.
LOADER_MODULES_SINCE: dict[str, Release] = {
    "mlflow.pyfunc.loaders.code_model": Release(2, 12, 2),
}
#: flavors MLflow added after its first releases (the reference names these).
FLAVORS_SINCE: dict[str, Release] = {
    "diffusers": Release(3, 0),
}


def removed_by(removed_in: str | None, target: Release | None) -> bool:
    """Whether a flavor MLflow removed in ``removed_in`` is gone from ``target`` (None: the
    newest release)."""
    if removed_in is None:
        return False
    return target is None or Release.parse(removed_in) <= target


def release(value: object, where: str = "--mlflow-version") -> Release | None:
    """A user's MLflow release (``"2.9"``, a :class:`Release`, or None for the newest).

    Raises :class:`~mlmodel.core.errors.UsageError`, naming ``where``, for anything else,
    and for a release number MLflow never published (``9.9``: the known ones are listed).
    """
    if value is None:
        return value
    if isinstance(value, Release):
        parsed = value
    elif not isinstance(value, str):
        raise UsageError(f'{where} must be a string such as "2.9"')
    else:
        try:
            parsed = Release.parse(value)
        except ValueError as exc:
            raise UsageError(f"{where}: {exc}") from None
    if not is_known(parsed):
        raise UsageError(
            f"{where}: {parsed} is not a known MLflow release; known: {known_releases()} "
            "(with any patch number)"
        )
    return parsed
