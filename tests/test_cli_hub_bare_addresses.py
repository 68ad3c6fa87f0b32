"""A Hub address pasted without its scheme (`huggingface.co/Org/Name`, `www.…`, the short host `hf.co/…`) names the
repository exactly as the full URL does, for `assess`, `model`, `lineage` and `license`.

Before: the address bar's text (`huggingface.co/Org/Name`, what the browser shows and often what gets copied) was
looked up as the model id `huggingface.co/Org/Name` and exited 66 "unknown model"; `huggingface.co/Org` was even a
valid-looking id (the Hub allows dots in a namespace), so a stored model of that spelling answered for it. What only
looks like the Hub (`huggingface.co.evil.com/…`, `evilhuggingface.co/…`, the host alone, a listing, a Space) gets the
one line and exit code its `https://` form gets. Docs: docs/lineage.md (pasted ids), docs/openness.md (`assess`),
docs/licenses.md, README.md.

One store for the module, made by the real commands (`ingest --no-derive` of hand-written Hub list entries, then the
lineage and licence steps); a second one holds decoys the old reading answered: a model stored as
`huggingface.co/acme` (what the first two segments of `huggingface.co/acme/Coder-7B` read as an id name) and
`openai-community/huggingface.co` (what the bare `huggingface.co` read as a canonical id names).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lineage_graphs import dataset_entry, entry, run_quiet, write_jsonl

from openscope.derive import refresh as derive_refresh
from openscope.store import open_store
from openscope.store.lookup import HubPage, hub_page, is_hub_url, typed_id

MODEL = "acme/Coder-7B"
CHILD = "acme/Coder-7B-Instruct"
GPT2 = "openai-community/gpt2"            # `gpt2` without a namespace names it (the Hub's canonical move)
DATASET = "acme/wiki-text"                # a dataset only (cc-by-sa-4.0)
EXTERNAL = "Other-Lab/Base-1B"            # a declared base that is not in the store
EXT_CHILD = "zed/lora-on-base"
DECOY_ID = "huggingface.co/acme"          # an (odd) model id that is also a scheme-less Hub address
DECOY_CANONICAL = "openai-community/huggingface.co"  # what a bare `huggingface.co` read as a canonical id names
HUB = "https://huggingface.co"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bare") / "s.duckdb"
    models = write_jsonl(path.with_suffix(".m.jsonl"), [
        entry(MODEL, ("license:apache-2.0",), downloads=50),
        entry(CHILD, ("license:apache-2.0", f"base_model:finetune:{MODEL}")), entry(GPT2, ("license:mit",)),
        entry(EXT_CHILD, ("license:mit", f"base_model:adapter:{EXTERNAL}"))])
    datasets = write_jsonl(path.with_suffix(".d.jsonl"), [dataset_entry(DATASET, ("license:cc-by-sa-4.0",))])
    assert run_quiet("--db", path, "--quiet", "ingest", models, "--no-derive") == 0
    assert run_quiet("--db", path, "--quiet", "ingest", "--datasets", datasets, "--no-derive") == 0
    with open_store(path) as s:
        derive_refresh(s, only=["lineage", "licenses"])
    return path


@pytest.fixture(scope="module")
def decoys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("decoys") / "d.duckdb"
    models = write_jsonl(path.with_suffix(".m.jsonl"), [
        entry(DECOY_ID, ("license:mit",)), entry(DECOY_CANONICAL, ("license:mit",)),
        entry(f"{DECOY_ID}/Coder-7B", ("license:mit",))])  # an odd id: the full address typed, stored as it is
    assert run_quiet("--db", path, "--quiet", "ingest", models, "--no-derive") == 0
    with open_store(path) as s:
        derive_refresh(s, only=["lineage", "licenses"])
    return path


# What the browser's address bar shows, and the id each names: the model's page, any page inside it, the short host.
MODEL_ADDRESSES = [
    (f"huggingface.co/{MODEL}", MODEL),
    (f"www.huggingface.co/{MODEL}", MODEL),
    (f"hf.co/{MODEL}", MODEL),
    (f"www.hf.co/{MODEL}", MODEL),
    (f"HuggingFace.co/{MODEL.lower()}", MODEL),                  # case-insensitive, as the Hub
    (f"  huggingface.co/{MODEL}/  ", MODEL),
    (f"huggingface.co/{MODEL}/tree/main/sub/dir", MODEL),
    (f"huggingface.co/{MODEL}/blob/main/README.md", MODEL),
    (f"hf.co/{MODEL}/resolve/main/config.json", MODEL),
    (f"huggingface.co/{MODEL}/raw/main/x", MODEL),
    (f"huggingface.co/{MODEL}/commit/0123456789abcdef0123456789abcdef01234567", MODEL),
    (f"huggingface.co/{MODEL}/discussions/3", MODEL),
    (f"huggingface.co/{MODEL}?library=transformers", MODEL),
    (f"huggingface.co/{MODEL}#model-details", MODEL),
    (f"huggingface.co/{MODEL}/tree/main?recursive=true#files", MODEL),
    (f"huggingface.co/api/models/{MODEL}", MODEL),
    ("hf.co/gpt2/tree/main", GPT2),                               # an id without a namespace: its own sub-pages
    ("huggingface.co/gpt2", GPT2),
    (f"https://hf.co/{MODEL}", MODEL),                            # the short host with a scheme
    (f"http://hf.co/{MODEL}", MODEL),                             # http reads as https
    (f"http://huggingface.co/{MODEL}/discussions/3", MODEL),
]


@pytest.mark.parametrize(("address", "wanted"), MODEL_ADDRESSES)
def test_model_and_license_name_the_repository_as_the_full_url_does(cli, db, address: str, wanted: str) -> None:
    full = f"{HUB}/{address.strip().split('/', 1)[1]}" if "://" not in address else address
    for cmd in ("model", "license"):
        via_full = cli("--db", db, "--json", cmd, full)
        res = cli("--db", db, "--json", cmd, address)
        assert res.code == 0, (cmd, res.stderr)
        assert res.json()["id"] == wanted == via_full.json()["id"]
        assert "repo_type" not in res.json()


@pytest.mark.parametrize("address", [f"huggingface.co/{MODEL}", f"www.hf.co/{MODEL}/discussions/3",
                                     f"hf.co/{MODEL}/tree/main?recursive=true"])
def test_lineage_and_assess_name_the_repository(cli, db, tmp_path, monkeypatch, address: str) -> None:
    monkeypatch.chdir(tmp_path)  # no folder of that spelling here
    down = cli("--db", db, "--json", "lineage", address, "--down")
    assert down.code == 0, down.stderr
    assert CHILD in down.stdout
    assessed = cli("--db", db, "--json", "--quiet", "assess", address, "--no-experts")
    assert assessed.code == 0, assessed.stderr
    assert assessed.json()["id"] == MODEL


@pytest.mark.parametrize("address", [f"huggingface.co/{EXTERNAL}", f"hf.co/{EXTERNAL.lower()}/tree/main"])
def test_an_external_base_is_named_by_its_address(cli, db, address: str) -> None:
    """A declared base that is not stored is a node of the lineage: its address reaches it as its id does."""
    down = cli("--db", db, "--json", "lineage", address, "--down")
    assert down.code == 0, down.stderr
    assert EXT_CHILD in down.stdout
    res = cli("--db", db, "model", address)
    assert res.code == 66 and res.stderr.strip() == (
        f"openscope: error: model '{EXTERNAL}' is not in the store: it is the external base of 1 stored model "
        f"(openscope lineage {EXTERNAL} --down)")


def test_an_existing_folder_of_that_spelling_wins_for_assess(cli, db, tmp_path, monkeypatch) -> None:
    """`huggingface.co/Org/Name` is also a relative path: a folder there is what the user points at, as for any
    path; the `https://` form is never a folder and grades the stored model."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "huggingface.co" / "acme" / "Coder-7B"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: gpl-3.0\n---\n# A local model\n")
    local = cli("--db", db, "--json", "--quiet", "assess", f"huggingface.co/{MODEL}", "--no-experts")
    assert local.code == 0, local.stderr
    assert Path(local.json()["locator"]).resolve() == folder.resolve()
    stored = cli("--db", db, "--json", "--quiet", "assess", f"{HUB}/{MODEL}", "--no-experts")
    assert stored.code == 0 and stored.json()["id"] == MODEL and stored.json()["locator"] == f"{HUB}/{MODEL}"
    short = cli("--db", db, "--json", "--quiet", "assess", f"hf.co/{MODEL}", "--no-experts")  # no such folder
    assert short.code == 0 and short.json()["id"] == MODEL, short.stderr


