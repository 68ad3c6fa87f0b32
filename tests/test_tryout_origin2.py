"""Origin red team (nineteenth session): "is this U.S. product built on a Chinese base?" on hostile shapes.

Why: lineage and origin answers are read one model at a time and summed over millions; each shape here is one
an analyst meets (a product through a quantization and an adapter, merges across countries and within one,
external bases, legacy namespaces, odd case, cycles). One store, written by hand, answers every test; the
shipped publisher table is checked row by row against the reference files it was made from.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shlex
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest
from lineage_graphs import entry, write_jsonl

from openscope.cli import main
from openscope.derive.lineage.publishers import data_dir

Q, M, L = "Qwen/Qwen2.5-7B", "mistralai/Mistral-7B-v0.1", "meta-llama/Llama-3.1-8B"
DS, DS_UPPER = "deepseek-ai/DeepSeek-V3", "DeepSeek-AI/deepseek-v3"  # one external repository, two spellings
DOCS = Path(__file__).resolve().parents[1] / "docs" / "lineage.md"


def _graph() -> list[dict[str, Any]]:
    e = [
        entry(Q, downloads=5000), entry(M, downloads=3000), entry(L, downloads=4000),
        # a U.S. product on a Chinese base, through a quantization and an adapter
        entry("bob/Qwen2.5-7B-GGUF", ("gguf", f"base_model:quantized:{Q}"), files=("m.Q4.gguf",), downloads=90),
        entry("carol/qwen-gguf-lora", ("peft",), card={"base_model": "bob/Qwen2.5-7B-GGUF"},
              files=("adapter_config.json",), downloads=30),
        entry("nvidia/qwen-product", ("base_model:finetune:carol/qwen-gguf-lora",), downloads=400),
        # a merge of a Chinese and a French base, and a finetune of it
        entry("dave/qwen-mistral-merge", ("mergekit", f"base_model:merge:{Q}", f"base_model:merge:{M}"), downloads=20),
        entry("erin/merge-ft", ("base_model:finetune:dave/qwen-mistral-merge",), downloads=10),
        # a merge of two finetunes of one base
        entry("f1/qwen-ft-a", (f"base_model:finetune:{Q}",)), entry("f2/qwen-ft-b", (f"base_model:finetune:{Q}",)),
        entry("g/same-root-merge", ("base_model:merge:f1/qwen-ft-a", "base_model:merge:f2/qwen-ft-b"), downloads=7),
        # a chain through an external base of a known publisher, declared in two cases
        entry("h/dsv3-ft", (f"base_model:finetune:{DS}",), downloads=11),
        entry("h2/dsv3-ft-upper", (f"base_model:finetune:{DS_UPPER}",), downloads=12),
        entry("i/dsv3-ft-ft", ("base_model:finetune:h/dsv3-ft",), downloads=3),
        # an unknown publisher on a root of known country
        entry("someone/llama-ft", (f"base_model:finetune:{L}",), downloads=5),
        # a cycle an outside root reaches, and one none does
        entry("cy/a", (f"base_model:finetune:{Q}", "base_model:finetune:cy/b")), entry("cy/b", ("base_model:finetune:cy/a",)),
        entry("cz/a", ("base_model:finetune:cz/b",)), entry("cz/b", ("base_model:finetune:cz/a",)),
        entry("cz/c", ("base_model:finetune:cz/a",)),
        # legacy namespaces: stored (declared in another case) and external
        entry("THUDM/chatglm3-6b", downloads=800), entry("j/glm-ft", ("base_model:finetune:thudm/ChatGLM3-6B",)),
        entry("k/aya-ft", ("base_model:finetune:CohereForAI/aya-expanse-8b",)),
        entry("facebook/opt-125m", downloads=60),
        entry("l/opt-llama-merge", ("base_model:merge:facebook/opt-125m", f"base_model:merge:{L}")),
        # a base declared in another case, by tag and by card
        entry("m/qwen-lower", ("base_model:finetune:qwen/qwen2.5-7b",)),
        entry("n/card-upper", card={"base_model": "QWEN/QWEN2.5-7B", "base_model_relation": "adapter"}),
        # regions: FR + GB (ATOM's Europe-facing eu), IL + US (ai21labs: ATOM us), unknown + known, unknown only
        entry("stabilityai/stablelm-2-1_6b", downloads=70),
        entry("o/eu-merge", ("base_model:merge:stabilityai/stablelm-2-1_6b", f"base_model:merge:{M}")),
        entry("ai21labs/Jamba-v0.1", downloads=50),
        entry("p/il-us-merge", ("base_model:merge:ai21labs/Jamba-v0.1", f"base_model:merge:{L}")),
        entry("nobody/base", downloads=2), entry("nobody2/base", downloads=2),
        entry("q/unk-known-merge", ("base_model:merge:nobody/base", f"base_model:merge:{L}")),
        entry("r/unk-unk-merge", ("base_model:merge:nobody/base", "base_model:merge:nobody2/base")),
        # a per-model publisher (deepset's German BERT in google-bert), declared in another case
        entry("google-bert/bert-base-german-cased", downloads=100),
        entry("s/gbert-ft", ("base_model:finetune:google-bert/BERT-base-german-cased",)),
        # known organisations in another case
        entry("QWEN/upper-ns-model", downloads=1), entry("Meta-Llama/upper-ns", downloads=1),
    ]
    rels = ["finetune", "adapter", "quantized", "merge"]
    for i in range(40):  # a base with many children of four publishers (one unknown)
        e.append(entry(f"{['nvidia', 't', 'Qwen', 'mistralai'][i % 4]}/child-{i:02d}",
                       (f"base_model:{rels[i % 4]}:{M}",), downloads=i))
    return e


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("origin2")
    db = d / "o.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(write_jsonl(d / "o.jsonl", _graph()))]) == 0
    return db


def run(db: Path, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(db), *args])
    return code, out.getvalue() + err.getvalue()


def js(db: Path, *args: str) -> Any:
    import json

    code, text = run(db, "--json", *args)
    assert code == 0, text
    return json.loads(text)


def flat(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------------------
# The shipped table against the reference files, row by row


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


EUROPE = frozenset({"AD", "AL", "AT", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB",
                    "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MD", "ME", "MK", "MT", "NL", "NO",
                    "PL", "PT", "RO", "RS", "SE", "SI", "SK", "SM", "UA", "VA"})  # European countries, EU or not


def _bucket(country: str) -> str:
    """ATOM's rule: us, china, eu (Europe-facing: GB and CH too), other."""
    return {"US": "us", "CN": "china"}.get(country) or ("eu" if country in EUROPE else "other")


