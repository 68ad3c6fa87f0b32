"""Shared benchmark inputs: a hub-scale JSONL dump and a store ingested from it, cached under bench/out.

Why cached: the lineage, licence, openness and ingest benchmarks all need the same 2.5-million-model
ecosystem; generating and ingesting it once per machine (keyed by its arguments) keeps each benchmark
about its own work. A cache file appears only when complete (written under a temporary name, then
renamed), and a per-key lock keeps two benchmarks from building the same file at once.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def _key(n_models: int, seed: int, max_fanout: int | None) -> str:
    return f"hub-{n_models}-s{seed}-f{max_fanout if max_fanout is not None else 'none'}"


@contextmanager
def _locked(name: str) -> Iterator[None]:
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / f".{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def hub_dump(n_models: int = 2_500_000, seed: int = 7, max_fanout: int | None = 150_000) -> Path:
    """The JSONL dump of a generated ecosystem (built once per argument set)."""
    from openscope.simhub.generator import write_dump

    path = OUT / f"{_key(n_models, seed, max_fanout)}.jsonl"
    if path.exists():
        return path
    with _locked(path.name):
        if not path.exists():
            write_dump(path, models=n_models, seed=seed, max_fanout=max_fanout)  # writes .part, renames
    return path


def hub_store(n_models: int = 2_500_000, seed: int = 7, max_fanout: int | None = 150_000) -> Path:
    """A DuckDB store made by ``openscope ingest --no-derive`` from :func:`hub_dump` (built once)."""
    path = OUT / f"{_key(n_models, seed, max_fanout)}.duckdb"
    if path.exists():
        return path
    dump = hub_dump(n_models, seed, max_fanout)
    with _locked(path.name):
        if path.exists():
            return path
        tmp = path.with_name(path.name + ".building")
        for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
            if stale.exists():
                stale.unlink()
        proc = subprocess.run(
            [sys.executable, "-m", "openscope.cli", "--db", str(tmp), "--quiet", "ingest", str(dump), "--no-derive"],
            capture_output=True, text=True, env=dict(os.environ),
        )
        if proc.returncode != 0:
            raise RuntimeError(f"ingest of {dump} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
        wal = tmp.with_name(tmp.name + ".wal")
        if wal.exists():
            wal.replace(path.with_name(path.name + ".wal"))
        tmp.replace(path)
    return path