DATASET_ADDRESSES = [f"huggingface.co/datasets/{DATASET}", f"www.huggingface.co/datasets/{DATASET}/blob/main/README.md",
                     f"hf.co/datasets/{DATASET}/viewer/default/train", f"huggingface.co/datasets/{DATASET}?row=3#card",
                     f"http://hf.co/datasets/{DATASET}"]


@pytest.mark.parametrize("address", DATASET_ADDRESSES)
def test_a_dataset_address_names_thedataset_entry(cli, db, tmp_path, monkeypatch, address: str) -> None:
    """As the dataset's full URL: `license` answers the dataset, the model commands point to it."""
    lic = cli("--db", db, "--json", "license", address)
    assert lic.code == 0, lic.stderr
    assert (lic.json()["id"], lic.json()["repo_type"], lic.json()["license"]) == (DATASET, "dataset", "cc-by-sa-4.0")
    monkeypatch.chdir(tmp_path)
    pointer = f"'{DATASET}' is a dataset in the store (openscope license --dataset {DATASET})"
    for cmd in ("model", "lineage", "assess"):
        res = cli("--db", db, cmd, address)
        lines = res.stderr.strip().splitlines()
        assert res.code == 66 and res.stdout == "" and len(lines) == 1, (cmd, res.stderr)
        assert lines[0] == f"openscope: error: unknown model '{address.strip()}': {pointer}"


