"""Fuzz the whole pipeline through the real CLI: odd Hub API entries in, the contract out.

Why: the brief promises that bad input gets a one-line error and a contract exit code, never a
traceback, and that nothing already stored is lost by a bad record. Unit tests check the cases someone
thought of; these generate Hub API list entries (shape of ``/api/models``, see SOURCES.md) where any
field may be missing, null, of the wrong type, empty, huge or full of unicode, RTL and NUL characters,
write them as JSON Lines, a JSON array and Parquet, and run ``ingest`` then every read command on them.

Properties:
- every command exits 0 or with a contract code, never "internal error", never a traceback;
- with ``--json`` stdout is exactly one JSON document;
- every line is either stored (its id is a model) or in ``rejects`` with a reason; entries whose fields
  all have the documented types are never rejected;
- a later ingest (of a good file, or of a corrupt one) keeps everything stored before.
"""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from held_open import reads_only
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lineage_graphs import entry

from openscope.errors import Exit

# OPENSCOPE_FUZZ_HUNT=500 runs many more examples, without shrinking, to hunt for bugs (see the docstring).
_HUNT = int(os.environ.get("OPENSCOPE_FUZZ_HUNT") or 0)
FAST = settings(max_examples=_HUNT or 16, deadline=None, suppress_health_check=list(HealthCheck),
                phases=(Phase.explicit, Phase.generate) if _HUNT else tuple(Phase), print_blob=bool(_HUNT))
OK_CODES = {int(c) for c in Exit} - {int(Exit.CHECK_FAILED), int(Exit.INCOMPLETE)}

# --- values -----------------------------------------------------------------------------------------

WEIRD_STRINGS = [
    "", " ", "\x00", "a\x00b", "\u202e/evil", "\u05e9\u05dc\u05d5\u05dd/\u05e2\u05d5\u05dc\u05dd", "[bold]x[/bold]",
    "[/]", "[", "]", "a/b", "A/B", "../../etc/passwd", "/etc/passwd", "C:\\x\\y", "x" * 5000, "\U0001f600/\U0001f680",
    "None", "null", "NaN", "'; DROP TABLE models; --", "%s%n", "{}", "[]", "${x}", "{{ x }}", "\n", "\t\r",
    "https://huggingface.co/a/b", "a/b/c", "-", "--help", "\ufeffbom/x", "e\u0301/cafe\u0301",
]
TEXT = st.sampled_from(WEIRD_STRINGS) | st.text(max_size=12)
NUMBERS = st.sampled_from([0, -1, 1, 2**31, -(2**63), 2**63 - 1, 2**63, 2**64, 2**70, 1.5, -0.0, 1e308, -1e308]) | (
    st.integers(-(10**6), 10**6))
SCALARS = st.none() | st.booleans() | NUMBERS | st.floats(allow_nan=False, allow_infinity=False) | TEXT
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "_id", "relation", "models", "total", "rfilename", "license", "name", "x", ""])
        | st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
DATES = st.sampled_from([
    "2024-05-01T00:00:00.000Z", "2022-03-02T23:29:05.000Z", "2022-03-02 23:29:04", "", "not a date",
    "0000-00-00T00:00:00Z", "9999-12-31T23:59:59.999Z", "2024-02-30T00:00:00Z", "1970-01-01T00:00:00Z",
    "-0001-01-01T00:00:00Z", "2024-05-01T00:00:00+05:00", "294247-01-10T04:00:54.775807Z", "infinity",
    "-infinity", "epoch", "2024-05-01", "2024-W01", "2024-05-01T25:61:61Z",
]) | ANY_JSON
IDS = st.sampled_from(["a/b", "A/B", "a/B", "c/d", "solo", "x/\u202eevil", "[red]x[/red]/y", "q\x00/z", "", " ",
                       "../../x", "/abs/x", "a/b/c", "-rf/x", "\u05d0/\u05d1", "x" * 300]) | TEXT
TAGS = st.sampled_from([
    "base_model:a/b", "base_model:finetune:c/d", "base_model:", "base_model:merge:", "base_model:x:y:z",
    "base_model:quantized:A/B", "base_model:adapter:[", "license:mit", "license:", "license:other",
    "license:apache-2.0", "license:llama3.1", "dataset:a/b", "dataset:", "gguf", "mergekit", "peft", "region:us",
    "openscope:synthetic", "arxiv:", "en", "",
]) | TEXT
CARD_KEYS = ["license", "license_name", "license_link", "base_model", "base_model_relation", "datasets",
             "language", "tags", "pipeline_tag", "library_name", "model-index", "extra_gated_prompt",
             "inference", "metrics", "co2_eq_emissions"]


