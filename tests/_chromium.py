"""Headless Chromium driven over the DevTools protocol, for the browser tests.

Chromium talks to us over a pipe (``--remote-debugging-pipe``: it reads
commands on fd 3 and writes replies on fd 4, NUL-separated JSON), so no driver
binary and no Python package beyond the standard library is needed.
"""

from __future__ import annotations

import base64
import json
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["find_chromium", "Chromium", "PageReport"]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]


def find_chromium() -> str | None:
    """Path of a Chromium binary (``$CHROMIUM``, then the PATH), or None."""
    env = os.environ.get("CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageReport:
    """What happened while a page loaded: console messages, exceptions, failed requests."""

    console: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def errors(self) -> list[str]:
        """Console errors and uncaught exceptions, as text."""
        out = [m["text"] for m in self.console if m["level"] == "error"]
        return out + self.exceptions


class Chromium:
    """A headless Chromium with one page; use as a context manager."""

    def __init__(self, binary: str, *, width: int = 1280, height: int = 860, timeout: float = 30.0):
        self.binary = binary
        self.width, self.height, self.timeout = width, height, timeout
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Chromium:
        self._profile = tempfile.mkdtemp(prefix="riskmap-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire_fds() -> None:  # Chromium expects the pipe on fds 3 and 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self._proc = subprocess.Popen(
            [
                self.binary,
                *FLAGS,
                f"--user-data-dir={self._profile}",
                f"--window-size={self.width},{self.height}",
                "about:blank",
            ],
            pass_fds=(3, 4),
            preexec_fn=wire_fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self._session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    # -- protocol ------------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        sel = selectors.DefaultSelector()
        sel.register(self._from_chrome, selectors.EVENT_READ)
        try:
            while b"\0" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise TimeoutError("Chromium did not answer in time")
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise EOFError("Chromium closed the DevTools pipe")
                self._buffer += chunk
        finally:
            sel.close()
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result (events seen meanwhile are kept)."""
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self._session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def _wait_event(self, method: str, deadline: float) -> None:
        while not any(e.get("method") == method for e in self._events):
            self._events.append(self._read_message(deadline))

    # -- page ----------------------------------------------------------------------------

    def load(self, url: str, *, settle: float = 1.0) -> PageReport:
        """Open ``url``, wait for the load event and ``settle`` seconds more, and report."""
        self._events.clear()
        self.call("Page.navigate", session=True, url=url)
        self._wait_event("Page.loadEventFired", time.monotonic() + self.timeout)
        end = time.monotonic() + settle
        while time.monotonic() < end:
            try:
                self._events.append(self._read_message(end))
            except TimeoutError:
                break
        return self._report()

    def _report(self) -> PageReport:
        report = PageReport()
        urls: dict[str, str] = {}
        for event in self._events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                text = " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params.get("args", [])
                )
                report.console.append({"level": params.get("type"), "text": text})
            elif method == "Log.entryAdded":
                entry = params["entry"]
                report.console.append(
                    {"level": entry["level"], "text": f"{entry['text']} {entry.get('url', '')}"}
                )
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                report.exceptions.append(
                    details.get("exception", {}).get("description") or details["text"]
                )
            elif method == "Network.requestWillBeSent":
                urls[params["requestId"]] = params["request"]["url"]
                report.requests.append(params["request"]["url"])
            elif method == "Network.loadingFailed":
                url = urls.get(params["requestId"], "?")
                report.failed_requests.append(f"{url} ({params.get('errorText', '')})")
        return report

    def evaluate(self, expression: str) -> Any:
        """Evaluate a JavaScript expression in the page and return its value (a promise's once
        it settles)."""
        result = self.call(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        """Save a PNG screenshot of the page."""
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        out = Path(path)
        out.write_bytes(base64.b64decode(data))
        return out
