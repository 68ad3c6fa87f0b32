"""A licence is found by the title its own text carries (publisher2 tryout: the OpenRAIL++-M file's title exited 66)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from screens import run_cli


@pytest.mark.parametrize(("title", "licence"), [
    ("CreativeML-OpenRAIL++-M", "openrail++"),
    ("CreativeML Open RAIL++-M License", "openrail++"),
    ("creativeml openrail++-m", "openrail++"),
    # the earlier licence keeps its own id: the two are not one
    ("CreativeML-OpenRAIL-M", "creativeml-openrail-m"),
])
def test_a_licence_title_names_its_catalogue_entry(tmp_path: Path, title: str, licence: str) -> None:
    code, out = run_cli(tmp_path / "none.duckdb", "--json", "license", title)
    assert code == 0 and json.loads(out)["license"] == licence
    assert not (tmp_path / "none.duckdb").exists()   # a read-only command creates no store
