"""Model URIs (``runs:/``, ``models:/``, ``file://`` and artifact-store URIs): parsing only.

Pure standard library; resolving and downloading live in :mod:`mlmodel.tracking`. The
forms and their rules are MLflow's (notes §8):

- ``runs:/<run_id>/<path>``
- ``models:/<name>/<version>``, ``models:/<name>/<stage>``, ``models:/<name>/latest``,
  ``models:/<name>@<alias>``, ``models:/<model_id>`` (one segment, a logged model)
- ``file://`` (a local path) and artifact repositories (``s3://``, ``gs://``, ``wasbs://``,
  ``dbfs:/``, ``hdfs://``, ``mlflow-artifacts:/``, ``http(s)://`` ...)

A malformed URI raises :class:`~mlmodel.core.errors.UsageError` with a one-line reason.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal
from urllib.parse import unquote, urlparse

from mlmodel.core.errors import UsageError

RUNS: Final = "runs"
MODELS: Final = "models"
FILE: Final = "file"

#: artifact-store schemes whose URIs have a host part (``scheme://host/...``)
NETLOC_SCHEMES: Final = frozenset(
    {"s3", "gs", "wasb", "wasbs", "abfss", "hdfs", "viewfs", "http", "https", "ftp", "sftp", "oss"}
)
#: artifact-store schemes written ``scheme:/path`` (a host part is optional)
PATH_SCHEMES: Final = frozenset({"dbfs", "mlflow-artifacts", "uc-volumes"})
SCHEMES: Final = frozenset({RUNS, MODELS, FILE}) | NETLOC_SCHEMES | PATH_SCHEMES

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(/.*)?$", re.DOTALL)
_DIGITS = re.compile(r"^[0-9]+$")
_STAGES: Final = ("none", "staging", "production", "archived")

Kind = Literal["file", "runs", "models", "artifact"]


@dataclass(frozen=True, slots=True)
class ModelUri:
    """A parsed model URI. ``uri`` is the canonical text handed to MLflow's client.

    ``runs``: ``run_id``, ``path``. ``models``: ``name`` with one of ``version``,
    ``stage``, ``alias``, ``latest``; or ``model_id`` alone. ``file``: ``path``.
    """

    uri: str
    kind: Kind
    run_id: str | None = None
    path: str | None = None
    name: str | None = None
    version: str | None = None
    stage: str | None = None
    alias: str | None = None
    latest: bool = False
    model_id: str | None = None

    @property
    def is_immutable(self) -> bool:
        """True when the URI always names the same files (a cache may keep them)."""
        if self.kind == RUNS:
            return True
        if self.kind == MODELS:
            return self.version is not None or self.model_id is not None
        return False


def scheme_of(text: str) -> str | None:
    """The known URI scheme ``text`` starts with (``runs``, ``s3``...), or None."""
    match = _SCHEME.match(text)
    if match is None:
        return None
    scheme = match.group(1).lower()
    return scheme if scheme in SCHEMES else None


def is_model_uri(value: str | os.PathLike[str]) -> bool:
    """True when ``value`` is a URI of a known scheme (not a local path).

    A local path that exists wins over the URI reading of the same text.
    """
    text = os.fspath(value)
    if scheme_of(text) is None:
        return False
    return not Path(text).exists()


def is_remote_model_uri(value: str | os.PathLike[str]) -> bool:
    """True when ``value`` is a model URI fetched into the cache (any known scheme but
    ``file``): a copy, not the user's own files."""
    return is_model_uri(value) and scheme_of(os.fspath(value)) != FILE


def _restore(text: str, scheme: str) -> str:
    # pathlib collapses "//": Path("s3://b/k") prints as "s3:/b/k"
    rest = text[len(scheme) + 1 :]
    if scheme in NETLOC_SCHEMES | {FILE} and rest.startswith("/") and not rest.startswith("//"):
        return f"{scheme}:/{rest}" if scheme != FILE else f"file://{rest}"
    return text


