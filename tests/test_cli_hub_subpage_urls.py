"""A Hub URL to a page inside a repository names that repository, for `assess`, `model`, `lineage` and `license`.

Before: `https://huggingface.co/Org/Name/tree/main` (or a file's, a commit's, a discussion's page, `?library=…`,
`#anchor`) was looked up as the model `Org/Name/tree/main` and exited 66 "unknown model". A Space's URL is neither a
model nor a dataset: one line, exit 66. Docs: docs/lineage.md (pasted ids), docs/openness.md (`assess ID|PATH`),
docs/licenses.md (`license`).

One store for the module, made by the real commands (`ingest --no-derive` of hand-written Hub list entries, then the
lineage and licence steps): a model and a dataset sharing an id (`acme/shared`), a model whose name is a sub-page's
word (`acme/tree`), and a canonical-move model (`openai-community/gpt2`, which the bare `gpt2` names).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lineage_graphs import dataset_entry, entry, run_quiet, write_jsonl

from openscope.derive import refresh as derive_refresh
from openscope.store import open_store
from openscope.store.lookup import HubPage, hub_page, typed_id

MODEL = "acme/Coder-7B"
CHILD = "acme/Coder-7B-Instruct"
SHARED = "acme/shared"           # a model (mit) and a dataset (cc-by-nc-4.0)
TREE = "acme/tree"               # a model named like the `tree` sub-page
GPT2 = "openai-community/gpt2"   # `gpt2` without a namespace names it (the Hub's canonical move)
DATASET = "acme/wiki-text"       # a dataset only (cc-by-sa-4.0)
HUB = "https://huggingface.co"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("subpages") / "s.duckdb"
    models = write_jsonl(path.with_suffix(".m.jsonl"), [
        entry(MODEL, ("license:apache-2.0",), downloads=50),
        entry(CHILD, ("license:apache-2.0", f"base_model:finetune:{MODEL}")),
        entry(SHARED, ("license:mit",)), entry(TREE, ("license:mit",)), entry(GPT2, ("license:mit",))])
    datasets = write_jsonl(path.with_suffix(".d.jsonl"), [dataset_entry(SHARED, ("license:cc-by-nc-4.0",)),
                                                          dataset_entry(DATASET, ("license:cc-by-sa-4.0",))])
    assert run_quiet("--db", path, "--quiet", "ingest", models, "--no-derive") == 0
    assert run_quiet("--db", path, "--quiet", "ingest", "--datasets", datasets, "--no-derive") == 0
    with open_store(path) as s:
        derive_refresh(s, only=["lineage", "licenses"])
    return path


# Every page inside a model repository the Hub links to, and the id each names.
MODEL_PAGES = [
    (f"{HUB}/{MODEL}/tree/main", MODEL),
    (f"{HUB}/{MODEL}/tree/main/sub/dir", MODEL),
    (f"{HUB}/{MODEL}/blob/main/README.md", MODEL),
    (f"{HUB}/{MODEL}/resolve/main/config.json", MODEL),
    (f"{HUB}/{MODEL}/raw/main/x", MODEL),
    (f"{HUB}/{MODEL}/commit/0123456789abcdef0123456789abcdef01234567", MODEL),
    (f"{HUB}/{MODEL}/discussions/3", MODEL),
    (f"{HUB}/{MODEL}/discussions", MODEL),
    (f"{HUB}/{MODEL}?library=transformers", MODEL),
    (f"{HUB}/{MODEL}#model-details", MODEL),
    (f"{HUB}/{MODEL}/tree/main?recursive=true#files", MODEL),
    (f"http://www.huggingface.co/{MODEL.lower()}/blob/main/README.md", MODEL),  # case-insensitive, as the Hub
    (f"https://hf.co/{MODEL}/tree/main", MODEL),                                  # the Hub's short host
    (f"  {HUB}/{MODEL}/tree/main/  ", MODEL),
    (f"{HUB}/{TREE}", TREE),                      # a model named `tree` is itself, not a sub-page
    (f"{HUB}/{TREE}/tree/main", TREE),
    (f"{HUB}/gpt2/tree/main", GPT2),              # an id without a namespace: its own sub-pages
    (f"{HUB}/gpt2/blob/main/config.json", GPT2),
    (f"{HUB}/gpt2/discussions/3", GPT2),
    (f"{HUB}/api/models/{MODEL}", MODEL),         # the API's record of it
]


@pytest.mark.parametrize(("url", "wanted"), MODEL_PAGES)
def test_model_and_license_name_the_repository_of_any_page(cli, db, url: str, wanted: str) -> None:
    model = cli("--db", db, "--json", "model", url)
    assert model.code == 0, model.stderr
    assert model.json()["id"] == wanted
    lic = cli("--db", db, "--json", "license", url)
    assert lic.code == 0, lic.stderr
    assert lic.json()["id"] == wanted and "repo_type" not in lic.json()


@pytest.mark.parametrize("url", [f"{HUB}/{MODEL}/tree/main/sub/dir", f"{HUB}/{MODEL}/discussions/3",
                                 f"{HUB}/{MODEL}?library=transformers"])
def test_lineage_and_assess_name_the_repository(cli, db, tmp_path, monkeypatch, url: str) -> None:
    monkeypatch.chdir(tmp_path)
    down = cli("--db", db, "--json", "lineage", url, "--down")
    assert down.code == 0, down.stderr
    assert CHILD in down.stdout
    assessed = cli("--db", db, "--json", "--quiet", "assess", url, "--no-experts")
    assert assessed.code == 0, assessed.stderr
    assert assessed.json()["id"] == MODEL


def test_an_existing_folder_still_wins_and_a_url_is_never_one(cli, db, tmp_path, monkeypatch) -> None:
    """`Org/Name/` on disk is the folder; the URL of a page inside the stored model is the stored model."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "acme" / "Coder-7B"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: gpl-3.0\n---\n# A local model\n")
    local = cli("--db", db, "--json", "--quiet", "assess", f"{MODEL}/", "--no-experts")
    assert local.code == 0 and Path(local.json()["locator"]).resolve() == folder.resolve()
    url = cli("--db", db, "--json", "--quiet", "assess", f"{HUB}/{MODEL}/blob/main/README.md", "--no-experts")
    assert url.code == 0 and url.json()["locator"] == f"{HUB}/{MODEL}"


