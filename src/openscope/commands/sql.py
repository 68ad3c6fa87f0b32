"""`openscope sql QUERY`: read-only SQL over the store, for analysts (tables and views of the contract)."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import typer
from rich.cells import cell_len
from rich.table import Table

from openscope.commands._common import capped, escaped, open_for_read, out_console, print_json, settings, warn
from openscope.commands.status import warn_if_behind
from openscope.errors import InvalidInput, UsageError

# Statements that only read. The store is opened read-only, so nothing else could change it anyway; the
# list also keeps `sql` from writing elsewhere (COPY … TO, EXPORT DATABASE, ATTACH … then write), from
# installing extensions over the network and from changing settings. MULTI is what PIVOT parses into.
_READ_ONLY = {"SELECT", "EXPLAIN", "MULTI"}


def _check_read_only(con: duckdb.DuckDBPyConnection, query: str) -> None:
    """Refuse, before anything runs, a query with any statement that is not a read, or with more than one
    statement (exit 65)."""
    try:
        stmts = con.extract_statements(query)
    except duckdb.Error as exc:
        raise InvalidInput(f"query failed: {str(exc).splitlines()[0]}")
    if not stmts:
        raise UsageError("the query is empty; give a SELECT")
    for st in stmts:
        if st.type.name not in _READ_ONLY:
            kind = st.type.name
            article = "an" if kind[:1] in "AEIOU" else "a"  # "an INSERT statement", "a DROP statement"
            raise InvalidInput(f"query failed: sql is read-only, {article} {kind} statement is refused "
                               "(use SELECT, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN)")
    if len(stmts) > 1:
        # Why: DuckDB runs them all and gives back the last result only, so `SELECT a; SELECT b` printed b's
        # rows alone, with no sign that a's were dropped (and --json has room for one result).
        raise InvalidInput(f"query failed: sql runs one statement at a time; the query has {len(stmts)} "
                           "(run each with its own `openscope sql`)")


# The tables and views each derive step writes (docs/store.md): a query over them after a derive that was killed, or
# skipped with --no-derive, reads an older store's facts (or none), and `lineage`, `model` and `license` say so.
_DERIVED = {
    "lineage": ("edges", "lineage", "lineage_paths", "lineage_origin", "lineage_cycles", "lineage_respelled",
                "lineage_state", "model_origin", "publishers", "publisher_sources", "model_publishers"),
    "licenses": ("licenses", "license_flow", "license_catalogue", "dataset_licenses"),
    "openness": ("openness", "openness_history"),
}


def _steps_read(con: duckdb.DuckDBPyConnection, query: str) -> list[str]:
    """The derive steps whose tables ``query`` reads (by DuckDB's own parse of it, so a word in a string or a
    column name is no table); none when it cannot be parsed so (a table function), which a warning never blocks."""
    try:
        names = {n.lower().rsplit(".", 1)[-1] for n in con.get_table_names(query)}
    except duckdb.Error:
        return []
    return [step for step, tables in _DERIVED.items() if names & set(tables)]


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
        query: str = typer.Argument(..., metavar="QUERY", help="A SELECT over the store's tables and views."),
        limit: int = typer.Option(1000, "--limit", metavar="N", help="Rows shown at most (0 = all)."),
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
                rows = cur.fetchmany((capped(limit) or 0) + 1) if limit else cur.fetchall()
            except duckdb.Error as exc:
                raise InvalidInput(f"query failed: {str(exc).splitlines()[0]}")
            steps = _steps_read(store.con, query)
            if steps:
                # Why: after a killed derive `sql "… FROM openness …"` answered 0 rows (or the older snapshot's
                # grades) with no word, where `status` said the table was behind
                warn_if_behind(s, store, *steps)
        cut = bool(limit) and len(rows) > limit
        rows = rows[:limit] if cut else rows
        if s.json:
            print_json({"columns": cols, "rows": [dict(zip(cols, r, strict=True)) for r in rows]})
        else:
            numeric = [bool(rows) and all(isinstance(r[i], (int, float, Decimal)) and not isinstance(r[i], bool)
                                          for r in rows if r[i] is not None) for i in range(len(cols))]
            _render(cols, [["" if v is None else str(v) for v in r] for r in rows], numeric)
        if cut:
            # Why: an analyst who counts or exports a result got the first 1,000 rows with no sign that there
            # were more (also with --json); the cut is said on stderr, and how to see it all. Said after the rows,
            # where a reader of a long output looks last (and an output stopped by Ctrl-C ends with that alone).
            warn(s, f"showing the first {limit:,} rows; the query has more (--limit N shows N, --limit 0 all)")


def _natural_width(cols: list[str], rows: list[list[str]]) -> int:
    """Width of the boxed table with no cell cut: each column's widest line, its padding and borders."""
    widths = [cell_len(c) for c in cols]
    for r in rows:
        for i, v in enumerate(r):
            widths[i] = max(widths[i], max((cell_len(line) for line in v.splitlines()), default=0))
    return sum(widths) + 3 * len(widths) + 1


def _render(cols: list[str], rows: list[list[str]], numeric: list[bool]) -> None:
    """A table when it fits the terminal; else one block per row, column name then value.

    Why: squeezed into 80 columns a wide result cuts every cell to `…` (a query over `snapshots` showed
    nineteen columns one character wide), and an analyst could read nothing. Like psql's expanded display,
    a result too wide for the terminal is printed record by record, every value whole (long ones wrap).
    """
    con = out_console()
    if _natural_width(cols, rows) <= con.width:
        t = Table()
        for c, num in zip(escaped(cols), numeric, strict=True):
            t.add_column(c, justify="right" if num else "left")  # numbers line up by their last digit
        for r in rows:
            t.add_row(*escaped(r))
        con.print(t)
        return
    if not rows:
        con.print(f"no rows (columns: {escaped(', '.join(cols))})")
        return
    for n, r in enumerate(rows, 1):
        con.print(f"[dim]-[ row {n} ]" + "-" * max(0, min(con.width, 40) - 10 - len(str(n))) + "[/dim]")
        g = Table.grid(padding=(0, 2))
        g.add_column(style="bold", no_wrap=True)
        g.add_column(overflow="fold")
        for c, v in zip(cols, r, strict=True):
            g.add_row(escaped(c), escaped(v))
        con.print(g)
