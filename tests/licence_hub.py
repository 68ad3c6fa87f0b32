"""A loopback server in front of the simulated Hub that forwards every request and lets a test replace chosen
answers (a licence file's bytes, a lying header) or rewrite forwarded bodies (a listing's ``cardData``, a file
tree): how a hostile or sloppy publisher's repository is simulated for the licence-file crawl tests
(``test_crawl_license_files.py``, ``test_crawl_license_files_redteam.py``)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

# (status, headers, body) served in place of the Hub's answer; a Content-Length among the headers is sent as given
# (it may lie), else the body's length is sent; a body given as a list of chunks is trickled, TRICKLE_S apart
Answer = tuple[int, dict[str, str], bytes | list[bytes]]
TRICKLE_S = 0.25


@contextmanager
def forwarding(upstream: str, answer: Callable[[str], Answer | None] = lambda _: None,
               rewrite: Callable[[str, bytes], bytes] = lambda _, body: body) -> Iterator[str]:
    """Serve on loopback: ``answer(path)`` when it returns an answer, else the upstream's answer to the same GET with
    its body passed through ``rewrite(path, body)`` and its Link headers rewritten to this server."""
    client = httpx.Client(trust_env=False, timeout=30)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            base = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"  # type: ignore[index]
            canned = answer(self.path)
            if canned is not None:
                status, headers, body = canned
                chunks = body if isinstance(body, list) else [body]
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if not any(k.lower() == "content-length" for k in headers):
                    self.send_header("Content-Length", str(sum(map(len, chunks))))
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                try:
                    for i, chunk in enumerate(chunks):
                        if i:
                            time.sleep(TRICKLE_S)
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass   # the client cut the answer (its deadline): what a trickle test wants
                return
            r = client.get(upstream + self.path)
            content = rewrite(self.path, r.content)
            self.send_response(r.status_code)
            for k, v in r.headers.items():
                if k.lower() in ("content-length", "content-encoding", "transfer-encoding", "connection"):
                    continue
                self.send_header(k, v.replace(upstream, base) if k.lower() == "link" else v)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(10)
        client.close()
