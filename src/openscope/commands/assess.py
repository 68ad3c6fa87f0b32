"""`openscope assess ID|PATH`: openness of one model, with evidence and the steps to the next class.

``ID`` is a model in the store (case-insensitive; an unknown id exits 66 with suggestions); ``PATH``
is a local model folder (README.md with or without front matter, plus whatever files are there) or a
README file. Which one an argument is: an existing file or folder wins (what is on disk is what the user
points at); else an id as pasted from the browser (``Org/Name/``, ``https://huggingface.co/Org/Name``: the
same id, as ``lineage``, ``model`` and ``license`` read it) is looked up in the store; else exit 66 in one line. ``--mof-record FILE.yml`` evaluates a Model Openness Tool record instead;
``--import-experts FILE`` loads an expert index (OSAI CSV, MOF CSV/YAML, FMTI CSV) into the store for
the overlay, which ``--no-experts`` turns off.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from openscope.commands._common import (
    Settings,
    hanging,
    open_for_read,
    open_for_write,
    out_console,
    print_json,
    settings,
    shown_text,
    warn,
)
from openscope.errors import InvalidInput, MissingInput, OpenscopeError, UsageError, is_interrupt
from openscope.store import Store
from openscope.text import visible


def _visible(doc: Any) -> Any:
    """A copy of ``doc`` for the terminal: control characters in every string shown as ``\\x1b`` escapes
    (the ``--json`` twin keeps them: JSON escapes them itself)."""
    if isinstance(doc, str):  # (bidirectional controls too: shown_text)
        return shown_text(doc, keep_lines=True)
    if isinstance(doc, dict):
        return {_visible(k): _visible(v) for k, v in doc.items()}
    if isinstance(doc, list | tuple):
        return [_visible(v) for v in doc]
    return doc


def _shown(text: str) -> str:
    from openscope.derive.openness.inputs import shown

    return shown(text[:300] + ("…" if len(text) > 300 else ""))


def _looks_like_path(target: str) -> bool:
    """A Hub id is ``name`` or ``org/name``; anything else that names a file is a path."""
    return target.startswith((".", "/", "~")) or target.count("/") > 1 or target.lower().endswith(".md") \
        or os.sep != "/" and os.sep in target


def _is_store_id(target: str) -> bool:
    """Whether an argument that names no file or folder is an id to look up: a Hub id as pasted (without the URL
    prefix and trailing slashes, ``Org/Name/`` is ``Org/Name``), or any Hub URL. Why: ``Org/Name/`` and the Hub URL
    have two slashes and were read as a missing folder, so the id copied from the browser was never looked up."""
    from openscope.store.lookup import is_hub_url, typed_id

    # the Hub's address bar: whatever follows is a repository's page (the lookup names it), never a local path
    return is_hub_url(target) or not _looks_like_path(typed_id(target))


def _exists(path: Path) -> bool:
    """Whether a local folder or file is named; a name no file system can hold (too long, a NUL) is a
    model id to look up, not a crash."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _store_or_none(s: Settings) -> Store | None:
    if not _exists(Path(s.db)):
        return None
    return open_for_read(s)


def _store_if_readable(s: Settings, experts_on: bool = False) -> Store | None:
    """The store for looking up a folder's datasets (and, with experts on, its overlay): optional, so a store
    that cannot be opened leaves the folder graded on its own. With experts on, a warning says what is not
    shown and why. Why not the store's error (75 while a crawl holds it, 65 when damaged): a folder's grades
    are read from the folder; a crawl of hours made a publisher's check of their own release wait for it, or
    learn ``--no-experts`` from an error line."""
    try:
        return _store_or_none(s)
    except OpenscopeError as exc:
        if experts_on:
            warn(s, f"{exc}; the folder is graded without the store (no expert grades, and no dataset or base "
                    "it declares looked up)")
        return None


