"""A real HTTP server on 127.0.0.1 for download tests (no internet is reached).

``serve(folder)`` starts a ``ThreadingHTTPServer`` in a thread serving the files of
``folder`` and returns a :class:`Loopback`; use it as a context manager (or the
``loopback`` fixture in the tests) so that it is stopped. The handler speaks enough
HTTP for resumable downloads: ``Range: bytes=N-`` answered with 206 and
``Content-Range``, ``If-Range`` against the file's ``ETag`` (a changed file is sent
whole), ``ETag`` / ``Last-Modified`` / ``Content-Length`` on every answer, 404 for a
missing file, redirects (``redirects = {"/old": "/new"}``), servers that ignore
ranges (``ranges = False``) and transfers cut short (``cut_after = {"/x": n}``:
the next request for ``/x`` closes the connection after ``n`` bytes of the body).
Every request is logged in ``requests`` as ``(path, Range header or None)``.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import threading
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Loopback:
    folder: Path
    base: str = ""
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    redirects: dict[str, str] = field(default_factory=dict)
    cut_after: dict[str, int] = field(default_factory=dict)
    ranges: bool = True
    _httpd: http.server.ThreadingHTTPServer | None = None

    def url(self, name: str) -> str:
        return f"{self.base}/{name}"

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Loopback:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler(state: Loopback) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            path = self.path.split("?")[0]
            state.requests.append((path, self.headers.get("Range")))
            if path in state.redirects:
                self.send_response(302)
                self.send_header("Location", state.redirects[path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            file = state.folder / path.lstrip("/")
            if not file.is_file():
                body = b"not found"
                self.send_response(404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            data = file.read_bytes()
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
            start = self._range_start(etag, len(data))
            if start is not None and start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = data if start is None else data[start:]
            self.send_response(200 if start is None else 206)
            if start is not None:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            mtime = file.stat().st_mtime
            self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
            if state.ranges:
                self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            cut = state.cut_after.pop(path, None)
            if cut is not None:
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def _range_start(self, etag: str, size: int) -> int | None:
            header = self.headers.get("Range")
            if not state.ranges or not header or not header.startswith("bytes="):
                return None
            if_range = self.headers.get("If-Range")
            if if_range and if_range != etag:
                return None  # the file changed: send it whole
            first = header[len("bytes=") :].split("-")[0]
            return int(first) if first.isdigit() else None

    return Handler


def serve(folder: Path) -> Loopback:
    folder.mkdir(parents=True, exist_ok=True)
    state = Loopback(folder=folder)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state._httpd = httpd
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return state
