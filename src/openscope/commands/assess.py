"""`openscope assess ID|PATH`: openness of one model, with evidence and the steps to the next class.

``ID`` is a model in the store (case-insensitive; an unknown id exits 66 with suggestions); ``PATH``
is a local model folder (README.md with or without front matter, plus whatever files are there) or a
README file. ``--mof-record FILE.yml`` evaluates a Model Openness Tool record instead;
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

from openscope.commands._common import (
    Settings,
    escaped,
    open_for_read,
    open_for_write,
    out_console,
    print_json,
    settings,
    warn,
)
from openscope.errors import InvalidInput, MissingInput, UsageError
from openscope.store import Store
from openscope.text import visible


def _visible(doc: Any) -> Any:
    """A copy of ``doc`` for the terminal: control characters in every string shown as ``\\x1b`` escapes
    (the ``--json`` twin keeps them: JSON escapes them itself)."""
    if isinstance(doc, str):
        return visible(doc, keep_lines=True)
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


def _exists(path: Path) -> bool:
    """Whether a local folder or file is named; a name no file system can hold (too long, a NUL) is a
    model id to look up, not a crash."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _store_or_none(s: Settings) -> Store | None:
    if not Path(s.db).exists():
        return None
    return open_for_read(s)


def _resolve(store: Store, target: str) -> str:
    try:
        from openscope.store.lookup import resolve_id
    except ImportError:  # pragma: no cover - lookup ships with the lineage issue
        return target
    return resolve_id(store, target)


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
    con.print("progress: " + ", ".join(f"Class {k}: {v:.1f}%" for k, v in sorted(res.progress.items(), reverse=True)))
    for step in res.next_steps:
        con.print(f"  - {_visible(step)}", markup=False)
    return 0


def _add_flow_down_conflicts(store: Store, model_id: str, doc: dict[str, Any]) -> None:
    """The licence catalogue's flow-down conflicts (all bases on the lineage path) as open-washing flags."""
    try:
        from openscope.derive.licenses import model_licenses
    except ImportError:  # pragma: no cover - the licence issue's module is part of the build
        return
    try:
        lic = model_licenses(store, model_id)
    except Exception:  # a store without the licence tables: the probe-level flag still stands
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


def _render(doc: dict[str, Any]) -> None:
    con = out_console()
    con.print(f"[bold]{doc['id']}[/bold]  ({doc['locator']})", highlight=False)
    decl = doc.get("base_declared")
    if decl:
        con.print(f"base model (declared in the card; base-model dimensions from its cited facts): "
                  f"{decl['family']}: \"{decl['evidence']['snippet']}\" ({decl['evidence']['locator']})",
                  highlight=False)
    elif doc.get("base_model"):
        con.print(f"base model (lineage root): {doc['base_model']}", highlight=False)
    if doc.get("curated"):
        con.print(f"curated facts: {doc['curated']} family (cited; see evidence)", highlight=False)
    t = Table(title="MOF components", show_lines=False)
    for col in ("component", "status", "licence", "evidence"):
        t.add_column(col, overflow="fold")
    for name, c in doc["components"].items():
        ev = c["evidence"][0] if c["evidence"] else None
        st = c["status"]
        t.add_row(name, f"[{_GRADE_STYLE.get(st, '')}]{st}[/]", c["license"] or "",
                  f"{ev['kind']}: {ev['snippet'][:90]} <{ev['locator']}>" if ev else "")
    con.print(t)
    t = Table(title=f"Open Source AI Index dimensions (score {doc['osai']['score']:.2f})"
              if doc["osai"].get("score") is not None else "Open Source AI Index dimensions (no score)")
    t.add_column("dimension")
    t.add_column("grade")
    t.add_column("basis (what the rule saw)")
    for d, g in doc["osai"].items():
        if d != "score":
            t.add_row(d, f"[{_GRADE_STYLE.get(g, '')}]{g}[/]", doc.get("osai_basis", {}).get(d, ""))
    con.print(t)
    m = doc["mof"]
    con.print(f"[bold]MOF[/bold]: {m['label']} (class {m['class']}); progress "
              + ", ".join(f"Class {k}: {v:.1f}%" for k, v in sorted(m["progress"].items(), reverse=True)))
    o = doc["osaid"]
    con.print(f"[bold]OSAID 1.0[/bold]: {o['verdict']}" + (f"; missing: {', '.join(o['missing'])}" if o["missing"] else ""))
    steps = doc["next_steps"]["mof"] + doc["next_steps"]["osaid"]
    if steps:
        con.print("[bold]Next steps[/bold]:")
        for s in steps:
            con.print(f"  - {s}", highlight=False)  # escaped with the doc
    for f in doc["flags"]:
        con.print(f"[bold red]flag[/bold red] {f['flag']}: {f['detail']}", highlight=False)
    ex = doc.get("experts")
    if ex:
        for src, v in ex["sources"].items():
            con.print(f"[bold]expert ({src})[/bold] {v['name']} <{v['url']}>: "
                      + ", ".join(f"{k}={g}" for k, g in v["grades"].items()), highlight=False)
        for d in ex["disagreements"]:
            con.print(f"  disagreement: {d['framework']}.{d['dimension']}: openscope {d['openscope']}, "
                      f"expert {d['expert']}", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("assess")
    def assess(
        ctx: typer.Context,
        target: str = typer.Argument(None, help="Model id in the store, or a local model folder / README path."),
        no_experts: bool = typer.Option(False, "--no-experts", help="Do not show expert grades beside ours."),
        mof_record: Path = typer.Option(None, "--mof-record", help="Evaluate a MOF record (YAML) instead."),
        import_experts: list[Path] = typer.Option(
            None, "--import-experts", help="Import an expert file (OSAI CSV, MOF CSV/YAML, FMTI CSV) into the store."),
    ) -> int:
        """Grade a model's openness: MOF components, MOF class, OSAID 1.0 verdict, OSAI dimensions."""
        from openscope.derive.openness import assessment, experts, records

        s = settings(ctx)
        if mof_record is not None:
            return _mof_record(s, mof_record)
        if import_experts:
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
                store = None if no_experts else _store_or_none(s)
            elif _looks_like_path(target) or not Path(s.db).exists():
                raise MissingInput(f"no such model folder or file: {_shown(target)}"
                                   + ("" if Path(s.db).exists() else f" (and no store at {s.db})"))
            else:
                store = open_for_read(s)
                rec = records.from_store(store, _resolve(store, target))
            for w in rec.warnings:
                warn(s, _visible(w))
            a = assessment.assess_record(rec)
            doc = a.as_json()
            if store is not None and not _exists(path):
                _add_flow_down_conflicts(store, rec.id, doc)
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
            _render(escaped(_visible(doc)))
        return 0
