"""The simulated Hub answers a kept-alive connection without Nagle's wait.

uvicorn writes a response's head and body in two sends; asyncio turns Nagle's algorithm off only on sockets
whose ``proto`` says TCP, and ``openscope simhub`` serves on a socket it binds itself with ``proto`` 0. There
the body waited for the client's delayed ACK (about 40 ms on every request after a connection's first: the
demo's crawl of 300 cards took 43 s). The server's protocol turns it off on every connection it accepts
(``simhub.testing._NoDelayH11``), whichever socket it listens on.
"""

from __future__ import annotations

import socket
import threading
import time

import httpx
import uvicorn

from openscope.simhub.faults import Faults, FaultSettings
from openscope.simhub.server import create_app
from openscope.simhub.state import HubState
from openscope.simhub.testing import make_config, running_simhub


def _nagle_off_on_every_connection(server: uvicorn.Server) -> None:
    conns = list(server.server_state.connections)
    assert conns, "the kept-alive connection is open on the server"
    for proto in conns:
        sock = proto.transport.get_extra_info("socket")
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_the_commands_own_socket_serves_with_nagle_off() -> None:
    """As ``openscope simhub`` serves: a socket bound by hand (``proto`` 0) handed to the server."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    state = HubState.generate(models=20, datasets=2, seed=3)
    server = uvicorn.Server(make_config(create_app(state, Faults(seed=3, settings=FaultSettings())), "127.0.0.1", port))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.started
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as c:
            first = c.get("/api/models", params={"limit": 5}).raise_for_status().json()
            again = c.get("/api/models", params={"limit": 5}).raise_for_status().json()
            assert first == again and len(first) == 5    # two answers on one kept-alive connection
            _nagle_off_on_every_connection(server)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def test_the_in_process_server_serves_with_nagle_off() -> None:
    with running_simhub(models=20, datasets=2, seed=3) as hub, httpx.Client(base_url=hub.url, trust_env=False) as c:
        c.get("/api/models", params={"limit": 5}).raise_for_status()
        assert hub.server is not None
        _nagle_off_on_every_connection(hub.server)
