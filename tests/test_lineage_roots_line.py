"""`openscope lineage ID` (text): the roots line names each root's country and the model's root country."""

from __future__ import annotations

from pathlib import Path

import duckdb


def test_a_merge_across_countries_reads_multiple(cli, hand_db: Path) -> None:
    r = cli("--db", hand_db, "lineage", "dave/qwen-llama-merge")
    assert r.code == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "(CN)" in text and "(US)" in text
    assert "root country: multiple (CN, US)" in text
    # with the roots beyond the nodes shown, their countries are still looked up
    short = " ".join(cli("--db", hand_db, "lineage", "dave/qwen-llama-merge", "--limit", "1").stdout.split())
    assert "showing the 1 most-downloaded" in short and "root country: multiple (CN, US)" in short


def test_the_roots_line_agrees_with_lineage_origin(cli, hand_db: Path) -> None:
    con = duckdb.connect(str(hand_db), read_only=True)
    rows = con.execute("SELECT id, root_country FROM lineage_origin WHERE roots IS NOT NULL AND len(roots) > 0"
                       " ORDER BY id").fetchall()
    con.close()
    assert len(rows) >= 5
    for mid, country in rows:
        r = cli("--db", hand_db, "lineage", mid)
        assert r.code == 0, (mid, r.stderr)
        verdict = " ".join(r.stdout.split()).split("root country: ", 1)[1]
        assert verdict.split(" ")[0] == (country or "unknown"), (mid, verdict)


def test_an_external_base_is_named_as_such_not_as_a_typo(cli, hand_db: Path) -> None:
    from lineage_graphs import MISTRAL_EXT

    con = duckdb.connect(str(hand_db), read_only=True)
    children = con.execute("SELECT count(DISTINCT child) FROM edges WHERE chosen AND parent = ?",
                           [MISTRAL_EXT]).fetchone()[0]
    in_store = con.execute("SELECT count(*) FROM models WHERE lower(id) = lower(?)", [MISTRAL_EXT]).fetchone()[0]
    con.close()
    assert children >= 1 and in_store == 0
    for command in ("model", "assess"):
        r = cli("--db", hand_db, command, MISTRAL_EXT.upper())
        assert r.code == 66
        assert r.stderr.count("\n") == 1 and "did you mean" not in r.stderr
        assert f"external base of {children} stored model" in r.stderr and MISTRAL_EXT in r.stderr
    # only ids that are alike are suggested: a typo, or the name without its namespace; never unrelated ids
    assert "did you mean" not in cli("--db", hand_db, "model", "nosuch/model").stderr
    con = duckdb.connect(str(hand_db), read_only=True)
    some = con.execute("SELECT id FROM models WHERE contains(id, '/') ORDER BY id LIMIT 1").fetchone()[0]
    con.close()
    for typed in (some[:-1] + ("x" if some[-1] != "x" else "y"), some.split("/")[1].upper()):
        r = cli("--db", hand_db, "model", typed)
        assert r.code == 66 and f"did you mean {some}" in r.stderr, (typed, r.stderr)
    assert cli("--db", hand_db, "lineage", MISTRAL_EXT, "--down").code == 0
