"""`openness` keeps the latest graded snapshot; `openness_history` keeps each headline grade when it first
appears and whenever it changes (migration 0009), so the store no longer grows by 35 rows per model and
snapshot when nothing changed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
from store_rows import rows as _q

from openscope.cli import main
from openscope.store import SCHEMA_VERSION, open_store

HEADLINE = {("osaid", "verdict"), ("mof", "class"), ("osai", "score")}


def _write(path: Path, licences: dict[str, str]) -> Path:
    rows = [{"id": mid, "author": mid.split("/")[0], "tags": [f"license:{lic}"], "downloads": 5,
             "siblings": [{"rfilename": "model.safetensors"}, {"rfilename": "config.json"}]}
            for mid, lic in licences.items()]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


LICS = {f"org/m{i}": "apache-2.0" for i in range(6)}


def test_unchanged_snapshots_add_nothing_and_a_change_is_recorded_once(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    dump = _write(tmp_path / "a.jsonl", LICS)
    assert main(["--db", str(db), "--quiet", "ingest", str(dump)]) == 0
    per_snapshot = _q(db, "SELECT count(*) FROM openness")[0][0]
    assert per_snapshot == 6 * 35
    first = _q(db, "SELECT id, framework, dimension, snapshot_id FROM openness_history")
    assert {(f, d) for _, f, d, _ in first} == HEADLINE and len(first) == 6 * 3
    # the same dump again (a new snapshot), twice: the grades are those of the latest snapshot only
    for _ in range(2):
        assert main(["--db", str(db), "--quiet", "ingest", str(dump)]) == 0
    assert _q(db, "SELECT count(*), count(DISTINCT snapshot_id), max(snapshot_id) FROM openness")[0] == (
        per_snapshot, 1, 3)
    assert _q(db, "SELECT count(*) FROM openness_history")[0][0] == 6 * 3  # nothing changed: nothing added
    # one model changes licence: its score changes; only its changed headline grades are added, at #4
    changed = dict(LICS, **{"org/m2": "cc-by-nc-4.0"})
    assert main(["--db", str(db), "--quiet", "ingest", str(_write(tmp_path / "b.jsonl", changed))]) == 0
    added = _q(db, "SELECT id, framework, dimension, snapshot_id FROM openness_history WHERE snapshot_id = 4")
    assert added and {i for i, *_ in added} == {"org/m2"} and ("org/m2", "osai", "score", 4) in added
    before, after = (_q(db, """SELECT score FROM openness_history WHERE id = 'org/m2' AND framework = 'osai'
                              ORDER BY snapshot_id""")[k][0] for k in (0, 1))
    assert after < before  # a non-commercial licence lowers the index score
    now = _q(db, "SELECT score FROM openness WHERE id = 'org/m2' AND framework = 'osai' AND dimension = 'score'")
    assert now == [(after,)]
    # the grade at snapshot 3, reconstructed from the history, is the old one
    asof = _q(db, """SELECT score FROM openness_history WHERE id = 'org/m2' AND framework = 'osai'
                     AND dimension = 'score' AND snapshot_id <= 3 ORDER BY snapshot_id DESC LIMIT 1""")
    assert asof == [(before,)]


def test_a_store_graded_before_the_migration_keeps_changes_and_drops_old_copies(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    dump = _write(tmp_path / "a.jsonl", LICS)
    assert main(["--db", str(db), "--quiet", "ingest", str(dump)]) == 0
    con = duckdb.connect(str(db))
    try:  # what the code before migration 0009 left: full copies for three snapshots, no history table
        con.execute("DROP TABLE openness_history")
        con.execute("DELETE FROM schema_version WHERE version = 9")
        for sid in (2, 3):
            con.execute("""INSERT INTO openness SELECT ?, id, framework, dimension,
                               CASE WHEN ? = 3 AND id = 'org/m1' AND framework = 'osaid' THEN 'fail' ELSE grade END,
                               score, evidence, method FROM openness WHERE snapshot_id = 1""", [sid, sid])
    finally:
        con.close()
    with open_store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.con.execute("SELECT DISTINCT snapshot_id FROM openness").fetchall() == [(3,)]
        hist = store.con.execute("SELECT id, framework, snapshot_id, grade FROM openness_history "
                                 "WHERE snapshot_id > 1").fetchall()
        assert hist == [("org/m1", "osaid", 3, "fail")]  # copies that changed nothing are not history
        assert store.con.execute("SELECT count(*) FROM openness_history WHERE snapshot_id = 1").fetchone()[0] == 18


def test_a_failed_history_step_leaves_both_tables_as_they_were(tmp_path: Path) -> None:
    from openscope.derive.openness import record_history

    db = tmp_path / "f.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(_write(tmp_path / "a.jsonl", LICS))]) == 0
    with open_store(db) as store:
        # as if snapshot 2 had just been graded; and a history table with a column the step's insert does not
        # fill, declared NOT NULL: the step fails at its insert, after its first statement ran
        store.con.execute("INSERT INTO openness SELECT 2, id, framework, dimension, grade, score, evidence, method "
                          "FROM openness WHERE snapshot_id = 1")
        store.con.execute("DROP TABLE openness_history")
        store.con.execute("CREATE TABLE openness_history (snapshot_id BIGINT, id VARCHAR NOT NULL, framework VARCHAR "
                          "NOT NULL, dimension VARCHAR NOT NULL, grade VARCHAR, score DOUBLE, method VARCHAR, "
                          "boom INTEGER NOT NULL)")
        store.con.execute("INSERT INTO openness_history VALUES (2, 'org/m0', 'osai', 'score', NULL, 0.5, 'x', 0)")
        try:
            record_history(store, 2)
        except duckdb.Error:
            pass
        else:
            raise AssertionError("the insert should have failed on the NOT NULL column")
        # the row the step deleted first is back, and no snapshot's grades were dropped
        assert store.con.execute("SELECT count(*) FROM openness_history").fetchone()[0] == 1
        assert store.con.execute("SELECT snapshot_id, count(*) FROM openness GROUP BY 1 ORDER BY 1").fetchall() == [
            (1, 6 * 35), (2, 6 * 35)]


def test_the_documented_verdicts_over_time_recipe(tmp_path: Path) -> None:
    """The SQL in docs/openness.md ("Over time") gives each snapshot's verdicts from the history alone."""
    doc = (Path(__file__).parents[1] / "docs" / "openness.md").read_text("utf-8")
    sql = re.search(r"\*\*Over time: `openness_history`\.\*\*.*?```sql\n(.*?)```", doc, re.S).group(1)
    db = tmp_path / "r.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(_write(tmp_path / "a.jsonl", LICS))]) == 0
    assert main(["--db", str(db), "--quiet", "ingest", str(_write(tmp_path / "b.jsonl", LICS))]) == 0
    # a licence that keeps the weights from being open: that model's verdict changes at snapshot 3
    changed = dict(LICS, **{"org/m4": "cc-by-nc-4.0"})
    assert main(["--db", str(db), "--quiet", "ingest", str(_write(tmp_path / "c.jsonl", changed))]) == 0
    got = _q(db, sql)
    latest = _q(db, "SELECT grade, count(*) FROM openness WHERE framework = 'osaid' GROUP BY 1")
    assert {(v, n) for s, v, n in got if s == 3} == set(latest)  # the last snapshot equals `openness`
    assert {s for s, _, _ in got} == {1, 3}  # snapshot 2 changed nothing: not in the history
    first = {v: n for s, v, n in got if s == 1}
    assert sum(first.values()) == 6 and first != {v: n for s, v, n in got if s == 3}