DATASET_PAGES = [f"{HUB}/datasets/{DATASET}/viewer/default/train", f"{HUB}/datasets/{DATASET}/tree/main/data",
                 f"{HUB}/datasets/{DATASET}/blob/main/README.md", f"{HUB}/datasets/{DATASET}/discussions/1",
                 f"{HUB}/datasets/{DATASET}?row=3#card", f"https://hf.co/datasets/{DATASET}/resolve/main/x.parquet"]


@pytest.mark.parametrize("url", DATASET_PAGES)
def test_a_dataset_page_names_thedataset_entry(cli, db, tmp_path, monkeypatch, url: str) -> None:
    """As the dataset's own URL: `license` answers the dataset, the model commands point to it."""
    lic = cli("--db", db, "--json", "license", url)
    assert lic.code == 0, lic.stderr
    assert (lic.json()["id"], lic.json()["repo_type"], lic.json()["license"]) == (DATASET, "dataset", "cc-by-sa-4.0")
    monkeypatch.chdir(tmp_path)
    pointer = f"'{DATASET}' is a dataset in the store (openscope license --dataset {DATASET})"
    for cmd in (("model",), ("lineage",), ("assess",)):
        res = cli("--db", db, *cmd, url)
        lines = res.stderr.strip().splitlines()
        assert res.code == 66 and res.stdout == "" and len(lines) == 1, (cmd, res.stderr)
        assert lines[0].startswith(f"openscope: error: unknown model '{url.strip()}'") and lines[0].endswith(pointer)