def _card() -> st.SearchStrategy[Any]:
    return st.dictionaries(st.sampled_from(CARD_KEYS), ANY_JSON | TAGS | IDS, max_size=6)


def _siblings() -> st.SearchStrategy[Any]:
    sib = st.fixed_dictionaries({}, optional={
        "rfilename": st.sampled_from(["README.md", "config.json", "../../etc/passwd", "/abs/model.bin", "",
                                      "model.safetensors", "a/../b.gguf", "x.pkl", "\x00.bin",
                                      "adapter_config.json", "model.Q4_K_M.gguf"]) | ANY_JSON,
        "size": NUMBERS | ANY_JSON,
        "blobId": TEXT,
        "lfs": ANY_JSON | st.fixed_dictionaries({"sha256": TEXT, "size": NUMBERS}),
    })
    return st.lists(sib | ANY_JSON, max_size=4) | ANY_JSON


def _base_models() -> st.SearchStrategy[Any]:
    good = st.fixed_dictionaries({
        "relation": st.sampled_from(["finetune", "adapter", "quantized", "merge", "", "weird"]) | ANY_JSON,
        "models": st.lists(st.fixed_dictionaries({"_id": TEXT, "id": IDS | ANY_JSON}) | ANY_JSON, max_size=3)
        | ANY_JSON,
    })
    return good | ANY_JSON


# Each field: a strategy mixing well-typed odd values with wrong types (any JSON).
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "id": IDS | ANY_JSON,
    "modelId": IDS | ANY_JSON,
    "_id": TEXT | ANY_JSON,
    "author": TEXT | ANY_JSON,
    "createdAt": DATES,
    "lastModified": DATES,
    "pipeline_tag": TEXT | ANY_JSON,
    "library_name": TEXT | ANY_JSON,
    "gated": st.sampled_from([False, True, "auto", "manual", "AUTO", "yes", "", 1, None]) | ANY_JSON,
    "tags": st.lists(TAGS | ANY_JSON, max_size=5) | ANY_JSON,
    "downloads": NUMBERS | ANY_JSON,
    "downloadsAllTime": NUMBERS | ANY_JSON,
    "likes": NUMBERS | ANY_JSON,
    "cardData": _card() | ANY_JSON | _card().map(json.dumps),
    "siblings": _siblings(),
    "safetensors": st.fixed_dictionaries({"parameters": ANY_JSON, "total": NUMBERS | ANY_JSON}) | ANY_JSON,
    "gguf": st.fixed_dictionaries({"total": NUMBERS | ANY_JSON, "architecture": TEXT,
                                   "context_length": NUMBERS}) | ANY_JSON,
    "config": st.fixed_dictionaries({"model_type": TEXT, "architectures": ANY_JSON}) | ANY_JSON,
    "baseModels": _base_models(),
    "private": st.booleans() | ANY_JSON,
    "sha": TEXT | ANY_JSON,
    "spaces": ANY_JSON,
}


@st.composite
def odd_entry(draw: st.DrawFn) -> Any:
    """A Hub list entry where any field may be dropped, null, odd or of the wrong type (or no object)."""
    if draw(st.integers(0, 19)) == 0:
        return draw(ANY_JSON.filter(lambda x: not isinstance(x, dict)))
    mid = draw(IDS)
    e: dict[str, Any] = entry(mid if mid else "a/b", tags=("base_model:finetune:a/b",), card={"license": "mit"},
                              files=("model.safetensors",))
    e["id"] = mid
    for f in draw(st.lists(st.sampled_from(sorted(FIELDS)), unique=True, max_size=7)):
        if draw(st.integers(0, 4)) == 0:
            e.pop(f, None)
        else:
            e[f] = draw(FIELDS[f])
    return e


CLEAN_IDS = st.sampled_from(["ok/one", "ok/two", "Ok/Three", "ok/\u05e9\u05dc\u05d5\u05dd", "ok/[bold]x",
                             "ok/\u202eevil", "ok/" + "y" * 200, "ok/e\u0301", "ok-solo"])


