"""`openscope simhub`: run the simulated Hub (or write its JSONL dump) for offline demos and tests."""

from __future__ import annotations

import ipaddress
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import typer

from openscope.commands._common import (
    Settings,
    nonblank_output,
    print_json,
    refuse_store_as_output,
    settings,
    stdout,
)
from openscope.errors import Exit, OpenscopeError, StoreWriteError, UsageError

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise UsageError(message)


def register(app: typer.Typer) -> None:
    @app.command("simhub")
    def simhub(
        ctx: typer.Context,
        host: str = typer.Option("127.0.0.1", "--host", metavar="HOST", help="Interface to listen on (loopback only unless --allow-remote)."),
        port: int = typer.Option(0, "--port", metavar="PORT", help="Port (0 picks a free one and prints it)."),
        seed: int = typer.Option(0, "--seed", metavar="N", help="Random seed: the same seed gives the same ecosystem."),
        models: int = typer.Option(10_000, "--models", metavar="N", help="Number of models to generate."),
        datasets: int = typer.Option(1_000, "--datasets", metavar="N", help="Number of datasets to generate."),
        max_fanout: int | None = typer.Option(None, "--max-fanout", metavar="N", help="Direct children of the largest base."),
        rate_limit: int | None = typer.Option(None, "--rate-limit", metavar="N", help="API requests per window, then HTTP 429."),
        rate_window_s: float = typer.Option(300.0, "--rate-window-s", metavar="SECONDS", help="Rate-limit window in seconds."),
        error_rate: float = typer.Option(0.0, "--error-rate", metavar="SHARE", help="Share of API requests answered 5xx (0-1)."),
        truncate_rate: float = typer.Option(0.0, "--truncate-rate", metavar="SHARE", help="Share of responses cut short (0-1)."),
        slow_ms: int = typer.Option(0, "--slow-ms", metavar="MS", help="Added latency per API request, in ms."),
        dump: Path | None = typer.Option(None, "--dump", parser=nonblank_output, metavar="FILE", help="Write the ecosystem as JSON Lines to FILE and exit."),
        dump_datasets: bool = typer.Option(False, "--dump-datasets", help="With --dump: write datasets, not models."),
        allow_remote: bool = typer.Option(False, "--allow-remote", help="Allow a non-loopback --host."),
    ) -> None:
        """Serve a generated, Hub-shaped ecosystem on loopback (every entry tagged openscope:synthetic)."""
        s = settings(ctx)
        _check(models >= 1, "--models must be >= 1")
        _check(seed >= 0, "--seed must be >= 0")  # a negative seed was an internal error (70) in the generator
        _check(dump is not None or not dump_datasets, "--dump-datasets goes with --dump (it chooses what is dumped)")
        _check(datasets >= 0, "--datasets must be >= 0")
        _check(max_fanout is None or max_fanout >= 1, "--max-fanout must be >= 1")
        _check(0 <= port <= 65535, "--port must be between 0 and 65535")
        _check(rate_limit is None or rate_limit >= 1, "--rate-limit must be >= 1")
        _check(rate_window_s > 0, "--rate-window-s must be > 0")
        _check(0.0 <= error_rate <= 1.0, "--error-rate must be between 0 and 1")
        _check(0.0 <= truncate_rate <= 1.0, "--truncate-rate must be between 0 and 1")
        _check(slow_ms >= 0, "--slow-ms must be >= 0")
        if dump is not None:
            from openscope.simhub.generator import write_dump

            refuse_store_as_output("--dump", dump)

            t0 = time.monotonic()
            try:
                n = write_dump(dump, models=models, datasets=datasets, seed=seed, max_fanout=max_fanout,
                               repo_type="dataset" if dump_datasets else "model")
            except OSError as exc:
                raise StoreWriteError(f"cannot write {dump}: {exc.strerror or exc}") from None
            doc = {"path": str(dump), "entries": n, "repo_type": "dataset" if dump_datasets else "model",
                   "seed": seed, "elapsed_s": round(time.monotonic() - t0, 3)}
            if s.json:
                print_json(doc)
            elif not s.quiet:
                out = stdout()  # (None: no stdout at all)
                if out is not None:
                    out.write(f"openscope simhub: wrote {n:,} {doc['repo_type']} entries to {dump}\n")
            return
        if not _is_loopback(host) and not allow_remote:
            raise UsageError(f"refusing to listen on non-loopback host {host} without --allow-remote")
        _serve(s, host, port, seed, models, datasets, max_fanout,
               dict(rate_limit=rate_limit, rate_window_s=rate_window_s, error_rate=error_rate,
                    truncate_rate=truncate_rate, slow_ms=slow_ms))


def _serve(s: Settings, host: str, port: int, seed: int, models: int, datasets: int, max_fanout: int | None,
           fault_kw: dict) -> None:
    import uvicorn

    from openscope.simhub.faults import Faults, FaultSettings
    from openscope.simhub.server import create_app
    from openscope.simhub.state import HubState
    from openscope.simhub.testing import make_config

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise OpenscopeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", Exit.UNAVAILABLE) from None
    real_port = sock.getsockname()[1]
    state = HubState.generate(models=models, datasets=datasets, seed=seed, max_fanout=max_fanout)
    faults = Faults(seed=seed, settings=FaultSettings(**fault_kw))
    server = uvicorn.Server(make_config(create_app(state, faults), host, real_port))
    server.install_signal_handlers = lambda: None  # type: ignore[attr-defined]  # uvicorn < 0.29 only; later ones install none off the main thread
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)

    def stop(signum: int, frame: object) -> None:
        server.should_exit = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.02)
    if not server.started:
        raise OpenscopeError(f"the simulated Hub could not start on {host}:{real_port}", Exit.UNAVAILABLE)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{real_port}"
    if s.json:
        print_json({"url": url, "models": models, "datasets": datasets, "seed": seed, "simulated": True})
    else:
        sys.stdout.write(f"openscope simhub: listening on {url}\n")
        sys.stdout.flush()
    while thread.is_alive():
        thread.join(0.2)
    if not s.quiet and not s.json:
        sys.stderr.write("openscope simhub: stopped\n")
