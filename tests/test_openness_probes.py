"""Probes: each a pure function of a record, with its documentation beside it."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.probes import PROBES, documentation, documentation_section, run_all
from openscope.derive.openness.records import DatasetRef, ModelRecord, from_text


def _rec(**kw) -> ModelRecord:
    return ModelRecord(id="acme/model", locator="https://huggingface.co/acme/model", read_at="2026-11-29", **kw)


@pytest.mark.parametrize("name", PROBES)
def test_every_probe_has_documentation_and_never_keys_on_a_name(name: str) -> None:
    doc = documentation(name)
    for heading in ("## What", "## Why", "## How", "## Fix"):
        assert heading in doc, (name, heading)
    src = inspect.getsource(importlib.import_module(f"openscope.derive.openness.probes.{name}"))
    assert "rec.id" not in src  # a probe never looks at the model's name


def test_files_and_metadata_probes() -> None:
    rec = _rec(license="apache-2.0", files=[("model.safetensors", 10), ("config.json", 1), ("train.py", 1),
                                            ("optimizer.pt", 1)], tags=["arxiv:2401.00001"])
    f = {x.probe: x for x in run_all(rec)}
    assert f["weights_released"].status == "open_license"
    assert f["weights_released"].evidence[0].snippet == "model.safetensors"  # optimizer.pt is not a weight
    assert f["architecture_code"].status == "open_license"
    assert f["training_code"].status == "open_license"
    assert f["research_paper"].status == "no_license"
    assert f["inference_code"].status == "not_found"


def test_restrictive_licence_and_gating() -> None:
    rec = _rec(license="cc-by-nc-4.0", gated="manual", files=[("model.safetensors", 1)])
    f = {x.probe: x for x in run_all(rec)}
    assert f["weights_released"].status == "restrictive_license"
    assert f["weights_gated"].outcome == "negative"
    a = assess_record(rec, use_curated=False)
    assert a.osaid.verdict == "fail" and "parameters-license" in a.osaid.missing


def test_declared_datasets_public_or_gated() -> None:
    pub = _rec(datasets=[DatasetRef("x/pub", True, None, False, "odc-by")])
    gated = _rec(datasets=[DatasetRef("x/g", True, "manual", False, "mit")])
    assert {x.probe: x for x in run_all(pub)}["datasets_released"].status in ("open_license", "restrictive_license")
    assert {x.probe: x for x in run_all(gated)}["datasets_released"].status == "restrictive_license"


CARD = """---
license: apache-2.0
---
# Acme-7B
Acme-7B is a decoder-only transformer with 32 layers trained on 512 A100 GPUs.
## Training data
We release the training corpus at [acme/corpus](https://huggingface.co/datasets/acme/corpus); see the datasheet.
## Training
```
torchrun train.py --config configs/7b.yaml
```
Learning rate 3e-4, batch size 4M tokens.
## Evaluation
| benchmark | score |
|---|---|
| MMLU | 61.2 |
Evaluated with lm-evaluation-harness.
## Uses and limitations
Intended for research; it may produce biased text.
Paper: [arXiv](https://arxiv.org/abs/2401.00001), accepted at ICLR 2025.
"""


def test_card_probes_find_their_evidence() -> None:
    a = assess_record(from_text("acme/acme-7b", CARD), use_curated=False)
    c = a.components
    assert c["Datasets"].status in ("open_license", "no_license")
    assert c["Training code"].status == "open_license"
    assert c["Evaluation results"].status == "open_license"
    # "Evaluated with lm-evaluation-harness": released code, under the harness's licence, not the model's
    assert c["Evaluation code"].status == "no_license"
    assert c["Research paper"].status == "no_license"
    assert c["Data card"].released
    ev = c["Training code"].evidence[0]
    assert ev.kind == "card" and "train.py" in ev.snippet and "#L" in ev.locator
    for dim in ("trainingcode", "licenses"):
        assert a.osai[dim] in ("open", "partial", "closed")
    assert a.osai["score"] is not None and 0 <= a.osai["score"] <= 1


def test_open_source_claim_with_closed_parts_is_flagged() -> None:
    card = "---\nlicense: llama2\n---\n# M\nOur fully open-source model. Weights are released.\n"
    a = assess_record(from_text("x/m", card), use_curated=False)
    assert [f["flag"] for f in a.flags] == ["open-source-claim-with-closed-parts"]
    honest = assess_record(from_text("x/m", "---\nlicense: mit\n---\n# M\nOpen weights model.\n"), use_curated=False)
    assert honest.flags == []


def test_card_licence_contradicting_the_hub_tag_is_flagged() -> None:
    rec = from_text("x/m", "# M\n## License\nThis model is released under a non-commercial licence (CC BY-NC 4.0).\n")
    rec.license = "apache-2.0"
    a = assess_record(rec, use_curated=False)
    assert "card-license-contradicts-hub-tag" in [f["flag"] for f in a.flags]


def test_licence_contradicting_the_base_is_flagged_and_base_dims_come_from_the_root() -> None:
    root = _rec(license="llama2", gated="manual", files=[("model.safetensors", 1)])
    root.id = "meta/base"
    rec = _rec(license="apache-2.0", files=[("model.safetensors", 1)], root=root)
    a = assess_record(rec, use_curated=False)
    assert "license-contradicts-base" in [f["flag"] for f in a.flags]
    assert a.base == "meta/base"
    assert a.osai["weights_endmodel"] != a.osai["weights_basemodel"] or a.osai["weights_basemodel"] == "partial"


def test_docs_render_every_probe() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "openness.md").read_text("utf-8")
    for name in PROBES:
        assert f"### Probe `{name}`" in doc, name
    # the section is generated from the files beside the probes: it must be exactly what they say now
    assert doc.endswith("\n" + documentation_section()), (
        "docs/openness.md's Probes section is stale: run python -c \"from openscope.derive.openness.probes "
        "import write_documentation; write_documentation()\"")


def test_relative_links_to_training_files_count_as_released_code() -> None:
    rec = from_text("x/m", "# M\nSee [how to fine-tune your own](docs/train.md) and [evals](scripts/eval/).\n")
    f = {x.probe: x for x in run_all(rec)}
    assert f["training_code"].status != "not_found" and "docs/train.md" in f["training_code"].evidence[0].snippet
    assert f["evaluation_code"].outcome == "positive"
    anchors_only = from_text("x/m", "# M\n[Training](#training)\n## Training\nWe trained it.\n")
    assert {x.probe: x for x in run_all(anchors_only)}["training_code"].status != "open_license"


def test_weight_access_rules_follow_what_the_card_states() -> None:
    """Gated convolutions are not a gate; a Hub access form in front matter is; weight diffs are partial."""
    conv = from_text("x/m", "# M\nA hybrid of attention and gated convolutions. Download the weights here.\n")
    assert {x.probe: x for x in run_all(conv)}["weights_gated"].outcome == "positive"
    assert assess_record(conv, use_curated=False).osai["weights_endmodel"] == "open"
    form = from_text("x/m", "---\nextra_gated_prompt: Agree to the terms\n---\n# M\nDownload the weights here.\n")
    gated = {x.probe: x for x in run_all(form)}["weights_gated"]
    assert gated.outcome == "negative" and "extra_gated_prompt" in gated.evidence[0].snippet
    assert assess_record(form, use_curated=False).osai["weights_endmodel"] == "partial"
    diff = from_text("x/m", "# M\nWe release the weight diff, to be applied to the base model's weights.\n")
    a = assess_record(diff, use_curated=False)
    assert a.osai["weights_endmodel"] == "partial"
    card = from_text("x/m", "# M\n**Model Release Date** April 2024. A custom commercial license is available.\n")
    assert assess_record(card, use_curated=False).osai["weights_endmodel"] == "partial"  # released, custom licence


def test_osai_code_data_and_licence_rules() -> None:
    both = from_text("x/m", "# M\nRun `torchrun train.py` to train and `python inference.py` to run it.\n")
    assert assess_record(both, use_curated=False).osai["code"] == "open"
    described = from_text("x/m", "# M\n## Training data\nA mix of publicly available web text, filtered.\n")
    g = assess_record(described, use_curated=False).osai
    assert g["datasources_endmodel"] == "closed"  # described, not released
    nc = from_text("x/m", "# M\n## License\nThe weights are released under CC BY-NC 4.0.\n")
    assert assess_record(nc, use_curated=False).osai["licenses"] == "closed"
    mixed = from_text("x/m", "# M\n## License\nCode under Apache 2.0; weights under CC BY-NC 4.0.\n")
    assert assess_record(mixed, use_curated=False).osai["licenses"] == "partial"
    heading = from_text("x/m", "# M\n## License Agreement\nThe models are licensed under the Apache 2.0 License.\n")
    assert assess_record(heading, use_curated=False).osai["licenses"] == "open"  # a heading names no licence


def test_evaluation_sets_venues_and_paper_fields_are_read_from_their_context() -> None:
    bench = from_text("x/m", "# M\n## Evaluation\nWe report [BBH](https://huggingface.co/datasets/lukaemon/bbh).\n")
    f = {x.probe: x for x in run_all(bench)}
    assert f["datasets_released"].status == "not_found" and f["data_card"].status == "not_found"
    train = from_text("x/m", "# M\nTrained on [our corpus](https://huggingface.co/datasets/x/corpus).\n")
    assert {x.probe: x for x in run_all(train)}["datasets_released"].status == "no_license"
    venue = from_text("x/m", "# M\n<strong>at European Conference on Computer Vision (ECCV) 2024</strong>\n")
    assert {x.probe: x for x in run_all(venue)}["peer_reviewed_paper"].outcome == "positive"
    cited = from_text("x/m", "# M\nWe compare with models from the ECCV conference.\n")
    assert {x.probe: x for x in run_all(cited)}["peer_reviewed_paper"].outcome == "negative"
    field = from_text("x/m", "# M\n- **Paper:** [Our model](https://t.co/abc)\n")
    assert {x.probe: x for x in run_all(field)}["research_paper"].outcome == "positive"


@pytest.mark.parametrize(("card", "released"), [
    ("# M\n## Training\n```\npython train.py --dataset_mixer_list allenai/tulu-3-sft-mixture 1.0\n```\n", True),
    ("# M\n## Fine-tuning\n```python\nds = load_dataset('acme/instructions-50k')\n```\n", True),
    ("# M\n## Training\n```\npython train.py --dataset_name=tatsu-lab/alpaca\n```\n", True),
    ("# M\n## Training\n```\npython train.py --data_path data/alpaca\n```\n", False),  # a local folder
    ("# M\n## Training\n```\npython train.py --data_path x/conversations.json\n```\n", False),  # a local file
    ("# M\n## Training\n```\npython train.py --dataset_mix_dir output/sft_8b\n```\n", False),
    ("# M\n## Evaluation\n```python\nload_dataset('cais/mmlu')\n```\n", False),  # an evaluation set
    ("# M\n## Training\n```\npython train.py --dataset_eval_mixer acme/prefs\n```\n", False),
])
def test_a_hub_dataset_a_training_command_uses_is_released_data(card: str, released: bool) -> None:
    f = {x.probe: x for x in run_all(from_text("x/m", card))}["datasets_released"]
    assert (f.status == "no_license") is released, f
    if released:
        assert re.search(r"#L4(-L5)?$", f.evidence[0].locator), f.evidence[0]


def test_the_licence_a_card_names_first_is_the_declared_one() -> None:
    """A card licensing its model under MIT and then naming the Apache-2.0 of the models it derives from
    declares MIT (in text order, not in the order the probe tries licence names)."""
    text = ("# Acme-R1\n## License\nThis code repository and the model weights are licensed under the MIT License.\n"
            "Acme-R1-Distill-7B is derived from Other-7B, originally licensed under the Apache 2.0 License.\n")
    f = {x.probe: x for x in run_all(from_text("acme/r1", text))}["license_declared"]
    assert f.license == "mit" and f.detail["card_open"] == ["MIT", "Apache-2.0"]
    swapped = text.replace("MIT License", "TMP").replace("Apache 2.0 License", "MIT License").replace("TMP", "Apache 2.0 License")
    g = {x.probe: x for x in run_all(from_text("acme/r1", swapped))}["license_declared"]
    assert g.license == "apache-2.0"



@pytest.mark.parametrize(("line", "expected"), [
    ("Weights on the Hub under Apache-2.0.", "apache-2.0"),
    ("Everything here is available under CC-BY-NC-4.0.", "cc-by-nc-4.0"),
    ("Code released under the MIT, weights too.", "mit"),
    ("Under mitigation of risk we filter outputs.", None),
    ("We trained under Apache conditions of heavy load.", None),
])
def test_a_line_putting_the_work_under_a_named_licence_declares_it(line: str, expected: str | None) -> None:
    """No "licence" word is needed when a line puts the release under a licence by name."""
    f = {x.probe: x for x in run_all(from_text("acme/m", f"# M\n\n{line}\n"))}["license_declared"]
    assert f.license == expected
    if expected:
        assert f.evidence and line[:20] in f.evidence[-1].snippet

EVIDENCE_CARD = """---
license: other
extra_gated_prompt: Accept the terms to get access.
base_model: meta-llama/Llama-2-7b-hf
---
# Acme-7B [![License: MIT](https://img.shields.io/badge/License-MIT_2.0-blue.svg)](LICENSE)

Acme-7B is a decoder-only transformer with 32 layers, fine-tuned from Llama-2-7B on our data and
trained on 64 A100 GPUs for three days.

## Training Data
We trained on [acme/dialogues](https://huggingface.co/datasets/acme/dialogues), a released set of
50k conversations, cleaned with the scripts in [our preprocessing folder](scripts/preprocess/).

## Training
```
python train.py --dataset_name=acme/dialogues --model_name_or_path meta-llama/Llama-2-7b-hf
```

## Evaluation
Results on MMLU are in the table below.

## License
The code is released under the Apache 2.0 License. The weights are
released under a custom community licence agreement.
"""


def _card_evidence_is_where_it_points(text: str, locator_prefix: str, findings: list) -> int:
    """Every card evidence with a line anchor: its snippet (whitespace collapsed) is in the lines it names."""
    lines = text.splitlines()
    norm = lambda t: re.sub(r"\s+", " ", t).strip()  # noqa: E731
    checked = 0
    for f in findings:
        for e in f.evidence:
            m = re.fullmatch(re.escape(locator_prefix) + r"#L(\d+)(?:-L(\d+))?", e.locator)
            if e.kind != "card" or m is None or e.snippet.startswith("front matter:"):
                continue
            first, last = int(m.group(1)), int(m.group(2) or m.group(1))
            assert first <= last <= len(lines), e
            text_of = lambda a, b: norm(" ".join(lines[a - 1:b]))  # noqa: E731
            heading = re.match(r"#+\s*(.*?)\s*#*$", lines[first - 1].strip())
            snippet = norm(e.snippet)
            if heading and snippet.startswith(f"## {heading.group(1)}: "):
                # a section's evidence: its heading line, then the section's first words
                snippet, first = snippet[len(heading.group(1)) + 5:], first + 1
                while first < last and not lines[first - 1].strip():
                    first += 1
            snippet = re.sub(r"^\[[^\]]*\] ", "", snippet) if snippet not in text_of(first, last) else snippet
            assert snippet in text_of(first, last), (f.probe, e)
            # the range is tight: without its first or its last line the snippet is not all there
            if first < last:
                assert snippet not in text_of(first + 1, last) and snippet not in text_of(first, last - 1), (f.probe, e)
            checked += 1
    return checked


def test_card_evidence_quotes_the_card_at_the_lines_it_names() -> None:
    """Evidence a reader can follow: the snippet is the card's own text, found at the line range of the
    locator (GitHub's #La-Lb), never cut mid-word."""
    rec = from_text("acme/acme-7b", EVIDENCE_CARD, locator="README.md")
    findings = run_all(rec)
    assert _card_evidence_is_where_it_points(EVIDENCE_CARD, "README.md", findings) >= 6
    by = {f.probe: f for f in findings}
    gate = by["weights_gated"].evidence[0]
    assert gate.locator == "README.md#L3"  # the line of the extra_gated_ key, not the first line
    for f in findings:
        for e in f.evidence:
            if (e.kind == "card" and e.locator.startswith("README.md#L")
                    and not e.snippet.startswith(("front matter:", "[", "## "))):
                start = re.sub(r"\s+", " ", EVIDENCE_CARD).find(e.snippet)
                assert start >= 0, e
                flat = re.sub(r"\s+", " ", EVIDENCE_CARD)
                assert start == 0 or flat[start - 1] == " ", e  # begins at a word
                end = start + len(e.snippet)
                assert end == len(flat) or flat[end] == " ", e  # ends at a word


@pytest.mark.reference
def test_card_evidence_on_the_real_cards_is_where_it_points(shared_data: Path) -> None:
    checked = 0
    for p in sorted((shared_data / "openness" / "cards").glob("*.md")):
        text = p.read_text("utf-8", errors="replace")
        rec = from_text("x/" + p.stem, text, locator=p.name)
        assert rec.card is not None
        # section titles with nested brackets make the "[title] " prefix ambiguous: compare on the text
        findings = [f for f in run_all(rec) if f.probe != "evaluation_results"]
        # (the card as written: a reading may differ from it, typographic quotes as ASCII, references inline)
        checked += _card_evidence_is_where_it_points(rec.card.written or rec.card.lined or rec.card.text, p.name,
                                                     findings)
    assert checked > 400


@pytest.mark.parametrize(("line", "released"), [
    ("- **Orchestration:** [Megatron-LM](https://github.com/bigcode-project/Megatron-LM)", True),
    ("Training code: https://gitlab.com/acme/trainer", True),
    ("- **Repository:** [llama.cpp](https://github.com/ggerganov/llama.cpp)", False),
    ("- **Orchestration:** our internal cluster", False),
])
def test_a_card_field_linking_what_trained_the_model_is_training_code(line: str, released: bool) -> None:
    f = {x.probe: x for x in run_all(from_text("acme/m", f"# M\n\n## Training\n{line}\n"))}["training_code"]
    assert (f.outcome == "positive") is released
    if released:
        assert any("github.com" in e.snippet or "gitlab.com" in e.snippet for e in f.evidence)


@pytest.mark.parametrize(("sentence", "claim"), [
    ("Acme-7B is an open-source LLM for code.", True),
    ("We have open-sourced Acme-7B and its training code.", True),
    ("The weights are fully open-sourced on the Hub.", True),
    ("We introduce Acme, an open-source model that reads music.", True),
    ("Acme is one of the best open-source models of its size.", True),
    ("Our open-source models come in three sizes.", True),
    ("The whole report is available as open source.", True),
    ("A fully open-source model.", True),
    ("**A fully open-source, multilingual LLM**", True),
    ("Open-source LLMs have improved quickly.", False),
    ("Acme is competitive with the best open-source models.", False),
    ("We thank the open-source community.", False),
    ("We build on the open source [demucs](https://github.com/facebookresearch/demucs) tool.", False),
    ("[![License](https://img.shields.io/badge/License-MIT-blue.svg)](https://opensource.org/licenses/MIT)", False),
    ("The training code will be open-sourced soon.", False),
    ("We plan to open-source the weights later.", False),
])
def test_only_a_claim_about_the_release_itself_counts_as_open_source_claim(sentence: str, claim: bool) -> None:
    f = {x.probe: x for x in run_all(from_text("acme/m", f"# Acme\n\n{sentence}\n"))}["open_source_claim"]
    assert (f.outcome == "positive") is claim
    if claim:
        assert "open" in f.evidence[0].snippet.lower() and f.evidence[0].locator.endswith("#L3")


@pytest.mark.parametrize(("heading", "claim"), [("# Acme: a fully open-sourced LLM", True),
                                               ("## Open-Source Kernels", False)])
def test_a_heading_claims_for_the_release_unless_it_names_another_thing(heading: str, claim: bool) -> None:
    f = {x.probe: x for x in run_all(from_text("acme/m", f"{heading}\n\nText.\n"))}["open_source_claim"]
    assert (f.outcome == "positive") is claim