@st.composite
def clean_entry(draw: st.DrawFn, mid: str) -> dict[str, Any]:
    """An entry with every field of its documented type (strings may still be odd): never rejected."""
    tags = draw(st.lists(TAGS, max_size=5))
    card = draw(st.none() | st.dictionaries(st.sampled_from(CARD_KEYS), ANY_JSON | TAGS | IDS, max_size=5))
    files = tuple(draw(st.lists(st.sampled_from(["config.json", "../x.bin", "/abs.gguf", "model.safetensors",
                                                 "adapter_config.json", "w.pkl"]), max_size=3)))
    e = entry(mid, tuple(tags), card=card, files=files, downloads=draw(st.integers(-5, 2**40)),
              created=draw(st.sampled_from(["2024-05-01T00:00:00.000Z", "2022-03-02T23:29:04.000Z",
                                            "2019-01-01T00:00:00Z"])))
    e["likes"] = draw(st.integers(-3, 10**6))
    e["gated"] = draw(st.sampled_from([False, "auto", "manual"]))
    if draw(st.booleans()):
        e["baseModels"] = draw(_base_models())
    if draw(st.booleans()):
        e["safetensors"] = {"parameters": {"F16": 7}, "total": draw(st.integers(0, 2**40))}
    return e


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[Any], list[dict[str, Any]]]:
    """(odd entries, clean entries with ids no odd entry uses)."""
    odd = draw(st.lists(odd_entry(), min_size=1, max_size=8))
    used = {str(e.get("id")).lower() for e in odd if isinstance(e, dict)} | {
        str(e.get("modelId")).lower() for e in odd if isinstance(e, dict)}
    ids = [i for i in draw(st.lists(CLEAN_IDS, unique=True, max_size=3)) if i.lower() not in used]
    clean = [draw(clean_entry(i)) for i in ids]
    return odd, clean


# --- files ------------------------------------------------------------------------------------------


def _dumps(x: Any) -> str:
    return json.dumps(x, ensure_ascii=False)


def write_jsonl(path: Path, entries: list[Any]) -> Path:
    path.write_text("".join(_dumps(e) + "\n" for e in entries), encoding="utf-8")
    return path


def write_array(path: Path, entries: list[Any]) -> Path:
    path.write_text(_dumps(entries), encoding="utf-8")
    return path


def _entry_id(e: Any) -> str | None:
    """The id the Hub's entry names (``id``, else the older ``modelId``), when it is a string."""
    if not isinstance(e, dict):
        return None
    for k in ("id", "modelId"):
        if e.get(k) is not None:
            return e[k] if isinstance(e[k], str) else None
    return None


# --- running the CLI --------------------------------------------------------------------------------


def _check(res: Any, *, json_out: bool, allowed: set[int] = OK_CODES, what: Any = "") -> Any:
    """The contract for every run: a documented exit code, no traceback, one JSON document on success."""
    assert res.code in allowed, (what, res.code, res.stderr[-2000:])
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, (what, res.stderr[-2000:])
    if res.code != 0:
        assert res.stderr.strip(), ("a failure must say why", what)
        return None
    if json_out:
        try:
            return json.loads(res.stdout)  # exactly one document: json.loads refuses trailing data
        except ValueError as exc:
            raise AssertionError((what, "stdout is not one JSON document", res.stdout[:500])) from exc
    return None


def _query(cli: Any, db: Path, sql: str) -> list[dict[str, Any]]:
    doc = _check(cli("--db", db, "--json", "sql", sql, "--limit", "0"), json_out=True, allowed={0})
    return doc["rows"]


def _ingest(cli: Any, db: Path, path: Path, allowed: set[int] = OK_CODES) -> dict[str, Any] | None:
    return _check(cli("--db", db, "--json", "ingest", path), json_out=True, allowed=allowed)


def _read_commands(cli: Any, db: Path, ids: list[str]) -> None:
    """Every read command on these ids, as JSON and as the human rendering (rich markup in ids!)."""
    for args in (("status",), ("sql", "SELECT * FROM models")):
        _check(cli("--db", db, *args), json_out=False, allowed={0}, what=args)
    for k, mid in enumerate(ids):
        # "--" ends the options: an id such as "--help" or "-rf/x" is an id, not an option
        for args in (("model", "--", mid), ("lineage", "--", mid), ("lineage", "--down", "--", mid),
                     ("license", "--", mid), ("assess", "--", mid)):
            for json_out in (True, False) if k == 0 else (True,):  # the renderings: for the first id
                res = cli("--db", db, *(("--json",) if json_out else ()), *args)
                _check(res, json_out=json_out, what=args)
                if json_out and res.code == 0:
                    doc = res.json()
                    assert isinstance(doc, dict)


