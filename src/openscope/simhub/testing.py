"""``running_simhub``: a simulated Hub in-process (uvicorn in a thread on a free loopback port).

Why in-process: crawl, lineage, licence and openness tests need a real HTTP server they can point a
real client at, start in well under a second and stop cleanly, without a subprocess to babysit. The
handle talks to the server through its real admin routes, so tests exercise exactly what a user
would run with ``openscope simhub``.
"""

from __future__ import annotations

import functools
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from openscope.simhub.faults import Faults, FaultSettings
from openscope.simhub.server import create_app
from openscope.simhub.state import HubState


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One default TLS context for every admin client of this process (never used on the loopback's plain HTTP)."""
    return ssl.create_default_context()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class SimHubHandle:
    url: str  # e.g. http://127.0.0.1:54321 (no trailing slash): use as HF_ENDPOINT or crawl --endpoint
    state: HubState
    faults: Faults
    server: uvicorn.Server | None = None  # the server itself (its open connections), for tests of the transport

    def _client(self) -> httpx.Client:
        # A fresh client (and connection) per admin call, as before; only the TLS context is shared: each new
        # client otherwise loads the certificate bundle (about 17-38 ms) for a plain-HTTP loopback URL, and
        # tests poll these routes every few milliseconds.
        return httpx.Client(base_url=self.url, timeout=30.0, trust_env=False, verify=_tls_context())

    def stats(self) -> dict[str, Any]:
        with self._client() as c:
            return c.get("/_admin/stats").raise_for_status().json()

    def pages_served(self) -> int:
        return int(self.stats()["pages_served"])

    def pages_held(self) -> int:
        """List-page requests that have waited under ``hold_after_pages`` (the crawler asked for the next page)."""
        return int(self.stats()["pages_held"])

    def set_faults(self, **kw: Any) -> dict[str, Any]:
        with self._client() as c:
            return c.post("/_admin/faults", json=kw).raise_for_status().json()

    def release(self) -> None:
        with self._client() as c:
            c.post("/_admin/release").raise_for_status()

    def mutate(self, **kw: Any) -> dict[str, list[str]]:
        with self._client() as c:
            return c.post("/_admin/mutate", json=kw).raise_for_status().json()

    def ids(self, kind: str = "models") -> list[str]:
        with self._client() as c:
            return c.get("/_admin/ids", params={"kind": kind}).raise_for_status().json()


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a thread cannot own signals
        pass


class _NoDelayH11(H11Protocol):
    """uvicorn's h11 protocol on a connection with Nagle's algorithm off.

    Why: uvicorn writes a response's head and body in two sends, and asyncio turns Nagle off only on a socket
    whose ``proto`` says TCP. ``openscope simhub`` listens on a socket it binds itself (to report a busy port in
    one line), made with ``proto`` 0, and the connections it accepts say 0 too: there the body waited for the
    client's ACK of the head, which a client on a kept-alive connection delays by up to 40 ms. Every request
    after a connection's first took about 44 ms on loopback instead of about 3, and the demo's crawl of 300
    cards took 43 s. Set here, it holds whatever socket the server is given."""

    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:   # not a TCP socket after all: Nagle stays as the system set it
                pass
        super().connection_made(transport)


def make_config(app: Any, host: str, port: int) -> uvicorn.Config:
    # h11: cutting a body short must close the connection, which h11 enforces
    return uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, http=_NoDelayH11,
                          lifespan="off", timeout_keep_alive=30)


@contextmanager
def running_simhub(models: int = 2000, datasets: int = 200, seed: int = 0, max_fanout: int | None = None,
                   **faults: Any) -> Iterator[SimHubHandle]:
    """Start a simulated Hub for the ``with`` block; ``faults`` are :class:`FaultSettings` fields."""
    state = HubState.generate(models=models, datasets=datasets, seed=seed, max_fanout=max_fanout)
    settings = FaultSettings(**faults)
    fs = Faults(seed=seed, settings=settings)
    app = create_app(state, fs)
    host = "127.0.0.1"
    server = None
    for _ in range(5):  # a free port can be taken between probing and binding: retry
        port = free_port(host)
        server = _Server(make_config(app, host, port))
        thread = threading.Thread(target=server.run, name=f"simhub-{port}", daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if server.started:
            break
        server.should_exit = True
        thread.join(5)
    else:
        raise RuntimeError("could not start the simulated Hub")
    try:
        yield SimHubHandle(url=f"http://{host}:{port}", state=state, faults=fs, server=server)
    finally:
        fs.release()
        server.should_exit = True
        thread.join(10)