@pytest.mark.reference
def test_the_shipped_table_holds_every_reference_row_with_its_source(shared_data: Path) -> None:
    ours = _rows(data_dir() / "publishers.csv")
    by = {r["org"]: r for r in ours}
    assert not [k for k, n in Counter(r["org"].lower() for r in ours).items() if n > 1]  # one row per org, any case
    ref = _rows(shared_data / "reference" / "publishers.csv")
    atom = {r["hf_org"]: r for r in _rows(shared_data / "reference" / "atom_organization_regions.csv")}
    for r in ref:
        assert (by[r["hf_org"]]["country"], by[r["hf_org"]]["kind"]) == (r["country_iso2"], r["kind"]), r["hf_org"]
    for org, r in atom.items():
        assert by[org]["region"] == ("" if r["region"] == "unknown" else r["region"]), org
    stated: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for s in _rows(data_dir() / "publisher_sources.csv"):
        stated[(s["org"], s["attribute"])].append(s)
    for o in ours:
        assert o["country"] != "EU" and o["region"] in ("", "us", "china", "eu", "other"), o["org"]
        for attr in ("country", "region"):
            used = [s for s in stated[(o["org"], attr)] if s["used"] == "true" and s["value"]]
            if o[attr]:  # a value with its source, stated once and used
                assert o[f"{attr}_source"] and [s["value"] for s in used] == [o[attr]], (o["org"], attr)
            else:  # unknown stays unknown
                assert not used, (o["org"], attr)
        if o["country"] and o["org"] in atom and atom[o["org"]]["region"] != "unknown" \
                and _bucket(o["country"]) != o["region"]:
            # sources disagree: both kept, the unused one with a note naming what is used
            unused = [s for s in stated[(o["org"], "region")] if s["used"] == "false"]
            assert [s["value"] for s in unused] == [_bucket(o["country"])] and "used:" in unused[0]["note"], o["org"]
        if o["org"] not in atom and o["organisation"] == o["org"] and o["region"]:
            assert o["region"] == _bucket(o["country"]), o["org"]  # derived from the country by ATOM's rule
        if o["org"] not in atom and o["org"] not in {r["hf_org"] for r in ref}:
            assert "Epoch AI" in o["country_source"], o["org"]  # an organisation of neither file: a source still
    assert (by["ai21labs"]["country"], by["ai21labs"]["region"]) == ("IL", "us")
    for alias in _rows(data_dir() / "aliases.csv"):
        a, target = by[alias["namespace"]], by[alias["organisation"]]
        assert a["organisation"] == alias["organisation"] and (a["country"], a["region"]) == (
            target["country"], target["region"]), alias["namespace"]
    assert {a["namespace"] for a in _rows(data_dir() / "aliases.csv")} >= {
        "facebook", "THUDM", "CohereForAI", "mistral-community"}


