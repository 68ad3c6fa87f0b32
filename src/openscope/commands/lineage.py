"""`openscope lineage ID [--up|--down]`: who a model is built on, or what is built on it."""

from __future__ import annotations

from typing import Any

import typer

from openscope.commands._common import (
    capped,
    escaped,
    hanging,
    open_for_read,
    out_console,
    print_json,
    settings,
    with_folder_hint,
)
from openscope.commands.status import derive_behind, warn_if_behind
from openscope.derive.lineage.queries import (
    RELATIONS,
    derivatives_by_root_country,
    direct_children,
    tree,
)
from openscope.errors import MissingInput, UsageError


def _fmt_num(n: int | None) -> str:
    return "?" if n is None else f"{n:,}"


def _label(n: dict[str, Any], direction: str = "down") -> str:
    bits = [f"[bold]{n['id']}[/bold]"]
    if n["relation"]:
        bits.append(f"[cyan]{n['relation']}{' of' if direction == 'up' else ''}[/cyan]")
    origin = n["publisher_name"] or n["publisher"]
    place = "/".join(x for x in (n["country"], n["region"]) if x) or "origin unknown"
    bits.append(f"{origin} ({place})" if origin else place)
    bits.append(f"created {n['created_at']:%Y-%m-%d}" if n["created_at"] else "created unknown")
    if n.get("deleted_at"):  # its records stay in the store; the Hub no longer has it
        bits.append(f"[dim]deleted from the Hub {n['deleted_at']:%Y-%m-%d}[/dim] · last read "
                    f"{_fmt_num(n['downloads_30d'])} dl/30d")
    else:
        bits.append(f"{_fmt_num(n['downloads_30d'])} dl/30d" if n["in_store"] else "[dim]not in store[/dim]")
    return " · ".join(bits)


def _render(doc: dict[str, Any], root_countries: dict[str, str | None] | None = None, filters: str = "",
            children: int = 0, deleted: set[str] | frozenset[str] = frozenset()) -> None:
    """The tree, the summary and the closing line. ``filters`` names the options that cut the walk
    (``--depth 0``, ``--relation adapter``; empty when none did) and ``children`` counts the models built
    on the model directly: when the filters leave nothing to show, the answer says that they did, rather
    than "no model in the store is built on it" or "it is a root itself" of a model that has both."""
    from rich.table import Table  # the text view's only (``--json`` starts without them)
    from rich.text import Text
    from rich.tree import Tree

    con = out_console()
    nodes = doc["nodes"]
    by_id = {n["id"]: n for n in nodes}
    arrow = "built on" if doc["direction"] == "up" else "derivatives of"
    # the root's line wraps under itself, not at column 1 where its continuation read as another node
    root = Tree(hanging(con, Text(), Text.from_markup(_label(nodes[0], doc["direction"])), indent=2),
                guide_style="dim")
    branches = {nodes[0]["id"]: root}
    drawn_under = {n["id"]: n["via"] for n in nodes[1:]}
    for n in nodes[1:]:
        parent = branches.get(n["via"]) if n["via"] in by_id else None
        label = _label(n, doc["direction"])
        if parent is None:
            parent = root
            label += f" [dim](via {n['via']})[/dim]"
        if doc["direction"] == "up":
            # a base shared by two of the ancestors is drawn once, under one of them: the other must not read
            # as a model without a base (a merge of two finetunes of one model showed one finetune bare)
            for e in doc["edges"]:
                if (e["chosen"] and e["child"] == n["id"] and e["parent"] in drawn_under
                        and drawn_under[e["parent"]] != n["id"]):
                    label += f" [dim](also built on {e['parent']}, shown under {drawn_under[e['parent']]})[/dim]"
        branches[n["id"]] = parent.add(label)
    con.print(f"[dim]{arrow}:[/dim]")
    con.print(root)
    sm = doc["summary"]
    kind = "ancestor" if doc["direction"] == "up" else "descendant"
    if doc["truncated"]:
        con.print(f"[dim]showing the {_plural(len(nodes) - 1, 'most-downloaded')} of "
                  f"{_plural(sm['total'], kind)} (raise --limit to see more)[/dim]")
    if sm["total"]:
        t = Table(title=_plural(sm["total"], kind), show_header=True, box=None)
        t.add_column("by relation")
        t.add_column("by depth")
        t.add_column("publisher country")  # each node's own publisher, not its root's
        t.add_column("publisher region")
        cols = [list(sm[k].items()) for k in ("by_relation", "by_depth", "by_country", "by_region")]
        for i in range(max(len(c) for c in cols)):
            t.add_row(*[f"{c[i][0]}: {c[i][1]:,}" if i < len(c) else "" for c in cols])
        con.print(t)
        if doc["direction"] == "down":
            if sm["total"] == 1:
                con.print(f"its downloads in the last 30 days: {sm['downloads_30d']:,}")
            else:
                con.print(f"downloads in the last 30 days, all {_plural(sm['total'], kind)} together: "
                          f"{sm['downloads_30d']:,}")
    elif doc["direction"] == "down":
        if filters and children:
            which = "it" if " and " not in filters else "them"
            con.print(f"no descendant with {filters} ({_plural(children, 'model')} built on it directly; "
                      f"without {which} they are shown)")
        else:
            con.print("no model in the store is built on it")
    elif sm.get("roots") == [nodes[0]["id"]] and nodes[0].get("deleted_at"):
        # its records stay, and lineage reads them as last read: it declared no base then
        con.print("deleted from the Hub (a full crawl no longer saw it): it declared no base when it was last "
                  "read, so it is a root itself")
    elif sm.get("roots") == [nodes[0]["id"]] and not nodes[0]["in_store"]:
        # an external base: declared by stored models, never read itself, so whether it has a base is unknown
        con.print("not in the store (a base that stored models declare): its own bases are unknown")
    elif sm.get("roots") == [nodes[0]["id"]]:
        con.print("no declared base: it is a root itself")
    elif filters:
        con.print(f"no ancestor with {filters}")
    if doc["direction"] == "up" and sm.get("roots"):
        con.print(_roots_line(sm["roots"], root_countries or {}, deleted))
    elif doc["direction"] == "up":  # every way up ends in a loop: no root, so no root country either
        con.print("roots: none (it is on, or built on, a cycle that no outside root reaches; see lineage_cycles); "
                  "root country: unknown")