def _datasets_not_looked_up(rec: Any, s: Settings, store: Store | None) -> str | None:
    """A warning when a folder declares Hub datasets whose licences no store told: why the Datasets component
    stays "licence unknown" and how to change that. Why: the licence is the dataset's own, read from a store that
    holds its record (``--db``); the MOF's next step names the dataset repository (:class:`~openscope.derive.openness.evaluations.mof.Hosted`), but only
    this warning names the store that did not tell it, and it shows at every class, where the OSAI data grades
    read that licence too (so the step does not make it redundant)."""
    missing = [d.id for d in rec.datasets if not d.in_store]
    if not missing:
        return None
    one = len(missing) == 1
    it = "it" if one else "them"
    names = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    if store is not None:
        where = f"the store {s.db} does not hold {it}"
    elif _exists(Path(s.db)):
        where = f"the store {s.db} could not be read"
    else:
        where = f"there is no store at {s.db} to look {it} up in"
    return (f"the card declares the dataset{'' if one else 's'} {names} and {where}: "
            f"{'its licence' if one else 'their licences'} stay{'s' if one else ''} unknown here; to grade "
            f"{it} by {'its' if one else 'their'} licence{'' if one else 's'}, give --db a store that holds "
            f"{it} (`openscope crawl --datasets`)")


def _stored_bases(store: Store, rec: Any) -> None:
    """The licences of the bases a folder's card declares (front matter ``base_model:``) that the store holds, and of
    their own ancestors, put where the inheritance rule reads a stored model's (``rec.cache["ancestors"]``).

    Why: a publisher's Apache-2.0 adapter of a CC BY-NC base was graded open with no word of the base, while
    ``openscope license`` of that base named its terms; a folder's base was looked up only among the curated
    families. Each base is read as :mod:`.ancestry` reads an ancestor (its tag, else its declaration, else its stored
    licence file, else its curated family), one lineage step up; its ancestors one step further. A base the store
    does not hold, or whose licence is unknown, adds nothing (unknown never binds), and the curated family a card
    declares is still read when no stored base is."""
    from dataclasses import replace
    from functools import partial

    from openscope.derive.licenses.flowdown import declaration_file
    from openscope.derive.lineage.edges import declared_id
    from openscope.derive.openness import ancestry
    from openscope.derive.openness.declared_base import family_of_root

    meta = rec.card.meta if rec.card is not None else {}
    raw = rec.card_data.get("base_model") or meta.get("base_model")
    named = [raw] if isinstance(raw, str) else [x for x in raw if isinstance(x, str)] if isinstance(raw, list) else []
    ids = [i for i in dict.fromkeys(declared_id(b) for b in named[:20]) if i]
    if not ids:
        return
    rows = store.con.execute(
        """SELECT id, license, json_extract_string(card_data, ['$.license', '$.license_name', '$.license_link'])
           FROM models WHERE lower(id) IN (SELECT lower(unnest(?::VARCHAR[]))) AND deleted_at IS NULL ORDER BY id""",
        [ids]).fetchall()
    readings = []
    for bid, lic, card in rows:
        card = card or [None, None, None]
        files = ancestry._files(store, [bid]) if ancestry.tag_source(lic) is None else {}
        src = ancestry.declared(lic, card[0], card[1], card[2],
                                declaration_file(bid, card[2], files[bid]) if bid in files else None)
        r = ancestry.read(bid, 1, src, partial(family_of_root, bid, False), rec.read_at)
        if r is not None:
            readings.append(r)
    for found in ancestry.load(store, [r[0] for r in rows], rec.read_at).values():
        readings += [replace(r, distance=(r.distance or 0) + 1) for r in found]
    if readings:
        rec.cache["ancestors"] = sorted(readings, key=lambda r: (r.distance or 0, r.base))


def _resolve(store: Store, target: str) -> str:
    try:
        from openscope.store.lookup import resolve_id
    except ImportError:  # pragma: no cover - lookup ships with the lineage issue
        return target
    return resolve_id(store, target, again="assess")


def _mof_record(s: Settings, path: Path) -> int:
    from openscope.derive.openness.evaluations import mof
    from openscope.derive.openness.inputs import first_line, load_yaml, read_text_file, scalar_text, shown

    text = read_text_file(path, "MOF record")
    try:
        record = load_yaml(text)
        res = mof.evaluate_record(record)
    except ValueError as exc:
        raise InvalidInput(f"{shown(str(path))}: not a MOF record ({shown(first_line(exc))})")
    name = scalar_text(record["release"].get("name"))  # a list or mapping is no name (nor printed at any size)
    if s.json:
        print_json({"id": name, "mof": res.as_json(), "included": res.included, "invalid": res.invalid,
                    "unlicensed": res.unlicensed, "missing": res.missing, "next_steps": res.next_steps})
        return 0
    con = out_console()
    con.print(f"[bold]{escape(_visible(str(name)))}[/bold]: {res.label}", highlight=False)
    con.print("progress: " + ", ".join(f"Class {ROMAN.get(k, k)} {v:.1f}%" for k, v in sorted(res.progress.items(), reverse=True)))
    for step in res.next_steps:  # wrapped under the step, as `assess ID` prints its steps
        con.print(hanging(con, Text("  - "), _visible(step)))
    return 0