# ---------------------------------------------------------------------------------------------------------
# One model at a time


def _origin(db: Path, mid: str) -> tuple[Any, ...]:
    d = js(db, "model", mid)
    pub = d["publisher"] or {}
    return (pub.get("organisation"), pub.get("country"), [r["id"] for r in d["lineage"]["roots"]],
            d["root_countries"], d["root_country"], d["root_region"])


@pytest.mark.parametrize(("mid", "want"), [
    ("nvidia/qwen-product", ("nvidia", "US", [Q], ["CN"], "CN", "china")),
    ("erin/merge-ft", (None, None, [Q, M], ["CN", "FR"], "multiple", "multiple")),
    ("g/same-root-merge", (None, None, [Q], ["CN"], "CN", "china")),
    # one external node for both spellings: one child each, the tie goes to the smallest spelling
    ("i/dsv3-ft-ft", (None, None, [DS_UPPER], ["CN"], "CN", "china")),
    ("someone/llama-ft", (None, None, [L], ["US"], "US", "us")),
    ("cy/b", (None, None, [Q], ["CN"], "CN", "china")),
    ("cz/c", (None, None, [], [], None, None)),
    ("j/glm-ft", (None, None, ["THUDM/chatglm3-6b"], ["CN"], "CN", "china")),
    ("thudm/CHATGLM3-6B", ("zai-org", "CN", ["THUDM/chatglm3-6b"], ["CN"], "CN", "china")),
    ("k/aya-ft", (None, None, ["CohereForAI/aya-expanse-8b"], ["CA"], "CA", "other")),
    ("l/opt-llama-merge", (None, None, ["facebook/opt-125m", L], ["US"], "US", "us")),
    ("m/qwen-lower", (None, None, [Q], ["CN"], "CN", "china")),
    ("n/card-upper", (None, None, [Q], ["CN"], "CN", "china")),
    ("o/eu-merge", (None, None, [M, "stabilityai/stablelm-2-1_6b"], ["FR", "GB"], "multiple", "eu")),
    ("p/il-us-merge", (None, None, ["ai21labs/Jamba-v0.1", L], ["IL", "US"], "multiple", "us")),
    ("q/unk-known-merge", (None, None, [L, "nobody/base"], ["US"], "multiple", "multiple")),
    ("r/unk-unk-merge", (None, None, ["nobody/base", "nobody2/base"], [], None, None)),
    ("s/gbert-ft", (None, None, ["google-bert/bert-base-german-cased"], ["DE"], "DE", "eu")),
    ("QWEN/upper-ns-model", ("Qwen", "CN", ["QWEN/upper-ns-model"], ["CN"], "CN", "china")),
    ("Meta-Llama/upper-ns", ("meta-llama", "US", ["Meta-Llama/upper-ns"], ["US"], "US", "us")),
    ("nobody/base", (None, None, ["nobody/base"], [], None, None)),
])
def test_model_json_gives_publisher_and_root_countries(store: Path, mid: str, want: tuple[Any, ...]) -> None:
    assert _origin(store, mid) == want


def test_a_us_product_on_a_chinese_base_through_a_quantization_and_an_adapter(store: Path) -> None:
    doc = js(store, "lineage", "nvidia/qwen-product")
    assert [(n["id"], n["relation"], n["depth"]) for n in doc["nodes"]] == [
        ("nvidia/qwen-product", None, 0), ("carol/qwen-gguf-lora", "finetune", 1),
        ("bob/Qwen2.5-7B-GGUF", "adapter", 2), (Q, "quantized", 3)]
    assert doc["summary"]["roots"] == [Q] and doc["nodes"][0]["country"] == "US"
    code, text = run(store, "lineage", "nvidia/qwen-product")
    assert code == 0 and flat(text).endswith(f"roots: {Q} (CN); root country: CN")


