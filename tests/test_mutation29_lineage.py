"""Lineage: behaviour that the fourth mutation round (twenty-ninth session) showed no test asserted.

What an analyst relies on to say "this U.S. product is built on a Chinese base": which declared edge is chosen
when sources disagree, the relation inferred when none is declared, how a declared id resolves (case, canonical
namespaces, external spellings), the roots, depths and paths of a merge whose bases lie at different depths, the
rootless cycles, and the root countries of a merge. Every expectation is a rule of docs/lineage.md ("How edges are
read", "How lineage is computed", "Canonical ids", `lineage_origin`); docs/reviews.md, "Mutation testing, fourth
round: lineage (twenty-ninth session)", lists the mutants these tests kill.

One store per scenario, built by the real ingest and the real refresh (full, and incremental where the incremental
path is the subject), read back through the contract's tables.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lineage_graphs import LLAMA, QWEN, entry, write_jsonl
from store_rows import rows as q

from openscope.derive import lineage as lineage_step
from openscope.store import open_store

GLM = "THUDM/glm-4-9b"  # a legacy namespace (alias of zai-org, CN) spelled with capitals in `publishers.org`

# (child, what it declares, the (parent, relation, evidence) it must have as chosen) -- docs/lineage.md,
# "How edges are read": the source, the relation, the inferred relation and the ids.
EDGE_CASES: list[tuple[dict, set[tuple[str, str, str]]]] = [
    # Choice: tags outrank baseModels, which outrank the card; the lower sources stay, unchosen.
    (dict(mid="c/tags-and-bm", tags=(f"base_model:finetune:{QWEN}",),
          base_models={"relation": "quantized", "models": [{"_id": "1", "id": LLAMA}]}),
     {(QWEN, "finetune", "tag")}),
    (dict(mid="c/bm-and-card", base_models={"relation": "finetune", "models": [{"_id": "1", "id": QWEN}]},
          card={"base_model": LLAMA, "base_model_relation": "adapter"}),
     {(QWEN, "finetune", "base_models")}),
    # Per (child, parent): the first declared relation in the order finetune, adapter, quantized, merge.
    (dict(mid="c/two-relations", tags=(f"base_model:quantized:{QWEN}", f"base_model:adapter:{QWEN}")),
     {(QWEN, "adapter", "tag")}),
    # Inference, in its order: two or more chosen parents -> merge ...
    (dict(mid="c/two-bare", tags=(f"base_model:{QWEN}", f"base_model:{LLAMA}")),
     {(QWEN, "merge", "inferred"), (LLAMA, "merge", "inferred")}),
    # ... the `peft` tag alone -> adapter ...
    (dict(mid="c/peft-tag", tags=("peft", f"base_model:{QWEN}")), {(QWEN, "adapter", "inferred")}),
    # ... `library_name: peft` (a card may spell it in capitals, as it may the tags) -> adapter ...
    (dict(mid="c/peft-library", tags=(f"base_model:{QWEN}",), library="PEFT"), {(QWEN, "adapter", "inferred")}),
    # ... an adapter_config.json in a folder of the repository -> adapter; a file whose name only ends so is not one
    (dict(mid="c/adapter-in-folder", tags=(f"base_model:{QWEN}",), files=("lora/adapter_config.json",)),
     {(QWEN, "adapter", "inferred")}),
    (dict(mid="c/not-an-adapter", tags=(f"base_model:{QWEN}",), files=("old_adapter_config.json",)),
     {(QWEN, "unknown", "tag")}),
    # ... a *.gguf file in any case -> quantized ...
    (dict(mid="c/upper-gguf", tags=(f"base_model:{QWEN}",), files=("model.Q4_K_M.GGUF",)),
     {(QWEN, "quantized", "inferred")}),
    # ... and a quantization tag is read before the `mergekit` tag.
    (dict(mid="c/gguf-and-mergekit", tags=(f"base_model:{QWEN}", "gguf", "mergekit")),
     {(QWEN, "quantized", "inferred")}),
    # Inference is about the chosen source only: an unknown card beside a declared tag infers nothing, and an
    # inferred relation replaces only the chosen source's unknown edge (not the card's, of another parent).
    (dict(mid="c/tag-ft-card-unknown", tags=(f"base_model:finetune:{QWEN}", "gguf"), card={"base_model": LLAMA}),
     {(QWEN, "finetune", "tag")}),
    (dict(mid="c/bare-tag-card-other", tags=(f"base_model:{QWEN}", "gguf"), card={"base_model": LLAMA}),
     {(QWEN, "quantized", "inferred")}),
    # Ids: a parent matching a store id case-insensitively takes the store's spelling.
    (dict(mid="c/lower-case-parent", tags=("base_model:finetune:qwen/qwen2.5-7b",)), {(QWEN, "finetune", "tag")}),
    # ... of two store ids equal up to case, the smallest ('O' < 'o').
    (dict(mid="c/two-store-spellings", tags=("base_model:finetune:ORG/BASE",)), {("Org/Base", "finetune", "tag")}),
    # A model declaring itself as its base is ignored.
    (dict(mid="c/self", tags=("base_model:finetune:c/self",)), set()),
    # Canonical ids: a bare id held by exactly one canonical-move namespace is that model ...
    (dict(mid="c/bare-canonical", tags=("base_model:finetune:solo-bert",)),
     {("google-bert/solo-bert", "finetune", "tag")}),
    # ... one held by two of them is ambiguous and stays external, as declared ...
    (dict(mid="c/bare-ambiguous", tags=("base_model:finetune:twin-model",)), {("twin-model", "finetune", "tag")}),
    # ... and a bare id that is a store id itself is that model (a stored id wins).
    (dict(mid="c/bare-stored", tags=("base_model:finetune:oldbare",)), {("oldbare", "finetune", "tag")}),
    # External bases: one node per id up to case, spelled as most children declare it (a child counted once
    # however many of its sources name that spelling), ties to the smallest spelling.
    (dict(mid="c/ext-many-1", tags=("base_model:finetune:EXT/Many",)), {("EXT/Many", "finetune", "tag")}),
    (dict(mid="c/ext-many-2", tags=("base_model:finetune:EXT/Many",)), {("EXT/Many", "finetune", "tag")}),
    (dict(mid="c/ext-many-3", tags=("base_model:finetune:ext/many",), card={"base_model": "ext/many"},
          base_models={"relation": "finetune", "models": [{"_id": "1", "id": "ext/many"}]}),
     {("EXT/Many", "finetune", "tag")}),
    (dict(mid="c/ext-tie-1", tags=("base_model:finetune:Ext/Tie",)), {("Ext/Tie", "finetune", "tag")}),
    (dict(mid="c/ext-tie-2", tags=("base_model:finetune:ext/tie",)), {("Ext/Tie", "finetune", "tag")}),
]

STORED = [entry(QWEN, downloads=10), entry(LLAMA, downloads=10), entry("Org/Base"), entry("org/base"),
          entry("google-bert/solo-bert"), entry("google-bert/twin-model"), entry("distilbert/twin-model"),
          entry("oldbare"), entry("openai-community/oldbare")]


def _entry(mid: str, tags: tuple[str, ...] = (), **kw: object) -> dict:
    return entry(mid, tags, **kw)  # type: ignore[arg-type]  # the keywords of `entry`, as the table spells them


def _store(tmp_path: Path, entries: list[dict], name: str = "s") -> Path:
    from openscope.jobs.ingest import ingest_file

    db = tmp_path / f"{name}.duckdb"
    with open_store(db) as store:
        ingest_file(store, write_jsonl(tmp_path / f"{name}.jsonl", entries))
        lineage_step.refresh(store, full=True)
    return db


@pytest.fixture(scope="module")
def edge_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _store(tmp_path_factory.mktemp("m29edges"), STORED + [_entry(**kw) for kw, _ in EDGE_CASES])


@pytest.mark.parametrize(("declared", "chosen"), EDGE_CASES, ids=[kw["mid"] for kw, _ in EDGE_CASES])
def test_the_chosen_edges_follow_the_documented_rules(edge_db: Path, declared: dict,
                                                       chosen: set[tuple[str, str, str]]) -> None:
    got = set(q(edge_db, "SELECT parent, relation, evidence FROM edges WHERE child = ? AND chosen", [declared["mid"]]))
    assert got == chosen


def test_lower_sources_stay_unchosen_beside_the_chosen_one(edge_db: Path) -> None:
    """Every declaration is kept with its source; only the chosen source's edges are chosen."""
    got = set(q(edge_db, "SELECT child, parent, relation, evidence, chosen FROM edges "
                         "WHERE child IN ('c/tags-and-bm', 'c/bm-and-card', 'c/two-relations', 'c/bare-tag-card-other')"))
    assert got == {
        ("c/tags-and-bm", QWEN, "finetune", "tag", True), ("c/tags-and-bm", LLAMA, "quantized", "base_models", False),
        ("c/bm-and-card", QWEN, "finetune", "base_models", True), ("c/bm-and-card", LLAMA, "adapter", "card", False),
        # both declared relations of one pair stay; the first in the order is chosen
        ("c/two-relations", QWEN, "adapter", "tag", True), ("c/two-relations", QWEN, "quantized", "tag", False),
        ("c/bare-tag-card-other", QWEN, "unknown", "tag", False),
        ("c/bare-tag-card-other", QWEN, "quantized", "inferred", True),
        ("c/bare-tag-card-other", LLAMA, "unknown", "card", False),
    }