def _segments(rest: str, uri: str) -> list[str]:
    if not rest.startswith("/") or rest.startswith("//"):
        raise UsageError(f"{uri}: malformed URI: expected one '/' after the scheme")
    parts = rest[1:].rstrip("/").split("/") if rest[1:].rstrip("/") else []
    if not parts:
        raise UsageError(f"{uri}: malformed URI: nothing after the scheme")
    if any(part == "" for part in parts):
        raise UsageError(f"{uri}: malformed URI: empty path segment")
    return parts


def _parse_runs(rest: str, uri: str) -> ModelUri:
    parts = _segments(rest, uri)
    if len(parts) < 2:
        raise UsageError(f"{uri}: malformed runs URI: expected runs:/<run_id>/<path>")
    return ModelUri(uri=uri, kind=RUNS, run_id=parts[0], path="/".join(parts[1:]))


def _parse_models(rest: str, uri: str) -> ModelUri:
    parts = _segments(rest, uri)
    usage = (
        "expected models:/<name>/<version|stage|latest>, models:/<name>@<alias> "
        "or models:/<model_id>"
    )
    if len(parts) > 2:
        raise UsageError(f"{uri}: malformed models URI: {len(parts)} path segments; {usage}")
    if len(parts) == 2:
        name, suffix = parts
        if "@" in name:
            raise UsageError(f"{uri}: malformed models URI: both an alias and a version; {usage}")
        if _DIGITS.match(suffix):
            return ModelUri(uri=uri, kind=MODELS, name=name, version=suffix)
        if suffix.lower() == "latest":
            return ModelUri(uri=uri, kind=MODELS, name=name, latest=True)
        if suffix.lower() in _STAGES:
            return ModelUri(uri=uri, kind=MODELS, name=name, stage=suffix)
        raise UsageError(
            f"{uri}: malformed models URI: {suffix!r} is not a version, stage or 'latest'"
        )
    (only,) = parts
    if "@" in only:
        name, _, alias = only.rpartition("@")
        if not name or not alias:
            raise UsageError(f"{uri}: malformed models URI: empty name or alias; {usage}")
        return ModelUri(uri=uri, kind=MODELS, name=name, alias=alias)
    return ModelUri(uri=uri, kind=MODELS, model_id=only)


def parse_model_uri(value: str | os.PathLike[str]) -> ModelUri:
    """Parse a model URI; raises :class:`~mlmodel.core.errors.UsageError` when it is malformed
    or its scheme is not one MLflow's client resolves."""
    text = os.fspath(value).strip()
    match = _SCHEME.match(text)
    if match is None:
        raise UsageError(f"{text}: not a model URI (expected scheme:/...)")
    scheme = match.group(1).lower()
    if scheme not in SCHEMES:
        raise UsageError(f"{text}: unsupported URI scheme {scheme!r}")
    text = _restore(text, scheme)
    rest = text[len(scheme) + 1 :]
    if scheme == RUNS:
        return _parse_runs(rest, text)
    if scheme == MODELS:
        return _parse_models(rest, text)
    if scheme == FILE:
        parsed = urlparse(text)
        if parsed.netloc not in ("", "localhost"):
            raise UsageError(f"{text}: file URI with a remote host {parsed.netloc!r}")
        if not parsed.path:
            raise UsageError(f"{text}: malformed file URI: no path")
        return ModelUri(uri=text, kind=FILE, path=unquote(parsed.path))
    if scheme in NETLOC_SCHEMES and not urlparse(text).netloc:
        raise UsageError(f"{text}: malformed {scheme} URI: no host or bucket")
    return ModelUri(uri=text, kind="artifact")


__all__ = [
    "SCHEMES",
    "ModelUri",
    "is_model_uri",
    "is_remote_model_uri",
    "parse_model_uri",
    "scheme_of",
]