def _plural(n: int, word: str) -> str:
    """'1 ancestor', '2 ancestors'; 'the 1 most-downloaded' reads the same for both."""
    if word == "most-downloaded":
        return f"{n:,} most-downloaded"
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _roots_line(roots: list[str], country: dict[str, str | None],
                deleted: set[str] | frozenset[str] = frozenset()) -> str:
    """The roots with their publishers' countries, and the model's root country as shares count it. A root in
    ``deleted`` (gone from the Hub) says so: what builds on it was built on a model the Hub no longer has.

    The rule of ``lineage_origin``: one country when every root's is known and the same; ``multiple``
    when they differ (a root of unknown origin counts as a different origin); unknown when none is known.
    """
    countries = [country.get(r) for r in roots]
    shown = ", ".join(f"{r} ({c or 'origin unknown'}{'; deleted from the Hub' if r in deleted else ''})"
                      for r, c in zip(roots, countries, strict=True))
    known = sorted({c for c in countries if c})
    if not known:
        verdict = "unknown"
    elif len(known) == 1 and all(countries):
        verdict = known[0]
    else:
        verdict = "multiple (" + ", ".join(known + (["unknown"] if not all(countries) else [])) + ")"
    return f"roots: {shown}; root country: {verdict}"


def _render_by_root(rows: list[dict[str, Any]], level: str, since: str | None, stale: str | None = None) -> None:
    """The shares table, with a note on what `multiple` and `unknown` mean (for readers new to it).

    ``stale`` says how lineage is behind the store (never derived, or for an older snapshot): then no row
    means nothing about the newest models (after ``ingest --no-derive`` it said "no model with a declared base" of
    models declaring one)."""
    from rich.table import Table

    con = out_console()
    scope = f" created since {since}" if since else ""
    if not rows and stale:
        con.print(f"no derivatives{scope} known: {stale} (the next crawl or ingest that derives finds them)")
        return
    if not rows and since:  # derivatives there may be: none is known to be this recent
        con.print(f"no derivative in the store was created on or after {since} (one whose creation date is "
                  "unknown is left out)")
        return
    if not rows:
        con.print("no derivatives in the store (no model with a declared base)")
        return
    t = Table(title=f"derivatives{scope} by root {level}", box=None)
    t.add_column(f"root {level}")
    t.add_column("derivatives", justify="right")
    t.add_column("share", justify="right")
    t.add_column("downloads 30 d", justify="right")
    t.add_column("share", justify="right")
    for r in rows:
        t.add_row(escaped(r[level]), f"{r['derivatives']:,}", f"{100 * r['share']:.1f}%",
                  f"{r['downloads_30d']:,}", f"{100 * r['download_share']:.1f}%")
    t.add_row("total", f"{sum(r['derivatives'] for r in rows):,}", "100%",
              f"{sum(r['downloads_30d'] for r in rows):,}", "100%" if any(r["downloads_30d"] for r in rows) else "")
    con.print(t)
    levels = "countries" if level == "country" else "regions"
    # ATOM's buckets: "eu" holds GB and CH too, and a reader of a share must not take it for EU membership
    europe = (" eu: ATOM's Europe-facing bucket (GB and CH too), not EU membership."
              if level == "region" and any(r[level] == "eu" for r in rows) else "")
    con.print(f"[dim]Each derivative counts once. multiple: its roots are in several {levels} (or one root's "
              f"is unknown); unknown: no root's {level} is known.{europe}[/dim]")