def test_a_merge_with_two_roots_at_one_depth_is_graded_as_the_per_model_path_does(tmp_path: Path) -> None:
    """Its base-model dimensions come from both roots (the least open grade over them, since the thirty-fourth
    session; before, from the deepest root, then the smallest id), in both paths and whatever order the records
    arrive in (a hash aggregate's order decided it before)."""
    from openscope.derive.openness.assessment import assess_record
    from openscope.derive.openness.records import from_store

    roots = {"meta-llama/Llama-2-7b-hf": "llama2", "EleutherAI/pythia-6.9b": "apache-2.0"}
    rows = [{"id": r, "tags": [f"license:{lic}"], "siblings": [{"rfilename": "model.safetensors"}]}
            for r, lic in roots.items()]
    rows += [{"id": f"fans/ft{k}", "tags": [f"base_model:finetune:{r}", "license:mit"],
              "siblings": [{"rfilename": "model.safetensors"}]} for k, r in enumerate(roots)]
    rows.append({"id": "fans/merge", "tags": ["base_model:merge:fans/ft0", "base_model:merge:fans/ft1", "license:mit"],
                 "siblings": [{"rfilename": "model.safetensors"}]})
    dims = ("datasources_basemodel", "weights_basemodel")
    seen = []
    for order in (rows, rows[::-1]):
        db = tmp_path / f"m{len(seen)}.duckdb"
        dump = tmp_path / f"m{len(seen)}.jsonl"
        dump.write_text("\n".join(json.dumps(r) for r in order) + "\n")
        assert main(["--db", str(db), "--quiet", "ingest", str(dump)]) == 0
        with open_store(db) as store:
            stored = dict(store.con.execute(
                "SELECT dimension, grade FROM openness WHERE id = 'fans/merge' AND framework = 'osai' "
                "AND dimension IN ('datasources_basemodel', 'weights_basemodel')").fetchall())
            per_model = assess_record(from_store(store, "fans/merge")).osai
        assert stored == {d: per_model[d] for d in dims}
        seen.append(stored)
    assert seen[0] == seen[1]
    # Pythia's weights are open, Llama 2's gated (partial): the merge's are no more open than Llama 2's
    assert seen[0]["weights_basemodel"] == "partial"