def test_a_merge_of_bases_at_two_depths_keeps_both_roots(tmp_path: Path) -> None:
    """A model built on a base directly and on a finetune of another base descends from both roots, each at its own
    shortest depth: its root countries name both, and its depth is the longest way to a root (docs/lineage.md,
    `lineage` and `lineage_origin`)."""
    entries = [entry(LLAMA), entry(QWEN), entry("m/qwen-ft", (f"base_model:finetune:{QWEN}",)),
               entry("m/merge", (f"base_model:merge:{LLAMA}", "base_model:merge:m/qwen-ft"))]
    db = _store(tmp_path, entries)
    assert sorted(q(db, "SELECT root, depth, path FROM lineage WHERE id = 'm/merge'")) == [
        (QWEN, 2, ["m/merge", "m/qwen-ft", QWEN]), (LLAMA, 1, ["m/merge", LLAMA])]
    assert q(db, "SELECT depth, n_parents, roots, root_countries, root_country FROM model_origin WHERE id = 'm/merge'") \
        == [(2, 2, [QWEN, LLAMA], ["CN", "US"], "multiple")]


def test_of_two_equally_short_paths_the_one_through_the_smallest_parent_is_kept(tmp_path: Path) -> None:
    """docs/lineage.md: a row's path is the shortest, of equally short ones the one through the smallest parent id;
    the same in a full refresh and in the incremental one that adds the model later."""
    from openscope.jobs.ingest import ingest_file

    first = [entry(LLAMA), entry("p/b", (f"base_model:finetune:{LLAMA}",)),
             entry("p/a", (f"base_model:finetune:{LLAMA}",))]
    later = [entry("p/d", ("base_model:merge:p/b", "base_model:merge:p/a"), created="2024-06-01T00:00:00.000Z"),
             entry("p/e", ("base_model:finetune:p/d",), created="2024-06-01T00:00:00.000Z")]
    want = [("p/d", LLAMA, 2, ["p/d", "p/a", LLAMA]), ("p/e", LLAMA, 3, ["p/e", "p/d", "p/a", LLAMA])]
    sql = "SELECT id, root, depth, path FROM lineage WHERE id IN ('p/d', 'p/e') ORDER BY id"
    assert q(_store(tmp_path, first + later, "full"), sql) == want
    db = tmp_path / "inc.duckdb"
    with open_store(db) as store:
        ingest_file(store, write_jsonl(tmp_path / "1.jsonl", first))
        lineage_step.refresh(store)
        ingest_file(store, write_jsonl(tmp_path / "2.jsonl", later))
        assert lineage_step.refresh(store)["mode"] == "incremental"
    assert q(db, sql) == want


