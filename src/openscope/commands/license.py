"""`openscope license ID|LICENSE`: a model's licence and what flows down to it, or a licence's terms.

Why one command for both: users paste whatever they have, a model id or the licence string from a card.
A licence lookup needs no store; a model lookup opens the store read-only (never creating one).
Resolution order: an id containing "/" is tried as a model first; anything else as a licence first
(so `mit` is the MIT licence, not a legacy model named `mit`), then the other way round.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from openscope.commands._common import Settings, escaped, open_for_read, out_console, print_json, settings
from openscope.derive.licenses import LicenseInfo, get_license, model_licenses, normalize_license, suggest
from openscope.errors import MissingInput, OpenscopeError, UsageError


def _yn(v: Any) -> str:
    if v is None:
        return "unknown"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _licence_for(raw: str) -> LicenseInfo | None:
    info = get_license(raw)
    if info is not None:
        return info
    m = normalize_license(raw, kind="card_name")
    return get_license(m.id) if m.id and m.id != "unknown" else None


def _find_model(s: Settings, raw: str) -> tuple[Any, str] | None:
    """(open store, stored id) or None when there is no store or no such model."""
    if not s.db.exists():
        return None
    from openscope.store.lookup import find_id

    store = open_for_read(s)
    found = find_id(store, raw)
    if found is None:
        store.close()
        return None
    return store, found


def _not_found(s: Settings, raw: str) -> OpenscopeError:
    hints = suggest(raw)
    if s.db.exists():
        from openscope.store.lookup import suggestions

        with open_for_read(s) as store:
            hints += [h for h in suggestions(store, raw) if h not in hints]
    tail = f"; did you mean {', '.join(hints[:5])}?" if hints else ""
    where = f" and no model with that id in {s.db}" if s.db.exists() else f" (and no store at {s.db} to look up models)"
    return MissingInput(f"unknown licence or model '{raw}'{where}{tail}")


def _render_licence(info: LicenseInfo) -> None:
    con = out_console()
    t = Table(title=f"{info.name} ({info.id})", show_header=False, box=None, title_justify="left")
    t.add_column(style="dim")
    t.add_column()
    for k, v in (("class", info.cls), ("SPDX", info.spdx), ("OSI approved", info.osi_approved),
                 ("FSF libre", info.fsf_libre), ("commercial use", info.commercial_use),
                 ("use restrictions", info.use_restrictions),
                 ("user cap (MAU)", info.user_cap if info.user_cap is not None else ("none" if info.known else None)),
                 ("derivatives same terms", info.same_terms), ("derivatives allowed", info.derivatives_allowed),
                 ("duties", ", ".join(info.duties) or "none"), ("Hub ids", ", ".join(info.hub_ids) or "none"),
                 ("text", info.url)):
        t.add_row(k, _yn(v))
    if info.notes:
        t.add_row("note", info.notes)
    con.print(t)
    if info.clauses:
        c = Table(title="where each attribute comes from", title_justify="left")
        c.add_column("attribute")
        c.add_column("clause")
        c.add_column("source")
        c.add_column("verified")
        for cl in info.clauses:
            c.add_row(cl.attribute, cl.text, cl.url, "yes" if cl.verified else "no (unchecked)")
        con.print(c)


def _render_model(doc: dict[str, Any]) -> None:
    con = out_console()
    t = Table(title=doc["id"], show_header=False, box=None, title_justify="left")
    t.add_column(style="dim")
    t.add_column()
    t.add_row("declared", _yn(doc["declared"]))
    t.add_row("licence", _yn(doc["license"]) + (f"  ({doc['reason']})" if doc.get("reason") else ""))
    t.add_row("class", _yn(doc["class"]))
    t.add_row("with its bases", _yn(doc.get("effective_class")))
    t.add_row("commercial use", _yn(doc.get("commercial_use")))
    t.add_row("use restrictions", _yn(doc.get("use_restrictions")))
    t.add_row("duties", ", ".join(doc["duties"]) or "none")
    t.add_row("evidence", f"{_yn(doc.get('evidence'))} (confidence {_yn(doc.get('confidence'))})")
    con.print(t)
    if doc["flow_down"]:
        f = Table(title="flow-down from its bases", title_justify="left")
        for col in ("base", "distance", "licence", "class", "duties", "conflict"):
            f.add_column(col)
        for row in doc["flow_down"]:
            conflict = {True: "CONFLICT", False: "ok", None: "unknown"}[row["conflict"]]
            f.add_row(row["base"], str(row["distance"]), _yn(row["license"]), _yn(row["class"]),
                      ", ".join(row["duties"]) or "-", conflict)
        con.print(f)
    else:
        con.print("no bases in the lineage (or lineage not derived yet)")
    for c in doc["conflicts"]:
        con.print(f"[bold red]conflict[/] with {c['base']}: {c['reason']}")


def register(app: typer.Typer) -> None:
    @app.command("license")
    def license_cmd(
        ctx: typer.Context,
        target: str = typer.Argument(..., metavar="ID|LICENSE",
                                     help="A model id in the store, or a licence id / Hub id / SPDX id / name."),
    ) -> None:
        """A model's licence, class, duties and flow-down from its bases; or a licence's terms with the
        clauses each comes from."""
        s = settings(ctx)
        raw = target.strip()
        if not raw:
            raise UsageError("give a licence or a model id (the argument is empty)")
        order = ("model", "licence") if "/" in raw else ("licence", "model")
        for what in order:
            if what == "licence":
                info = _licence_for(raw)
                if info is not None:
                    if s.json:
                        print_json(info.to_json())
                    else:
                        _render_licence(info)
                    return
            else:
                hit = _find_model(s, raw)
                if hit is not None:
                    store, model_id = hit
                    with store:
                        doc = model_licenses(store, model_id)
                    if s.json:
                        print_json(doc)
                    else:
                        _render_model(escaped(doc))
                    return
        raise _not_found(s, raw)