# Only looks like a Hub address, and the full URL of the same case: each must answer as the other does.
NOT_A_REPOSITORY = [
    ("huggingface.co", HUB),                                      # the host alone
    ("huggingface.co/", f"{HUB}/"),
    ("hf.co/datasets", "https://hf.co/datasets"),                 # a listing
    ("huggingface.co/spaces/acme/demo", f"{HUB}/spaces/acme/demo"),  # a Space
    (f"huggingface.co.evil.com/{MODEL}", f"https://huggingface.co.evil.com/{MODEL}"),  # another host
    (f"evilhuggingface.co/{MODEL}", f"https://evilhuggingface.co/{MODEL}"),
]


@pytest.mark.parametrize(("address", "full"), NOT_A_REPOSITORY)
def test_what_only_looks_like_an_address_answers_as_its_url(cli, db, tmp_path, monkeypatch,
                                                            address: str, full: str) -> None:
    monkeypatch.chdir(tmp_path)
    for cmd in (("model",), ("lineage",), ("license",), ("license", "--dataset"), ("assess",)):
        res = cli("--db", db, *cmd, address)
        ref = cli("--db", db, *cmd, full)
        lines = res.stderr.strip().splitlines()
        assert res.code == ref.code == 66 and res.stdout == "" and len(lines) == 1, (cmd, res.stderr)
        assert lines[0] == ref.stderr.strip().replace(full, address), (cmd, res.stderr, ref.stderr)
        assert address in lines[0]


def test_an_address_names_its_repository_never_the_host_as_a_namespace(cli, decoys) -> None:
    """`huggingface.co/acme/Demo` is `acme/Demo` (not stored), never the stored `huggingface.co/acme`;
    `huggingface.co` is the host, never the canonical `openai-community/huggingface.co`. An id stored with the very
    spelling typed is found as typed first, as any odd id of a dump is (tests/test_cli_documented.py)."""
    def _prefix(cmd: str) -> str:
        return f"openscope: error: unknown {'licence or ' if cmd == 'license' else ''}model"

    for cmd in ("model", "lineage", "license"):
        for address in ("huggingface.co/acme/Demo", "hf.co/acme/Demo/tree/main", "www.huggingface.co/acme/Demo"):
            res = cli("--db", decoys, "--json", cmd, address)
            assert res.code == 66 and res.stdout == "", (cmd, address, res.stdout)
            assert res.stderr.startswith(f"{_prefix(cmd)} '{address}'"), res.stderr
        for host in ("huggingface.co", "hf.co", "www.huggingface.co/"):
            res = cli("--db", decoys, "--json", cmd, host)
            assert res.code == 66 and res.stdout == "", (cmd, host, res.stdout)
            assert res.stderr.startswith(f"{_prefix(cmd)} '{host}'") and DECOY_CANONICAL not in res.stderr
    for stored in (DECOY_ID, DECOY_CANONICAL, f"{DECOY_ID}/Coder-7B"):  # each is reachable by its own spelling
        res = cli("--db", decoys, "--json", "model", stored)
        assert res.code == 0 and res.json()["id"] == stored, res.stderr