def test_two_rootless_cycles_joined_one_way_are_two_cycles(tmp_path: Path) -> None:
    """docs/lineage.md: one `cycle_id` per strongly connected set. `y/a` (on one cycle) is built on `x/a` (on
    another): nothing leads back, so they are two sets, and what sits below a cycle is no member."""
    entries = [entry("x/a", ("base_model:finetune:x/b",)), entry("x/b", ("base_model:finetune:x/a",)),
               entry("y/a", ("base_model:finetune:y/b", "base_model:finetune:x/a")),
               entry("y/b", ("base_model:finetune:y/a",)), entry("y/c", ("base_model:finetune:y/b",))]
    db = _store(tmp_path, entries)
    cyc = q(db, "SELECT id, cycle_id FROM lineage_cycles ORDER BY id")
    assert [i for i, _ in cyc] == ["x/a", "x/b", "y/a", "y/b"]
    ids = dict(cyc)
    assert ids["x/a"] == ids["x/b"] != ids["y/a"] == ids["y/b"]
    assert not q(db, "SELECT * FROM lineage WHERE id LIKE 'x/%' OR id LIKE 'y/%'")


def test_a_merge_of_a_known_and_an_unknown_origin_is_multiple(tmp_path: Path) -> None:
    """docs/lineage.md: a root of unknown origin counts as a different origin (`multiple`, never the known one);
    a merge of two roots of one country names it once; a legacy namespace spelled in capitals (`THUDM`) keeps
    its organisation's country on the merge path too."""
    entries = [entry(LLAMA), entry("meta-llama/Llama-3.2-1B"), entry(GLM),
               entry("o/us-and-unknown", (f"base_model:merge:{LLAMA}", "base_model:merge:nobody/base")),
               entry("o/us-and-us", (f"base_model:merge:{LLAMA}", "base_model:merge:meta-llama/Llama-3.2-1B")),
               entry("o/cn-and-us", (f"base_model:merge:{LLAMA}", f"base_model:merge:{GLM}"))]
    db = _store(tmp_path, entries)
    got = {r[0]: r[1:] for r in q(db, "SELECT id, root_countries, root_country, root_regions, root_region "
                                      "FROM model_origin WHERE id LIKE 'o/%'")}
    assert got == {"o/us-and-unknown": (["US"], "multiple", ["us"], "multiple"),
                   "o/us-and-us": (["US"], "US", ["us"], "us"),
                   "o/cn-and-us": (["CN", "US"], "multiple", ["china", "us"], "multiple")}


