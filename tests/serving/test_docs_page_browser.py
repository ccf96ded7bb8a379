"""``/docs`` in a real browser (issue 21): headless Chromium, Debian's package, loads the page
from a live ``mlmodel serve`` on 127.0.0.1, with every other address unreachable.

The rendered page lists the operations of ``/openapi.json``; "Try it out" then "Execute" on
``POST /invocations`` sends the document's example to the server, and the page shows the
status the server logged; every URL the page asked for is the server's; the browser logged no
Content-Security-Policy violation.

Marked slow, and run by CI (``.ci/run`` installs ``chromium`` with apt when it is missing).
Without the browser the test fails in CI (``CI`` set) and is skipped elsewhere, so a
developer's ``pytest`` runs without a browser installed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.chromium import Browser, Page, chromium_path
from harness.servers import Server, free_port, mlmodel_cmd, start
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow

#: the operations the page must list (method, path), from the server's /openapi.json
OPERATIONS = [("POST", "/invocations"), ("POST", "/v2/models/{name}/infer")]

#: expands the /invocations operation, then presses "Try it out" and "Execute" once each
#: (each step waits for the button the previous one reveals; none is pressed twice)
_TRY_IT_OUT = """
(() => {
  const path = [...document.querySelectorAll(".opblock-summary-path")]
    .find((el) => el.getAttribute("data-path") === "/invocations");
  const block = path.closest(".opblock");
  if (block.querySelector(".live-responses-table tr.response .response-col_status")) return "done";
  const execute = block.querySelector("button.execute");
  if (execute) { if (!window.__executed) { window.__executed = true; execute.click(); } return ""; }
  const tryOut = block.querySelector("button.try-out__btn");
  if (tryOut) { if (!window.__tried) { window.__tried = true; tryOut.click(); } return ""; }
  if (!window.__opened) { window.__opened = true; block.querySelector(".opblock-summary-control").click(); }
  return "";
})()
"""


@pytest.fixture(scope="module")
def browser_path() -> Path:
    found = chromium_path()
    if found is None:
        message = "chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: .ci/run installs it before pytest")
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("docs-server") / "server.log"
    port = free_port()
    running = start(mlmodel_cmd(EXAMPLES / "sklearn-3x", port), port, log)
    try:
        yield running
    finally:
        running.stop()


def _access_log(server: Server) -> list[dict[str, object]]:
    lines = server.log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [json.loads(line) for line in lines if line.startswith('{"ts"')]


def _operations(page: Page) -> list[tuple[str, str]]:
    found = page.evaluate(
        """[...document.querySelectorAll(".opblock-summary")].map((el) => [
             el.querySelector(".opblock-summary-method").textContent,
             el.querySelector(".opblock-summary-path").getAttribute("data-path")])"""
    )
    return [(method, path) for method, path in found]


def test_the_docs_page_renders_the_operations_and_sends_the_example(
    browser_path: Path, server: Server, tmp_path: Path
) -> None:
    browser_log = tmp_path / "chromium.log"
    with Browser(browser_path, tmp_path / "profile", browser_log) as browser:
        page = browser.open(f"{server.url}/docs")
        page.wait_for("document.querySelectorAll('.opblock-summary-path').length >= 2")
        operations = _operations(page)
        for operation in OPERATIONS:
            assert operation in operations, operations
        assert page.evaluate("document.title").startswith("sklearn-3x")

        page.wait_for(_TRY_IT_OUT)
        shown = page.evaluate(
            """document.querySelector(".live-responses-table tr.response .response-col_status")
               .textContent.trim()"""
        )
        requested = page.requested_urls()

    posted = [
        entry
        for entry in _access_log(server)
        if entry["method"] == "POST" and entry["path"] == "/invocations"
    ]
    assert len(posted) == 1, posted  # the example was sent once, and answered
    assert shown.split()[0] == str(posted[0]["status"])  # "400 Undocumented" when not listed

    assert requested, "the browser recorded no request"
    outside = [  # data: URLs (Swagger UI's icons) are not requests to anyone
        url for url in requested if not url.startswith((f"{server.url}/", "data:"))
    ]
    assert not outside, outside
    paths = {str(entry["path"]) for entry in _access_log(server)}
    assert {
        "/docs",
        "/openapi.json",
        "/docs/static/swagger-ui-bundle.js",
        "/docs/static/swagger-ui.css",
        "/docs/static/mlmodel-docs.js",
    } <= paths
    log = browser_log.read_text(encoding="utf-8", errors="replace")
    assert "Content Security Policy" not in log, log[-4000:]