def _probe_ids(entries: list[Any], n: int = 2) -> list[str]:
    """A few ids to look up: a stored one, the parent most tags name, another spelling, other entries'
    ids. NUL cannot appear in a real command line, so ids holding one are left out."""
    ids = [i for e in entries if (i := _entry_id(e))]
    out: list[str] = []
    for i in ids[:1] + ["a/b"] + [i.upper() for i in ids[:1]] + ids[1:3]:
        if i and "\x00" not in i and i not in out:
            out.append(i)
    return out[:n]


def _stored_and_rejected(cli: Any, db: Path, sid: int, table: str = "models") -> tuple[set[str], set[str]]:
    models = {r["id"] for r in _query(cli, db, f"SELECT id FROM {table}")}
    rejects = _query(cli, db, f"SELECT locator, reason FROM rejects WHERE snapshot_id = {sid}")
    assert all(r["reason"] for r in rejects)
    return models, {r["locator"] for r in rejects}


def _assert_accounting(cli: Any, db: Path, doc: dict[str, Any], entries: list[Any], clean: list[dict[str, Any]],
                       locator: Any, table: str = "models") -> set[str]:
    """Every entry is stored or rejected with a reason; clean entries are stored; counts agree."""
    sid = doc["snapshot_id"]
    models, rejected = _stored_and_rejected(cli, db, sid, table)
    assert doc["records"] == len(entries)
    assert doc["rejects"] == len(rejected)
    clean_ids = {e["id"] for e in clean}
    accepted: set[str] = set()
    for i, e in enumerate(entries):
        mid = _entry_id(e)
        if locator(i) in rejected:
            assert mid not in clean_ids or any(_entry_id(x) == mid for x in entries if x is not e), (e, "rejected")
            continue
        assert mid is not None and mid.strip() and not any(unicodedata.category(c) == "Cc" for c in mid), (
            f"an entry without a usable id was stored: {e!r}")
        assert mid in models, f"entry {i} neither stored nor rejected: {e!r}"
        accepted.add(mid)
    assert clean_ids <= models
    assert models == accepted  # nothing stored that no accepted line named
    status = _check(cli("--db", db, "--json", "status"), json_out=True, allowed={0})
    assert status[table] == len(models) and status["rejects"] >= len(rejected)
    count = _query(cli, db, f"SELECT count(*) AS n FROM {table}")[0]["n"]
    assert count == len(models)
    return models


# --- the tests --------------------------------------------------------------------------------------

@FAST
@given(batch=batches(), fmt=st.sampled_from(["jsonl", "array"]), datasets=st.booleans())
def test_odd_entries_load_or_reject_and_every_command_answers(cli, tmp_path_factory, empty_store, batch, fmt,
                                                              datasets) -> None:
    """Any entries, as JSON Lines or a JSON array, as models or datasets: each is stored or rejected."""
    odd, clean = batch
    entries = odd + clean
    d = tmp_path_factory.mktemp("fz")
    db = Path(shutil.copyfile(empty_store, d / "s.duckdb"))  # a new store, made once (conftest.empty_store)
    if fmt == "jsonl" and len(entries) == 1 and isinstance(entries[0], list):
        # by design: a file whose one line is a JSON array is an array (an API page saved as is)
        path = write_jsonl(d / "e.jsonl", entries)
        entries = entries[0]

        def loc(i: int) -> str:
            return f"e.jsonl[{i}]"
    elif fmt == "jsonl":
        path = write_jsonl(d / "e.jsonl", entries)

        def loc(i: int) -> str:
            return f"e.jsonl:{i + 1}"
    else:
        path = write_array(d / "e.json", entries)

        def loc(i: int) -> str:
            return f"e.json[{i}]"
    doc = _check(cli("--db", db, "--json", "ingest", path, *(["--datasets"] if datasets else [])), json_out=True,
                 allowed={0})  # well-formed JSON is never refused whole: bad entries are rejects
    with reads_only(db):  # every command below only reads: they share one started database (held_open)
        _assert_accounting(cli, db, doc, entries, clean, loc, "datasets" if datasets else "models")
        _read_commands(cli, db, _probe_ids(entries))


