"""``GET /docs`` over HTTP (issue 21): the page, its files and their headers, from a live
``mlmodel serve`` on 127.0.0.1 (and one started with ``--no-docs``).

- the page's URLs are all relative (a path prefix is kept) and same-origin; each answers with
  its media type and a year-long cache; the page carries a self-only Content-Security-Policy;
- only the allowlisted files are served: other files of the package, traversal and encoded
  traversal are 404;
- ``/docs/`` redirects relatively; docs requests have their own metrics labels;
- ``--no-docs`` serves no page; Swagger UI's files missing stop start-up before the model.

The rendered page, in a real browser, is ``test_docs_page_browser.py``.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from harness.servers import Server, free_port, launch, mlmodel_cmd
from mlmodel.serve.docs_page import ASSET_CACHE, CONTENT_SECURITY_POLICY, page_html
from mlmodel.serve.middleware import route_label
from mlmodel.serve.swagger_assets import MEDIA_TYPES, find_swagger_assets
from tests.conftest import EXAMPLES

MODEL = EXAMPLES / "sklearn-3x"
_REFERENCE = re.compile(r'(?:src|href)="([^"]*)"')


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """Two servers of the example model, started side by side: with /docs and without."""
    folder = tmp_path_factory.mktemp("docs-servers")
    started: dict[str, Server] = {}
    try:
        for name, extra in (("docs", ()), ("no-docs", ("--no-docs",))):
            port = free_port()
            started[name] = launch(mlmodel_cmd(MODEL, port, *extra), port, folder / name)
        for server in started.values():
            server.wait_ready(deadline=60)
        yield started
    finally:
        for server in started.values():
            server.stop()


def _get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=10.0)


def test_the_page_loads_only_relative_same_origin_files(servers: dict[str, Server]) -> None:
    page_url = f"{servers['docs'].url}/docs"
    page = _get(page_url)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<title>sklearn-3x: API docs (mlmodel serve)</title>" in page.text
    assert 'data-openapi="openapi.json"' in page.text

    references = _REFERENCE.findall(page.text)
    assert len(references) == 7, references  # 2 styles, 2 icons, 2 scripts, openapi.json
    assets = find_swagger_assets()
    for reference in references:
        assert not re.match(r"[a-z]+:|/", reference), reference  # relative: no scheme, no /
        if reference == "openapi.json":
            continue
        answer = _get(urljoin(page_url, reference))
        assert answer.status_code == 200, reference
        assert answer.headers["cache-control"] == ASSET_CACHE
        name = reference.partition("?")[0].rpartition("/")[2]
        if name in assets.files:
            assert answer.headers["content-type"] == MEDIA_TYPES[name]
            assert answer.content == assets.files[name].read_bytes()
        else:  # the script that starts Swagger UI
            assert answer.headers["content-type"].startswith("text/javascript")
            assert "validatorUrl: null" in answer.text and "SwaggerUIBundle(" in answer.text
    # behind a reverse proxy's prefix, every file is asked for under the prefix
    prefixed = "https://gateway.example/models/iris/docs"
    for reference in _REFERENCE.findall(page_html("iris", assets.version)):
        assert urljoin(prefixed, reference).startswith("https://gateway.example/models/iris/")


@pytest.mark.parametrize(
    "path",
    [
        "/docs/static/index.html",  # in the package, not allowlisted
        "/docs/static/swagger-ui-bundle.js.map",
        "/docs/static/oauth2-redirect.html",
        "/docs/static/__init__.py",
        "/docs/static/..%2F..%2F__init__.py",
        "/docs/static/%2e%2e",
        "/docs/static/",
    ],
)
def test_only_the_allowlisted_files_are_served(servers: dict[str, Server], path: str) -> None:
    answer = _get(servers["docs"].url + path)
    assert answer.status_code == 404
    assert len(answer.content) < 100


def test_a_traversal_on_the_wire_is_404(servers: dict[str, Server]) -> None:
    """Dot segments sent as they are (httpx would remove them)."""
    server = servers["docs"]
    for target in ("/docs/static/../../../../../../etc/passwd", "/docs/static/../app.py"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        assert data.startswith(b"HTTP/1.1 404 "), data[:200]
        assert b"root:" not in data and b"import" not in data


def test_docs_slash_redirects_relatively(servers: dict[str, Server]) -> None:
    answer = httpx.get(f"{servers['docs'].url}/docs/", timeout=10.0, follow_redirects=False)
    assert answer.status_code == 308
    assert answer.headers["location"] == "../docs"
    assert urljoin("https://gateway.example/m/docs/", "../docs") == "https://gateway.example/m/docs"


def test_docs_requests_are_not_counted_as_predictions(servers: dict[str, Server]) -> None:
    url = servers["docs"].url
    for path in ("/docs", "/docs/static/swagger-ui.css", "/docs/static/nothing.js"):
        _get(url + path)
    metrics = _get(f"{url}/metrics").text
    assert 'mlmodel_requests_total{route="/docs",method="GET",status="200"}' in metrics
    assert 'route="/docs/static/{name}",method="GET",status="200"' in metrics
    assert 'route="/docs/static/{name}",method="GET",status="404"' in metrics
    assert 'route="/invocations"' not in metrics and 'route="other"' not in metrics
    assert route_label("/docs/static/../../x") == "/docs/static/{name}"


def test_no_docs_serves_no_page(servers: dict[str, Server]) -> None:
    url = servers["no-docs"].url
    assert _get(f"{url}/ping").status_code == 200
    for path in ("/docs", "/docs/", "/docs/static/swagger-ui-bundle.js"):
        assert _get(url + path).status_code == 404, path


def test_missing_swagger_ui_stops_start_up_before_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlmodel.core.errors import MissingDependencyError, UsageError
    from mlmodel.serve import swagger_assets
    from mlmodel.serve.server import ServeOptions, serve

    monkeypatch.setattr(swagger_assets, "DISTRIBUTION", "no-such-swagger-ui-distribution")
    missing = str(tmp_path / "no-such-model")
    with pytest.raises(MissingDependencyError) as caught:
        serve(ServeOptions(model=missing, port=free_port(), caller="cli"))
    assert 'pip install "mlmodel[serve]"' in str(caught.value)
    assert "--no-docs" in str(caught.value) and caught.value.extra == "serve"
    with socket.socket() as taken:  # --no-docs: on to the next check (the port)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = int(taken.getsockname()[1])
        with pytest.raises(UsageError, match="the port is in use"):
            serve(ServeOptions(model=missing, port=busy, caller="cli", docs=False))
