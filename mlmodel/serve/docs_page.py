"""``GET /docs``: Swagger UI on the server's own ``/openapi.json``, from packaged files only.

Routes (all GET and HEAD):

- ``/docs``: the HTML page. Every URL it holds is relative (``docs/static/...``,
  ``openapi.json``), so the page works behind a reverse proxy's path prefix, and same-origin:
  its Content-Security-Policy lets the page load scripts, styles, images and data from the
  server itself only (``default-src 'none'``; no inline script: Swagger UI is started by
  :data:`INIT_SCRIPT`, served as a file; ``data:`` images for Swagger UI's icons).
- ``/docs/``: a permanent redirect to ``../docs`` (relative, so a prefix is kept).
- ``/docs/static/{name}``: Swagger UI's files from the ``swagger-ui-bundle-v2`` distribution
  (:mod:`mlmodel.serve.swagger_assets`) and :data:`INIT_SCRIPT`; any other name is 404, so
  nothing else on disk can be asked for. The page names them with a version query
  (``?v=5.31.0``), so they are cached for a year (``immutable``) and an upgrade is fetched
  anew.

Swagger UI is told not to call its online validator (``validatorUrl: null``) and uses its base
layout (no top bar whose only use is to load another URL's document), so the page asks for
nothing but this server.
"""

from __future__ import annotations

import hashlib
import html
from typing import TYPE_CHECKING, Any, Final

from mlmodel.serve.swagger_assets import MEDIA_TYPES, find_swagger_assets

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

#: the page's Content-Security-Policy: this server only, no inline or eval'd script
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
#: the name the page loads :data:`INIT_SCRIPT` under (beside Swagger UI's files)
INIT_NAME: Final = "mlmodel-docs.js"
_INIT_MEDIA_TYPE: Final = "text/javascript; charset=utf-8"
#: starts Swagger UI on the page's ``data-openapi`` URL, resolved against the page's own
INIT_SCRIPT: Final = """\
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: new URL(root.getAttribute("data-openapi"), document.baseURI).href,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
    displayRequestDuration: true
  });
})();
"""
#: the cache headers of a versioned asset (its URL changes when its bytes do)
ASSET_CACHE: Final = "public, max-age=31536000, immutable"
_PAGE_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
_ASSET_HEADERS: Final = {"Cache-Control": ASSET_CACHE, "X-Content-Type-Options": "nosniff"}


def page_html(model_name: str, swagger_version: str) -> str:
    """The ``/docs`` page: Swagger UI's styles and script, then :data:`INIT_SCRIPT`, all by
    relative URL."""
    init_version = hashlib.sha256(INIT_SCRIPT.encode()).hexdigest()[:12]
    title = html.escape(f"{model_name}: API docs (mlmodel serve)")
    static = "docs/static"
    return f"""\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{static}/swagger-ui.css?v={swagger_version}">
<link rel="stylesheet" href="{static}/index.css?v={swagger_version}">
<link rel="icon" type="image/png" sizes="32x32" href="{static}/favicon-32x32.png?v={swagger_version}">
<link rel="icon" type="image/png" sizes="16x16" href="{static}/favicon-16x16.png?v={swagger_version}">
</head>
<body>
<noscript>This page needs JavaScript. The API is described by
<a href="openapi.json">openapi.json</a>.</noscript>
<div id="swagger-ui" data-openapi="openapi.json"></div>
<script src="{static}/swagger-ui-bundle.js?v={swagger_version}"></script>
<script src="{static}/{INIT_NAME}?v={init_version}"></script>
</body>
</html>
"""


def docs_routes(model_name: str) -> list[Any]:
    """The Starlette routes of ``/docs``, ``/docs/`` and ``/docs/static/{name}``. Raises
    :class:`~mlmodel.core.errors.MissingDependencyError` when Swagger UI's files are not
    installed (found once, here: a request never searches the disk)."""
    from starlette.responses import FileResponse, RedirectResponse, Response
    from starlette.routing import Route

    assets = find_swagger_assets()
    page = page_html(model_name, assets.version).encode()

    async def docs(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)

    async def docs_slash(request: Request) -> Response:
        return RedirectResponse("../docs", status_code=308)

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name == INIT_NAME:
            return Response(INIT_SCRIPT, media_type=_INIT_MEDIA_TYPE, headers=_ASSET_HEADERS)
        path = assets.files.get(name)
        if path is None:
            return Response("Not Found", status_code=404, media_type="text/plain")
        return FileResponse(path, media_type=MEDIA_TYPES[name], headers=_ASSET_HEADERS)

    return [
        Route("/docs", docs, methods=["GET"]),
        Route("/docs/", docs_slash, methods=["GET"]),
        Route("/docs/static/{name}", static, methods=["GET"]),
    ]
