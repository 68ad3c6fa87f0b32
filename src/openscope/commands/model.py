"""`openscope model ID`: one screen about a model (metadata, counters, lineage, origin, licences)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from rich.table import Table

from openscope.commands._common import (
    escaped,
    open_for_read,
    out_console,
    print_json,
    settings,
    with_folder_hint,
)
from openscope.commands._license_words import (
    base_duties,
    cell,
    class_meaning,
    conflict_meaning,
    deleted_words,
    duties_in_words,
    licence_rows,
    no_base_duties,
    yn,
)
from openscope.commands.status import warn_if_behind
from openscope.derive.lineage.queries import overview
from openscope.errors import MissingInput, UsageError


def _v(x: Any) -> str:
    if x is None:
        return "unknown"
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{x:,}"
    if isinstance(x, datetime):
        return f"{x:%Y-%m-%d %H:%M:%S}"
    return str(x)


def _gone(node: dict[str, Any]) -> str:
    """'; deleted from the Hub' for a parent or root a full crawl found gone: lineage reads it as it was last
    read, and a reader must know that the Hub no longer has it."""
    return "; deleted from the Hub" if node.get("deleted") else ""


def _history(history: list[dict[str, Any]]) -> Table:
    """Counters per snapshot in which they were read: adoption over time, one dated row each."""
    t = Table(title="counters by snapshot", box=None, title_justify="left")
    t.add_column("snapshot", justify="right")
    t.add_column("read at")
    t.add_column("downloads 30 d", justify="right")
    t.add_column("all time", justify="right")
    t.add_column("likes", justify="right")
    for h in history:
        t.add_row(f"#{h['snapshot_id']}", f"{h['read_at']:%Y-%m-%d %H:%M}" if h["read_at"] else "unknown",
                  _v(h["downloads_30d"]), _v(h["downloads_all_time"]), _v(h["likes"]))
    return t


def _licence_part(t: Table, lic: dict[str, Any]) -> None:
    """The licence rows in the words `openscope license ID` uses (one shared module, `_license_words`):
    each class and duty said in words beside its id, what each base passes down, and what a conflict
    means for whoever uses the model. Cells are `Text`, so ids and reasons print as themselves."""
    rows = [(k, v) for k, v in licence_rows(lic) if k != "declared"]  # the declared licence is shown above
    for key, value in rows:
        t.add_row(cell(f"licence {key}" if key in ("class", "evidence") else key), cell(value))
    for fd in lic.get("flow_down") or []:
        gone = deleted_words(fd)
        t.add_row(cell("  from base"), cell(f"{fd.get('base')} (distance {yn(fd.get('distance'))}"
                                           + (f"; {gone}" if gone else "") + "): "
                                           f"{yn(fd.get('license'))}, {class_meaning(fd.get('class'))}"))
        duties = base_duties(lic, fd)
        if duties is None:
            words = "the same as this model's"
        elif not fd.get("duties"):  # unknown, or dropped, not a bare "none" (`no_base_duties`)
            words = no_base_duties(fd)
            if words == "none" and fd.get("licensor"):
                # a base its licensor relicensed binds nothing: `license` says so in its conflict column, and a bare
                # "none" here read as an error beside another base under the same licence with four duties
                words = f"none: {fd['licensor']['reason']}"
        else:
            words = duties_in_words(fd.get("duties"), fd.get("license"))
        t.add_row(cell("    its duties"), cell(words))
    for cf in lic.get("conflicts") or []:
        t.add_row(cell("  conflict"), cell(f"{cf.get('base')}: {cf.get('reason')}"))
    meaning = conflict_meaning(lic)
    if meaning:
        t.add_row(cell("what this means"), cell(meaning))


def _render(doc: dict[str, Any], raw_licenses: dict[str, Any] | None, unknown_roots: list[str] | None = None) -> None:
    """``doc`` is markup-escaped (`escaped`); ``raw_licenses`` is the original licence part, shown as
    `Text` cells by the shared licence wording. ``unknown_roots``: the roots whose publisher's country is not
    known, named where they make the model ``multiple`` (``root countries  US`` alone read as one country)."""
    con = out_console()
    md, c, lin = doc["metadata"], doc["counters"], doc["lineage"]
    t = Table(title=doc["id"], show_header=False, box=None, title_justify="left")
    t.add_column(style="dim")
    t.add_column()
    created = md["created_at"] or (f"unknown (Hub placeholder {md['created_at_raw']})" if md["created_at_raw"]
                                   else None)
    for k, v in (("author", md["author"]), ("created", created), ("last modified", md["last_modified"]),
                 ("pipeline", md["pipeline_tag"]), ("library", md["library_name"]), ("gated", md["gated"]),
                 ("licence (declared)", md["license"]), ("parameters", md["params"])):
        t.add_row(k, _v(v))
    if md["synthetic"]:
        t.add_row("synthetic", "yes (from a simulated Hub)")
    t.add_row("downloads (30 d)", _v(c["downloads_30d"]))
    t.add_row("downloads (all time)", _v(c["downloads_all_time"]))
    t.add_row("likes", _v(c["likes"]))
    pub = doc["publisher"]
    if pub:
        where = "/".join(x for x in (pub["country"], pub["region"]) if x) or "origin unknown"
        alias = f", legacy namespace of {pub['alias_of']}" if pub["alias_of"] else ""
        t.add_row("publisher", f"{pub['name'] or pub['org']} ({where}{alias})")
    else:
        t.add_row("publisher", "not in the curated publishers table (origin unknown)")
    if lin["parents"]:
        t.add_row("built on", ", ".join(f"{p['id']} ({p['relation']}, {p['evidence']}{_gone(p)})"
                                        for p in lin["parents"]))
    if lin["cycle_id"] is not None:
        t.add_row("lineage", f"on cycle #{lin['cycle_id']} with no outside root")
    elif [(r["id"], r["depth"]) for r in lin["roots"]] == [(doc["id"], 0)]:
        t.add_row("roots", "itself (no declared base)")
    elif lin["roots"]:
        t.add_row("roots", ", ".join(f"{r['id']} (depth {r['depth']}{_gone(r)})" for r in lin["roots"]))
    elif lin["parents"]:  # below a rootless cycle: every way up ends in the loop (lineage keeps no row)
        t.add_row("roots", "none: it is built on a cycle that no outside root reaches")
    countries = ", ".join(doc["root_countries"]) or "unknown"
    if doc.get("root_country") == "multiple":
        if unknown_roots:
            countries += f", and unknown for {', '.join(unknown_roots)}"
        countries += " (counted as 'multiple' in shares by root country)"
    t.add_row("root countries", countries)
    if lin["children_by_relation"]:
        t.add_row("direct derivatives", ", ".join(f"{k}: {v:,}" for k, v in lin["children_by_relation"].items()))
    desc = lin.get("descendants") or {}
    if desc.get("total"):
        t.add_row("all descendants", f"{desc['total']:,}, with {desc['downloads_30d']:,} downloads in 30 d")
    if raw_licenses is not None:
        _licence_part(t, raw_licenses)
    con.print(t)
    if len(c["history"]) > 1:
        con.print(_history(c["history"]))


def register(app: typer.Typer) -> None:
    @app.command("model")
    def model(
        ctx: typer.Context,
        model_id: str = typer.Argument(..., metavar="ID", help="Model id (matched case-insensitively)."),
    ) -> None:
        """One screen about a model: metadata, counters and history, lineage, publisher, root countries, licences."""
        s = settings(ctx)
        if not model_id.strip():  # a usage error, as `license` and `assess` answer a blank argument
            raise UsageError("the model id is blank; give one")
        with open_for_read(s) as store:
            warn_if_behind(s, store, "lineage", "licenses")
            try:
                doc = overview(store, model_id)
            except MissingInput as exc:
                raise with_folder_hint(exc, model_id) from None
            # the roots of unknown origin behind `multiple`: each root carries its publisher's country
            unknown = ([r["id"] for r in doc["lineage"]["roots"] if r["country"] is None]
                       if doc["root_country"] == "multiple" else [])
        if s.json:
            print_json(doc)
        else:
            _render(escaped(doc), doc["licenses"], escaped(sorted(unknown)))
