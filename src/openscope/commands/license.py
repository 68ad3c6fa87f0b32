"""`openscope license ID|LICENSE`: a model's licence and what flows down to it, or a licence's terms.

Why one command for both: users paste whatever they have, a model id or the licence string from a card.
A licence lookup needs no store; a model lookup opens the store read-only (never creating one).
Resolution order: an id containing "/" is tried as a model first; anything else as a licence first
(so `mit` is the MIT licence, not a legacy model named `mit`), then the other way round.

A dataset is answered only when asked for (``--dataset``, or its Hub URL ``…/datasets/ID`` pasted): the Hub lets a
model and a dataset share an id, so the same command line must not name a model in one store and a dataset in
another (a script's ``--json`` shape would change with the store's contents). An id that is only a dataset gets a
one-line pointer to ``--dataset``, as ``model`` and ``lineage`` give.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from openscope.commands._common import (
    Settings,
    open_for_read,
    out_console,
    print_json,
    settings,
    warn,
    with_folder_hint,
)
from openscope.commands._license_words import (
    base_duties,
    conflict_meaning,
    deleted_words,
    duty_words,
    licence_rows,
)
from openscope.commands._license_words import cell as _text
from openscope.commands._license_words import class_meaning as _meaning
from openscope.commands._license_words import yn as _yn
from openscope.commands.status import warn_if_behind
from openscope.derive.licenses import (
    LicenseInfo,
    dataset_license,
    get_license,
    model_licenses,
    normalize_license,
    sharealike,
    suggest,
)
from openscope.derive.licenses.catalogue import duties_known
from openscope.errors import MissingInput, OpenscopeError, UsageError
from openscope.text import visible


def _licence_for(raw: str) -> LicenseInfo | None:
    """The catalogue entry for what a user pasted: an id or name, else what the normaliser reads in it. An
    expression it reads (the dual-licensing ``MIT/Apache-2.0`` of a card, ``Apache License 2.0 or MIT``) has no id
    but its normalised form, which ``get_license`` answers as a combined entry, as it answers ``Apache-2.0 OR MIT``."""
    info = get_license(raw)
    if info is not None:
        return info
    m = normalize_license(raw, kind="card_name")
    if m.id is None and m.expression:
        return get_license(m.expression)
    return get_license(m.id) if m.id and m.id != "unknown" else None


def _store_there(s: Settings) -> bool:
    """Whether the store file exists; a name no file system can hold (`File name too long`) is no store (its
    ``exists`` raised, and the command exited 70)."""
    try:
        return s.db.exists()
    except OSError:
        return False


def _find_model(s: Settings, raw: str) -> tuple[Any, str] | None:
    """(open store, stored id) or None when there is no store or no such model."""
    if not _store_there(s):
        return None
    from openscope.store.lookup import find_id

    store = open_for_read(s)
    found = find_id(store, raw)
    if found is None:
        store.close()
        return None
    return store, found


def _hub_kind(raw: str) -> str | None:
    """What a pasted Hub URL points into (``model``, ``dataset``, ``space``), else ``None``: a dataset's page
    names a dataset whatever else shares its id, a Space's is neither (``store.lookup.hub_page``)."""
    from openscope.store.lookup import hub_page

    page = hub_page(raw)
    return page.kind if page is not None else None


def _dataset(s: Settings, raw: str) -> None:
    """``license --dataset ID``: the dataset's licence, or exit 66 with the closest datasets (or the pointer to the
    model that has that id)."""
    if not _store_there(s):
        raise MissingInput(f"unknown dataset '{raw}' (no store at {s.db} to look up datasets)")
    from openscope.store.lookup import resolve_id

    with open_for_read(s) as store:
        dataset_id = resolve_id(store, raw, "datasets")
        warn_if_behind(s, store, "licenses")
        doc = dataset_license(store, dataset_id)
    if s.json:
        print_json(doc)
    else:
        _render_dataset(doc)


def _warn_if_also_a_dataset(s: Settings, store: Any, raw: str) -> None:
    """Say on stderr that the model answered shares its id with a dataset (the Hub allows it), and how to get
    the dataset's licence: the answer is the model's, and the reader should know there was a choice."""
    from openscope.store.lookup import find_id

    dataset_id = find_id(store, raw, "datasets")
    if dataset_id is not None:
        warn(s, f"this is the model; '{dataset_id}' is also a dataset in the store "
                f"(openscope license --dataset {dataset_id} for its licence)")