def register(app: typer.Typer) -> None:
    @app.command("lineage")
    def lineage(
        ctx: typer.Context,
        model_id: str | None = typer.Argument(None, metavar="ID", help="Model id (case-insensitive) or external base."),
        up: bool = typer.Option(False, "--up", help="Ancestors: what the model is built on (default)."),
        down: bool = typer.Option(False, "--down", help="Descendants: what is built on the model."),
        depth: int | None = typer.Option(None, "--depth", metavar="N", help="Follow at most N levels."),
        relation: str | None = typer.Option(None, "--relation", metavar="RELATION",
                                     help=f"Follow only edges of this relation ({', '.join(RELATIONS)})."),
        limit: int = typer.Option(25, "--limit", metavar="N", help="Show at most N nodes; the summary counts all of them."),
        countries: bool = typer.Option(False, "--by-root-country",
                                       help="Instead of one model: derivatives by the country of their roots."),
        region: bool = typer.Option(False, "--region", help="With --by-root-country: by region instead."),
        since: str | None = typer.Option(None, "--since", metavar="DATE",
                                  help="With --by-root-country: only derivatives created on or after DATE."),
    ) -> None:
        """Show a model's lineage tree with relation, publisher, country/region, date and downloads."""
        s = settings(ctx)
        if up and down:
            raise UsageError("choose one of --up and --down")
        if since is not None and not countries:
            raise UsageError("--since goes with --by-root-country")
        if since is not None and not since.strip():  # an empty value was read as no --since at all
            raise UsageError("--since is empty; give a date (YYYY-MM-DD)")
        if region and not countries:
            raise UsageError("--region goes with --by-root-country")
        if countries:
            # --limit too, when given (it has a default): `--by-root-country --limit 5` printed every country, silently
            limit_given = getattr(ctx.get_parameter_source("limit"), "name", "DEFAULT") != "DEFAULT"
            clash = [o for o, given in (("ID", model_id), ("--up", up), ("--down", down), ("--depth", depth is not None),
                                        ("--relation", relation is not None), ("--limit", limit_given)) if given]
            if clash:
                raise UsageError(f"--by-root-country counts every derivative in the store: it takes no "
                                 f"{' or '.join(clash)}")
            level = "region" if region else "country"
            with open_for_read(s) as store:
                warn_if_behind(s, store, "lineage")
                rows = derivatives_by_root_country(store, level=level, since=since)
                behind = derive_behind(store) if not rows else None
                stale = None
                if behind and "lineage" in behind["steps"]:
                    last = behind["steps"]["lineage"]
                    stale = (f"lineage was last derived for snapshot #{last}, before the newest, "
                             f"#{behind['snapshot_id']}" if last is not None
                             else "lineage was never derived for this store")
            if s.json:
                print_json({"level": level, "total": sum(r["derivatives"] for r in rows),
                            "downloads_30d": sum(r["downloads_30d"] for r in rows), "since": since,
                            "rows": rows})
                return
            _render_by_root(rows, level, since, stale)
            return
        if relation is not None:  # matched as ids are, whatever the case (`--relation FineTune`)
            relation = relation.lower()
        if model_id is not None and not model_id.strip():  # as `license` and `assess` answer a blank argument
            raise UsageError("the model id is blank; give one (or use --by-root-country)")
        if not model_id:
            raise UsageError("missing ID (or use --by-root-country)")
        with open_for_read(s) as store:
            warn_if_behind(s, store, "lineage")
            # the text view draws the tree from its nodes (each with its relation and `via`): the edges
            # between the nodes shown, with their evidence and declared spellings, are for --json, and for
            # --up (a few nodes) to name a base drawn under another of the ancestors
            try:
                doc = tree(store, model_id, direction="down" if down else "up", max_depth=capped(depth),
                           relation=relation, limit=capped(limit) or limit, edges=s.json or not down)
            except MissingInput as exc:
                raise with_folder_hint(exc, model_id) from None
            # the roots may lie beyond the nodes shown (--limit): the summary places each of them (--up)
            placed = doc["summary"].get("root_origins") or []
            countries = {r["id"]: r["country"] for r in placed}
            gone = {r["id"] for r in placed if r["deleted"]}
            filters = " and ".join(f for f in (f"--depth {depth}" if depth is not None else "",
                                               f"--relation {relation}" if relation is not None else "") if f)
            children = (direct_children(store, doc["id"])
                        if filters and not s.json and down and not doc["summary"]["total"] else 0)
        if s.json:
            print_json(doc)
        else:
            _render(escaped(doc), escaped(countries), escaped(filters), children, set(escaped(sorted(gone))))
