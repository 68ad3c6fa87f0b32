"""What a governance team must do, complete, and a card whose licence contradicts the Hub tag (`license`, `model`).

The sixteenth session's governance tryout (docs/reviews.md) found two gaps: Apache-2.0's NOTICE-file and
"state changes" duties (§4(d), §4(b)), and the duty of Gemma's terms and the OpenRAIL-M licences (§4(a)) to put the
use restrictions into one's own terms, had no word in the duty vocabulary; and `license ID` read only the Hub tag, so
a card naming MIT for the weights beside an `apache-2.0` tag went unsaid although `assess` reads it. Each new duty is
shown for its licence with its clause and flows down to a derivative (a finetune of a Gemma, an OpenRAIL-M and an
Apache-2.0 base); the card's licence is shown in `license` and `model`, text and `--json`. The store is built by our
ingest and derive steps; the cards are our own text.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from screens import screen_rows

from openscope.derive import refresh as derive_refresh
from openscope.store import open_store

FT = "base_model:finetune:"
ENTRIES = [
    {"id": "google/gemma-base", "author": "google", "tags": ["license:gemma"]},
    {"id": "acme-gemma-ft/gemma-ft", "author": "acme", "tags": ["license:mit", FT + "google/gemma-base"]},
    {"id": "CompVis/sd-base", "author": "CompVis", "tags": ["license:creativeml-openrail-m"]},
    {"id": "acme-sd-ft/sd-ft", "author": "acme", "tags": ["license:mit", FT + "CompVis/sd-base"]},
    {"id": "acme-apache-base/apache-base", "author": "acme", "tags": ["license:apache-2.0"]},
    {"id": "acme-apache-ft/apache-ft", "author": "acme", "tags": ["license:mit", FT + "acme-apache-base/apache-base"]},
    {"id": "acme-card-mit/card-mit", "author": "acme", "tags": ["license:apache-2.0"]},
    {"id": "acme-card-nc/card-nc", "author": "acme", "tags": ["license:apache-2.0"]},
    {"id": "acme-card-agrees/card-agrees", "author": "acme", "tags": ["license:apache-2.0"]},
    {"id": "acme-code-badge/code-badge", "author": "acme", "tags": ["license:apache-2.0"]},
    {"id": "acme-no-card/no-card", "author": "acme", "tags": ["license:apache-2.0"]},
]
CARDS = {
    "acme-card-mit/card-mit": "---\nlicense: apache-2.0\n---\n# Model\n\nA small model.\n\n## License\n\n"
                     "The model weights are released under the MIT License.\n",
    "acme-card-nc/card-nc": "---\nlicense: apache-2.0\n---\n# Model\n\n## License\n\n"
                    "The weights are licensed under CC BY-NC 4.0.\n",
    "acme-card-agrees/card-agrees": "---\nlicense: apache-2.0\n---\n# Model\n\n## License\n\n"
                        "This model is released under the Apache License 2.0.\n",
    # a licence named for the code only says nothing of the weights: nothing is compared
    "acme-code-badge/code-badge": "---\nlicense: apache-2.0\n---\n# Model\n\n## License\n\nCode License: MIT\n",
}
# (licence, new duty, words of its clause, words the text view says for it)
DUTIES = [
    ("apache-2.0", "notice_file", "NOTICE\" text file", "NOTICE file"),
    ("apache-2.0", "state_changes", "carry prominent notices stating that You changed the files", "modified"),
    ("gemma", "include_restrictions", "use restrictions referenced in Section 3.2 as an enforceable provision",
     "use restrictions into your own terms"),
    ("gemma", "state_changes", "carry prominent notices stating that you modified the files", "modified"),
    ("creativeml-openrail-m", "include_restrictions", "MUST be included as an enforceable provision",
     "use restrictions into your own terms"),
    ("creativeml-openrail-m", "state_changes", "carry prominent notices stating that You changed the files",
     "modified"),
]
# (derivative, its base, the base's licence, the duties it inherits that its own MIT does not carry)
DERIVATIVES = [
    ("acme-gemma-ft/gemma-ft", "google/gemma-base", "gemma", ["include_restrictions", "state_changes"]),
    ("acme-sd-ft/sd-ft", "CompVis/sd-base", "creativeml-openrail-m", ["include_restrictions", "state_changes"]),
    ("acme-apache-ft/apache-ft", "acme-apache-base/apache-base", "apache-2.0", ["state_changes", "notice_file"]),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openscope.cli import main

    tmp = tmp_path_factory.mktemp("duties")
    src = tmp / "m.jsonl"
    src.write_text("\n".join(json.dumps(e) for e in ENTRIES) + "\n")
    db = tmp / "s.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src), "--no-derive"]) == 0
    with open_store(db) as s:
        sid = s.scalar("SELECT max(snapshot_id) FROM snapshots")
        for mid, text in CARDS.items():
            s.con.execute("INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) "
                          "VALUES (?, 'model', ?, now(), ?)", [mid, text, sid])
        derive_refresh(s, only=["lineage", "licenses"])
    return db


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")


@pytest.mark.parametrize(("licence", "duty", "clause", "words"), DUTIES)
def test_each_new_duty_is_shown_for_its_licence_with_its_clause(cli, monkeypatch: pytest.MonkeyPatch, licence: str,
                                                                duty: str, clause: str, words: str) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # each clause a block of its own (wider, a table wraps it in cells)
    doc = cli("license", licence, "--json").json()
    assert duty in doc["duties"]
    cited = [c for c in doc["clauses"] if c["attribute"] == f"duty:{duty}"]
    assert len(cited) == 1 and clause in cited[0]["text"] and cited[0]["url"].startswith("https://")
    shown = cli("license", licence)
    assert shown.code == 0
    flat = " ".join(shown.stdout.split())
    assert f"{duty}: " in flat and words in flat     # the duty in words
    assert f"duty:{duty}" in flat and " ".join(clause.split()) in flat  # and where it comes from


def test_the_gemma_and_apache_clauses_are_marked_checked(cli) -> None:
    """Gemma §3.1 and Apache-2.0 §4 were read in copies of their texts (the YAML's comments name them); the
    OpenRAIL-M template clauses were not checked against each licence's own text and stay leads."""
    for licence, duty, verified in (("gemma", "include_restrictions", True), ("apache-2.0", "notice_file", True),
                                    ("creativeml-openrail-m", "include_restrictions", False)):
        clauses = cli("license", licence, "--json").json()["clauses"]
        assert [c["verified"] for c in clauses if c["attribute"] == f"duty:{duty}"] == [verified]


def test_the_openrail_template_no_longer_files_its_notices_as_a_fixed_notice_text(cli) -> None:
    """Its §4(d) ("retain all copyright, patent, trademark, and attribution notices") is attribution; `notice` is a
    fixed notice text to pass on (Llama's, Gemma's), which the template has not. DeepSeek's `notice` clause was the
    change notice (§4(c)): it is `state_changes`."""
    rail = cli("license", "bigscience-openrail-m", "--json").json()["duties"]
    assert "attribution" in rail and "notice" not in rail
    deepseek = cli("license", "deepseek", "--json").json()["duties"]
    assert {"state_changes", "include_restrictions"} <= set(deepseek) and "notice" not in deepseek


def test_llama_passes_its_policy_on_with_the_agreement_not_as_a_duty_of_its_own(cli) -> None:
    """The Llama licences incorporate the Acceptable Use Policy into the Agreement (§1.b.iv) and ask for a copy of
    the Agreement (`include_license`); they have no clause asking for the restrictions in one's own terms."""
    doc = cli("license", "llama3.1", "--json").json()
    assert "include_license" in doc["duties"] and "include_restrictions" not in doc["duties"]


@pytest.mark.parametrize(("model", "base", "base_licence", "inherited"), DERIVATIVES)
def test_a_derivative_inherits_the_new_duties(cli, store: Path, model: str, base: str, base_licence: str,
                                              inherited: list[str]) -> None:
    doc = cli("--db", store, "license", model, "--json").json()
    assert doc["license"] == "mit"
    assert not set(inherited) & set(doc["duties"])          # its own licence has none of them
    flow = [fd for fd in doc["flow_down"] if fd["base"] == base]
    assert len(flow) == 1 and flow[0]["license"] == base_licence and set(inherited) <= set(flow[0]["duties"])
    from_base = [d["duty"] for d in doc["effective_duties"] if d["from"] == base]
    # a copy of the licence and its notice are owed for each licence (the base's is not MIT): listed again
    assert from_base == [d for d in flow[0]["duties"] if d not in doc["duties"] or d in ("include_license", "notice")]
    assert set(inherited) <= set(from_base)
    assert [d["duty"] for d in doc["effective_duties"] if d["from"] is None] == doc["duties"]
    text = cli("--db", store, "license", model)
    rows = screen_rows(text.stdout)
    assert all(f"{d}: " in rows["duties from its bases"] for d in inherited)
    assert f"(from {base})" in rows["duties from its bases"]
    if base_licence == "apache-2.0":  # the same class as its own MIT: the duties are what the base adds
        assert rows["with its bases"] == "the same class; its bases add duties (below)"
    # `model ID` says the same, in the same words
    mdoc = cli("--db", store, "--json", "model", model).json()
    assert mdoc["licenses"]["effective_duties"] == doc["effective_duties"]
    mrows = screen_rows(cli("--db", store, "model", model).stdout)
    assert mrows["duties from its bases"] == rows["duties from its bases"]


def test_a_base_with_the_same_duties_adds_none(cli, store: Path) -> None:
    doc = cli("--db", store, "license", "google/gemma-base", "--json").json()
    assert doc["effective_duties"] == [{"duty": d, "from": None} for d in doc["duties"]]
    assert "duties from its bases" not in screen_rows(cli("--db", store, "license", "google/gemma-base").stdout)


def test_a_card_naming_mit_beside_an_apache_tag_is_shown(cli, store: Path) -> None:
    doc = cli("--db", store, "license", "acme-card-mit/card-mit", "--json").json()
    card = doc["card_license"]
    assert (card["tag"], card["card"], card["contradicts"]) == ("apache-2.0", "MIT", True)
    assert card["open_washing"] is False     # both open: `assess` raises no open-washing flag, the duties differ
    where = [e for e in card["evidence"] if e["kind"] == "card"]
    assert where and where[0]["locator"].endswith("/acme-card-mit/card-mit/blob/main/README.md#L10")
    assert "MIT License" in where[0]["snippet"]
    assert [e["snippet"] for e in card["evidence"] if e["kind"] == "hub_metadata"] == ["license: apache-2.0"]
    assert doc["conflicts"] == []            # a conflict is with a base; this is the model's own declaration
    rows = screen_rows(cli("--db", store, "license", "acme-card-mit/card-mit").stdout)
    assert rows["card licence"].startswith("CONTRADICTS the tag: the card names 'MIT' for the weights but the Hub "
                                           "licence tag is 'apache-2.0'")
    assert "README.md#L10" in rows["card licence"]
    mdoc = cli("--db", store, "--json", "model", "acme-card-mit/card-mit").json()
    assert mdoc["licenses"]["card_license"] == card
    assert screen_rows(cli("--db", store, "model", "acme-card-mit/card-mit").stdout)["card licence"] == rows["card licence"]


def test_a_card_naming_a_non_commercial_licence_is_also_an_open_washing_flag(cli, store: Path) -> None:
    card = cli("--db", store, "license", "acme-card-nc/card-nc", "--json").json()["card_license"]
    assert (card["card"], card["contradicts"], card["open_washing"]) == ("CC-BY-NC-4.0", True, True)
    flags = cli("--db", store, "--json", "assess", "acme-card-nc/card-nc").json()["flags"]
    assert [f["flag"] for f in flags if f["flag"] == "card-license-contradicts-hub-tag"] == [
        "card-license-contradicts-hub-tag"]


def test_a_card_agreeing_with_its_tag_shows_no_contradiction(cli, store: Path) -> None:
    card = cli("--db", store, "license", "acme-card-agrees/card-agrees", "--json").json()["card_license"]
    assert (card["card"], card["contradicts"], card["open_washing"]) == ("Apache-2.0", False, False)
    out = cli("--db", store, "license", "acme-card-agrees/card-agrees").stdout
    assert "CONTRADICTS" not in out
    assert screen_rows(out)["card licence"].startswith("agrees with the tag: the card names 'Apache-2.0'")


def test_a_code_licence_badge_is_not_compared(cli, store: Path) -> None:
    card = cli("--db", store, "license", "acme-code-badge/code-badge", "--json").json()["card_license"]
    assert (card["card"], card["contradicts"]) == (None, None)
    out = cli("--db", store, "license", "acme-code-badge/code-badge").stdout
    assert "CONTRADICTS" not in out and "names no licence for the weights" in " ".join(out.split())


def test_no_card_in_the_store_leaves_the_comparison_unknown(cli, store: Path) -> None:
    doc = cli("--db", store, "license", "acme-no-card/no-card", "--json").json()
    assert doc["card_license"] is None
    assert "card licence" not in screen_rows(cli("--db", store, "license", "acme-no-card/no-card").stdout)


def test_a_licence_lookup_loads_no_card_reader() -> None:
    """The card is read only for a model: `license mit` imports none of the openness modules."""
    code = ("import sys; from openscope.cli import main; main(['license', 'mit', '--json']); "
            "print([m for m in sys.modules if m.startswith('openscope.derive.openness')], file=sys.stderr)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(p.stdout)["license"] == "mit"
    assert p.stderr.strip() == "[]"


def test_a_model_without_card_text_loads_no_card_reader(store: Path) -> None:
    """Whether the store holds a card is asked first: a model without one is answered as before, without loading
    the openness package (about half a second)."""
    code = ("import sys; from openscope.cli import main; "
            f"main(['--db', {str(store)!r}, 'license', 'acme-no-card/no-card', '--json']); "
            "print([m for m in sys.modules if m.startswith('openscope.derive.openness')], file=sys.stderr)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(p.stdout)["card_license"] is None
    assert p.stderr.strip() == "[]"
