"""Foundation: the set-based normaliser and `openscope ingest` (issue 2, Must hold)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest


def _entry(i: int, **over) -> dict:
    e = {
        "_id": f"{i:024x}",
        "id": f"org{i % 7}/model-{i}",
        "author": f"org{i % 7}",
        "createdAt": "2024-05-01T10:00:00.000Z",
        "lastModified": "2024-06-01T10:00:00.000Z",
        "downloads": i * 10,
        "downloadsAllTime": i * 100,
        "likes": i % 5,
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "tags": ["transformers", "license:apache-2.0"] + ([f"base_model:finetune:org0/model-{i - 1}"] if i % 3 == 0 else []),
        "cardData": {"license": "apache-2.0"},
        "siblings": [{"rfilename": "config.json"}, {"rfilename": "model.safetensors"}],
    }
    e.update(over)
    return e


def _write_jsonl(path: Path, entries: list) -> Path:
    with path.open("w") as fh:
        for e in entries:
            fh.write((e if isinstance(e, str) else json.dumps(e)) + "\n")
    return path


def _q(db: Path, sql: str, params: list | None = None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.mark.reference
def test_real_api_responses_give_the_right_records(cli, db, shared_data):
    files = sorted((shared_data / "hub-api").glob("*.model_info.json"))
    assert len(files) == 4
    for f in files:
        r = cli("--db", db, "ingest", f, "--json")
        assert r.code == 0, r.stderr
        assert r.json()["records"] == 1 and r.json()["rejects"] == 0
    raw = {json.loads(f.read_text())["id"]: json.loads(f.read_text()) for f in files}
    rows = _q(db, "SELECT id, author, created_at, created_at_raw, license, card_data, pipeline_tag FROM models ORDER BY id")
    assert [r[0] for r in rows] == sorted(raw)
    for mid, author, created, created_raw, lic, card, pipeline in rows:
        src = raw[mid]
        assert author == src["author"]
        assert created_raw == src["createdAt"]
        if src["createdAt"].startswith("2022-03-02T23:29"):
            assert created is None  # the Hub's "date unknown" minute
        else:
            assert created is not None and created.isoformat().startswith(src["createdAt"][:19])
        lic_tag = next(t.split(":", 1)[1] for t in src["tags"] if t.startswith("license:"))
        assert lic == lic_tag
        assert json.loads(card) == src["cardData"]
        assert pipeline == src.get("pipeline_tag")
    # both :04 and :05 variants of the unknown minute are present among the four and stored as unknown
    seconds = {raw[m]["createdAt"][17:19] for m in raw if raw[m]["createdAt"].startswith("2022-03-02T23:29")}
    assert seconds == {"04", "05"}
    stats = dict(((r[0]), r[1:]) for r in _q(db, "SELECT id, downloads_30d, likes, downloads_all_time FROM model_stats"))
    for mid, src in raw.items():
        assert stats[mid][0] == src["downloads"] and stats[mid][1] == src["likes"]
        assert stats[mid][2] is None  # not in the response: unknown, never 0
    tags = _q(db, "SELECT id, list(tag ORDER BY tag) FROM tags GROUP BY id")
    for mid, tl in tags:
        assert tl == sorted(raw[mid]["tags"])
    files_n = dict(_q(db, "SELECT id, count(*) FROM files GROUP BY id"))
    for mid, src in raw.items():
        assert files_n.get(mid, 0) == len(src.get("siblings", []))


def test_malformed_entries_go_to_rejects_with_reasons(cli, db, tmp_path):
    good = [_entry(i) for i in range(1, 6)]
    bad = [
        "{not json",
        json.dumps({"author": "x"}),
        json.dumps(_entry(100, createdAt="yesterday")),
        json.dumps(_entry(101, downloads="many")),
        json.dumps(_entry(102, tags="license:mit")),
        json.dumps(_entry(103, id=42)),
        json.dumps([1, 2, 3]),
        json.dumps(_entry(104, cardData=[1])),
        json.dumps(_entry(105, likes=1.5)),
    ]
    lines = [json.dumps(good[0]), *bad[:4], json.dumps(good[1]), *bad[4:], *(json.dumps(g) for g in good[2:])]
    f = _write_jsonl(tmp_path / "mixed.jsonl", lines)
    r = cli("--db", db, "ingest", f, "--json")
    assert r.code == 0, r.stderr
    doc = r.json()
    assert doc["records"] == len(lines) and doc["rejects"] == len(bad)
    assert sorted(x[0] for x in _q(db, "SELECT id FROM models")) == sorted(g["id"] for g in good)
    reasons = [x[0] for x in _q(db, "SELECT reason FROM rejects ORDER BY locator")]
    joined = " | ".join(reasons)
    for expected in ("not valid JSON", "missing id", "createdAt is not a timestamp", "downloads is not an integer",
                     "tags is not a list", "id is not a non-empty string", "not a JSON object",
                     "cardData is not an object", "likes is not an integer"):
        assert expected in joined, (expected, reasons)
    locs = [x[0] for x in _q(db, "SELECT locator FROM rejects")]
    assert all(loc.startswith("mixed.jsonl:") for loc in locs)


def test_reingest_is_idempotent_and_only_changes_what_changed(cli, db, tmp_path):
    entries = [_entry(i) for i in range(1, 51)]
    f = _write_jsonl(tmp_path / "dump.jsonl", entries)
    first = cli("--db", db, "ingest", f, "--json").json()
    assert first["changed"] == 50
    before = _q(db, "SELECT * EXCLUDE (last_snapshot_id) FROM models ORDER BY id")
    n_stats = _q(db, "SELECT count(*) FROM model_stats")[0][0]
    n_tags = _q(db, "SELECT count(*) FROM tags")[0][0]

    again = cli("--db", db, "ingest", f, "--json").json()
    assert again["changed"] == 0 and again["counters"] == 0
    assert _q(db, "SELECT count(*), count(DISTINCT id) FROM models")[0] == (50, 50)
    assert _q(db, "SELECT count(*) FROM model_stats")[0][0] == n_stats
    assert _q(db, "SELECT count(*) FROM tags")[0][0] == n_tags
    assert _q(db, "SELECT * EXCLUDE (last_snapshot_id) FROM models ORDER BY id") == before

    entries[9] = _entry(10, downloads=999_999, pipeline_tag="text-classification")
    _write_jsonl(f, entries)
    third = cli("--db", db, "ingest", f, "--json").json()
    assert third["changed"] == 1 and third["counters"] == 1
    after = _q(db, "SELECT * EXCLUDE (last_snapshot_id) FROM models ORDER BY id")
    diff = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(diff) == 1 and diff[0][1][0] == "org3/model-10"
    assert _q(db, "SELECT pipeline_tag FROM models WHERE id = 'org3/model-10'")[0][0] == "text-classification"
    hist = _q(db, "SELECT snapshot_id, downloads_30d FROM model_stats WHERE id = 'org3/model-10' ORDER BY 1")
    assert [h[1] for h in hist] == [100, 999_999]
    # the counters view carries values forward: model-10 has a row in each of the three snapshots
    view = _q(db, "SELECT snapshot_id, downloads_30d FROM counters WHERE id = 'org3/model-10' ORDER BY 1")
    assert [v[1] for v in view] == [100, 100, 999_999]
    # a model seen in the 2nd/3rd ingest keeps its first snapshot and moves its last one
    assert _q(db, "SELECT first_snapshot_id, last_snapshot_id FROM models WHERE id = 'org1/model-1'")[0] == (1, 3)


def test_duplicate_ids_in_one_file_keep_the_last(cli, db, tmp_path):
    f = _write_jsonl(tmp_path / "d.jsonl", [_entry(1, likes=1), _entry(1, likes=4)])
    assert cli("--db", db, "ingest", f).code == 0
    assert _q(db, "SELECT count(*) FROM models")[0][0] == 1
    assert _q(db, "SELECT likes FROM model_stats")[0][0] == 4


def test_json_array_and_gzip_inputs(cli, db, tmp_path):
    import gzip

    arr = tmp_path / "page.json"
    arr.write_text(json.dumps([_entry(i) for i in range(1, 4)]))
    assert cli("--db", db, "ingest", arr).code == 0
    gz = tmp_path / "more.jsonl.gz"
    with gzip.open(gz, "wt") as fh:
        for i in range(4, 8):
            fh.write(json.dumps(_entry(i)) + "\n")
    assert cli("--db", db, "ingest", gz).code == 0
    assert _q(db, "SELECT count(*) FROM models")[0][0] == 7


def test_datasets_ingest(cli, db, tmp_path):
    f = _write_jsonl(tmp_path / "ds.jsonl", [
        {"id": "org/ds-a", "author": "org", "createdAt": "2023-01-01T00:00:00.000Z", "downloads": 5, "likes": 1,
         "tags": ["license:cc-by-4.0", "task_categories:text-generation"], "gated": "manual"},
        {"id": "org/ds-b", "downloads": 0, "tags": []},
    ])
    r = cli("--db", db, "ingest", f, "--datasets", "--json")
    assert r.code == 0 and r.json()["changed"] == 2
    assert _q(db, "SELECT id, license, gated FROM datasets ORDER BY id") == [
        ("org/ds-a", "cc-by-4.0", "manual"), ("org/ds-b", None, None)]
    assert _q(db, "SELECT count(*) FROM dataset_stats")[0][0] == 2
    assert _q(db, "SELECT count(*) FROM models")[0][0] == 0


def _parquet_variants(tmp_path: Path) -> tuple[Path, Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    old = pa.table({
        "id": ["a/old-1", "b/old-2", "c/old-3"],
        "author": ["a", "b", "c"],
        "createdAt": ["2022-03-02T23:29:04.000Z", "2023-04-01T12:00:00.000Z", "2024-01-01T00:00:00.000Z"],
        "lastModified": ["2023-01-01T00:00:00.000Z", "2023-05-01T00:00:00.000Z", "2024-02-01T00:00:00.000Z"],
        "downloads": pa.array([5, 0, 12], pa.int64()),
        "likes": pa.array([1, 0, 3], pa.int64()),
        "tags": [["license:mit"], ["base_model:a/old-1", "base_model:finetune:a/old-1"], []],
        "pipeline_tag": ["text-generation", None, "fill-mask"],
        "library_name": ["transformers", "peft", None],
        "cardData": ['{"license": "mit"}', '{"base_model": "a/old-1"}', None],
    })
    ts = pa.timestamp("us", tz="UTC")
    import datetime as dt

    utc = dt.UTC
    new = pa.table({
        "id": ["a/new-1", "b/new-2"],
        "author": ["a", "b"],
        "createdAt": pa.array([dt.datetime(2022, 3, 2, 23, 29, 5, tzinfo=utc), dt.datetime(2025, 1, 20, 8, 0, tzinfo=utc)], ts),
        "lastModified": pa.array([dt.datetime(2025, 2, 1, tzinfo=utc), dt.datetime(2025, 3, 1, tzinfo=utc)], ts),
        "downloads": pa.array([100, 7], pa.int64()),
        "downloadsAllTime": pa.array([1000, 70], pa.int64()),
        "likes": pa.array([9, 0], pa.int64()),
        "trendingScore": pa.array([1.5, 0.0]),
        "tags": [["license:apache-2.0"], ["base_model:quantized:a/new-1"]],
        "pipeline_tag": ["text-generation", "text-generation"],
        "library_name": ["transformers", "gguf"],
        "cardData": ['{"license": "apache-2.0"}', '{"base_model": "a/new-1", "base_model_relation": "quantized"}'],
        "baseModels": pa.array([None, {"relation": "quantized", "models": [{"_id": "x", "id": "a/new-1"}]}]),
        "safetensors": pa.array([{"parameters": {"BF16": 7_000_000}, "total": 7_000_000}, None]),
    })
    po, pn = tmp_path / "models-old.parquet", tmp_path / "models-new.parquet"
    pq.write_table(old, po)
    pq.write_table(new, pn)
    return po, pn


def test_parquet_dump_older_and_newer_schema(cli, db, tmp_path):
    po, pn = _parquet_variants(tmp_path)
    for p in (po, pn):
        r = cli("--db", db, "ingest", p, "--json")
        assert r.code == 0, r.stderr
        assert r.json()["rejects"] == 0 and r.json()["format"] == "parquet"
    rows = {r[0]: r[1:] for r in _q(db, "SELECT id, created_at, created_at_raw, license, params, base_models FROM models")}
    assert rows["a/old-1"][0] is None and rows["a/new-1"][0] is None  # unknown minute, string and typed
    assert rows["a/new-1"][1].startswith("2022-03-02")
    assert rows["b/new-2"][0].isoformat() == "2025-01-20T08:00:00"
    assert rows["a/old-1"][2] == "mit" and rows["a/new-1"][2] == "apache-2.0"
    assert rows["a/new-1"][3] == 7_000_000 and rows["a/old-1"][3] is None
    assert json.loads(rows["b/new-2"][4])["relation"] == "quantized"
    stats = {r[0]: r[1:] for r in _q(db, "SELECT id, downloads_30d, downloads_all_time FROM model_stats")}
    assert stats["a/old-1"] == (5, None)  # the older dump has no downloadsAllTime: unknown, never 0
    assert stats["a/new-1"] == (100, 1000)
    assert json.loads(_q(db, "SELECT card_data FROM models WHERE id = 'b/old-2'")[0][0]) == {"base_model": "a/old-1"}
    assert ("b/old-2", "base_model:finetune:a/old-1") in _q(db, "SELECT id, tag FROM tags")


def test_missing_and_corrupt_inputs_exit_codes_and_store_unchanged(cli, db, tmp_path):
    ok = _write_jsonl(tmp_path / "ok.jsonl", [_entry(1), _entry(2)])
    assert cli("--db", db, "ingest", ok).code == 0
    snap = _q(db, "SELECT * FROM models ORDER BY id")

    r = cli("--db", db, "ingest", tmp_path / "nope.jsonl")
    assert r.code == 66 and "no such file" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1

    trunc = tmp_path / "trunc.jsonl"
    trunc.write_text(json.dumps(_entry(3)) + "\n" + json.dumps(_entry(4))[:40])
    r = cli("--db", db, "ingest", trunc)
    assert r.code == 65 and "truncated" in r.stderr

    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"PAR1" + os.urandom(300))
    r = cli("--db", db, "ingest", garbage)
    assert r.code == 65 and "corrupt" in r.stderr

    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\x00\x01\x02 not json at all")
    r = cli("--db", db, "ingest", binary)
    assert r.code == 65

    badarr = tmp_path / "bad.json"
    badarr.write_text('[{"id": "x/y"}, {"id": ')
    r = cli("--db", db, "ingest", badarr)
    assert r.code == 65

    assert _q(db, "SELECT * FROM models ORDER BY id") == snap
    statuses = [s[0] for s in _q(db, "SELECT status FROM snapshots ORDER BY snapshot_id")]
    assert statuses[0] == "complete" and all(s == "failed" for s in statuses[1:])

    r = cli("--db", tmp_path / "missing-dir" / "s.duckdb", "ingest", ok)
    assert r.code == 73 and "does not exist" in r.stderr
    assert not (tmp_path / "missing-dir").exists()


def _padded_lines(numbers: range, pad: str) -> Iterator[str]:
    """``json.dumps(_entry(i, description=pad)) + "\\n"`` for each ``i``, byte for byte, from two templates
    dumped once (with and without the base-model tag of every third model). Why: a dict and a json.dumps per
    line was ~4 s of the SIGKILL test, which needs 400,000 lines only so that the ingest is still running."""
    marks = {"_id": "%(h)s", "id": "org%(o)d/model-%(i)d", "author": "org%(o)d", "downloads": -10,
             "downloadsAllTime": -100, "likes": -5, "description": pad}
    plain = _entry(1, **marks)
    based = _entry(1, **marks, tags=[*plain["tags"], "base_model:finetune:org0/model-%(p)d"])
    templates = [json.dumps(e).replace("-100,", "%(a)d,").replace("-10,", "%(d)d,").replace("-5,", "%(l)d,") + "\n"
                 for e in (based, plain)]
    for i in numbers:
        yield templates[i % 3 != 0] % {"h": f"{i:024x}", "o": i % 7, "i": i, "d": i * 10, "a": i * 100, "l": i % 5,
                                       "p": i - 1}


def test_padded_lines_are_the_entries_as_json_dumps_writes_them() -> None:
    pad = "x" * 600
    numbers = range(999, 1012)
    assert list(_padded_lines(numbers, pad)) == [json.dumps(_entry(i, description=pad)) + "\n" for i in numbers]


def test_sigkill_during_ingest_keeps_previous_state(db, tmp_path, cli):
    small = _write_jsonl(tmp_path / "small.jsonl", [_entry(i) for i in range(1, 21)])
    assert cli("--db", db, "-q", "ingest", small).code == 0
    before = _q(db, "SELECT * FROM models ORDER BY id")
    stats_before = _q(db, "SELECT count(*) FROM model_stats")[0][0]

    big = tmp_path / "big.jsonl"
    with big.open("w") as fh:
        fh.writelines(_padded_lines(range(1000, 400_000), "x" * 600))
    wal = Path(str(db) + ".wal")
    proc = subprocess.Popen([sys.executable, "-m", "openscope.cli", "--db", str(db), "-q", "ingest", str(big)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (wal.exists() and wal.stat().st_size > 0):
        time.sleep(0.02)  # the snapshot row is committed (WAL) before the data transaction starts
    assert wal.exists(), "ingest never started"
    time.sleep(0.5)
    assert proc.poll() is None, "the ingest finished before it could be killed; make the file bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    assert _q(db, "SELECT * FROM models ORDER BY id") == before
    assert _q(db, "SELECT count(*) FROM model_stats")[0][0] == stats_before
    assert _q(db, "SELECT status FROM snapshots ORDER BY snapshot_id") == [("complete",), ("running",)]

    r = cli("--db", db, "--json", "ingest", small)
    assert r.code == 0 and r.json()["changed"] == 0
    assert _q(db, "SELECT status FROM snapshots ORDER BY snapshot_id") == [("complete",), ("aborted",), ("complete",)]


def test_store_locked_by_another_process_exits_75_naming_it(db, tmp_path, run_openscope, cli):
    ok = _write_jsonl(tmp_path / "ok.jsonl", [_entry(1)])
    assert cli("--db", db, "ingest", ok).code == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)", str(db)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        for args in (("status",), ("ingest", str(ok))):
            r = run_openscope("--db", db, *args)
            assert r.code == 75, r.stderr
            assert f"PID {holder.pid}" in r.stderr and "locked" in r.stderr
            assert len(r.stderr.strip().splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()


def test_repeated_lines_each_get_their_own_locator(cli, db, tmp_path):
    f = _write_jsonl(tmp_path / "rep.jsonl", ["{oops", json.dumps(_entry(1)), "{oops", json.dumps(_entry(1))])
    r = cli("--db", db, "ingest", f, "--json")
    assert r.code == 0 and r.json()["rejects"] == 2
    assert sorted(x[0] for x in _q(db, "SELECT locator FROM rejects")) == ["rep.jsonl:1", "rep.jsonl:3"]
    assert _q(db, "SELECT count(*) FROM models")[0][0] == 1


def test_a_re_ingest_locates_its_rejects_and_repeats_by_their_line_in_the_file(cli, db, tmp_path):
    """A re-ingest parses only the changed lines, yet a reject or a repeated id is still located by its
    line in the whole file (not by its rank among the changed lines), and the last repeat wins."""
    first = [json.dumps(_entry(i)) for i in range(6)]
    assert cli("--db", db, "ingest", _write_jsonl(tmp_path / "a.jsonl", first)).code == 0
    changed = dict(_entry(2), likes=999)
    lines = [*first[:4], "{oops", json.dumps(changed), first[4], json.dumps(dict(changed, likes=1000)), first[5]]
    r = cli("--db", db, "ingest", _write_jsonl(tmp_path / "b.jsonl", lines), "--json")
    assert r.code == 0 and r.json()["rejects"] == 1 and r.json()["changed"] == 1
    assert _q(db, "SELECT locator, reason FROM rejects") == [("b.jsonl:5", "not valid JSON")]
    assert _q(db, f"SELECT likes FROM model_stats WHERE id = '{changed['id']}' ORDER BY snapshot_id DESC LIMIT 1") == [(1000,)]


def test_a_one_line_array_past_the_first_line_bound_is_read_as_an_array(monkeypatch, tmp_path: Path) -> None:
    """The sniffer reads a list first line whole to tell JSON Lines from an array, but never past its bound:
    an array dumped on one line longer than that is an array, decided without reading or parsing it whole."""
    from openscope.sources import files

    monkeypatch.setattr(files, "FIRST_LINE_MAX", 64)
    parsed: list[bytes] = []
    real_is_json = files._is_json
    monkeypatch.setattr(files, "_is_json", lambda line: parsed.append(line) or real_is_json(line))
    one_line = tmp_path / "page.json"
    one_line.write_text(json.dumps([{"id": f"org/m{i}", "tags": ["x" * 40]} for i in range(3)]) + "\n", "utf-8")
    assert files.sniff(one_line) == "json-array"
    assert parsed == []  # a cut line is never handed to the JSON parser
    short = tmp_path / "short.jsonl"
    short.write_text('[1]\n{"id": "org/a"}\n', "utf-8")
    assert files.sniff(short) == "jsonl" and parsed == [b"[1]\n"]
