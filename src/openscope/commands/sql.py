"""`openscope sql QUERY`: read-only SQL over the store, for analysts (tables and views of the contract)."""

from __future__ import annotations

import duckdb
import typer
from rich.table import Table

from openscope.commands._common import escaped, open_for_read, out_console, print_json, settings
from openscope.errors import InvalidInput


def register(app: typer.Typer) -> None:
    @app.command("sql")
    def sql(
        ctx: typer.Context,
        query: str = typer.Argument(..., help="A SELECT over the store's tables and views."),
        limit: int = typer.Option(1000, "--limit", help="Rows shown at most (0 = all)."),
    ) -> None:
        """Run a read-only query; --json prints {columns, rows}."""
        s = settings(ctx)
        with open_for_read(s) as store:
            try:
                cur = store.con.execute(query)
                cols = [d[0] for d in cur.description or []]
                rows = cur.fetchmany(limit) if limit else cur.fetchall()
            except duckdb.Error as exc:
                raise InvalidInput(f"query failed: {str(exc).splitlines()[0]}")
        if s.json:
            print_json({"columns": cols, "rows": [dict(zip(cols, r, strict=True)) for r in rows]})
            return
        t = Table(*escaped(cols))
        for r in rows:
            t.add_row(*["" if v is None else escaped(str(v)) for v in r])
        out_console().print(t)