def _not_found(s: Settings, raw: str) -> OpenscopeError:
    hints = suggest(raw)
    if _store_there(s):
        from openscope.store.lookup import (
            deleted_message,
            external_base,
            find_id,
            moved_external_base,
            suggestions,
            unknown_message,
        )

        with open_for_read(s) as store:
            gone = deleted_message(store, raw.strip(), again="license")
            if gone is not None:  # a full crawl found it gone (or moved): say so, as `model` does, not "unknown"
                return MissingInput(gone)
            # a declared base that is not stored (or its bare canonical id, `gpt2`): not a typo
            if external_base(store, raw) is not None or moved_external_base(store, raw.strip()) is not None:
                return MissingInput(unknown_message(store, raw, again="license"))
            dataset_id = find_id(store, raw, "datasets")
            if dataset_id is not None:  # not a model nor a licence, but a dataset: the one-step fix
                return MissingInput(f"no licence or model '{raw}': '{dataset_id}' is a dataset in the store "
                                    f"(openscope license --dataset {dataset_id})")
            gone_dataset = deleted_message(store, raw.strip(), "datasets")
            if gone_dataset is not None:  # a dataset a full crawl found moved or deleted: not look-alike models
                return MissingInput(f"no licence or model '{raw}': {gone_dataset}")
            hints += [h for h in suggestions(store, raw) if h not in hints]
    tail = f"; did you mean {', '.join(hints[:5])}?" if hints else ""
    where = f" and no model with that id in {s.db}" if _store_there(s) else f" (and no store at {s.db} to look up models)"
    return MissingInput(f"unknown licence or model '{raw}'{where}{tail}")


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
                 ("derivatives same terms", info.same_terms),
                 *((("derivatives may also carry", _share_alike_words(info.id)),) if _share_alike_words(info.id)
                   else ()),
                 *((("use restrictions travel", info.restrictions_travel),) if info.restrictions_travel is not None
                   else ()),
                 ("derivatives allowed", info.derivatives_allowed),
                 # a licence that is not known (`other`, `unknown`) has unknown duties, never "none"
                 ("duties", "\n".join(duty_words(d, info.id) + (" (only on a copy passed on whole and unmodified)"
                                                         if info.duty_scopes.get(d) == "unmodified_only" else "")
                                      for d in info.duties)
                  or ("none" if duties_known(info.cls, info.duties, info.id) else "unknown (its text was not read)"
                      if info.known else "unknown (the licence is not known)")),
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


def _render_model(doc: dict[str, Any]) -> None:
    """A model's licence for a governance reader: what it is, what it allows, what it obliges (each duty in
    words), the user cap, and what its bases pass down (a base's duties listed only where they differ).
    The words are `_license_words`', shared with `openscope model`."""
    con = out_console()
    t = Table(title=_text(doc["id"]), show_header=False, box=None, title_justify="left")
    t.add_column(style="dim", no_wrap=True)
    t.add_column()
    for key, value in licence_rows(doc):
        t.add_row(_text(key), _text(value))
    con.print(t)
    if doc["flow_down"]:
        f = Table(title="flow-down from its bases (terms a derivative inherits)", title_justify="left")
        f.add_column("base (distance)", ratio=3, overflow="fold")
        f.add_column("licence", ratio=2)
        f.add_column("duties", ratio=3)
        f.add_column("conflict", no_wrap=True)
        for fd in doc["flow_down"]:
            conflict = {True: "CONFLICT", False: "ok", None: "unknown"}[fd["conflict"]]
            if fd.get("licensor"):  # the base's own publisher relicensed it: its terms do not bind this model
                conflict = f"ok: relicensed by its licensor, {fd['licensor']['organisation']}"
            duties = base_duties(doc, fd)
            if duties is not None and not fd["duties"] and fd["class"] in (None, "unknown"):
                duties = "unknown"  # a base whose licence is not known has unknown duties, not none ("-")
            gone = deleted_words(fd)
            f.add_row(_text(f"{fd['base']} ({fd['distance']})" + (f"\n{gone}" if gone else "")),
                      _text(f"{_yn(fd['license'])}\n{_yn(fd['class'])}"),
                      _text("same as this model's" if duties is None else duties), _text(conflict))
        con.print(f)
    else:
        con.print("no bases in the lineage (or lineage not derived yet)")
    for c in doc["conflicts"]:
        line = Text("conflict", style="bold red")
        line.append(visible(f" with {c['base']}: {c['reason']}"))
        con.print(line)
    meaning = conflict_meaning(doc)
    if meaning:
        con.print(_text(f"what this means: {meaning}"))


