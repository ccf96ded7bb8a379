"""Headless Chromium (Debian's ``chromium`` package) driven over the DevTools protocol.

The browser talks over ``--remote-debugging-pipe`` (file descriptors 3 and 4, messages
ended by a NUL byte): no debugging port is opened. It can reach 127.0.0.1 only: every host
name resolves to nothing but 127.0.0.1 (``--host-resolver-rules``) and every other address
goes through a proxy on a closed loopback port, so a request that would leave the machine
fails instead. Its log (console messages included) goes to a file. Every wait is bounded.
Importing this module has no side effects.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final, Self

#: where Debian's package installs the browser
CHROMIUM: Final = Path("/usr/bin/chromium")
#: the discard port: nothing listens there, so a proxied (non-loopback) request fails
_DEAD_PROXY: Final = "127.0.0.1:9"


def chromium_path() -> Path | None:
    """The browser to run: Debian's ``/usr/bin/chromium``, else ``chromium`` on PATH."""
    if CHROMIUM.is_file():
        return CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


def flags(profile: Path) -> list[str]:
    """The browser's flags: headless, no sandbox (root in CI), nothing of its own on the
    network, loopback only."""
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--proxy-server={_DEAD_PROXY}",
        "--enable-logging=stderr",
        "--log-level=0",
        "--remote-debugging-pipe",
        "about:blank",
    ]


class DevToolsError(RuntimeError):
    """The browser answered a command with an error, or did not answer in time."""


class Browser:
    """One headless Chromium process; :meth:`open` gives a page session. A context manager:
    the process is closed (then killed) on exit."""

    def __init__(self, executable: Path, profile: Path, log: Path) -> None:
        self._to_browser_read, self._to_browser = os.pipe()
        self._from_browser, self._from_browser_write = os.pipe()
        self._log: IO[bytes] = log.open("wb")
        # bash, not dash: dash cannot redirect from a descriptor above 9
        script = f'exec "$0" "$@" 3<&{self._to_browser_read} 4>&{self._from_browser_write}'
        self.process = subprocess.Popen(
            ["/bin/bash", "-c", script, str(executable), *flags(profile)],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            pass_fds=(self._to_browser_read, self._from_browser_write),
            start_new_session=True,
        )
        os.close(self._to_browser_read)
        os.close(self._from_browser_write)
        self._buffer = b""
        self._next_id = 0
        #: every event received, in order: (session id or None, method, params)
        self.events: list[tuple[str | None, str, dict[str, Any]]] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise DevToolsError("the browser did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise DevToolsError(f"the browser exited ({self.process.poll()})")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 20.0,
    ) -> dict[str, Any]:
        """Send one command and return its result (events meanwhile go to :attr:`events`)."""
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            command["sessionId"] = session
        os.write(self._to_browser, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self.events.append(
                    (message.get("sessionId"), message["method"], message.get("params", {}))
                )

    def open(self, url: str) -> Page:
        """A new tab attached to this browser, its network events recorded, at ``url``."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        self.send("Network.enable", session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        return page

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(DevToolsError, OSError):
                self.send("Browser.close", timeout=5.0)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(10)
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._log.close()


class Page:
    """A tab of :class:`Browser`: JavaScript evaluated in it, and the URLs it requested."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def evaluate(self, expression: str) -> Any:
        """The value of ``expression`` (a promise is awaited), as JSON."""
        result = self.browser.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.session,
        )
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0, interval: float = 0.05) -> Any:
        """The first truthy value of ``expression``, asked every ``interval`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(interval)
        raise DevToolsError(f"not true within {timeout}s: {expression}")

    def requested_urls(self) -> list[str]:
        """Every URL this tab asked for so far (``Network.requestWillBeSent``)."""
        return [
            params["request"]["url"]
            for session, method, params in self.browser.events
            if session == self.session and method == "Network.requestWillBeSent"
        ]