@FAST
@given(first=batches(), second=st.lists(CLEAN_IDS, min_size=1, max_size=4, unique=True), data=st.data())
def test_a_later_ingest_keeps_what_was_stored(cli, tmp_path_factory, empty_store, first, second, data) -> None:
    """Odd file, then a good file (some ids shared), then a corrupt file: nothing stored is lost."""
    odd, clean = first
    d = tmp_path_factory.mktemp("fz2")
    db = Path(shutil.copyfile(empty_store, d / "s.duckdb"))  # a new store, made once (conftest.empty_store)
    doc1 = _ingest(cli, db, write_jsonl(d / "one.jsonl", odd + clean))
    assert doc1 is not None
    with reads_only(db):  # the queries between two ingests share one started database (held_open)
        before = {r["id"] for r in _query(cli, db, "SELECT id FROM models")}
        n_rejects = _query(cli, db, "SELECT count(*) AS n FROM rejects")[0]["n"]
    good = [data.draw(clean_entry(i)) for i in second]
    doc2 = _ingest(cli, db, write_jsonl(d / "two.jsonl", good), allowed={0})
    assert doc2["rejects"] == 0
    with reads_only(db):
        after = {r["id"] for r in _query(cli, db, "SELECT id FROM models")}
        assert after == before | set(second)
        assert _query(cli, db, "SELECT count(*) AS n FROM rejects")[0]["n"] == n_rejects
        # counters of the second file are the ones now read for its ids
        rows = _query(cli, db, f"""SELECT id, downloads_30d, likes FROM counters
                                  WHERE snapshot_id = {doc2['snapshot_id']} AND repo_type = 'model'""")
    got = {r["id"]: (r["downloads_30d"], r["likes"]) for r in rows}
    for e in good:
        assert got[e["id"]] == (e["downloads"], e["likes"])
    # a truncated file is refused whole, and the store is as it was
    bad = d / "three.jsonl"
    bad.write_text(_dumps(entry("ok/late", ("license:mit",))) + "\n" + _dumps(good[0])[:-1], encoding="utf-8")
    res = cli("--db", db, "--json", "ingest", bad)
    _check(res, json_out=True, allowed={int(Exit.DATAERR)})
    with reads_only(db):
        assert {r["id"] for r in _query(cli, db, "SELECT id FROM models")} == after
        snaps = _query(cli, db, "SELECT status FROM snapshots ORDER BY snapshot_id")
    assert [s["status"] for s in snaps[:2]] == ["complete", "complete"]


@st.composite
def parquet_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Rows of the Hub dump's shape (typed columns: cardData and config as JSON text), any value odd."""
    n = draw(st.integers(1, 6))
    rows = []
    for _ in range(n):
        rows.append({
            "id": draw(st.none() | IDS),
            "author": draw(st.none() | TEXT),
            "createdAt": draw(st.none() | DATES.filter(lambda x: isinstance(x, str))),
            "lastModified": draw(st.none() | st.sampled_from(["2024-05-01T00:00:00.000Z", "x", ""])),
            "downloads": draw(st.none() | st.integers(-(2**63), 2**63 - 1)),
            "likes": draw(st.none() | st.integers(-(2**63), 2**63 - 1)),
            "tags": draw(st.none() | st.lists(st.none() | TAGS, max_size=4)),
            "pipeline_tag": draw(st.none() | TEXT),
            "gated": draw(st.none() | st.sampled_from(["False", "auto", "manual", "true", ""])),
            "cardData": draw(st.none() | _card().map(json.dumps) | ANY_JSON.map(json.dumps) | TEXT),
            "config": draw(st.none() | ANY_JSON.map(json.dumps) | TEXT),
            "siblings": draw(st.none() | st.lists(st.fixed_dictionaries(
                {"rfilename": st.none() | st.sampled_from(["../a", "/b", "", "README.md", "m.gguf"]) | TEXT}),
                max_size=3)),
            "safetensors": draw(st.none() | st.fixed_dictionaries(
                {"total": st.none() | st.integers(-(2**63), 2**63 - 1)})),
            "baseModels": draw(st.none() | st.fixed_dictionaries({
                "relation": st.none() | st.sampled_from(["finetune", "merge", "", "odd"]),
                "models": st.none() | st.lists(st.fixed_dictionaries({"_id": st.none() | TEXT,
                                                                      "id": st.none() | IDS}), max_size=2)})),
        })
    return rows


