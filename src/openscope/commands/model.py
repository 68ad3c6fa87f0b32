"""`openscope model`: see the module that implements it (registered here once it lands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Registers nothing until the model command is built."""
