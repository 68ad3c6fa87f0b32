"""The set-based grading puts every binding ancestor's id back into the evidence it stores (derive/openness/sql.py,
``_ancestors_back``; derive/openness/ancestry.py, ``binding_table``): the sixth mutation round (thirty-first
session) removed a replacement there that never matched, and these tests hold what the remaining one must do.

The synthetic readings the pass grades carry ``@anc<i>@`` in place of an ancestor's id, always inside a string: in
a locator after the Hub's address, in a snippet. So the stored evidence of a component graded by an inherited
licence must name each ancestor's Hub page, or its licence file's page at the line that identified it, and hold no
placeholder, whichever way the ancestor's licence was read (its tag, its licence file, its curated family), as
``assess`` gives it (docs/openness.md, "Inherited licences")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_openness_ancestor_license import DEEPSEEK
from test_openness_inherited_path import FINAL, _agree, _model

from openscope import derive
from openscope.jobs.ingest import ingest_file
from openscope.store import Store, open_store

HUB = "https://huggingface.co/"

MODELS = [
    # an ancestor read from its tag, one from its licence file (DeepSeek), one outside the store read from the
    # curated family its id names (LLaMA); each derivative in an organisation of its own
    _model("an-tag/base", "cc-by-nc-4.0"), _model("an-tag-ft/ft", "mit", ["an-tag/base"]),
    {**_model("an-file/base", "other"), "cardData": {"license": "other", "license_link": "LICENSE"}},
    _model("an-file-ft/ft", "mit", ["an-file/base"]),
    # the card links the licence by its full Hub address, to a file not named as a licence file (mutmut `load` 44)
    {**_model("an-url/base", "other"),
     "cardData": {"license": "other", "license_link": f"{HUB}an-url/base/blob/main/TERMS.md"}},
    _model("an-url-ft/ft", "mit", ["an-url/base"]),
    _model("an-ext-ft/ft", "apache-2.0", ["huggyllama/llama-7b"]),
    # two binding ancestors: placeholders 0 and 1 in one text, both put back, nearest first
    _model("an-two-root/root", "llama3"), _model("an-two-mid/mid", "cc-by-nc-4.0", ["an-two-root/root"]),
    _model("an-two-ft/ft", "mit", ["an-two-mid/mid"]),
    # no licence tag, and a card listing two licences: the declaration is the whole list, as the licence step reads it
    {**_model("an-list/base", None), "cardData": {"license": ["cc-by-nc-4.0", "mit"]}},
    _model("an-list-ft/ft", "mit", ["an-list/base"]),
    # a base of the store, its licence undeclared, known by the MOF record of its id, which the Hub spells in
    # capitals (`stanford-crfm/BioMedLM`; the record's id is lower-case): its family's licence binds
    _model("stanford-crfm/BioMedLM", None), _model("an-mof-ft/ft", "mit", ["stanford-crfm/BioMedLM"]),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("m31anc")
    s = open_store(tmp / "s.duckdb")
    (tmp / "m.jsonl").write_text("\n".join(json.dumps(r) for r in MODELS) + "\n")
    ingest_file(s, tmp / "m.jsonl")
    for mid, path in (("an-file/base", "LICENSE"), ("an-url/base", "TERMS.md")):
        s.con.execute("""INSERT INTO license_texts (repo_type, id, path, sha, text, bytes, url, note, read_at,
                                                    snapshot_id)
                         VALUES ('model', ?, ?, 'abc123', ?, 10, ?, NULL, now()::TIMESTAMP, NULL)""",
                      [mid, path, DEEPSEEK, f"{HUB}{mid}/resolve/main/{path}"])
    derive.refresh(s, only=["lineage", "openness"])
    yield s
    s.close()


def _stored_weights(store: Store, mid: str) -> dict[str, Any]:
    row = store.con.execute("""SELECT evidence FROM openness WHERE id = ? AND framework = 'component'
                               AND dimension = ?""", [mid, FINAL]).fetchone()
    assert row is not None, mid
    return json.loads(row[0])


def test_no_placeholder_is_left_in_the_stored_evidence(store: Store) -> None:
    assert store.scalar("SELECT count(*) FROM openness WHERE evidence LIKE '%@anc%'") == 0
    assert _agree(store) == 7
    assert _stored_weights(store, "an-mof-ft/ft")["license"] == "bigscience-bloom-rail-1.0"   # the MOF record's


@pytest.mark.parametrize(("mid", "locator", "license"), [
    ("an-tag-ft/ft", f"{HUB}an-tag/base", "cc-by-nc-4.0"),
    ("an-file-ft/ft", f"{HUB}an-file/base/blob/main/LICENSE#L1", "deepseek"),
    ("an-url-ft/ft", f"{HUB}an-url/base/blob/main/TERMS.md#L1", "deepseek"),
    ("an-two-ft/ft", f"{HUB}an-two-mid/mid", "cc-by-nc-4.0"),
])
def test_each_ancestor_is_named_where_its_licence_was_read(store: Store, mid: str, locator: str,
                                                          license: str) -> None:
    """The ancestor's page (its tag), its licence file's page at the line (its declaration); the snippet that
    says which base binds names the ancestor by id."""
    doc = _stored_weights(store, mid)
    assert doc["license"] == license
    locators = [e["locator"] for e in doc["evidence"]]
    assert locator in locators
    base = locator[len(HUB):].split("/blob/")[0]
    assert any(f"base {base}" in e["snippet"] for e in doc["evidence"]), doc


def test_two_ancestors_in_one_text_each_put_back(store: Store) -> None:
    """Placeholders 0 and 1 in one evidence list: the nearest ancestor is the first, the root the second."""
    text = json.dumps(_stored_weights(store, "an-two-ft/ft"))
    assert f"{HUB}an-two-mid/mid" in text and "an-two-root/root" in text
    assert text.index("an-two-mid/mid") < text.index("an-two-root/root")


def test_a_binding_licence_without_a_clause_stores_only_the_rule_s_evidence(store: Store) -> None:
    """A defect this round found: an ancestor declaring a card list (`CC-BY-NC-4.0 AND MIT`, which has no clause
    of its own in the catalogue) left the rule two evidence items, and the third stored was the component's own
    finding; the set-based pass stored its synthetic record's (`m/model.safetensors`), the per-model path the
    model's file page, so the two paths disagreed. Both now store the rule's items only: the model's licence
    line and the ancestor's declaration, read from its card list (ingest keeps the whole list as the licence when
    no `license:` tag names one)."""
    doc = _stored_weights(store, "an-list-ft/ft")
    assert doc["license"] == "CC-BY-NC-4.0 AND MIT"
    assert [(e["kind"], e["locator"]) for e in doc["evidence"]] == [
        ("hub_metadata", f"{HUB}an-list-ft/ft"), ("hub_metadata", f"{HUB}an-list/base")]
    assert doc["evidence"][1]["snippet"].startswith('license: ["cc-by-nc-4.0","mit"] (base an-list/base, 1 lineage')


def test_an_ancestor_s_reading_is_dated_as_the_record_was_read(store: Store) -> None:
    """`assess` (the per-model path) dates the evidence of each ancestor's licence as the model's record was read: it
    was read in the same store state (mutmut `load` 58: no date)."""
    from openscope.derive.openness.assessment import assess_record
    from openscope.derive.openness.records import from_store

    rec = from_store(store, "an-tag-ft/ft")
    assert rec.read_at
    ev = assess_record(rec).components[FINAL].evidence
    anc = [e for e in ev if e.locator == f"{HUB}an-tag/base"]
    assert len(anc) == 1 and anc[0].read_at == rec.read_at