PARQUET_SCHEMA = pa.schema([
    ("id", pa.string()), ("author", pa.string()), ("createdAt", pa.string()), ("lastModified", pa.string()),
    ("downloads", pa.int64()), ("likes", pa.int64()), ("tags", pa.list_(pa.string())),
    ("pipeline_tag", pa.string()), ("gated", pa.string()), ("cardData", pa.string()), ("config", pa.string()),
    ("siblings", pa.list_(pa.struct([("rfilename", pa.string())]))),
    ("safetensors", pa.struct([("total", pa.int64())])),
    ("baseModels", pa.struct([("relation", pa.string()),
                              ("models", pa.list_(pa.struct([("_id", pa.string()), ("id", pa.string())])))])),
])


@FAST
@given(rows=parquet_rows())
def test_odd_parquet_dump_loads_or_rejects(cli, tmp_path_factory, empty_store, rows) -> None:
    d = tmp_path_factory.mktemp("fzp")
    db = Path(shutil.copyfile(empty_store, d / "s.duckdb"))  # a new store, made once (conftest.empty_store)
    path = d / "models.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=PARQUET_SCHEMA), path)
    doc = _ingest(cli, db, path)
    assert doc is not None, "a well-formed parquet file is never refused whole"
    with reads_only(db):  # every command below only reads (held_open)
        _assert_accounting(cli, db, doc, rows, [], lambda i: f"models.parquet#row{i + 1}")
        _read_commands(cli, db, _probe_ids(rows, 1))


@FAST
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode),
       head=st.sampled_from([b"", b"PAR1", b"\x1f\x8b", b"[", b"{\n", b"{", b"\xef\xbb\xbf", b"[{\"id\": \"a/b\"}"]))
def test_any_bytes_are_refused_or_loaded_without_losing_the_store(cli, tmp_path_factory, empty_store, data,
                                                                  head) -> None:
    d = tmp_path_factory.mktemp("fzb")
    db = Path(shutil.copyfile(empty_store, d / "s.duckdb"))  # a new store, made once (conftest.empty_store)
    assert _ingest(cli, db, write_jsonl(d / "good.jsonl", [entry("keep/me", ("license:mit",))]), allowed={0})
    junk = d / "junk.bin"
    junk.write_bytes(head + data)
    _check(cli("--db", db, "--json", "ingest", junk), json_out=True)
    with reads_only(db):  # (held_open)
        models = {r["id"] for r in _query(cli, db, "SELECT id FROM models")}
        assert "keep/me" in models
        _check(cli("--db", db, "--json", "model", "keep/me"), json_out=True, allowed={0})


def test_nan_and_infinity_do_not_reach_json_output(cli, tmp_path: Path) -> None:
    """JSON has no NaN: a counter or size read as a float must not make `--json` print invalid JSON."""
    path = tmp_path / "n.jsonl"
    path.write_text('{"id": "n/a", "downloads": NaN, "likes": Infinity, "safetensors": {"total": -Infinity}}\n'
                    '{"id": "n/b", "downloads": 1, "likes": 2}\n', encoding="utf-8")
    db = tmp_path / "s.duckdb"
    doc = _ingest(cli, db, path)
    if doc is not None:
        assert "n/b" in {r["id"] for r in _query(cli, db, "SELECT id FROM models")}
    for mid in ("n/a", "n/b"):
        for args in (("model", mid), ("assess", mid), ("license", mid)):
            res = cli("--db", db, "--json", *args)
            doc = _check(res, json_out=True)
            if doc is not None:
                assert "NaN" not in res.stdout and "Infinity" not in res.stdout


# --- regressions: each bug the fuzzing found, as a plain test ---------------------------------------