@pytest.mark.parametrize("address", ["huggingface.co/acme/Coder-7C", "hf.co/acme/Coder-7C/tree/main",
                                     "www.huggingface.co/acme/coder-7c/discussions/2"])
def test_an_unknown_repository_still_gets_its_suggestions(cli, db, tmp_path, monkeypatch, address: str) -> None:
    monkeypatch.chdir(tmp_path)
    for cmd in ("model", "lineage", "assess"):
        res = cli("--db", db, cmd, address)
        assert res.code == 66, (cmd, res.stderr)
        assert res.stderr.strip() == f"openscope: error: unknown model '{address}'; did you mean {MODEL}, {CHILD}?"
    lic = cli("--db", db, "license", address)
    assert lic.code == 66 and lic.stderr.startswith(f"openscope: error: unknown licence or model '{address}'")
    assert "did you mean" in lic.stderr and MODEL in lic.stderr.split("did you mean", 1)[1]
    ds = cli("--db", db, "license", "huggingface.co/datasets/acme/wiki-txt")
    assert ds.code == 66
    assert ds.stderr.strip() == ("openscope: error: unknown dataset 'huggingface.co/datasets/acme/wiki-txt'; "
                                 f"did you mean {DATASET}?")


def test_the_parser_reads_bare_addresses_and_only_the_hub() -> None:
    assert hub_page(f"huggingface.co/{MODEL}/commit/abc") == HubPage("model", MODEL)
    assert hub_page(f"hf.co/datasets/{DATASET}/viewer") == HubPage("dataset", DATASET)
    assert hub_page("www.huggingface.co/spaces/acme/demo") == HubPage("space", "acme/demo")
    assert hub_page("hf.co/api/datasets/squad") == HubPage("dataset", "squad")
    for host_only in ("huggingface.co", "huggingface.co/", "hf.co/datasets", "www.hf.co/api/models"):
        assert is_hub_url(host_only) and hub_page(host_only) is None and typed_id(host_only) == host_only.strip()
    for other in (f"huggingface.co.evil.com/{MODEL}", f"evilhuggingface.co/{MODEL}", f"hf.com/{MODEL}",
                  f"huggingface.com/{MODEL}", f"ftp://huggingface.co/{MODEL}", f"huggingface.co:{MODEL}",
                  f"./huggingface.co/{MODEL}", MODEL):
        assert not is_hub_url(other) and hub_page(other) is None, other
    assert typed_id(f"huggingface.co/{MODEL}/tree/main") == MODEL
    assert typed_id(f"huggingface.co/datasets/{DATASET}") == f"huggingface.co/datasets/{DATASET}"  # not a model
    assert typed_id(f"huggingface.co/datasets/{DATASET}", "datasets") == DATASET


def test_as_a_process_the_exit_codes_and_the_one_line(run_openscope, db) -> None:
    """The console entry itself: the address answers with exit 0, what only looks like one with exit 66 in one line."""
    ok = run_openscope("--db", db, "--json", "model", f"hf.co/{MODEL}/blob/main/README.md")
    assert ok.code == 0 and ok.json()["id"] == MODEL, ok.stderr
    bad = run_openscope("--db", db, "model", f"huggingface.co.evil.com/{MODEL}")
    assert bad.code == 66 and bad.stdout == ""
    assert bad.stderr.splitlines() == [f"openscope: error: unknown model 'huggingface.co.evil.com/{MODEL}'"]