def test_a_shared_id_is_the_kind_its_page_names(cli, db) -> None:
    """The model's page is the model, the dataset's page (any page inside it) the dataset."""
    model = cli("--db", db, "--json", "license", f"{HUB}/{SHARED}/tree/main").json()
    assert (model["id"], model["license"], "repo_type" in model) == (SHARED, "mit", False)
    ds = cli("--db", db, "--json", "license", f"{HUB}/datasets/{SHARED}/viewer").json()
    assert (ds["id"], ds["repo_type"], ds["license"]) == (SHARED, "dataset", "cc-by-nc-4.0")
    # a model's page given with --dataset names no dataset: said so, pointing to the model
    res = cli("--db", db, "license", "--dataset", f"{HUB}/{MODEL}/tree/main")
    assert res.code == 66 and res.stderr.strip().endswith(f"'{MODEL}' is a model in the store (openscope license {MODEL})")


@pytest.mark.parametrize("url", [f"{HUB}/spaces/acme/demo", f"{HUB}/spaces/{SHARED}/blob/main/app.py",
                                 f"https://hf.co/spaces/{MODEL}?logs=build"])
def test_a_space_is_neither_a_model_nor_adataset_entry(cli, db, tmp_path, monkeypatch, url: str) -> None:
    """Even when a model and a dataset of the same id are stored: the Space is another repository."""
    monkeypatch.chdir(tmp_path)
    for cmd in (("model",), ("lineage",), ("license",), ("license", "--dataset"), ("assess",)):
        res = cli("--db", db, *cmd, url)
        lines = res.stderr.strip().splitlines()
        assert res.code == 66 and res.stdout == "" and len(lines) == 1, (cmd, res.stdout, res.stderr)
        assert lines[0].startswith(f"openscope: error: '{url}' is a Space ('")
        assert lines[0].endswith("neither a model nor a dataset: openscope measures models and datasets")


def test_unknown_repository_pages_suggest_as_the_id_would(cli, db) -> None:
    res = cli("--db", db, "model", f"{HUB}/acme/Coder-7C/tree/main")
    assert res.code == 66
    assert res.stderr.startswith(f"openscope: error: unknown model '{HUB}/acme/Coder-7C/tree/main'; "
                                 f"did you mean {MODEL}, {CHILD}")
    for not_a_repo in (HUB, f"{HUB}/", f"{HUB}/datasets", f"{HUB}/spaces/"):  # the host or a listing alone
        res = cli("--db", db, "model", not_a_repo)
        assert res.code == 66 and res.stderr.startswith("openscope: error: unknown model"), res.stderr


def test_the_parser_reads_pages_not_names() -> None:
    """What each form names, kind included; a path that only looks like one (no Hub host) is left as typed."""
    assert hub_page(f"{HUB}/{MODEL}/commit/abc") == HubPage("model", MODEL)
    assert hub_page(f"{HUB}/{TREE}/tree/tree/main") == HubPage("model", TREE)  # branch `tree` of `acme/tree`
    assert hub_page(f"{HUB}/datasets/squad/viewer/plain_text/train") == HubPage("dataset", "squad")
    assert hub_page(f"{HUB}/spaces/acme/demo") == HubPage("space", "acme/demo")
    assert hub_page(f"{HUB}/api/models/{MODEL}/tree/main") == HubPage("model", MODEL)  # the API's address too
    assert hub_page(f"{HUB}/api/datasets/{DATASET}") == HubPage("dataset", DATASET)
    assert hub_page(f"{HUB}/api/spaces/acme/demo") == HubPage("space", "acme/demo")
    assert hub_page(f"{HUB}/api/models") is None and hub_page(f"{HUB}/datasets/") is None
    assert hub_page(f"https://example.com/{MODEL}") is None and hub_page(MODEL) is None
    assert hub_page(f"https://huggingface.com/{MODEL}") is None  # another host
    assert typed_id(f"{MODEL}/tree/main") == f"{MODEL}/tree/main"  # not a URL: the text as typed
    assert typed_id(f"{HUB}/datasets/{DATASET}/viewer") == f"{HUB}/datasets/{DATASET}/viewer"  # not a model's page
    assert typed_id(f"{HUB}/datasets/{DATASET}/viewer", "datasets") == DATASET
