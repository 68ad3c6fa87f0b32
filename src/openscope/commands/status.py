"""`openscope status`: what the store holds (the contract's `status` shape)."""

from __future__ import annotations

import typer
from rich.table import Table

from openscope.commands._common import escaped, open_for_read, out_console, print_json, settings
from openscope.store import Store


def status_doc(store: Store) -> dict:
    q = store.scalar
    last = store.con.execute(
        """SELECT snapshot_id, kind, source, started_at, finished_at, status, n_records
           FROM snapshots ORDER BY snapshot_id DESC LIMIT 1"""
    ).fetchone()
    keys = ["snapshot_id", "kind", "source", "started_at", "finished_at", "status", "n_records"]
    return {
        "db": str(store.path),
        "schema_version": store.schema_version(),
        "snapshots": q("SELECT count(*) FROM snapshots"),
        "models": q("SELECT count(*) FROM models WHERE deleted_at IS NULL"),
        "datasets": q("SELECT count(*) FROM datasets WHERE deleted_at IS NULL"),
        "rejects": q("SELECT count(*) FROM rejects"),
        "last_snapshot": dict(zip(keys, last, strict=True)) if last else None,
        "deleted_models": q("SELECT count(*) FROM models WHERE deleted_at IS NOT NULL"),
        "synthetic_models": q("SELECT count(*) FROM models WHERE synthetic"),
        "edges": q("SELECT count(*) FROM edges"),
        "cards": q("SELECT count(*) FROM cards"),
    }


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(ctx: typer.Context) -> None:
        """Summarise the store: counts, schema version and the last snapshot."""
        s = settings(ctx)
        with open_for_read(s) as store:
            doc = status_doc(store)
        if s.json:
            print_json(doc)
            return
        t = Table(title=f"openscope store {escaped(doc['db'])}", show_header=False, box=None)
        t.add_column(no_wrap=True)
        t.add_column(overflow="fold")  # a long source path wraps whole instead of ending in "…"
        for k in ("schema_version", "snapshots", "models", "datasets", "rejects", "edges", "cards"):
            t.add_row(k, f"{doc[k]:,}" if isinstance(doc[k], int) else str(doc[k]))
        if doc["synthetic_models"]:
            t.add_row("synthetic models", f"{doc['synthetic_models']:,} (from a simulated Hub)")
        last = doc["last_snapshot"]
        if last:
            t.add_row(
                "last snapshot",
                f"#{last['snapshot_id']} {last['kind']} {last['status']} · {last['n_records']:,} "
                f"record{'' if last['n_records'] == 1 else 's'} · "
                f"{escaped(last['source'])} · started {last['started_at']:%Y-%m-%d %H:%M:%S}",
            )
        out_console().print(t)
