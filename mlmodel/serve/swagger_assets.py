"""Swagger UI's files, as the ``swagger-ui-bundle-v2`` distribution installed them.

``/docs`` is served from these files, never from a CDN (a server often has no internet). The
files are found through the distribution's own file list (its ``RECORD``), not through the
``swagger_ui_bundle`` module: connexion's ``swagger-ui-bundle`` (Swagger UI 4, which cannot
render OpenAPI 3.1) installs a module of the same name. Only the files ``/docs`` needs are
listed, each with its media type: nothing else of the package can be asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

#: the distribution that ships Swagger UI's dist files (Apache-2.0, as Swagger UI)
DISTRIBUTION: Final = "swagger-ui-bundle-v2"
#: its top-level module (what :func:`mlmodel.core.errors.require_modules` looks for)
MODULE: Final = "swagger_ui_bundle"
#: the files of Swagger UI's dist folder that ``/docs`` serves -> their media types
MEDIA_TYPES: Final[dict[str, str]] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "index.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}
_VENDOR: Final = re.compile(r"^swagger_ui_bundle/vendor/swagger-ui-(\d+(?:\.\d+)*)/([^/]+)$")


@dataclass(frozen=True)
class SwaggerAssets:
    """Swagger UI's version and the installed path of each file of :data:`MEDIA_TYPES`."""

    version: str
    files: dict[str, Path]


def find_swagger_assets() -> SwaggerAssets:
    """The installed Swagger UI files (the newest Swagger UI when the distribution lists
    several). Raises :class:`~mlmodel.core.errors.MissingDependencyError` (naming the serve
    extra) when the distribution is not installed or lacks one of the files."""
    from importlib import metadata

    from mlmodel.core.errors import MissingDependencyError

    missing = MissingDependencyError(
        f"mlmodel serve's /docs page needs Swagger UI's files from {DISTRIBUTION}, in the "
        'serve extra: pip install "mlmodel[serve]" (or serve with --no-docs)',
        package="mlmodel[serve]",
        extra="serve",
    )
    try:
        listed = metadata.files(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        raise missing from None
    versions: dict[tuple[int, ...], dict[str, Path]] = {}
    for entry in listed:
        matched = _VENDOR.match(entry.as_posix())
        if matched and matched[2] in MEDIA_TYPES:
            key = tuple(int(part) for part in matched[1].split("."))
            versions.setdefault(key, {})[matched[2]] = Path(str(entry.locate()))
    for key in sorted(versions, reverse=True):
        files = versions[key]
        if set(files) == set(MEDIA_TYPES) and all(path.is_file() for path in files.values()):
            return SwaggerAssets(".".join(map(str, key)), files)
    raise missing