def test_a_null_inside_tags_is_no_tag_not_a_failed_batch(cli, tmp_path: Path) -> None:
    """Found by the parquet fuzz: a dump row whose tags list holds a null failed the NOT NULL constraint
    of ``tags`` and refused the whole file (exit 65)."""
    rows = [{"id": "p/null-tag", "tags": [None, "license:mit"]}, {"id": "p/plain", "tags": ["gguf"]}]
    pq.write_table(pa.Table.from_pylist(rows, schema=pa.schema([("id", pa.string()),
                                                                 ("tags", pa.list_(pa.string()))])),
                   tmp_path / "m.parquet")
    write_jsonl(tmp_path / "m.jsonl", [{"id": "j/null-tag", "tags": [None, "license:mit"]}])
    for name in ("m.parquet", "m.jsonl"):
        assert _ingest(cli, tmp_path / "s.duckdb", tmp_path / name, allowed={0})["rejects"] == 0
    tags = _query(cli, tmp_path / "s.duckdb", "SELECT id, tag FROM tags ORDER BY id, tag")
    assert [(r["id"], r["tag"]) for r in tags] == [("j/null-tag", "license:mit"), ("p/null-tag", "license:mit"),
                                                   ("p/plain", "gguf")]
    lic = _query(cli, tmp_path / "s.duckdb", "SELECT license FROM models WHERE id = 'p/null-tag'")
    assert lic == [{"license": "mit"}]


def test_ids_that_are_blank_or_hold_control_characters_are_rejected(cli, tmp_path: Path) -> None:
    """Found by the JSONL fuzz: an id of "\\n" (blank to a person, not to DuckDB's trim) was stored as
    a model no one could look up; so was an id holding a NUL."""
    db = tmp_path / "s.duckdb"
    doc = _ingest(cli, db, write_jsonl(tmp_path / "e.jsonl", [
        {"id": "\n"}, {"id": "a\x00b"}, {"id": "\t \u3000"}, {"modelId": "x\u0085y"}, {"id": "ok/x"}]), allowed={0})
    assert doc["rejects"] == 4
    assert {r["id"] for r in _query(cli, db, "SELECT id FROM models")} == {"ok/x"}
    reasons = [r["reason"] for r in _query(cli, db, "SELECT reason FROM rejects ORDER BY locator")]
    assert all(r.startswith(("id is blank or holds control characters", "id is not a non-empty string"))
               for r in reasons), reasons


def test_a_jsonl_file_may_open_with_a_line_that_is_not_an_object(cli, tmp_path: Path) -> None:
    """Found by the JSONL fuzz: a first line of ``null`` or ``[]`` made the whole file "not JSON Lines"
    (exit 65), while the same line anywhere else was one reject."""
    db = tmp_path / "s.duckdb"
    # the last: a list line longer than the 4 KiB the format sniffer first reads (found by a hunt: it was
    # read as a truncated JSON array and the whole file refused)
    for i, first in enumerate(("null", "[]", "42", '"text"', "[1, 2]", '["]", "' + "x" * 5000 + '"]')):
        path = tmp_path / f"f{i}.jsonl"
        path.write_text(f'{first}\n{{"id": "ok/m{i}"}}\n', encoding="utf-8")
        doc = _ingest(cli, db, path, allowed={0})
        assert (doc["format"], doc["records"], doc["rejects"]) == ("jsonl", 2, 1), (first, doc)
    assert {r["id"] for r in _query(cli, db, "SELECT id FROM models")} == {f"ok/m{i}" for i in range(6)}
    # a JSON array on one line is still an array, and a file of prose still refused whole
    write_array(tmp_path / "page.json", [{"id": "arr/one"}, {"id": "arr/two"}])
    assert _ingest(cli, db, tmp_path / "page.json", allowed={0})["format"] == "json-array"
    (tmp_path / "prose.jsonl").write_text("hello\n", encoding="utf-8")
    _check(cli("--db", db, "--json", "ingest", tmp_path / "prose.jsonl"), json_out=True, allowed={65})