def test_a_base_two_ancestors_share_is_named_on_both(store: Path) -> None:
    """Each node is drawn once: the finetune whose base hangs under the other finetune says it has one."""
    code, text = run(store, "lineage", "g/same-root-merge")
    assert code == 0
    assert f"f2/qwen-ft-b · merge of · origin unknown · created 2024-05-01 · 0 dl/30d (also built on {Q}, shown " \
           "under f1/qwen-ft-a)" in flat(text)
    assert flat(text).endswith(f"roots: {Q} (CN); root country: CN")
    # a merge of two bases of one country is that country, not multiple
    code, text = run(store, "lineage", "l/opt-llama-merge")
    assert "also built on" not in text and flat(text).endswith("root country: US")


@pytest.mark.parametrize("asked", [DS, DS_UPPER, "DEEPSEEK-AI/DEEPSEEK-V3"])
def test_an_external_base_declared_in_two_cases_shows_all_built_on_it(store: Path, asked: str) -> None:
    """The Hub matches ids case-insensitively: both spellings name one repository, and `model` of it counts
    the models declaring either; `lineage --down`, where it points, showed only one spelling's."""
    doc = js(store, "lineage", asked, "--down")
    assert sorted((n["id"], n["depth"], n["via"]) for n in doc["nodes"][1:]) == [
        ("h/dsv3-ft", 1, doc["id"]), ("h2/dsv3-ft-upper", 1, doc["id"]), ("i/dsv3-ft-ft", 2, "h/dsv3-ft")]
    assert doc["summary"]["total"] == 3 and doc["summary"]["downloads_30d"] == 26
    # each edge names the node shown, and the spelling declared where it differs
    assert {(e["child"], e["parent"], e["declared_as"]) for e in doc["edges"] if e["child"].startswith("h")} == {
        ("h/dsv3-ft", doc["id"], None if doc["id"] == DS else DS),
        ("h2/dsv3-ft-upper", doc["id"], None if doc["id"] == DS_UPPER else DS_UPPER)}
    code, text = run(store, "lineage", asked, "--down", "--depth", "0")
    assert "(2 models built on it directly;" in flat(text)
    code, text = run(store, "model", asked)
    assert code == 66 and "external base of 2 stored models" in text
    # --up from either child still names the spelling it declared
    assert js(store, "lineage", "h2/dsv3-ft-upper")["summary"]["roots"] == [DS_UPPER]


def test_model_names_the_root_of_unknown_origin_that_makes_it_multiple(store: Path) -> None:
    """`root countries  US (counted as 'multiple' …)` of a Llama merged with a base of unknown origin read as one
    country; the roots line of `lineage` said `multiple (US, unknown)`."""
    code, text = run(store, "model", "q/unk-known-merge")
    assert code == 0 and "root countries US, and unknown for nobody/base (counted as 'multiple' in shares by root " \
        "country)" in flat(text)
    code, text = run(store, "lineage", "q/unk-known-merge")
    assert flat(text).endswith("root country: multiple (US, unknown)")
    code, text = run(store, "model", "erin/merge-ft")
    assert "root countries CN, FR (counted as 'multiple' in shares by root country)" in flat(text)


def test_cycles_with_and_without_an_outside_root(store: Path) -> None:
    con = duckdb.connect(str(store), read_only=True)
    try:
        cycles = con.execute("SELECT list(id ORDER BY id) FROM lineage_cycles GROUP BY cycle_id").fetchall()
        assert cycles == [(["cz/a", "cz/b"],)]  # cy/a and cy/b: Qwen reaches them
        assert con.execute("SELECT root, depth FROM lineage WHERE id = 'cy/b'").fetchall() == [(Q, 2)]
    finally:
        con.close()
    code, text = run(store, "lineage", "cz/c")
    assert flat(text).endswith("roots: none (it is on, or built on, a cycle that no outside root reaches; see "
                               "lineage_cycles); root country: unknown")


def test_down_of_a_base_with_many_children_summarises_by_relation_depth_and_country(store: Path) -> None:
    doc = js(store, "lineage", M, "--down", "--limit", "3")
    sm = doc["summary"]
    # 40 children, 10 per publisher (nvidia US, t unknown, Qwen CN, mistralai FR), the two merges, erin at depth 2
    assert sm["total"] == 43 and doc["truncated"] and len(doc["nodes"]) == 4
    assert sm["by_relation"] == {"merge": 12, "finetune": 11, "adapter": 10, "quantized": 10}
    assert sm["by_depth"] == {"1": 42, "2": 1}
    assert sm["by_country"] == {"unknown": 13, "CN": 10, "FR": 10, "US": 10}
    assert sm["by_region"] == {"unknown": 13, "china": 10, "eu": 10, "us": 10}
    assert [n["id"] for n in doc["nodes"][1:]] == ["mistralai/child-39", "Qwen/child-38", "t/child-37"]


