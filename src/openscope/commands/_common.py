"""What every command shares: settings from the global options, consoles, one JSON printer."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from openscope.store import Store, open_store


@dataclass
class Settings:
    db: Path
    json: bool = False
    quiet: bool = False


def settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings(db=Path("openscope.duckdb"))


def out_console() -> Console:
    return Console(file=sys.stdout, soft_wrap=False)


def err_console() -> Console:
    return Console(file=sys.stderr, stderr=True)


def _default(o: Any) -> Any:
    if isinstance(o, dt.datetime):
        return o.isoformat().replace("+00:00", "Z")
    if isinstance(o, dt.date):
        return o.isoformat()
    if isinstance(o, decimal.Decimal):
        return float(o)
    if isinstance(o, Path):
        return str(o)
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    if hasattr(o, "model_dump"):
        return o.model_dump()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def escaped(doc: Any) -> Any:
    """A copy of ``doc`` for the rich renderings: every string (keys too) escaped for rich markup. Ids,
    names and card text are data: ``a/[bold]`` or ``[/]`` must print as themselves, not style the
    output or crash it. The JSON twin is printed from the original."""
    if isinstance(doc, str):
        return escape(doc)
    if isinstance(doc, dict):
        return {escaped(k): escaped(v) for k, v in doc.items()}
    if isinstance(doc, list | tuple):
        return [escaped(v) for v in doc]
    return doc


def print_json(doc: Any) -> None:
    """Exactly one JSON document on stdout (the contract)."""
    sys.stdout.write(json.dumps(doc, default=_default, ensure_ascii=False, indent=2))
    sys.stdout.write("\n")
    sys.stdout.flush()


def warn(s: Settings, message: str) -> None:
    """Warnings go to stderr, even under --json; --quiet silences them."""
    if not s.quiet:
        err_console().print(f"openscope: warning: {message}", markup=False, soft_wrap=True)


def open_for_read(s: Settings) -> Store:
    """Read-only commands never create a store (exit 66 when it is missing)."""
    return open_store(s.db, read_only=True, create=False)


def open_for_write(s: Settings) -> Store:
    return open_store(s.db, read_only=False, create=True)
