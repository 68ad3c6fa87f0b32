"""`assess` takes an id as users paste it, and `license --dataset` answers for a dataset.

Before: `assess Org/Name/` and `assess https://huggingface.co/Org/Name` were read as folder paths (two slashes) and
exited 66 "no such model folder or file", while `lineage`, `model` and `license` took the same text as the id; and
`license` answered for models only, although the licence step resolves each dataset's licence (`dataset_licenses`,
migration 0015). Docs: docs/openness.md (`openscope assess ID|PATH`), docs/licenses.md (`openscope license`, "A
dataset").

One store per module, made by the real commands: hand-written Hub list entries ingested with `ingest --no-derive`
(models, then `--datasets`), one licence text stored as `crawl --datasets --cards` stores a dataset's LICENSE (a row of
`license_texts`), then the licence step. A model and a dataset share the id `acme/shared`, as the Hub allows.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from lineage_graphs import dataset_entry, entry, write_jsonl

from openscope.derive import refresh as derive_refresh
from openscope.store import open_store

SHARED = "acme/shared"                 # a model (mit) and a dataset (cc-by-nc-4.0) of the same id
MODEL = "acme/Coder-7B"                # a model only
OTHER = "acme/corpus-other"            # a dataset declaring `other`, whose LICENSE text identifies ODbL-1.0
PLAIN = "acme/wiki-text"               # a dataset declaring cc-by-sa-4.0 in its tag
BARE = "acme/no-licence"               # a dataset declaring nothing
LICENSE_TEXT = "SPDX-License-Identifier: ODbL-1.0\n\nThis database is made available under the ODbL.\n"
LICENSE_URL = f"https://huggingface.co/datasets/{OTHER}/resolve/main/LICENSE"


def _run(*args: str | Path) -> tuple[int, str]:
    from openscope.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main([str(a) for a in args])
    return code, out.getvalue()


def build_store(db: Path, derive: bool = True) -> Path:
    """The module's store at ``db`` (also docs/licenses.md's `p.duckdb`, tests/test_docs_examples.py); without
    ``derive``, as `ingest --no-derive` left it (the licence step not run)."""
    models = write_jsonl(db.with_suffix(".models.jsonl"), [entry(SHARED, ("license:mit",), downloads=9),
                                         entry(MODEL, ("license:apache-2.0",), downloads=50),
                                         entry("acme/Coder-7B-Instruct", ("license:apache-2.0",
                                                                          f"base_model:finetune:{MODEL}"))])
    datasets = write_jsonl(db.with_suffix(".datasets.jsonl"), [
        dataset_entry(SHARED, ("license:cc-by-nc-4.0",)),
        dataset_entry(OTHER, ("license:other",), {"license": "other", "license_link": "LICENSE"}),
        dataset_entry(PLAIN, ("license:cc-by-sa-4.0",)),
        dataset_entry(BARE)])
    assert _run("--db", db, "--quiet", "ingest", models, "--no-derive")[0] == 0
    assert _run("--db", db, "--quiet", "ingest", "--datasets", datasets, "--no-derive")[0] == 0
    models.unlink()
    datasets.unlink()
    with open_store(db) as s:  # what `crawl --datasets --cards` stores for a dataset's LICENSE
        s.con.execute("""INSERT INTO license_texts (repo_type, id, path, sha, text, bytes, url, read_at)
                         VALUES ('dataset', ?, 'LICENSE', 'abc', ?, ?, ?, now())""",
                      [OTHER, LICENSE_TEXT, len(LICENSE_TEXT), LICENSE_URL])
    if derive:
        with open_store(db) as s:
            derive_refresh(s, only=["lineage", "licenses"])
    return db


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The store, and `license --dataset OTHER --json` as answered before the licence step ran."""
    db = build_store(tmp_path_factory.mktemp("pasted") / "p.duckdb", derive=False)
    before = _run("--db", db, "--json", "license", "--dataset", OTHER)  # asserted in the test that uses it
    with open_store(db) as s:
        derive_refresh(s, only=["lineage", "licenses"])
    return {"db": db, "before_derive": before}


def _one_error_line(res) -> str:
    """The contract's error: one line on stderr, nothing on stdout, no traceback."""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("openscope: error: ") and res.stdout == "", (res.stdout, res.stderr)
    return lines[0]


