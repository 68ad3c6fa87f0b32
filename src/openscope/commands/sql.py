"""`openscope sql QUERY`: read-only SQL over the store, for analysts (tables and views of the contract)."""

from __future__ import annotations

import duckdb
import typer
from rich.table import Table

from openscope.commands._common import escaped, open_for_read, out_console, print_json, settings
from openscope.errors import InvalidInput, UsageError

# Statements that only read. The store is opened read-only, so nothing else could change it anyway; the
# list also keeps `sql` from writing elsewhere (COPY … TO, EXPORT DATABASE, ATTACH … then write), from
# installing extensions over the network and from changing settings. MULTI is what PIVOT parses into.
_READ_ONLY = {"SELECT", "EXPLAIN", "MULTI"}


def _check_read_only(con: duckdb.DuckDBPyConnection, query: str) -> None:
    """Refuse, before anything runs, a query with any statement that is not a read (exit 65)."""
    try:
        stmts = con.extract_statements(query)
    except duckdb.Error as exc:
        raise InvalidInput(f"query failed: {str(exc).splitlines()[0]}")
    if not stmts:
        raise UsageError("the query is empty; give a SELECT")
    for st in stmts:
        if st.type.name not in _READ_ONLY:
            raise InvalidInput(f"query failed: sql is read-only, a {st.type.name} statement is refused "
                               "(use SELECT, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN)")


def _unique(cols: list[str]) -> list[str]:
    """Column names made unique (`a`, `a_1`, …) so that no value is lost in the JSON rows' objects."""
    taken: set[str] = set()
    out: list[str] = []
    for c in cols:
        name, n = c, 0
        while name in taken:
            n += 1
            name = f"{c}_{n}"
        taken.add(name)
        out.append(name)
    return out


def register(app: typer.Typer) -> None:
    @app.command("sql")
    def sql(
        ctx: typer.Context,
        query: str = typer.Argument(..., help="A SELECT over the store's tables and views."),
        limit: int = typer.Option(1000, "--limit", help="Rows shown at most (0 = all)."),
    ) -> None:
        """Run a read-only query; --json prints {columns, rows}."""
        s = settings(ctx)
        if limit < 0:
            raise UsageError("--limit must be 0 (all) or more")
        with open_for_read(s) as store:
            _check_read_only(store.con, query)
            try:
                store.con.execute("SET autoinstall_known_extensions = false")  # no downloads from a query
                cur = store.con.execute(query)
                cols = _unique([d[0] for d in cur.description or []])
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