def test_a_model_attributed_per_model_keeps_its_maker_as_publisher_and_root_origin(tmp_path: Path) -> None:
    """docs/lineage.md: deepset's German BERT in `google-bert` is attributed to deepset (DE) per model
    (`model_publishers.csv`): as the model's own publisher in `model_origin`, and as the root of its finetunes."""
    german = "google-bert/bert-base-german-cased"
    db = _store(tmp_path, [entry(german), entry("g/ft", (f"base_model:finetune:{german}",))])
    got = {r[0]: r[1:] for r in q(db, "SELECT id, publisher, country, root_countries, root_country FROM model_origin")}
    assert got == {german: ("deepset", "DE", ["DE"], "DE"), "g/ft": (None, None, ["DE"], "DE")}


@pytest.mark.parametrize(("value", "declared"), [
    ("Qwen/Qwen2.5-7B ", QWEN), ("Qwen/Qwen2.5-7B/", QWEN), (" Qwen/Qwen2.5-7B", QWEN), (QWEN, QWEN)])
def test_a_declared_id_loses_the_spaces_around_it_and_its_trailing_slashes(value: str, declared: str) -> None:
    """docs/lineage.md, "Ids": spaces around a declared id and trailing slashes are removed (the Python twin of the
    SQL cleaning, which the openness card reading uses)."""
    from openscope.derive.lineage.edges import declared_id

    assert declared_id(value) == declared


def test_an_open_for_writing_defines_a_missing_view_and_leaves_an_older_shape_alone(tmp_path: Path) -> None:
    """`origin.ensure_view_if_stale` (every open for writing): a store whose `model_origin` view is missing gets it
    back; a store whose inputs are of an older shape (here `publishers` without `region`) opens as it is and keeps
    no view until lineage's refresh moves it on ("any input missing or of an older shape: False")."""
    views = "SELECT count(*) FROM duckdb_views() WHERE view_name = 'model_origin' AND NOT temporary"
    for name, older in (("missing", False), ("older", True)):
        db = tmp_path / f"{name}.duckdb"
        with open_store(db) as store:
            store.con.execute("DROP VIEW model_origin")
            if older:
                store.con.execute("ALTER TABLE publishers DROP COLUMN region")
        with open_store(db) as store:
            assert store.scalar(views) == (0 if older else 1), name