def _flat(text: str) -> str:
    return " ".join(" ".join(line.split()) for line in text.splitlines())


# -- assess: an id as pasted ----------------------------------------------------------------------------------

@pytest.mark.parametrize("pasted", [f"{MODEL}/", f"https://huggingface.co/{MODEL}", f"https://huggingface.co/{MODEL}/",
                                    "acme/coder-7b/"])
def test_assess_takes_an_id_as_pasted_from_the_browser(cli, built, tmp_path, monkeypatch, pasted: str) -> None:
    monkeypatch.chdir(tmp_path)  # no folder of that name here
    res = cli("--db", built["db"], "--json", "--quiet", "assess", pasted, "--no-experts")
    assert res.code == 0, res.stderr
    assert res.json()["id"] == MODEL


def test_assess_of_an_unknown_pasted_id_is_one_line_with_did_you_mean(cli, built, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = cli("--db", built["db"], "assess", "https://huggingface.co/acme/Coder-7C")
    assert res.code == 66
    # compared as the id it names (the URL itself resembles no id)
    assert f"unknown model 'https://huggingface.co/acme/Coder-7C'; did you mean {MODEL}, acme/Coder-7B-Instruct" \
        in _one_error_line(res)
    res = cli("--db", built["db"], "assess", "acme/Coder-7C/")
    assert res.code == 66
    assert _one_error_line(res).startswith("openscope: error: no such model folder, and unknown model 'acme/Coder-7C/'; "
                                           f"did you mean {MODEL}, acme/Coder-7B-Instruct")


def test_an_existing_folder_wins_and_paths_keep_their_documented_behaviour(cli, built, tmp_path, monkeypatch) -> None:
    """`acme/Coder-7B/` on disk is the user's folder: graded from its README, not from the store."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "acme" / "Coder-7B"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: gpl-3.0\n---\n# A local model\n")
    res = cli("--db", built["db"], "--json", "--quiet", "assess", f"{MODEL}/", "--no-experts")
    assert res.code == 0, res.stderr
    doc = res.json()
    assert doc["locator"] != f"https://huggingface.co/{MODEL}" and Path(doc["locator"]).resolve() == folder.resolve()
    # the Hub URL is never a folder: it still names the stored model
    url = cli("--db", built["db"], "--json", "--quiet", "assess", f"https://huggingface.co/{MODEL}", "--no-experts")
    assert url.code == 0 and url.json()["locator"] == f"https://huggingface.co/{MODEL}"
    # and what is documented of paths stays: a path that does not exist exits 66 (no store lookup); a folder without
    # a card is graded with a warning, exit 0; without a store, the path error says so and creates none
    for missing in ("./nope", "a/b/c", "nope/README.md"):  # paths: no store lookup, the path error
        res = cli("--db", built["db"], "assess", missing)
        assert res.code == 66 and _one_error_line(res) == f"openscope: error: no such model folder or file: {missing}"
    (tmp_path / "empty").mkdir()  # a folder without a card: graded, a warning, exit 0
    res = cli("--db", built["db"], "--json", "assess", "empty", "--no-experts")
    assert res.code == 0 and "warning" in res.stderr and res.json()["id"]
    no_store = cli("--db", tmp_path / "none.duckdb", "assess", "acme/Coder-13B/")
    assert no_store.code == 66 and "(and no store at" in _one_error_line(no_store)
    assert not (tmp_path / "none.duckdb").exists()


def test_assess_of_a_dataset_url_says_it_is_adataset_entry(cli, built, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = cli("--db", built["db"], "assess", f"https://huggingface.co/datasets/{PLAIN}")
    assert res.code == 66
    assert _one_error_line(res).endswith(f"'{PLAIN}' is a dataset in the store (openscope license --dataset {PLAIN})")


# -- license --dataset ------------------------------------------------------------------------------------------

def test_license_of_a_dataset_identified_by_its_licence_file(cli, built) -> None:
    doc = cli("--db", built["db"], "--json", "license", "--dataset", OTHER).json()
    assert {k: doc[k] for k in ("id", "repo_type", "declared", "license", "class", "source")} == {
        "id": OTHER, "repo_type": "dataset", "declared": "other", "license": "odbl", "class": "copyleft",
        "source": "license_file"}
    assert doc["license_file"] == {"path": "LICENSE", "url": LICENSE_URL}
    assert doc["evidence"].startswith("file: LICENSE#L1: SPDX-License-Identifier: ODbL-1.0")
    assert "same_terms" in doc["duties"] or "attribution" in doc["duties"]
    assert "flow_down" not in doc  # a dataset has no lineage
    # the stored row and the per-dataset answer before the licence step ran agree
    code, before = built["before_derive"]
    assert code == 0 and json.loads(before) == doc
    text = cli("--db", built["db"], "license", "--dataset", OTHER)
    flat = _flat(text.stdout)
    assert text.code == 0 and f"{OTHER} (dataset)" in flat
    assert "read from the text of the dataset's licence file" in flat
    assert "licence file LICENSE https://huggingface.co/datasets/" in flat and "with its bases" not in flat
    assert LICENSE_URL in "".join(text.stdout.split())  # whole (folded at the terminal's width, never cut)


def test_license_of_a_dataset_declared_by_its_tag_and_of_one_declaring_nothing(cli, built) -> None:
    doc = cli("--db", built["db"], "--json", "license", "--dataset", PLAIN.upper()).json()
    assert (doc["id"], doc["license"], doc["class"], doc["source"], doc["license_file"]) == (
        PLAIN, "cc-by-sa-4.0", "weak_copyleft", "license", None)
    bare = cli("--db", built["db"], "--json", "license", "--dataset", BARE).json()
    assert (bare["license"], bare["class"], bare["duties"], bare["commercial_use"]) == (None, "unknown", [], None)
    flat = _flat(cli("--db", built["db"], "license", "--dataset", BARE).stdout)
    assert "duties unknown (the licence is not known)" in flat


def test_a_dataset_url_impliesdataset_entry(cli, built) -> None:
    doc = cli("--db", built["db"], "--json", "license", f"https://huggingface.co/datasets/{SHARED}").json()
    assert (doc["repo_type"], doc["license"], doc["class"]) == ("dataset", "cc-by-nc-4.0", "non_commercial")


def test_a_shared_id_is_the_model_without_dataset_and_says_so(cli, built) -> None:
    res = cli("--db", built["db"], "--json", "license", SHARED)
    assert res.code == 0 and res.json()["license"] == "mit" and "repo_type" not in res.json()
    assert f"'{SHARED}' is also a dataset in the store (openscope license --dataset {SHARED}" in res.stderr
    quiet = cli("--db", built["db"], "--quiet", "--json", "license", SHARED)
    assert quiet.stderr == "" and quiet.stdout == res.stdout
    ds = cli("--db", built["db"], "--json", "license", "--dataset", SHARED).json()
    assert (ds["repo_type"], ds["license"]) == ("dataset", "cc-by-nc-4.0")


def test_a_dataset_id_without_dataset_points_to_it(cli, built) -> None:
    res = cli("--db", built["db"], "license", PLAIN)
    assert res.code == 66
    assert _one_error_line(res) == (f"openscope: error: no licence or model '{PLAIN}': '{PLAIN}' is a dataset in the "
                                    f"store (openscope license --dataset {PLAIN})")
    res = cli("--db", built["db"], "model", PLAIN)  # `model` says the same of it
    assert res.code == 66 and f"'{PLAIN}' is a dataset in the store" in _one_error_line(res)


def test_an_unknown_dataset_suggests_datasets_only(cli, built, tmp_path) -> None:
    res = cli("--db", built["db"], "license", "--dataset", "acme/wiki-txt")
    assert res.code == 66
    assert _one_error_line(res) == f"openscope: error: unknown dataset 'acme/wiki-txt'; did you mean {PLAIN}?"
    model = cli("--db", built["db"], "license", "--dataset", MODEL)  # a model's id is no dataset: said so
    assert model.code == 66
    assert _one_error_line(model).endswith(f"'{MODEL}' is a model in the store (openscope license {MODEL})")
    blank = cli("--db", built["db"], "license", "--dataset", " ")
    assert blank.code == 64 and "dataset id" in _one_error_line(blank)
    none = cli("--db", tmp_path / "none.duckdb", "license", "--dataset", PLAIN)
    assert none.code == 66 and "no store at" in _one_error_line(none)
    assert not (tmp_path / "none.duckdb").exists()
