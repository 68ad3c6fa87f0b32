"""A stored model whose README was never fetched has a model card: its next steps say to read it, not to release it.

Why: `crawl --cards` reads the cards of the most downloaded models only, so most stored models have a README in
their file list and no card text. Their assessment warned that "not_found" means "not read", yet its steps still
asked the publisher to "release Model card", which is there (the publisher tryout, nineteenth session).
"""

from __future__ import annotations

from pathlib import Path

from lineage_graphs import entry, write_jsonl


def _steps(cli, db: Path, mid: str) -> list[str]:
    res = cli("--db", db, "--json", "assess", mid)
    assert res.code == 0, res.stderr
    return res.json()["next_steps"]["mof"]


def test_a_readme_not_read_gets_a_read_it_step_and_a_folder_without_one_still_gets_release(cli, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    unread = entry("acme/unread", files=("config.json", "model.safetensors"))
    no_readme = entry("acme/no-readme", files=("config.json", "model.safetensors"))
    no_readme["siblings"] = [s for s in no_readme["siblings"] if s["rfilename"] != "README.md"]
    assert cli("--db", db, "--quiet", "ingest", write_jsonl(tmp_path / "m.jsonl", [unread, no_readme])).code == 0

    steps = _steps(cli, db, "acme/unread")
    assert not [s for s in steps if "release Model card" in s]
    read_it = [s for s in steps if "read the model card before acting on these steps" in s]
    assert len(read_it) == 1 and read_it[0].startswith("to reach Class III") and "crawl --cards" in read_it[0]
    text = cli("--db", db, "assess", "acme/unread")
    assert "read the model card before acting" in " ".join(text.stdout.split())

    # no README in the file list: there is no card to read, and releasing one is the step
    steps = _steps(cli, db, "acme/no-readme")
    assert [s for s in steps if "release Model card (" in s]
    assert not [s for s in steps if "read the model card" in s]