# Where a dataset's licence was read from, in words (the `source` values of `dataset_licenses`, as of `licenses`).
SOURCE_WORDS = {
    "license": "the dataset's `license` tag (its card's `license:`)",
    "card_name": "the card's `license_name`",
    "license_link": "the card's `license_link`",
    "license_file": "the text of the dataset's licence file",
    "none": "nothing (no licence declared, no licence file identified)",
}


def _render_dataset(doc: dict[str, Any]) -> None:
    """A dataset's licence in the model view's words (`_license_words`), without the lineage rows (a dataset has
    no bases), plus where the licence was read from and the licence file's path when its text decided."""
    con = out_console()
    t = Table(title=_text(f"{doc['id']} (dataset)"), show_header=False, box=None, title_justify="left")
    t.add_column(style="dim", no_wrap=True)
    t.add_column(overflow="fold")  # the licence file's URL whole, folded, never cut
    for key, value in licence_rows(doc):
        if key == "with its bases":
            continue
        t.add_row(_text(key), _text(value))
    t.add_row(_text("read from"), _text(SOURCE_WORDS.get(str(doc.get("source")), _yn(doc.get("source")))))
    lf = doc.get("license_file")
    if lf:
        t.add_row(_text("licence file"), _text(lf["path"] + (f"\n{lf['url']}" if lf.get("url") else "")))
    con.print(t)
    con.print("a dataset has no lineage here: no flow-down from bases")


def register(app: typer.Typer) -> None:
    @app.command("license")
    def license_cmd(
        ctx: typer.Context,
        target: str = typer.Argument(..., metavar="ID|LICENSE",
                                     help="A model id in the store, or a licence id / Hub id / SPDX id / name."),
        dataset: bool = typer.Option(False, "--dataset",
                                     help="ID is a dataset in the store: its licence (a dataset's Hub URL implies it)."),
    ) -> None:
        """A model's licence, class, duties and flow-down from its bases; a dataset's licence (--dataset); or a
        licence's terms with the clauses each comes from."""
        s = settings(ctx)
        raw = target.strip()
        if not raw:
            raise UsageError(f"give a {'dataset id' if dataset else 'licence or a model id'} (the argument is empty)")
        kind = _hub_kind(raw)
        if kind == "space":  # an app, neither a model nor a dataset (nor a licence's name)
            from openscope.store.lookup import space_message

            raise MissingInput(space_message(raw) or raw)
        if dataset or kind == "dataset":
            _dataset(s, raw)
            return
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
                        warn_if_behind(s, store, "lineage", "licenses")
                        doc = model_licenses(store, model_id)
                        _warn_if_also_a_dataset(s, store, raw)
                    if s.json:
                        print_json(doc)
                    else:
                        _render_model(doc)
                    return
        missing = _not_found(s, raw)
        raise with_folder_hint(missing, raw) if isinstance(missing, MissingInput) else missing


def _share_alike_words(license_id: str) -> str | None:
    """What a share-alike licence's own text lets its derivatives carry besides itself (``share_alike.yaml``), in
    words: "derivatives same terms  yes" alone read as "this licence only", which CC BY-SA 4.0 is not (GPLv3 too)."""
    entry = sharealike.get(license_id)
    if entry is None:
        return None
    accepted = ", ".join(entry.accepts) or "no other licence"
    rest = "; every other licence: no" if entry.closed else (
        "; other Creative Commons licences: no; anything else: not decided (the text defers to a list not read)"
        if entry.refuses is not None and entry.refuses.pattern == "^cc-" else "; anything else: not decided")
    return accepted + rest
