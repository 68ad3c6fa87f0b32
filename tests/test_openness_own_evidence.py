"""Evidence that belongs to the model's own release, never to what its card cites, hides or only promises.

Each test is a small card written the way the development cards write it (an "*Inspired by*" line, a badge
row, a licence PDF, an HTML comment, a to-do list, a results table, a leaderboard) and checks the probe's
judgment and whose licence it gives. The reference tests read the real cards they were found on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cpu_time import thread_cpu_seconds

from openscope.derive.openness.probes import (
    architecture_code,
    data_card,
    datasets_released,
    evaluation_code,
    evaluation_data,
    evaluation_results,
    inference_code,
    preprocessing_code,
    research_paper,
    run_all,
    sample_outputs,
    technical_report,
    training_code,
)
from openscope.derive.openness.records import from_text


def _card(body: str, license_: str = "apache-2.0", files: list[str] | None = None):
    rec = from_text("acme/m", f"---\nlicense: {license_}\n---\n{body}")
    if files is not None:
        rec.files = [(f, 1) for f in files]
    return rec


# -- technical report -------------------------------------------------------------------------------------------

def test_a_report_the_card_cites_is_not_the_models() -> None:
    rec = _card("# IF\n\n*Inspired by* [*Photorealistic Text-to-Image Diffusion*](https://arxiv.org/pdf/2205.11487.pdf)\n\n"
                "IF is a pixel diffusion model.\n")
    f = technical_report.run(rec)
    assert (f.outcome, f.status) == ("negative", "not_found")


def test_a_pdf_that_is_a_licence_is_not_a_report() -> None:
    rec = _card("# M\n\nUse of the model requires the [Community License for M](https://x.example/M%20license.pdf) "
                "to be accepted.\n")
    assert technical_report.run(rec).outcome == "negative"


def test_a_report_badge_counts_and_points_at_the_report_not_the_badge() -> None:
    rec = _card("# BitNet\n\n[![Technical Report](https://img.shields.io/badge/Technical-Report-red?logo=arxiv)]"
                "(https://arxiv.org/abs/2502.11880)\n\nA 1-bit model.\n")
    f = technical_report.run(rec)
    assert (f.outcome, f.status) == ("positive", "no_license")
    assert f.evidence[0].locator == "https://arxiv.org/abs/2502.11880"


def test_a_report_announced_as_our_own_counts() -> None:
    rec = _card("# B\n\nIn the body.\n\nFor details, welcome reading our technical report "
                "[B 2: Open Models](https://arxiv.org/abs/2309.10305).\n")
    f = technical_report.run(rec)
    assert f.outcome == "positive" and "announced" in f.evidence[0].snippet


def test_a_named_report_of_another_model_does_not_count() -> None:
    rec = _card("# M\n\nWe follow the recipe of the Llama 2 technical report and of the GPT-4 system card.\n")
    assert technical_report.run(rec).outcome == "negative"


def test_a_report_in_an_html_comment_or_only_promised_does_not_count() -> None:
    hidden = _card("# G\n\n<!-- Results will be available in the G 4.0 technical report. -->\n\nText.\n")
    assert technical_report.run(hidden).outcome == "negative"
    soon = _card('# K\n\n<div align="center">\n  <a href="">\n    <b>📄 Tech Report (Coming soon...)</b>\n  </a>\n'
                 "</div>\n\nOur technical report will be released soon. Stay tuned!\n")
    f = technical_report.run(soon)
    assert f.outcome == "negative" and f.detail == {"promised": True}


def test_a_report_on_the_publishers_site_in_the_header_counts() -> None:
    rec = _card("# Gemma Model Card\n\n**Resources and Technical Documentation**:\n\n"
                "* [Gemma Technical Report](https://storage.googleapis.com/x/gemma-report.pdf)\n"
                "* [Toolkit](https://ai.google.dev/responsible)\n")
    f = technical_report.run(rec)
    assert (f.outcome, f.status) == ("positive", "no_license") and "header" in f.evidence[0].snippet


def test_a_report_file_beside_the_card_is_under_the_repositorys_licence() -> None:
    body = "# m\n\nPlease see the technical [report](./report.pdf) for more details.\n"
    f = technical_report.run(_card(body, files=["report.pdf", "model.safetensors"]))
    assert (f.outcome, f.status, f.license) == ("positive", "open_license", "apache-2.0")
    assert f.evidence[0].locator.endswith("#L6")
    # the same link to a file the repository does not have is a promise, not a release
    assert technical_report.run(_card(body, files=["model.safetensors"])).outcome == "negative"


def test_the_citation_the_card_asks_for_names_its_report() -> None:
    rec = _card("# Q\n\nA model.\n\n## Citation\n\n```bibtex\n@misc{q3,\n  title={Q3 Technical Report},\n"
                "  eprint={2505.09388},\n  archivePrefix={arXiv},\n}\n```\n")
    f = technical_report.run(rec)
    assert f.outcome == "positive" and f.evidence[0].snippet.startswith("[citation]")


def test_a_paper_the_publisher_hosts_itself_is_its_technical_report_not_a_paper_hosts() -> None:
    own = _card("# R1\n\n<p align=\"center\">\n  <a href=\"https://github.com/acme/R1/blob/main/R1.pdf\"><b>Paper Link"
                "</b>👁️</a>\n</p>\n")
    assert technical_report.run(own).outcome == "positive"
    arxiv = _card("# C\n\n*Title*: [C+: Open Code Models](https://arxiv.org/pdf/2305.07922.pdf)\n")
    assert technical_report.run(arxiv).outcome == "negative"
    assert research_paper.run(arxiv).outcome == "positive"   # the paper probes keep their judgment


# -- code repositories, training and preprocessing code ----------------------------------------------------------

def test_a_repository_the_card_cites_is_not_the_models_code() -> None:
    rec = _card("# M\n\nOur training code and recipes are described below. The model is based on "
                "[LLaMA](https://github.com/facebookresearch/llama) and trained with [veRL](https://github.com/volcengine/verl)."
                "\n\nSee the [issue discussion](https://github.com/acme/m/issues) and the "
                "[licence](https://github.com/acme/m/blob/main/LICENSE).\n")
    t = training_code.run(rec)
    assert (t.outcome, t.status) == ("negative", "documented_not_released")
    assert architecture_code.run(rec).outcome == "negative"


def test_the_repository_labelled_as_the_code_counts() -> None:
    rec = _card("# M\n\n[📄 Paper](https://arxiv.org/abs/2401.00001) | [💻 Code](https://github.com/acme/m)\n\n"
                "Our training code and recipes are released.\n")
    t = training_code.run(rec)
    # the linked project keeps its own licence: the model repository's `license:` tag is not carried over to it
    # (evidence review: a model licence landed on linked code), so unknown unless the card names one for code
    assert (t.outcome, t.status) == ("positive", "no_license")
    assert any(e.locator == "https://github.com/acme/m" for e in t.evidence)
    a = architecture_code.run(rec)
    assert a.outcome == "positive" and a.evidence[0].locator == "https://github.com/acme/m"


def test_training_code_on_a_to_do_list_or_denied_is_not_released() -> None:
    rec = _card("# C\n\n## TODO\n\n- [x] Diffusers version\n- [ ] ControlNet models and training code\n\n"
                "## Fine-tuning\n\nThis repository does not contain fine-tuning code, but you can refer to the "
                "[training code](https://github.com/huggingface/diffusers/tree/main/examples/c-control).\n")
    f = training_code.run(rec)
    assert (f.outcome, f.status) == ("negative", "documented_not_released")


def test_training_code_the_card_announces_as_available_counts() -> None:
    rec = _card("# D\n\n🔥🔥 Training / Fine-tuning code is available NOW!!!\n")
    assert training_code.run(rec).status == "open_license"


def test_a_processing_pipeline_linked_only_to_someone_elses_repository_is_documented_not_released() -> None:
    rec = _card("# M\n\nWe describe our data processing pipeline. Thanks to "
                "[OpenDataHub](https://github.com/other/OpenDataHub) for tools.\n")
    assert preprocessing_code.run(rec).status == "documented_not_released"


# -- evaluation -------------------------------------------------------------------------------------------------

def test_a_benchmark_named_in_a_table_or_a_leaderboard_is_not_evaluation_code() -> None:
    rec = _card("# V\n\nOur 1024 version ranks 1st on the [VBench](https://huggingface.co/spaces/V/VBench_Leaderboard) "
                "benchmark list!\n\n| Model | LVBench | MBPP EvalPlus |\n|---|---|---|\n| V | 75.9 | 72.8 |\n")
    assert evaluation_code.run(rec).outcome == "negative"


def test_an_open_harness_the_model_was_evaluated_with_keeps_its_own_licence() -> None:
    rec = _card("# M\n\nModel results are reported by the [EleutherAI LLM Evaluation Harness]"
                "(https://github.com/EleutherAI/lm-evaluation-harness).\n", license_="cc-by-nc-4.0")
    f = evaluation_code.run(rec)
    assert (f.outcome, f.status, f.license) == ("positive", "no_license", None)
    assert f.detail["harness"].lower().endswith("harness")


def test_the_publishers_own_evaluation_scripts_are_under_its_licence() -> None:
    rec = _card("# M\n\n## Evaluation code\n\nWe provide the evaluation code to reproduce our results:\n\n"
                "```bash\nbash run_eval.sh\n```\n")
    assert evaluation_code.run(rec).status == "open_license"
    cited = _card("# M\n\n> We use the evaluation script from the SelfCodeAlign repository.\n")
    assert evaluation_code.run(cited).status == "no_license"


def test_an_evaluation_data_file_beside_the_card_is_not_evaluation_code() -> None:
    rec = _card("# U\n\nOur evaluation set: [Here](data/ultra_eval.json)\n")
    assert evaluation_code.run(rec).outcome == "negative"


def test_a_benchmark_named_only_in_references_is_not_evaluation_data() -> None:
    rec = _card("# M\n\nA chat model.\n\n## References\n\n- [MMLU](https://arxiv.org/abs/2009.03300)\n")
    assert evaluation_data.run(rec).outcome == "negative"
    own = _card("# M\n\nA chat model scoring 61.2 on MMLU.\n")
    assert evaluation_data.run(own).status == "no_license"


def test_a_table_of_options_links_or_videos_is_not_evaluation_results() -> None:
    rec = _card("# V\n\n## Inference\n\n| Parameter | Default | Description |\n|---|---|---|\n"
                "| `--motion_score` | 5.0 | Score to control the motion level. |\n\n"
                "| [Demo](https://x.example) | [Benchmark](https://y.example) |\n\n"
                "<!--\n| Model | MMLU |\n|---|---|\n| V | 61.2 |\n-->\n")
    assert evaluation_results.run(rec).outcome == "negative"
    shown = _card("# V\n\n## Performance\n\n| **Benchmark** | **HumanEval (+)** |\n|---|---|\n| **V-1.3B** | 65.2 (61.0) |\n")
    f = evaluation_results.run(shown)
    assert f.outcome == "positive" and f.evidence[0].snippet.startswith("[Performance]")


# -- samples, data cards, datasets, usage -------------------------------------------------------------------------

def test_badges_logos_and_charts_are_not_sample_outputs() -> None:
    rec = _card('# M\n\n<img src="assets/logo.png" width="60%">\n\n[![License](https://img.shields.io/badge/license-MIT-blue.svg)]'
                "(https://opensource.org/licenses/MIT)\n\n![](assets/leaderboard.png)\n\n"
                "Try our [interactive demo](https://example.com/demo).\n")
    assert sample_outputs.run(rec).outcome == "negative"
    shown = _card('# M\n\n![logo](assets/logo.png)\n\n## Examples\n\n![figure2](../source/fig_04.png "a cat")\n')
    f = sample_outputs.run(shown)
    assert f.outcome == "positive" and "fig_04" in f.evidence[0].snippet


def test_a_dataset_card_on_the_hub_is_that_datasets_not_the_repositorys() -> None:
    rec = _card("# M\n\nSee the\n[OpenAssistant/oasst1](https://huggingface.co/datasets/OpenAssistant/oasst1)\n"
                "dataset card on the HuggingFace hub for more information.\n")
    f = data_card.run(rec)
    assert (f.outcome, f.status, f.license) == ("positive", "no_license", None)
    own = _card("# M\n\n## Data\n\nThe datasheet for our corpus is in this repository.\n")
    assert data_card.run(own).status == "open_license"


def test_an_image_stored_in_a_dataset_repository_is_not_a_dataset() -> None:
    rec = _card("# S\n\n![banner](https://huggingface.co/datasets/acme/admin/resolve/main/banner.png)\n\n"
                "[![Open in Spaces](https://huggingface.co/datasets/huggingface/badges/resolve/main/open-in-hf-spaces-sm-dark.svg)]"
                "(https://huggingface.co/spaces/acme/demo)\n")
    assert datasets_released.run(rec).outcome == "negative"
    assert data_card.run(rec).outcome == "negative"


def test_usage_code_in_a_comment_or_in_others_projects_is_not_the_models() -> None:
    rec = _card("# M\n\n<!--\n```python\nfrom transformers import AutoModel\n```\n-->\n\n## Community Projects\n\n"
                "```bash\npip install comfyui-m\n```\n")
    assert inference_code.run(rec).outcome == "negative"


# -- cost and the real cards ---------------------------------------------------------------------------------------

def test_a_hostile_card_is_judged_quickly() -> None:
    body = "# T\n" + "\n".join(f"## S{i}\nSee [x](https://github.com/a/b{i}) and [r](https://x.org/{i}.pdf) "
                               "our technical report <!-- c -->" for i in range(3000))
    rec = _card(body)
    t0 = thread_cpu_seconds()
    findings = run_all(rec)
    assert thread_cpu_seconds() - t0 < 10
    assert {f.probe for f in findings} >= {"technical_report", "training_code", "architecture_code"}


CARDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "openness" / "cards"


def _real(name: str):
    return from_text(name, (CARDS / f"{name}.md").read_text("utf-8", errors="replace"), locator=f"{name}.md")


@pytest.mark.reference
def test_on_the_real_cards_a_cited_report_or_repository_is_not_the_models() -> None:
    # DeepFloyd links Imagen's paper after "Inspired by": not its technical report
    assert technical_report.run(_real("DeepFloyd")).outcome == "negative"
    # Granite's only mention is in an HTML comment that promises a report
    assert technical_report.run(_real("Granite")).outcome == "negative"
    # CogView lists training code as an unchecked to-do and says the repository has no fine-tuning code
    assert training_code.run(_real("CogView")).status == "documented_not_released"
    # Gemma's header lists its own report on Google's site
    assert technical_report.run(_real("Gemma")).outcome == "positive"
