"""The policy analyst's questions about datasets, asked of a simulated Hub whose datasets moved on between crawls.

The twentieth session's dataset tryout (docs/reviews.md, "Dataset analyst tryout") walked openscope as an analyst
of dataset adoption: a simulated Hub crawled with `--datasets --cards`, then the Hub moved on (counters of datasets
raised, the most declared dataset moved to another namespace, one dataset deleted) and a `--full --datasets`
crawl. What it found wrong, each failing on the code before the fix:

- `model`, `lineage`, `assess` and `license` of a moved or deleted dataset's id suggested unrelated look-alike
  models ("did you mean clever-otter/code-lemur-chat?"), though the store knows it as a dataset the Hub moved;
- docs/store.md had no recipe for the most downloaded datasets and their growth between snapshots, and its
  `dataset-use` recipe keeps a moved dataset's declarations under the old id (which joins to no live dataset):
  the recipes `dataset-growth` and `dataset-declared` are checked here against a brute force over the raw tables.

The test raises its datasets' counters by known amounts directly in the simulated Hub's state (the admin route's
`dataset_counters` raises them by random amounts; tests/test_simhub_dataset_mutate.py covers that route).
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from store_rows import rows as _raw

ROOT = Path(__file__).resolve().parents[1]
NEW_ID = "allenai/moved-corpus"  # a namespace the shipped publishers table knows (AllenAI, US)


@pytest.fixture(scope="module")
def ds_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str, list[str]]:
    """(store, the moved dataset's old id, a deleted dataset's id, the datasets whose counters grew)."""
    from openscope.cli import main
    from openscope.simhub.testing import running_simhub

    db = tmp_path_factory.mktemp("ds") / "ds.duckdb"
    fast = ["--quiet", "--backoff", "0.01"]
    with running_simhub(models=800, datasets=60, seed=5) as hub:
        assert main(["--db", str(db), "crawl", "--endpoint", hub.url, "--datasets", *fast]) == 0
        moved = _raw(db, """SELECT substr(tag, 9) FROM tags WHERE repo_type = 'model' AND tag LIKE 'dataset:%'
                            GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""")[0][0]
        ids = [i for i in hub.ids("datasets") if i != moved]
        grown, gone = ids[:10], ids[-1]
        with hub.state._lock:  # known amounts (the admin route's are random)
            hub.state.con.execute(
                """UPDATE d SET downloads = downloads + 50 + idx, downloads_all_time = downloads_all_time + 70,
                   likes = likes + 2 WHERE id IN (SELECT unnest(?::VARCHAR[]))""", [[*grown, moved]])
            hub.state._rebuild([*grown, moved], "dataset")
            hub.state.con.execute("UPDATE d SET deleted = true WHERE id = ?", [gone])
        hub.mutate(move_datasets={moved: NEW_ID})
        assert main(["--db", str(db), "crawl", "--endpoint", hub.url, "--full", "--datasets", *fast]) == 0
    return db, moved, gone, grown


def _recipe(label: str) -> str:
    text = (ROOT / "docs" / "store.md").read_text(encoding="utf-8")
    body = text[text.index(f"<!-- recipe: {label} -->"):]
    cmd = shlex.split(body[body.index("$ ") + 2:body.index("\n┏")])
    return cmd[cmd.index("sql") + 1]


def test_the_store_is_what_the_tryout_saw(ds_db) -> None:
    db, moved, gone, grown = ds_db
    assert _raw(db, "SELECT new_id FROM moves WHERE repo_type = 'dataset' AND old_id = ?", [moved]) == [(NEW_ID,)]
    assert dict(_raw(db, "SELECT id, deleted_at IS NOT NULL FROM datasets WHERE id IN (?, ?, ?)",
                     [moved, gone, NEW_ID])) == {moved: True, gone: True, NEW_ID: False}
    declaring = _raw(db, "SELECT count(*) FROM tags WHERE repo_type = 'model' AND tag = ?", ["dataset:" + moved])
    assert declaring[0][0] >= 5  # models keep declaring the old id


# ---------------------------------------------------------------------------------------------------------
# `model` (and the other model commands) of a moved or deleted dataset


@pytest.mark.parametrize("command", [["model"], ["lineage"], ["assess"], ["license"]])
def test_a_model_command_on_a_moved_datasets_old_id_names_the_move(cli, ds_db, command: list[str]) -> None:
    db, moved, _, _ = ds_db
    res = cli("--db", db, *command, moved.upper())  # found case-insensitively, as a live id is
    err = res.stderr.strip()
    assert res.code == 66 and res.stdout == "" and len(err.splitlines()) == 1
    assert "did you mean" not in err  # it suggested unrelated look-alike models
    assert f"dataset '{moved}' moved to {NEW_ID} on the Hub" in err
    assert f"(openscope license --dataset {NEW_ID})" in err


def test_a_model_command_on_a_deleted_dataset_says_it_was_deleted(cli, ds_db) -> None:
    db, _, gone, _ = ds_db
    for command in (["model"], ["license"]):
        res = cli("--db", db, *command, gone)
        err = res.stderr.strip()
        assert res.code == 66 and len(err.splitlines()) == 1 and "did you mean" not in err
        assert f"dataset '{gone}' was deleted from the Hub" in err
        assert f"SELECT * FROM dataset_stats WHERE id = '{gone}'" in err


def test_the_pointer_it_names_answers(cli, ds_db) -> None:
    db, moved, _, _ = ds_db
    assert "allenai/moved-corpus (dataset)" in cli("--db", db, "license", "--dataset", NEW_ID).stdout
    live = cli("--db", db, "model", NEW_ID)  # a live dataset: the one-step fix, as before
    assert live.code == 66 and f"is a dataset in the store (openscope license --dataset {NEW_ID})" in live.stderr


def test_a_datasets_hf_path_names_it(cli, ds_db) -> None:
    """`hf://datasets/Org/Name…`, the path the Hub's dataset viewer shows in its pandas and DuckDB snippets, was
    answered "unknown dataset" with no hint."""
    db, moved, _, _ = ds_db
    ok = cli("--db", db, "--json", "license", "--dataset", f"hf://datasets/{NEW_ID}@main/data/train.parquet")
    assert ok.code == 0 and ok.json()["id"] == NEW_ID
    model = cli("--db", db, "model", f"HF://datasets/{NEW_ID}")
    assert model.code == 66 and f"is a dataset in the store (openscope license --dataset {NEW_ID})" in model.stderr
    old = cli("--db", db, "model", f"hf://datasets/{moved}")
    assert old.code == 66 and f"moved to {NEW_ID}" in old.stderr


@pytest.mark.parametrize(("raw", "kind", "rid"), [
    ("hf://datasets/Org/Name", "dataset", "Org/Name"),
    ("hf://datasets/Org/Name@refs%2Fpr%2F1/data/train-0.parquet", "dataset", "Org/Name"),
    ("hf://Org/Name@main/config.json", "model", "Org/Name"),
    ("hf://spaces/Org/App", "space", "Org/App"),
    ("hf://gpt2", "model", "gpt2"),
])
def test_hf_paths_read_as_the_repository_they_name(raw: str, kind: str, rid: str) -> None:
    from openscope.store.lookup import HubPage, hub_page, is_hub_url, typed_id

    assert is_hub_url(raw) and hub_page(raw) == HubPage(kind, rid)
    assert typed_id(raw, "datasets" if kind == "dataset" else "models") == (rid if kind != "space" else raw)


def test_what_is_not_an_hf_path_stays_as_it_was() -> None:
    from openscope.store.lookup import hub_page, is_hub_url

    assert hub_page("hf://") is None and hub_page("hf://datasets") is None
    assert not is_hub_url("hf:/Org/Name") and not is_hub_url("xhf://Org/Name") and hub_page("Org/Name") is None


# ---------------------------------------------------------------------------------------------------------
# docs/store.md, recipe dataset-growth


def test_dataset_growth_recipe_equals_a_brute_force(cli, ds_db) -> None:
    db, moved, gone, grown = ds_db
    rows = cli("--db", db, "--json", "sql", _recipe("dataset-growth"), "--limit", "0").json()["rows"]
    snaps = [s for (s,) in _raw(db, """SELECT snapshot_id FROM snapshots WHERE repo_type = 'dataset'
                                        AND status = 'complete' ORDER BY 1""")]
    a, b = snaps[0], snaps[-1]
    stats = {(s, i): (d30, dall, likes) for s, i, d30, dall, likes in
             _raw(db, "SELECT snapshot_id, id, downloads_30d, downloads_all_time, likes FROM dataset_stats")}
    live = [i for (i,) in _raw(db, "SELECT id FROM datasets WHERE deleted_at IS NULL")]
    want = {}
    for i in live:
        now = stats[(b, i)]
        before = stats.get((a, moved if i == NEW_ID else i))  # the moved one was read under its old id first
        diff = [None if before is None else x - y for x, y in zip(now, before, strict=True)]
        want[i] = (now[0], now[2], diff[0], diff[1], diff[2])
    got = {r["dataset"]: (r["d30"], r["likes"], r["d30_change"], r["dl_between"], r["new_likes"]) for r in rows}
    assert got == want
    assert gone not in got and moved not in got
    assert got[NEW_ID][2] is not None and got[NEW_ID][3] == 70  # followed across the move
    assert all(got[i][3] == 70 and got[i][4] == 2 and got[i][2] > 0 for i in grown)
    assert [r["d30"] for r in rows] == sorted((r["d30"] for r in rows), reverse=True)


# ---------------------------------------------------------------------------------------------------------
# docs/store.md, recipe dataset-declared


def test_dataset_declared_recipe_equals_a_brute_force(cli, ds_db) -> None:
    db, moved, _, _ = ds_db
    rows = cli("--db", db, "--json", "sql", _recipe("dataset-declared"), "--limit", "0").json()["rows"]
    live_models = {i for (i,) in _raw(db, "SELECT id FROM models WHERE deleted_at IS NULL")}
    live_ds = {i.lower(): i for (i,) in _raw(db, "SELECT id FROM datasets WHERE deleted_at IS NULL")}
    moves = {o.lower(): n for o, n in _raw(db, "SELECT old_id, new_id FROM moves WHERE repo_type = 'dataset'")}
    latest: dict[str, int | None] = {}
    for table in ("model_stats", "dataset_stats"):
        for i, d30 in _raw(db, f"SELECT id, arg_max_null(downloads_30d, snapshot_id) FROM {table} GROUP BY id"):
            latest[(table, i)] = d30  # type: ignore[index]
    uses: dict[str, set[str]] = {}
    for model, tag in _raw(db, "SELECT id, tag FROM tags WHERE repo_type = 'model' AND tag LIKE 'dataset:%'"):
        if model not in live_models:
            continue
        declared = tag[len("dataset:"):]
        ds = live_ds.get(declared.lower()) or live_ds.get(moves.get(declared.lower(), "").lower()) \
            or moves.get(declared.lower()) or declared
        uses.setdefault(ds, set()).add(model)
    country = dict(_raw(db, "SELECT lower(org), country FROM publishers"))
    for r in rows:
        models = uses[r["dataset"]]
        assert r["models"] == len(models), r
        assert r["model_d30"] == sum(latest.get(("model_stats", m)) or 0 for m in models), r
        assert r["d30"] == latest.get(("dataset_stats", r["dataset"])), r
        assert r["country"] == (country.get(r["dataset"].split("/")[0].lower()) or "unknown"), r
    assert {r["dataset"] for r in rows} == set(uses)
    top = rows[0]
    assert top["dataset"] == NEW_ID and moved not in uses  # the old id's declarations count for the new id
    assert top["country"] == "US" and top["region"] == "us"


# ---------------------------------------------------------------------------------------------------------
# docs/store.md, recipe dataset-time-to-first


def test_dataset_time_to_first_recipe_equals_a_brute_force(cli, ds_db) -> None:
    db, moved, _, _ = ds_db
    rows = cli("--db", db, "--json", "sql", _recipe("dataset-time-to-first"), "--limit", "0").json()["rows"]
    created = dict(_raw(db, "SELECT id, created_at FROM models WHERE deleted_at IS NULL"))
    datasets = dict(_raw(db, "SELECT id, created_at FROM datasets WHERE deleted_at IS NULL"))
    live_ds = {i.lower(): i for i in datasets}
    moves = {o.lower(): n for o, n in _raw(db, "SELECT old_id, new_id FROM moves WHERE repo_type = 'dataset'")}
    uses: dict[str, set[str]] = {}
    for model, tag in _raw(db, "SELECT id, tag FROM tags WHERE repo_type = 'model' AND tag LIKE 'dataset:%'"):
        declared = tag[len("dataset:"):].lower()
        ds = live_ds.get(declared) or live_ds.get(moves.get(declared, "").lower())
        if model in created and ds is not None:
            uses.setdefault(ds, set()).add(model)
    want = {}
    for ds, models in uses.items():
        released = datasets[ds]
        if released is None:
            continue
        dated = [created[m].date() for m in models if created[m] is not None]
        first = min(dated) if dated else None
        want[ds] = (released.date().isoformat(), first and first.isoformat(),
                    first and (first - released.date()).days,
                    sum(0 <= (d - released.date()).days < 30 for d in dated), len(models))
    got = {r["dataset"]: (r["released"], r["first"], r["days"], r["in_30d"], r["models"]) for r in rows}
    assert got == want and NEW_ID in got and moved not in got
    assert [r["released"] for r in rows] == sorted(r["released"] for r in rows)


# ---------------------------------------------------------------------------------------------------------
# `status`: who follows a moved dataset's old id


def test_status_says_who_follows_a_moved_datasets_old_id(cli, ds_db, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `deleted datasets` row said their old ids were "followed by lineage": a dataset is no node of the
    lineage; the openness probes read a model's declared dataset under its new id."""
    monkeypatch.setenv("COLUMNS", "200")
    db = ds_db[0]
    doc = cli("--db", db, "--json", "status").json()
    assert doc["deleted_datasets"] == 2 and doc["moved_datasets"] == 1
    rows = {line.split("  ", 1)[0].strip(): line for line in cli("--db", db, "status").stdout.splitlines()
            if line.strip().startswith("deleted ")}
    assert "1 of them moved, their old ids followed by the openness probes" in rows["deleted datasets"]
    assert "lineage" not in rows["deleted datasets"]
