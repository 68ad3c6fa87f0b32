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
from rich.text import Text

from openscope.commands._common import Settings, open_for_read, out_console, print_json, settings
from openscope.derive.licenses import LicenseInfo, get_license, model_licenses, normalize_license, suggest
from openscope.errors import MissingInput, OpenscopeError, UsageError
from openscope.text import visible


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


def _text(value: Any) -> Text:
    """A cell printed as itself: no rich markup, no ``:emoji:`` codes (``name_prefix:Llama:`` printed a
    llama), control characters escaped."""
    return Text(visible(str(value), keep_lines=True))


def _render_licence(info: LicenseInfo) -> None:
    """A licence's terms, then where each comes from: at 80 columns each clause is a block (attribute,
    quote, full source URL) instead of a four-column table that cut the URLs to "https://github.c…"."""
    con = out_console()
    t = Table(title=_text(f"{info.name} ({info.id})"), show_header=False, box=None, title_justify="left")
    t.add_column(style="dim", no_wrap=True)
    t.add_column(overflow="fold")
    for k, v in (("class", _meaning(info.cls)), ("SPDX", info.spdx), ("OSI approved", info.osi_approved),
                 ("FSF libre", info.fsf_libre), ("commercial use", info.commercial_use),
                 ("use restrictions", info.use_restrictions),
                 ("user cap (MAU)", info.user_cap if info.user_cap is not None else ("none" if info.known else None)),
                 ("derivatives same terms", info.same_terms), ("derivatives allowed", info.derivatives_allowed),
                 ("duties", "\n".join(duty_words(d) for d in info.duties) or "none"),
                 ("Hub ids", ", ".join(info.hub_ids) or "none"), ("text", info.url)):
        t.add_row(_text(k), _text(_yn(v)))
    if info.notes:
        t.add_row(_text("note"), _text(info.notes))
    con.print(t)
    if not info.clauses:
        return
    if con.width >= 120:
        c = Table(title="where each attribute comes from", title_justify="left")
        c.add_column("attribute", no_wrap=True)
        c.add_column("clause", ratio=3)
        c.add_column("source", ratio=2, overflow="fold")
        c.add_column("verified", no_wrap=True)
        for cl in info.clauses:
            c.add_row(_text(cl.attribute), _text(cl.text), _text(cl.url), _text("yes" if cl.verified else "no (unchecked)"))
        con.print(c)
        return
    con.print(Text("where each attribute comes from", style="bold"))
    for cl in info.clauses:
        head = Text(visible(cl.attribute), style="bold")
        head.append(" (verified)" if cl.verified else " (unchecked: from our knowledge of the licence, a lead)",
                    style="dim")
        con.print(head)
        con.print(_text(f"  \"{cl.text}\""))
        con.print(_text(f"  ↳ {cl.url}"), style="dim", overflow="fold")


# Plain words for the catalogue's vocabulary (docs/licenses.md, "Classes"), for readers who decide on
# adoption without reading licence ids; the ids themselves are shown too, as in --json.
CLASS_WORDS = {
    "permissive": "use, change and share for any purpose; keep the notices",
    "weak_copyleft": "changes to the work itself stay under the same licence",
    "copyleft": "anything built from it stays under the same licence",
    "use_restricted": "open access, with use restrictions that travel with every derivative",
    "non_commercial": "no commercial use",
    "custom_flow_down": "a model-specific licence whose duties bind every derivative",
    "closed": "no public rights",
    "unknown": "nothing can be concluded from what is declared",
}


def duty_words(duty: str) -> str:
    """One duty of the catalogue (``naming:Built with Llama``) as what a user of the model must do."""
    kind, _, arg = duty.partition(":")
    words = {
        "attribution": "credit the authors (keep the copyright notices)",
        "notice": "pass on the licence's notice text",
        "include_license": "ship a copy of the licence with the model or anything built on it",
        "same_terms": "release derivatives under the same terms",
        "naming": f'display "{arg}" with products built on it',
        "name_prefix": f'start the name of a derived model with "{arg}"',
    }
    return f"{duty}: {words[kind]}" if kind in words else duty


def _meaning(cls: Any) -> str:
    return f"{_yn(cls)}: {CLASS_WORDS[cls]}" if cls in CLASS_WORDS else _yn(cls)


def _render_model(doc: dict[str, Any]) -> None:
    """A model's licence for a governance reader: what it is, what it allows, what it obliges (each duty in
    words), the user cap, and what its bases pass down (a base's duties listed only where they differ)."""
    con = out_console()
    t = Table(title=_text(doc["id"]), show_header=False, box=None, title_justify="left")
    t.add_column(style="dim", no_wrap=True)
    t.add_column()

    def row(key: str, value: Any) -> None:
        t.add_row(_text(key), _text(value))

    row("declared", _yn(doc["declared"]))
    row("licence", _yn(doc["license"]) + (f"  ({doc['reason']})" if doc.get("reason") else ""))
    row("class", _meaning(doc["class"]))
    if doc.get("effective_class") != doc["class"]:
        row("with its bases", _meaning(doc.get("effective_class")))
    else:
        row("with its bases", "the same (no base adds terms)" if doc["flow_down"] else _yn(doc.get("effective_class")))
    row("commercial use", _yn(doc.get("commercial_use")))
    row("use restrictions", _yn(doc.get("use_restrictions"))
        + (" (an acceptable-use policy limits what it may be used for)" if doc.get("use_restrictions") else ""))
    cap = doc.get("user_cap")
    if cap:
        row("user cap", f"{cap:,} monthly active users (above it, ask the licensor for a licence)"
            if isinstance(cap, int) else str(cap))
    row("duties", "\n".join(duty_words(d) for d in doc["duties"]) or "none")
    row("evidence", f"{_yn(doc.get('evidence'))} (confidence {_yn(doc.get('confidence'))})")
    if doc.get("unknown_bases"):
        row("bases not known", ", ".join(doc["unknown_bases"]) + " (their terms could not be read)")
    con.print(t)
    if doc["flow_down"]:
        f = Table(title="flow-down from its bases (terms a derivative inherits)", title_justify="left")
        f.add_column("base (distance)", ratio=3, overflow="fold")
        f.add_column("licence", ratio=2)
        f.add_column("duties", ratio=3)
        f.add_column("conflict", no_wrap=True)
        own = list(doc["duties"])
        for fd in doc["flow_down"]:
            conflict = {True: "CONFLICT", False: "ok", None: "unknown"}[fd["conflict"]]
            duties = "same as this model's" if fd["duties"] and list(fd["duties"]) == own \
                else (", ".join(fd["duties"]) or "-")
            f.add_row(_text(f"{fd['base']} ({fd['distance']})"),
                      _text(f"{_yn(fd['license'])}\n{_yn(fd['class'])}"), _text(duties), _text(conflict))
        con.print(f)
    else:
        con.print("no bases in the lineage (or lineage not derived yet)")
    for c in doc["conflicts"]:
        line = Text("conflict", style="bold red")
        line.append(visible(f" with {c['base']}: {c['reason']}"))
        con.print(line)
    if doc["conflicts"]:
        bases = sorted({str(fd["license"]) for fd in doc["flow_down"] if fd["conflict"]})
        con.print(_text(f"what this means: whoever uses this model must still follow the terms of "
                        f"{', '.join(bases)} (its bases' licence); the declared {_yn(doc['license'])} "
                        "cannot lift them"))


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
                        _render_model(doc)
                    return
        raise _not_found(s, raw)