def _add_flow_down_conflicts(store: Store, model_id: str, doc: dict[str, Any]) -> None:
    """The licence catalogue's flow-down conflicts (all bases on the lineage path) as open-washing flags."""
    try:
        from openscope.derive.licenses import model_licenses
    except ImportError:  # pragma: no cover - the licence issue's module is part of the build
        return
    try:
        lic = model_licenses(store, model_id)
    except Exception as exc:  # a store without the licence tables: the probe-level flag still stands
        if is_interrupt(exc):
            raise KeyboardInterrupt from exc
        return
    seen = {f.get("base") for f in doc["flags"] if f["flag"] == "license-contradicts-base"}
    for c in lic.get("conflicts") or []:
        if c.get("base") in seen:
            continue
        doc["flags"].append({
            "flag": "license-contradicts-base", "base": c.get("base"),
            "detail": f"licence flow-down conflict with {c.get('base')}: {c.get('reason')}",
            "evidence": [{"kind": "hub_metadata", "locator": f"https://huggingface.co/{c.get('base')}",
                          "snippet": str(c.get("reason")), "read_at": ""}],
        })


_GRADE_STYLE = {"open": "green", "partial": "yellow", "closed": "red", "unknown": "dim",
                "open_license": "green", "restrictive_license": "yellow", "no_license": "yellow",
                "documented_not_released": "red", "not_found": "dim"}
