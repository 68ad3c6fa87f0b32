"""A research paper is the model's own paper: a paper the card merely cites does not count.

The cards here are written for the tests (never copied from real cards); each shows one way a card
announces its own paper, or one way it cites someone else's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openscope.derive.openness import refresh
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.probes import peer_reviewed_paper, research_paper
from openscope.derive.openness.probes._own_paper import clean_anchor, own_paper_links
from openscope.derive.openness.records import ModelRecord, from_store, from_text
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

FILLER = "\n".join(f"Line {i} of the usage notes." for i in range(60))

CITED_ONLY = {
    "method in a sentence": "# Acme\n## Fine-tuning\n* A script to fine-tune on chat data using "
                            "[QLoRA](https://huggingface.co/papers/2305.14314)\n",
    "benchmark table": "# Acme\n## Evaluation\n| benchmark | metric | score |\n|---|---|---|\n"
                       "| [MMLU](https://arxiv.org/abs/2009.03300) | 5-shot | 61.0 |\n"
                       "| [GSM8K](https://arxiv.org/abs/2110.14168) | maj@1 | 40.2 |\n",
    "dataset and related work": "# Acme\n## Data\nBias was measured on datasets such as "
                                "[WinoBias](https://arxiv.org/abs/1804.06876).\nThe training energy methodology can "
                                "be found [here](https://arxiv.org/pdf/2204.05149).\n",
    "quoted title before a bare label": "# Acme\n## Infilling\nFollow the format outlined in the paper "
                                        "\"Efficient Training of Language Models to Fill in the Middle\""
                                        "[[arxiv](https://arxiv.org/abs/2207.14255)].\n",
    "inspired by, in the header": "# Acme\n*Inspired by* [*Photorealistic Diffusion*](https://arxiv.org/pdf/2205.11487.pdf)\n",
    "reading list after the header": "# Acme\n" + FILLER + "\n### Papers\n- [A Survey of Large Language Models]"
                                     "(https://arxiv.org/abs/2303.18223)\n",
    "someone's venue paper": "# Acme\n## Data\nFor details see LAION-5B's "
                             "[NeurIPS 2022](https://openreview.net/forum?id=M3Y74vmsMcY) paper.\n",
    "citation of a repository only": "# Acme\n## Citation\nPlease cite:\n```bibtex\n@misc{acme,\n  title = {Acme},\n"
                                     "  publisher = {GitHub},\n  journal = {GitHub repository},\n}\n"
                                     "@inproceedings{other2024,\n  title={A Tool We Used},\n"
                                     "  booktitle={Proceedings of ACL 2024},\n}\n```\n",
}

OWN = {
    "labelled field": ("# Acme\n- **Paper:** [Acme: a model](https://arxiv.org/abs/2401.00001)\n", "label"),
    "nav row": ("# Acme\n[Demo](https://acme.example/demo) | [Paper](https://arxiv.org/abs/2401.00001) | "
                "[Model](https://huggingface.co/acme/m)\n", "label"),
    "emoji anchor": ("# Acme\n" + FILLER + "\nRead more: [📃 Paper](https://arxiv.org/abs/2401.00001)\n", "label"),
    "badge": ("# Acme\n<a href='https://arxiv.org/abs/2401.00001'><img src='https://img.shields.io/badge/"
              "Paper-Arxiv-red'></a>\n", "label"),
    "our technical report": ("# Acme\n" + FILLER + "\nFor more, read our technical report "
                             "[Acme 2: Open Models](https://arxiv.org/abs/2401.00001).\n", "sentence"),
    "deictic link after the announcement": ("# Acme\n" + FILLER + "\n- We have updated our technical report. Please\n"
                                            "  click [here](https://arxiv.org/pdf/2401.00001) to view it.\n",
                                            "sentence"),
    "official repo": ("# Acme\nOfficial repo for [Acme: cascaded synthesis](https://arxiv.org/abs/2401.00001)\n",
                      "sentence"),
    "header title link": ("# Acme\n\n[**Acme: Open Video Models**](https://arxiv.org/abs/2401.00001)\n", "header"),
    "reference definition": ("# Acme\n" + FILLER + "\n**Citation details:** See [the paper][arxiv]\n\n"
                             "[arxiv]: https://arxiv.org/abs/2401.00001\n", "label"),
    "in the paper": ("# Acme\n" + FILLER + "\nHow it was trained can be found [in the paper]"
                     "(https://arxiv.org/abs/2401.00001).\n", "label"),
}


@pytest.mark.parametrize("name", sorted(CITED_ONLY))
def test_a_cited_paper_is_not_the_models_research_paper(name: str) -> None:
    rec = from_text("acme/m", CITED_ONLY[name])
    f = research_paper.run(rec)
    assert (f.status, f.outcome) == ("not_found", "negative"), (name, [e.snippet for e in f.evidence])
    assert peer_reviewed_paper.run(rec).outcome == "negative", name
    a = assess_record(rec, use_curated=False)
    assert a.components["Research paper"].status == "not_found"
    assert a.osai["preprint"] != "open"


@pytest.mark.parametrize("name", sorted(OWN))
def test_the_models_own_paper_is_found_with_why(name: str) -> None:
    card, why = OWN[name]
    rec = from_text("acme/m", card)
    f = research_paper.run(rec)
    assert (f.status, f.outcome) == ("no_license", "positive"), name
    ev = f.evidence[0]
    assert ev.locator == "https://arxiv.org/abs/2401.00001" or ev.locator.startswith("https://arxiv.org/pdf/2401")
    assert [o.why for o in own_paper_links(rec.card)][:1] == [why], name
    assert assess_record(rec, use_curated=False).osai["preprint"] == "open"


def test_the_gemma_shape_cited_method_first_own_report_elsewhere() -> None:
    """The fault as found: the first paper link of the card (a method it was fine-tuned with) was taken as its
    paper. A technical report on a company site is the Technical report component, not a research paper."""
    card = ("# Gemma-like Model Card\n* [Acme Technical Report](https://storage.example.com/acme-report.pdf)\n"
            "## Usage\n* A script to perform SFT using [QLoRA](https://huggingface.co/papers/2305.14314)\n"
            "## Training\nJAX and Pathways are used as described in the\n"
            "[paper about the Gemini family of models](https://arxiv.org/abs/2312.11805).\n")
    a = assess_record(from_text("acme/m", card), use_curated=False)
    assert a.components["Research paper"].status == "not_found"
    assert a.components["Technical report"].status == "no_license"
    assert a.osai["preprint"] == "partial"


def test_the_same_url_counts_where_it_is_announced_not_where_it_is_first_linked() -> None:
    """A card parse keeps one link per URL; each place the URL is linked is judged on its own."""
    card = ("# Acme\n" + FILLER + "\n- 02/2025: [Acme.cpp: edge inference](https://arxiv.org/abs/2401.00001) "
            "for the runtime.\n")
    assert research_paper.run(from_text("acme/m", card)).status == "not_found"
    badge = ("# Acme\n[![Technical Report](https://img.shields.io/badge/Technical-Report-red)]"
             "(https://arxiv.org/abs/2401.00001)\n" + card[len("# Acme\n"):])
    f = research_paper.run(from_text("acme/m", badge))
    assert f.status == "no_license" and f.evidence[0].snippet.startswith("line 2:")


def test_the_citation_the_card_asks_for_is_its_paper_and_its_venue() -> None:
    card = ("# Acme\n## Citation\nIf you use Acme, please cite:\n```bibtex\n@inproceedings{acme2024,\n"
            "  title={Acme: Open Models},\n  booktitle={Proceedings of the 2024 Conference on Models},\n"
            "  year={2024}\n}\n```\n")
    rec = from_text("acme/m", card)
    f = research_paper.run(rec)
    assert f.status == "no_license" and f.evidence[0].snippet.startswith("[citation] @inproceedings{acme2024")
    assert f.evidence[0].locator.startswith("acme/m#L5")
    p = peer_reviewed_paper.run(rec)
    assert p.outcome == "positive" and "booktitle={Proceedings of the 2024" in p.evidence[0].snippet
    preprint = card.replace("booktitle={Proceedings of the 2024 Conference on Models}", "journal={arXiv preprint "
                            "arXiv:2401.00001}")
    rec2 = from_text("acme/m", preprint)
    assert research_paper.run(rec2).status == "no_license"      # a preprint: a research paper
    assert peer_reviewed_paper.run(rec2).outcome == "negative"  # but not a peer-reviewed one


def test_own_venue_link_is_peer_reviewed_cited_one_is_not() -> None:
    own = from_text("acme/m", "# Acme\nSee [our NeurIPS 2023 paper](https://openreview.net/forum?id=abc).\n")
    assert peer_reviewed_paper.run(own).outcome == "positive"
    cited = from_text("acme/m", "# Acme\n## Data\nFiltered as in LAION's "
                      "[NeurIPS 2022 paper](https://openreview.net/forum?id=xyz) describes.\n")
    assert peer_reviewed_paper.run(cited).outcome == "negative"


def test_metadata_still_counts_without_a_card() -> None:
    rec = ModelRecord(id="acme/m", locator="https://huggingface.co/acme/m", read_at="2026-11-29",
                      tags=["arxiv:2401.00001"])
    assert research_paper.run(rec).status == "no_license"
    shipped = ModelRecord(id="acme/m", locator="https://huggingface.co/acme/m", read_at="2026-11-29",
                          license="apache-2.0", files=[("docs/paper.pdf", 1)])
    assert research_paper.run(shipped).status == "open_license"


def test_clean_anchor_drops_emoji_and_markup() -> None:
    assert clean_anchor("**📖 arXiv**") == "arXiv"
    assert clean_anchor("[📄 Paper]") == "Paper"


def test_store_grades_agree_with_the_per_model_path(tmp_path: Path) -> None:
    """The card pass writes what ``assess`` shows; without card text the ``arxiv:`` tag alone is the set-based
    signal, read the same way by both paths."""
    models = [{"id": "acme/cited", "tags": ["license:apache-2.0"], "siblings": [{"rfilename": "model.safetensors"}]},
              {"id": "acme/own", "tags": ["license:apache-2.0"], "siblings": [{"rfilename": "model.safetensors"}]},
              {"id": "acme/tagged", "tags": ["license:apache-2.0", "arxiv:2401.00001"],
               "siblings": [{"rfilename": "model.safetensors"}]}]
    mp = tmp_path / "m.jsonl"
    mp.write_text("\n".join(json.dumps(m) for m in models) + "\n")
    store = open_store(tmp_path / "s.duckdb")
    try:
        ingest_file(store, mp)
        sid = store.scalar("SELECT max(snapshot_id) FROM snapshots")
        for mid, text in (("acme/cited", CITED_ONLY["method in a sentence"]), ("acme/own", OWN["nav row"][0])):
            store.con.execute("INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) "
                              "VALUES (?, 'model', ?, now(), ?)", [mid, text, sid])
        refresh(store)
        got = dict(store.con.execute("SELECT id, grade FROM openness WHERE framework = 'component' "
                                     "AND dimension = 'Research paper'").fetchall())
        assert got == {"acme/cited": "not_found", "acme/own": "no_license", "acme/tagged": "no_license"}
        for mid in got:
            assert assess_record(from_store(store, mid)).components["Research paper"].status == got[mid]
    finally:
        store.close()