def test_stored_text_that_looks_like_rich_markup_prints_as_itself(cli, tmp_path: Path) -> None:
    """Found by the fuzz of the human renderings: ids and card values such as ``[/]`` or ``o/[bold]``
    are rich markup to the console: every command crashed with a MarkupError (exit 70)."""
    db = tmp_path / "s.duckdb"
    _ingest(cli, db, write_jsonl(tmp_path / "[m].jsonl", [
        {"id": "[/]", "tags": ["base_model:finetune:a/b"]},
        {"id": "a/b", "cardData": {"license": "[/x]"}},
        {"id": "o/[bold]", "tags": ["base_model:finetune:[/]", "license:[red]"]},
    ]), allowed={0})
    for mid in ("[/]", "a/b", "o/[bold]"):
        for args in (("model", mid), ("lineage", mid), ("lineage", "--down", mid), ("license", mid),
                     ("assess", mid)):
            res = cli("--db", db, *args)
            _check(res, json_out=False, allowed={0}, what=args)
            assert mid in res.stdout, (args, res.stdout)
    res = cli("--db", db, "model", "a/b")
    assert "[/x]" in res.stdout
    res = cli("--db", db, "sql", "SELECT id AS \"[b]\" FROM models ORDER BY id")
    _check(res, json_out=False, allowed={0})
    assert "[/]" in res.stdout and "o/[bold]" in res.stdout and "[b]" in res.stdout
    _check(cli("--db", db, "status"), json_out=False, allowed={0})


def test_assess_of_a_name_no_file_system_can_hold_is_an_unknown_model(cli, tmp_path: Path) -> None:
    """Found by the fuzz: ``assess`` first asks whether its argument is a local folder, and an id longer
    than a file name may be crashed ``Path.exists`` (OSError: File name too long, exit 70)."""
    db = tmp_path / "s.duckdb"
    _ingest(cli, db, write_jsonl(tmp_path / "e.jsonl", [entry("a/b")]), allowed={0})
    for args in (("assess", "x" * 5000), ("--json", "assess", "x" * 5000), ("assess", "a/" + "y" * 300)):
        res = cli("--db", db, *args)
        _check(res, json_out=False, allowed={int(Exit.NOINPUT)}, what=args[:1])
        assert "unknown model" in res.stderr


def test_dates_outside_the_calendar_are_rejects_not_crashes(cli, tmp_path: Path) -> None:
    """Found by the JSONL fuzz: ``createdAt: "-0001-01-01T00:00:00Z"`` cast to a BC timestamp that Python
    cannot hold; DuckDB handed it over as text and ``lineage`` crashed formatting it (exit 70). Years
    outside 1..9999 and ``infinity`` are no date: the entry is a reject, like any other non-date."""
    db = tmp_path / "s.duckdb"
    bad = ["-0001-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "infinity", "-infinity"]
    entries = [entry(f"d/{i}", created=c) for i, c in enumerate(bad)]
    entries += [entry("d/ok", ("base_model:finetune:d/0",)), {"id": "d/lm", "lastModified": "infinity"}]
    doc = _ingest(cli, db, write_jsonl(tmp_path / "d.jsonl", entries), allowed={0})
    assert doc["rejects"] == len(bad) + 1
    reasons = [r["reason"] for r in _query(cli, db, "SELECT reason FROM rejects")]
    assert all(" is not a timestamp: " in r for r in reasons), reasons
    assert {r["id"] for r in _query(cli, db, "SELECT id FROM models")} == {"d/ok"}
    for args in (("lineage", "d/ok"), ("lineage", "--down", "d/0"), ("model", "d/ok")):
        _check(cli("--db", db, *args), json_out=False, allowed={0, int(Exit.NOINPUT)}, what=args)


def test_a_backslash_and_zero_in_an_entry_is_text_not_a_column_break(cli, tmp_path: Path) -> None:
    """Found by the later-ingest fuzz: JSON Lines were split with ``delim='\\0'``, which DuckDB reads as
    a backslash and a zero, so an entry whose text held ``\\0`` (a card value "\\\\0", a Windows path)
    split into two columns and the whole file was refused (exit 65). A raw NUL byte is not JSON: a reject."""
    db = tmp_path / "s.duckdb"
    path = tmp_path / "b.jsonl"
    path.write_bytes(json.dumps({"id": "b/slash", "cardData": {"license": "\\0", "x": "C:\\0models"}}).encode()
                     + b"\n" + b'{"id": "b/nul", "x": "a\x00b"}\n' + json.dumps({"id": "b/plain"}).encode() + b"\n")
    doc = _ingest(cli, db, path, allowed={0})
    assert (doc["records"], doc["rejects"]) == (3, 1)
    assert {r["id"] for r in _query(cli, db, "SELECT id FROM models")} == {"b/slash", "b/plain"}
    card = _query(cli, db, "SELECT card_data->>'$.license' AS l FROM models WHERE id = 'b/slash'")
    assert card == [{"l": "\\0"}]