# What each component status means, for readers who do not know the MOF's vocabulary (shown under the
# table for the statuses it uses; the tokens themselves stay, as in --json and the docs).
STATUS_WORDS = {
    "open_license": "released under an open licence",
    "restrictive_license": "released under a licence that is not open",
    "no_license": "released; no licence could be read (unknown, not absent)",
    "documented_not_released": "described in the card, not released",
    "not_found": "nothing found either way",
}
ROMAN = {"1": "I", "2": "II", "3": "III"}
WIDE = 120   # from this width the evidence gets a column of its own and longer snippets


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters, cut at a word boundary with an ellipsis (the full
    text is in --json)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def short_locator(locator: str, home: str, limit: int) -> str:
    """Where a fact was read, relative to the model's own page or folder when it is inside it (``README.md#L3``,
    ``blob/main/config.json``, ``model page``); other addresses without their scheme, middle-shortened."""
    if not locator:
        return ""
    if locator == home:
        return "model page" if home.startswith("http") else "the folder"
    if home and locator.startswith(home.rstrip("/") + "/"):
        locator = locator[len(home.rstrip("/")) + 1:]
    else:
        locator = locator.split("://", 1)[-1]
    if len(locator) <= limit:
        return locator
    # keep the host (or first folder) and as many trailing path segments as fit: "github.com/…/main/LICENSE"
    head, _, rest = locator.partition("/")
    tail: list[str] = []
    for seg in reversed(rest.split("/")):
        if len(head) + 3 + len("/".join([seg, *tail])) > limit:
            break
        tail.insert(0, seg)
    if tail:
        return f"{head}/…/{'/'.join(tail)}"
    keep = limit - 1
    return locator[: keep // 2] + "…" + locator[len(locator) - (keep - keep // 2):]


def _shown_evidence(c: dict[str, Any]) -> list[dict[str, Any]]:
    """The evidence a component's cell shows: the first item, and the cited source of its licence when another."""
    return [c["evidence"][0]] + [e for e in c["evidence"][1:] if e.get("kind") == "curated"][:1] if c["evidence"] else []


def _evidence_width(width: int) -> int:
    """The width the evidence column's text is shortened to (the table's layout: :func:`_components_table`)."""
    return max(24, (width - 10) // 2 if width < WIDE else width - 70)


def shortened_addresses(doc: dict[str, Any], width: int) -> list[tuple[str, str]]:
    """(as shown, in full) for each address the table shortened with "…", once each, in the table's order.

    Why: at 80 columns a library's licence read as "↳ github.com/…/blob/main/LICENSE" and a dataset's page as
    "↳ huggingface.co/…/dpo-corpus-23", which no reader can open, though the evidence is there to be followed; the
    table keeps its layout and the full addresses follow it."""
    home = doc.get("locator") or ""
    out: dict[str, str] = {}
    ev_width = _evidence_width(width)
    for c in doc["components"].values():
        for ev in _shown_evidence(c):
            short = short_locator(ev["locator"], home, ev_width - 2)
            if "…" in short and "…" not in ev["locator"]:
                full = ev["locator"]
                if not home.startswith("http") and full.startswith(home.rstrip("/") + "/"):
                    full = full[len(home.rstrip("/")) + 1:]   # a file of the folder: relative to it, as shown above
                out.setdefault(full, short)
    return [(short, full) for full, short in out.items()]


def _evidence_cell(c: dict[str, Any], home: str, width: int) -> Text:
    """The first evidence item, and the cited source of the licence when that is another item (a library's
    licence file): a licence shown must show where it comes from."""
    if not c["evidence"]:
        return Text("")
    shown = _shown_evidence(c)
    cell = Text()
    for i, ev in enumerate(shown):
        snippet, where = shorten(ev["snippet"], width * 2 - 4), short_locator(ev["locator"], home, width - 2)
        cell.append(("\n" if i else "") + snippet)
        if where != snippet:  # a file found in the listing is its own locator: said once
            cell.append(f"\n↳ {where}", style="dim")
    more = len(c["evidence"]) - len(shown)
    if more:
        cell.append(f" (+{more} more)", style="dim")
    return cell


def _components_table(doc: dict[str, Any], width: int) -> Table:
    """Status, licence and the first evidence of each MOF component. At 80 columns the licence shares the
    status cell and the evidence is two lines (the snippet, then where it was read), so no column is
    squeezed to a word per line."""
    wide = width >= WIDE
    home = doc.get("locator") or ""
    t = Table(title="MOF components (first evidence; all of it with --json)", show_lines=not wide, expand=True)
    if wide:  # the names and statuses fit: they take their width, the evidence the rest
        t.add_column("component", no_wrap=True)
        t.add_column("status", no_wrap=True)
        t.add_column("licence", no_wrap=True)
        t.add_column("evidence", ratio=1)
    else:
        # a status word is never broken ("documented_not_re / leased"): its column is at least as wide as the
        # longest status shown; a longer licence under it folds rather than being cut short
        longest = max((len(c["status"]) for c in doc["components"].values()), default=12)
        t.add_column("component", ratio=2, min_width=12)
        t.add_column("status", width=max(12, longest), overflow="fold")   # (rich reads no min_width of a ratio)
        t.add_column("evidence", ratio=4)
    ev_width = _evidence_width(width)
    for name, c in doc["components"].items():
        st = c["status"]
        status = Text(st, style=_GRADE_STYLE.get(st, ""))
        if not wide and c["license"]:
            status.append(f"\n{c['license']}")
        row: list[Any] = [Text(name), status]
        if wide:
            row.append(Text(c["license"] or ""))
        row.append(_evidence_cell(c, home, ev_width))
        t.add_row(*row)
    return t


def _steps(doc: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The next steps grouped under one heading per goal (the goal is said once, not on every line)."""
    groups: dict[str, list[str]] = {}
    for step in doc["next_steps"]["mof"]:
        goal, _, what = step.partition(": ")
        groups.setdefault("Next steps " + goal, []).append(what)
    for step in doc["next_steps"]["osaid"]:
        groups.setdefault("Next steps to meet OSAID 1.0", []).append(step.removeprefix("OSAID "))
    return list(groups.items())


def _license_file_lines(doc: dict[str, Any]) -> list[str]:
    """The release's licence files and what was read from each (the `license_declared` probe's detail)."""
    found = next((p for p in doc.get("probes", []) if p.get("probe") == "license_declared"), None)
    detail = (found or {}).get("detail") or {}
    out = []
    for lf in detail.get("files") or []:
        what = lf["license"] or "licence unknown"
        read = f": \"{shorten(lf['snippet'], 100)}\"" + (f" (line {lf['line']})" if lf.get("line") else "")
        # a file name may hold a newline or an escape sequence: shown on one line, escaped (the rest of the
        # document keeps its lines)
        out.append(f"licence file {visible(lf['path'])} (covers {', '.join(lf['covers'])}): {what}{read}")
    for path in detail.get("files_unread") or []:
        out.append(f"licence file {visible(path)}: in the file list, its text not read (licence unknown)")
    return out


def _roots(store: Any, model_id: str) -> list[str]:
    """Every lineage root of a stored model, the deepest first (then the smallest id: `records.load_record`). Why:
    a merge of a Llama and a Qwen line said "base model (lineage root): Qwen/…" alone, and a reader took Qwen for
    its only base."""
    return [str(r[0]) for r in store.con.execute(
        "SELECT root FROM lineage WHERE id = ? AND root <> id ORDER BY depth DESC, root", [model_id]).fetchall()]


def _root_line(doc: dict[str, Any]) -> str:
    """The lineage-root line: the root, or a merge's roots (its base-model dimensions are the least open over
    them; the table's basis column names the root each grade came from)."""
    line = f"base model (lineage root): {doc['base_model']}"
    others = [r for r in doc.get("roots") or [] if r != doc["base_model"]]
    if others:
        line = (f"base models ({len(others) + 1} lineage roots; base-model dimensions: the least open over them): "
                f"{doc['base_model']}, {', '.join(others)}")
    return line


def _render(doc: dict[str, Any]) -> None:
    """The assessment for a reader: every string is printed as text (never as rich markup), so card text and
    ids print as themselves."""
    con = out_console()
    width = con.width
    # the id and the folder or page are printed whole (soft wrap: the terminal wraps them, the text holds no break),
    # so a path longer than the terminal is still one line to copy and to read back from the output
    con.print(Text(doc["id"], style="bold"), soft_wrap=True)
    if doc["locator"] != doc["id"]:  # a folder given by its own name (`assess m`): said once
        con.print(Text(doc["locator"], style="dim"), soft_wrap=True)
    decl = doc.get("base_declared")
    if decl:
        con.print(hanging(con, Text(), f"base model (declared in the card; base-model dimensions from its cited "
                                       f"facts): {decl['family']}: \"{shorten(decl['evidence']['snippet'], 120)}\" "
                                       f"({decl['evidence']['locator']})", indent=2))
    elif doc.get("base_pasted"):
        con.print(hanging(con, Text(), f"base model (its card as pasted in this one; base-model dimensions from "
                                       f"it): {doc['base_model']} ({doc['base_pasted']['evidence']['locator']})",
                          indent=2))
    elif doc.get("base_model"):
        con.print(hanging(con, Text(), _root_line(doc), indent=2))
    if doc.get("curated"):
        con.print(hanging(con, Text(), f"curated facts: {doc['curated']} family (cited; see evidence)", indent=2))
    for line in _license_file_lines(doc):   # (each wraps under itself: "(line" / "1)" read as two items)
        con.print(hanging(con, Text(), line, indent=2))
    con.print(_components_table(doc, width))
    shortened = shortened_addresses(doc, width)
    if shortened:
        con.print(Text("  the addresses shortened above, in full:", style="dim"))
    for short, full in shortened:
        # each whole on a line of its own: one string to copy or click (one longer than the line is not cut)
        con.print(Text(f"  {short}", style="dim"))
        con.print(Text(f"    {full}"), soft_wrap=True)
    used = [st for st in STATUS_WORDS if any(c["status"] == st for c in doc["components"].values())]
    for st in used:
        line = Text("  ")
        line.append(st, style=_GRADE_STYLE.get(st, ""))
        line.append(f": {STATUS_WORDS[st]}", style="dim")
        con.print(line)
    score = doc["osai"].get("score")
    t = Table(title=f"Open Source AI Index dimensions (score {score:.2f})" if score is not None
              else "Open Source AI Index dimensions (no score)")
    t.add_column("dimension")
    t.add_column("grade")
    t.add_column("basis (what the rule saw)")
    for d, g in doc["osai"].items():
        if d != "score":
            t.add_row(Text(d), Text(str(g), style=_GRADE_STYLE.get(str(g), "")),
                      Text(doc.get("osai_basis", {}).get(d, "")))
    con.print(t)
    m = doc["mof"]
    con.print(hanging(con, Text("MOF: ", style="bold"), f"{m['label']} (class {m['class']}); progress "
              + ", ".join(f"Class {ROMAN.get(k, k)} {v:.1f}%" for k, v in sorted(m["progress"].items(), reverse=True))))
    o = doc["osaid"]
    con.print(hanging(con, Text("OSAID 1.0: ", style="bold"),
                       o["verdict"] + (f"; missing: {', '.join(o['missing'])}" if o["missing"] else "")))
    for heading, steps in _steps(doc):
        con.print(Text(heading + ":", style="bold"))
        for step in steps:
            con.print(hanging(con, Text("  - "), step))
    for f in doc["flags"]:
        con.print(hanging(con, Text("flag ", style="bold red"), f"{f['flag']}: {f['detail']}"))
        for ev in f.get("evidence", [])[:1]:
            con.print(hanging(con, Text("     "), Text(
                f"\"{shorten(ev.get('snippet', ''), 2 * width - 12)}\" "
                f"<{short_locator(ev.get('locator', ''), doc.get('locator') or '', width - 8)}>", style="dim")))
    ex = doc.get("experts")
    if ex:
        for src, v in ex["sources"].items():
            line = Text(f"expert ({src})", style="bold")
            line.append(f" {v['name']} <{v['url']}>: " + ", ".join(f"{k}={g}" for k, g in v["grades"].items()))
            con.print(line)
        for d in ex["disagreements"]:
            con.print(Text(f"  disagreement: {d['framework']}.{d['dimension']}: openscope {d['openscope']}, "
                           f"expert {d['expert']}"))


def register(app: typer.Typer) -> None:
    @app.command("assess")
    def assess(
        ctx: typer.Context,
        target: str | None = typer.Argument(None, metavar="ID|PATH", help="Model id in the store, or a local model folder / README path."),
        no_experts: bool = typer.Option(False, "--no-experts", help="Do not show expert grades beside ours."),
        mof_record: Path | None = typer.Option(None, "--mof-record", metavar="FILE", help="Evaluate a MOF record (YAML) instead."),
        import_experts: list[Path] | None = typer.Option(
            None, "--import-experts", metavar="FILE", help="Import an expert file (OSAI CSV, MOF CSV/YAML, FMTI CSV) into the store."),
    ) -> int:
        """Grade a model's openness: MOF components, MOF class, OSAID 1.0 verdict, OSAI dimensions."""
        from openscope.derive.openness import assessment, experts, records

        s = settings(ctx)
        if mof_record is not None:
            if target is not None or import_experts:
                # the record is graded alone: a model or folder given beside it was silently not graded
                raise UsageError("--mof-record grades the record alone: give no model id or folder "
                                 "(nor --import-experts) with it")
            return _mof_record(s, mof_record)
        if import_experts:
            # Every file is read before the store is opened: a missing or unreadable one created an empty store
            # (`--db` naming a new file) and, after a good first file, left that file imported beside the error.
            for p in import_experts:
                experts.read_expert_file(p)
            with open_for_write(s) as store:
                counts = {str(p): experts.import_experts(store, p) for p in import_experts}
            if s.json and target is None:
                print_json({"imported": counts})
            elif not s.quiet:
                for p, n in counts.items():
                    out_console().print(f"imported {n} expert grades from {p}", highlight=False)
            if target is None:
                return 0
        if target is None:
            raise UsageError("give a model id or a folder (or --mof-record FILE.yml / --import-experts FILE)")
        if not target.strip():  # Path("") is the current folder: a blank argument is no request to grade it
            raise UsageError("the model id or folder is blank; give one (`.` for the current folder)")
        path = Path(target).expanduser()
        store = None
        try:
            if _exists(path):
                rec = records.from_folder(path)
                store = _store_if_readable(s, experts_on=not no_experts)
                if store is not None:  # the datasets and bases the folder declares, as the store knows them
                    records.resolve_datasets(store, rec)
                    _stored_bases(store, rec)
                unknown = _datasets_not_looked_up(rec, s, store)
                if unknown:
                    rec.warnings.append(unknown)
            elif not _is_store_id(target) or not _exists(Path(s.db)):
                raise MissingInput(f"no such model folder or file: {_shown(target)}"
                                   + ("" if _exists(Path(s.db)) else f" (and no store at {s.db})"))
            else:
                store = open_for_read(s)
                try:
                    model_id = _resolve(store, target)
                except MissingInput as exc:
                    if target.strip().endswith("/"):  # a folder's spelling too: say that was looked for as well
                        raise MissingInput(f"no such model folder, and {exc}") from None
                    raise
                rec = records.from_store(store, model_id)
            for w in rec.warnings:
                warn(s, _visible(w))
            a = assessment.assess_record(rec)
            doc = a.as_json()
            if store is not None and not _exists(path):
                _add_flow_down_conflicts(store, rec.id, doc)
                doc["roots"] = _roots(store, rec.id)
            if not no_experts:
                author = rec.id.split("/")[0] if "/" in rec.id else None
                ov = experts.overlay(store, rec.id, author, doc)
                if ov is not None:
                    doc["experts"] = ov
        finally:
            if store is not None:
                store.close()
        if s.json:
            print_json(doc)
        else:
            _render(_visible(doc))
        return 0