# ---------------------------------------------------------------------------------------------------------
# Shares over the store: the command, the documented recipes and a brute force agree


def _brute_root_countries(db: Path) -> dict[str, str]:
    """Each derivative's bucket from the raw tables: roots by a walk in Python, countries by namespace."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        parents: dict[str, set[str]] = defaultdict(set)
        for c, p in con.execute("SELECT child, parent FROM edges WHERE chosen").fetchall():
            parents[c].add(p)
        pub = {o.lower(): c for o, c in con.execute("SELECT org, country FROM publishers").fetchall()}
        per_model = {i.lower(): o.lower() for i, o in con.execute("SELECT id, org FROM model_publishers").fetchall()}
        live = {r[0] for r in con.execute("SELECT id FROM models WHERE deleted_at IS NULL").fetchall()}
    finally:
        con.close()

    def roots(mid: str) -> set[str]:
        seen, todo, out = {mid}, [mid], set()
        while todo:
            x = todo.pop()
            if not parents.get(x):
                out.add(x)
            for p in parents.get(x, ()):
                if p not in seen:
                    seen.add(p)
                    todo.append(p)
        return out

    def country(r: str) -> str | None:
        org = per_model.get(r.lower()) or (r.split("/")[0].lower() if "/" in r else None)
        return pub.get(org) if org else None

    out = {}
    for mid in live:
        if not parents.get(mid):
            continue
        cs = [country(r) for r in roots(mid)]
        known = {c for c in cs if c}
        out[mid] = "unknown" if not known else (known.pop() if len(known) == 1 and all(cs) else "multiple")
    return out


def test_shares_by_root_country_sum_to_100_and_match_a_brute_force(store: Path) -> None:
    want = Counter(_brute_root_countries(store).values())
    doc = js(store, "lineage", "--by-root-country")
    assert {r["country"]: r["derivatives"] for r in doc["rows"]} == dict(want)
    assert doc["total"] == sum(want.values()) and abs(sum(r["share"] for r in doc["rows"]) - 1) < 1e-9
    assert abs(sum(r["download_share"] for r in doc["rows"]) - 1) < 1e-9
    # the per-month recipe counts each derivative once too
    months = js(store, "sql", _recipe("per-month"), "--limit", "0")["rows"]
    assert sum(v for row in months for k, v in row.items() if k != "month") == sum(want.values())
    # so does the per-snapshot recipe, its download percentages summing to 100 (rounded to 0.1 each)
    snap = js(store, "sql", _recipe("per-snapshot"), "--limit", "0")["rows"]
    assert {r["root_country"]: r["derivatives"] for r in snap} == dict(want)
    assert abs(sum(r["pct"] for r in snap) - 100) <= 0.05 * len(snap)
    code, text = run(store, "lineage", "--by-root-country", "--region")
    assert "eu: ATOM's Europe-facing bucket (GB and CH too), not EU membership." in flat(text)
    region = js(store, "lineage", "--by-root-country", "--region")
    assert region["total"] == doc["total"] and {"eu", "us", "china", "other"} >= {
        r["region"] for r in region["rows"]} - {"multiple", "unknown"}


def _recipe(label: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    m = re.search(rf"<!-- recipe: {label} -->\n```console\n\$ (.*?)\n[┏]", text, re.S)
    assert m, label
    args = shlex.split(m.group(1))
    return args[args.index("sql") + 1]


def test_the_bases_recipe_gives_each_root_its_publishers_country(store: Path) -> None:
    """The recipe joined the namespace alone: deepset's German BERT (model_publishers) read as Google's US."""
    rows = {r["base"]: r for r in js(store, "sql", _recipe("bases"), "--limit", "0")["rows"]}
    assert rows["google-bert/bert-base-german-cased"]["country"] == "DE"
    assert rows["THUDM/chatglm3-6b"]["country"] == "CN" and rows["CohereForAI/aya-expanse-8b"]["country"] == "CA"
    assert rows["nobody/base"]["country"] == "unknown" and rows[Q]["derivatives"] == 12
    # one root for both spellings of the external DeepSeek-V3 (edges.py folds them), with all three descendants
    assert DS not in rows and (rows[DS_UPPER]["country"], rows[DS_UPPER]["derivatives"]) == ("CN", 3)
