"""The card forms most common on the Hub: each piece of evidence belongs to THIS release.

Most Hub cards are not a flagship's README: they are quantized re-uploads (GGUF, GPTQ, AWQ, MLX) that paste the
original card under their own, mergekit merges, PEFT/LoRA adapters, diffusers LoRAs, and cards written by
Unsloth, TRL, AutoTrain and sentence-transformers. The cards below follow those tools' structure in short,
invented form (an "Acme Lynx" base); each test shows the wrong evidence the probes used to take and, beside it,
the right form that still counts.
"""

from __future__ import annotations

import json
from pathlib import Path

from openscope.derive.openness import openness_rows, refresh
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.probes import Finding, run_all
from openscope.derive.openness.records import from_folder, from_store, from_text
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

ORIGINAL = """# Model Card for Lynx-7B-Instruct

Lynx-7B-Instruct is an instruction-tuned Lynx-7B. Read our [paper](https://arxiv.org/abs/2310.99999).

## Training Data
We trained on [acme-ai/lynx-sft-mix](https://huggingface.co/datasets/acme-ai/lynx-sft-mix).

## Training code
Our training code is available at [GitHub](https://github.com/acme-ai/lynx-train).

## Hardware
Trained on 256 NVIDIA H100 GPUs for ten days; 32 layers, grouped-query attention.

## Evaluation
| Benchmark | Lynx-7B-Instruct |
|---|---|
| MMLU | 60.1 |
"""

GGUF = """---
base_model: acme-ai/Lynx-7B-Instruct
license: apache-2.0
quantized_by: someone
---
# Lynx 7B Instruct - GGUF
- Model creator: [Acme AI](https://huggingface.co/acme-ai)
- Original model: [Lynx 7B Instruct](https://huggingface.co/acme-ai/Lynx-7B-Instruct)

## Description
This repo contains GGUF format model files for [Acme AI's Lynx 7B Instruct](https://huggingface.co/acme-ai/Lynx-7B-Instruct).

## About GGUF
* [llama.cpp](https://github.com/ggerganov/llama.cpp), the source project for GGUF, with GPU acceleration.

## Repositories available
* [AWQ model(s) for GPU inference.](https://huggingface.co/someone/Lynx-7B-Instruct-AWQ)
* [Acme AI's original unquantised fp16 model](https://huggingface.co/acme-ai/Lynx-7B-Instruct)

## Provided files
| Name | Quant method | Bits | Size | Use case |
| ---- | ---- | ---- | ---- | ----- |
| [lynx-7b-instruct.Q4_K_M.gguf](https://huggingface.co/someone/Lynx-7B-Instruct-GGUF/blob/main/lynx-7b-instruct.Q4_K_M.gguf) | Q4_K_M | 4 | 4.4 GB | balanced |

## How to run
Change `-ngl 32` to the number of layers to offload to GPU; the Q4 file fits on a consumer GPU for inference.

# Original model card: Acme AI's Lynx 7B Instruct

""" + ORIGINAL


def _findings(text: str, model_id: str = "someone/lynx-gguf") -> dict[str, Finding]:
    return {f.probe: f for f in run_all(from_text(model_id, text))}


def _snippets(f: Finding) -> str:
    return " ".join(f"{e.locator} {e.snippet}" for e in f.evidence)


# -- quantized re-uploads -------------------------------------------------------------------------------------


def test_a_pasted_original_card_is_the_base_models_not_the_quantizers() -> None:
    own = _findings(ORIGINAL, "acme-ai/Lynx-7B-Instruct")   # the right form: the same text as a card's own words
    for probe in ("research_paper", "training_code", "datasets_released", "evaluation_results"):
        assert own[probe].outcome == "positive", (probe, own[probe].as_json())
    assert own["hardware_documented"].detail == {"hardware": True, "architecture": True}
    quant = _findings(GGUF)
    for probe in ("research_paper", "training_code", "datasets_released", "evaluation_results", "data_card",
                  "architecture_code", "technical_report"):
        assert quant[probe].status == "not_found", (probe, quant[probe].as_json())
    assert quant["hardware_documented"].outcome == "negative"
    assert "lynx-train" not in json.dumps([f.as_json() for f in quant.values()])
    rec = from_text("someone/lynx-gguf", GGUF)
    start = GGUF.split("\n").index("# Original model card: Acme AI's Lynx 7B Instruct") + 1
    assert any(w.startswith(f"lines {start}-") and "Original model card" in w for w in rec.warnings), rec.warnings


def test_the_original_card_end_marker_gives_back_what_follows_it() -> None:
    card = GGUF.replace(ORIGINAL, "<!-- original-model-card start -->\n" + ORIGINAL
                        + "<!-- original-model-card end -->\n\n## Our own notes\nWe publish our conversion "
                        "code at [GitHub](https://github.com/someone/lynx-convert).\n")
    found = _findings(card)
    assert found["research_paper"].status == "not_found"
    assert "someone/lynx-convert" in _snippets(found["architecture_code"])
    assert "acme-ai/lynx-train" not in _snippets(found["architecture_code"])


def test_links_to_the_original_model_are_not_this_releases_weights() -> None:
    weights = _findings(GGUF)["weights_released"]
    assert weights.outcome == "positive"
    # the quantizer's own file, not the original model, not a sister repository (AWQ)
    assert "someone/Lynx-7B-Instruct-GGUF/blob/main/lynx-7b-instruct.Q4_K_M.gguf" in _snippets(weights)
    only_original = GGUF.split("## Provided files")[0]
    assert _findings(only_original)["weights_released"].status == "not_found"
    # without base_model in the front matter, the line's own words say so
    no_front = only_original.split("---\n", 2)[2]
    assert _findings(no_front)["weights_released"].status == "not_found"


def test_a_quantized_folder_has_its_weights_in_its_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(GGUF, "utf-8")
    (tmp_path / "lynx-7b-instruct.Q4_K_M.gguf").write_bytes(b"GGUF")
    found = {f.probe: f for f in run_all(from_folder(tmp_path))}
    assert found["weights_released"].evidence[0].kind == "file_list"
    assert found["weights_released"].status == "open_license"
    assert found["research_paper"].status == "not_found" and found["training_code"].status == "not_found"


def test_hardware_to_run_the_model_is_not_training_hardware() -> None:
    card = ("# Lynx GGUF\nThese files are for CPU+GPU inference.\nYou need a GPU with 8 GB VRAM to run it.\n"
            "## Architecture\n32 layers with grouped-query attention.\n")
    h = _findings(card)["hardware_documented"]
    assert h.detail == {"hardware": False, "architecture": True} and h.outcome == "negative"
    trained = card + "## Training\nPre-trained on 64 A100 GPUs for 3 days.\n"
    h = _findings(trained)["hardware_documented"]
    assert h.outcome == "positive" and "64 A100" in _snippets(h)
    in_code = card + "```\npython run.py --device gpu --num-gpus 8\n```\n"
    assert _findings(in_code)["hardware_documented"].detail["hardware"] is False


def test_a_calibration_dataset_is_not_training_data() -> None:
    card = ("# Lynx 7B - GPTQ\n## Provided files, and GPTQ parameters\n| Branch | Bits | GPTQ Dataset |\n|---|---|---|\n"
            "| [main](https://huggingface.co/someone/Lynx-GPTQ/tree/main) | 4 | "
            "[Open Instruct](https://huggingface.co/datasets/some-org/open-instruct) |\n")
    found = _findings(card)
    assert found["datasets_released"].status == "not_found" and found["data_card"].status == "not_found"
    line = "\nAll quants made with an imatrix calibration set from [wiki](https://huggingface.co/datasets/x/wiki).\n"
    assert _findings("# Lynx GGUF" + line)["datasets_released"].status == "not_found"
    trained = card + "## Training Data\nFine-tuned on [Open Instruct](https://huggingface.co/datasets/some-org/open-instruct).\n"
    assert _findings(trained)["datasets_released"].outcome == "positive"


# -- merges, adapters, generated cards ------------------------------------------------------------------------

MERGE = """---
base_model:
- acme-ai/Lynx-7B-Instruct
- bobcat-lab/Bobcat-7B-Math
tags:
- mergekit
- merge
---
# lynx-bobcat-slerp

This is a merge of pre-trained language models created using [mergekit](https://github.com/cg123/mergekit).

### Models Merged

The following models were included in the merge:
* [acme-ai/Lynx-7B-Instruct](https://huggingface.co/acme-ai/Lynx-7B-Instruct)
* [bobcat-lab/Bobcat-7B-Math](https://huggingface.co/bobcat-lab/Bobcat-7B-Math)

### Configuration

```yaml
slices:
  - sources:
      - model: acme-ai/Lynx-7B-Instruct
        layer_range: [0, 32]
merge_method: slerp
dtype: bfloat16
```
"""


def test_a_merge_does_not_release_the_weights_of_the_models_it_merged() -> None:
    found = _findings(MERGE, "jdoe/lynx-bobcat-slerp")
    assert found["weights_released"].status == "not_found", found["weights_released"].as_json()
    assert found["training_code"].status == "not_found" and found["architecture_code"].status == "not_found"
    assert found["research_paper"].status == "not_found"
    # the same list under no front matter and no "Models Merged" heading: "a merge of [X]" still cites X
    bare = "# m\nThis model is a merge of [acme-ai/Lynx-7B-Instruct](https://huggingface.co/acme-ai/Lynx-7B-Instruct).\n"
    assert _findings(bare)["weights_released"].status == "not_found"
    own = "# m\nDownload the weights: [jdoe/lynx-bobcat-slerp](https://huggingface.co/jdoe/lynx-bobcat-slerp).\n"
    assert _findings(own)["weights_released"].outcome == "positive"


def test_a_fine_tuned_version_of_a_model_links_its_base() -> None:
    trl = ("# Model Card for lynx-1b-sft\n\nThis model is a fine-tuned version of "
           "[acme-ai/Lynx-1B](https://huggingface.co/acme-ai/Lynx-1B).\nIt has been trained using "
           "[TRL](https://github.com/huggingface/trl).\n\n## Training procedure\n\nThis model was trained with SFT.\n")
    found = _findings(trl, "jdoe/lynx-1b-sft")
    assert found["weights_released"].status == "not_found"
    assert found["training_code"].status == "not_found"


PEFT = """---
base_model: acme-ai/Lynx-7B
library_name: peft
license: apache-2.0
---
# Model Card for lynx-7b-alpaca-lora

A LoRA adapter for Lynx-7B, fine-tuned on instructions.

## Model Details

### Model Description

- **Developed by:** [More Information Needed]
- **Finetuned from model [optional]:** acme-ai/Lynx-7B

### Framework versions

- PEFT 0.10.0
"""


def test_a_template_model_description_describes_no_architecture() -> None:
    """The template's description says nothing of the architecture; the code is the declared library's (`peft`,
    under its own licence, from the `library_name` line: the rule of both paths since the eighth evidence round)."""
    no_library = PEFT.replace("library_name: peft\n", "")
    assert _findings(no_library)["architecture_code"].status == "not_found"
    arch = _findings(PEFT)["architecture_code"]
    assert (arch.status, arch.license) == ("open_license", "apache-2.0") and "library_name: peft" in _snippets(arch)
    lora = ("# Watercolor style\n## Model description\nA LoRA trained on 40 watercolor paintings for a soft washed "
            "look.\n## Trigger words\nUse `lnxstyle` to trigger the image generation.\n")
    assert _findings(lora)["architecture_code"].status == "not_found"
    described = no_library.replace("A LoRA adapter for Lynx-7B, fine-tuned on instructions.\n",
                             "").replace("- **Developed by:**", "A 7B parameter decoder-only transformer.\n\n"
                                                                  "- **Developed by:**")
    arch = _findings(described)["architecture_code"]
    assert arch.status == "documented_not_released" and "decoder-only" in _snippets(arch)
    libs = _findings(PEFT)["supporting_libraries"]
    assert libs.outcome == "positive" and "peft" in _snippets(libs).lower()


SENTENCE_TRANSFORMERS = """---
tags:
- sentence-transformers
- loss:MultipleNegativesRankingLoss
base_model: acme-ai/lynx-minilm-l6
library_name: sentence-transformers
datasets:
- sentence-transformers/all-nli
---
# SentenceTransformer based on acme-ai/lynx-minilm-l6

This is a [sentence-transformers](https://www.SBERT.net) model finetuned from
[acme-ai/lynx-minilm-l6](https://huggingface.co/acme-ai/lynx-minilm-l6).

### Model Sources

- **Documentation:** [Sentence Transformers Documentation](https://sbert.net)
- **Repository:** [Sentence Transformers on GitHub](https://github.com/UKPLab/sentence-transformers)

## Training Details

### Training Dataset

* Dataset: [all-nli](https://huggingface.co/datasets/sentence-transformers/all-nli)

## Citation

### BibTeX

#### Sentence Transformers
```bibtex
@inproceedings{reimers-2019-sentence-bert,
    title = "Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks",
    booktitle = "Proceedings of the 2019 Conference on Empirical Methods in Natural Language Processing",
    url = "https://arxiv.org/abs/1908.10084",
}
```

#### MultipleNegativesRankingLoss
```bibtex
@misc{henderson2017efficient,
    title={Efficient Natural Language Response Suggestion for Smart Reply},
    eprint={1705.00652},
    archivePrefix={arXiv},
}
```
"""


def test_a_library_repository_is_not_the_models_code() -> None:
    found = _findings(SENTENCE_TRANSFORMERS, "jdoe/lynx-embed")
    arch = found["architecture_code"]   # the library's code (its licence file cited), never the card's own link
    assert "UKPLab" not in " ".join(f"{e.locator} {e.snippet}" for e in arch.evidence if e.kind == "card")
    assert arch.evidence[0].snippet == "library_name: sentence-transformers"
    assert found["training_code"].status == "not_found"
    own = SENTENCE_TRANSFORMERS.replace("- **Repository:** [Sentence Transformers on GitHub]"
                                        "(https://github.com/UKPLab/sentence-transformers)",
                                        "- **Repository:** [GitHub](https://github.com/jdoe/lynx-embed)")
    assert "jdoe/lynx-embed" in _snippets(_findings(own, "jdoe/lynx-embed")["architecture_code"])


def test_the_citations_of_a_library_and_a_loss_are_not_the_models_paper() -> None:
    found = _findings(SENTENCE_TRANSFORMERS, "jdoe/lynx-embed")
    assert found["research_paper"].status == "not_found", found["research_paper"].as_json()
    assert found["peer_reviewed_paper"].outcome != "positive"
    own = SENTENCE_TRANSFORMERS.replace("#### Sentence Transformers\n", "#### Lynx Embed\n```bibtex\n"
                                        "@article{doe2024lynx,\n  title={Lynx Embed},\n  journal={arXiv preprint "
                                        "arXiv:2401.12345},\n}\n```\n\n#### Sentence Transformers\n")
    paper = _findings(own, "jdoe/lynx-embed")["research_paper"]
    assert paper.outcome == "positive" and "Lynx Embed" in _snippets(paper)


def test_tool_badges_and_generated_metrics_read_as_before() -> None:
    unsloth = ("---\nbase_model: unsloth/lynx-7b-bnb-4bit\nlicense: apache-2.0\n---\n# Uploaded model\n\n"
               "- **Developed by:** jdoe\n- **Finetuned from model :** unsloth/lynx-7b-bnb-4bit\n\n"
               "This lynx model was trained 2x faster with [Unsloth](https://github.com/unslothai/unsloth) and "
               "Huggingface's TRL library.\n")
    found = _findings(unsloth, "jdoe/lynx-unsloth")
    assert found["training_code"].status == "not_found" and found["weights_released"].status == "not_found"
    autotrain = ("---\ntags:\n- autotrain\n---\n# Model Trained Using AutoTrain\n\n- Problem type: Text Classification"
                 "\n\n## Validation Metrics\nloss: 0.2112\n\nf1: 0.9321\n\naccuracy: 0.9318\n")
    assert _findings(autotrain)["evaluation_results"].outcome == "positive"  # the model's own validation metrics
    lora = ("---\nwidget:\n- text: 'a fox, lnxstyle'\n  output:\n    url: images/fox.png\nlicense: openrail++\n---\n"
            "# Watercolor style\n<Gallery />\n## Download model\nWeights for this model are available in Safetensors "
            "format.\n\n[Download](/jdoe/watercolor/tree/main) them in the Files & versions tab.\n")
    found = _findings(lora, "jdoe/watercolor")
    assert found["weights_released"].outcome == "positive"     # its own repository's files
    assert found["sample_outputs"].outcome == "positive"


def test_the_set_based_and_per_model_paths_agree_on_a_quantized_reupload(tmp_path: Path) -> None:
    models = [{"id": "someone/Lynx-7B-Instruct-GGUF", "author": "someone",
               "tags": ["license:apache-2.0", "base_model:quantized:acme-ai/Lynx-7B-Instruct", "gguf"],
               "siblings": [{"rfilename": "README.md"}, {"rfilename": "lynx-7b-instruct.Q4_K_M.gguf"}]},
              {"id": "acme-ai/Lynx-7B-Instruct", "author": "acme-ai", "tags": ["license:apache-2.0"],
               "siblings": [{"rfilename": "README.md"}, {"rfilename": "model.safetensors"}]}]
    mp = tmp_path / "models.jsonl"
    mp.write_text("\n".join(json.dumps(m) for m in models) + "\n")
    store = open_store(tmp_path / "s.duckdb")
    try:
        ingest_file(store, mp)
        sid = store.scalar("SELECT max(snapshot_id) FROM snapshots")
        for mid, text in (("someone/Lynx-7B-Instruct-GGUF", GGUF), ("acme-ai/Lynx-7B-Instruct", ORIGINAL)):
            store.con.execute("INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) VALUES "
                              "(?, 'model', ?, now(), ?)", [mid, text, sid])
        from openscope import derive
        derive.refresh(store)
        refresh(store)
        for mid in ("someone/Lynx-7B-Instruct-GGUF", "acme-ai/Lynx-7B-Instruct"):
            a = assess_record(from_store(store, mid))
            expected = {(fw, d): (g, s) for fw, d, g, s, _ in openness_rows(a)}
            stored = {(r[0], r[1]): (r[2], r[3]) for r in store.con.execute(
                "SELECT framework, dimension, grade, score FROM openness WHERE id = ?", [mid]).fetchall()}
            assert stored == expected, mid
        rows = dict(store.con.execute("SELECT id, grade FROM openness WHERE framework = 'component' "
                                      "AND dimension = 'Research paper'").fetchall())
        # the original's paper is the original's; the quantizer's card does not claim it
        assert rows["acme-ai/Lynx-7B-Instruct"] != "not_found"
        assert rows["someone/Lynx-7B-Instruct-GGUF"] == "not_found"
    finally:
        store.close()


def test_a_training_scripts_todo_placeholders_document_nothing() -> None:
    dreambooth = ("---\nbase_model: acme-ai/pixel-diffusion-v1\nlibrary_name: diffusers\n---\n"
                  "# LoRA text2image fine-tuning - jdoe/fox-lora\nThese are LoRA adaption weights for "
                  "acme-ai/pixel-diffusion-v1. You can find some example images in the following.\n\n"
                  "![img_0](./image_0.png)\n\n## Intended uses & limitations\n\n#### How to use\n\n```python\n"
                  "# TODO: add an example code snippet for running this diffusion pipeline\n```\n\n"
                  "#### Limitations and bias\n\n[TODO: provide examples of latent issues and potential remediations]\n\n"
                  "## Training details\n\n[TODO: describe the data used to train the model]\n")
    rec = from_text("jdoe/fox-lora", dreambooth)
    assert rec.card is not None
    titles = [s.title for s in rec.card.sections]
    assert "Limitations and bias" not in titles and "Training details" not in titles, titles
    found = {f.probe: f for f in run_all(rec)}
    topics = found["model_card"].detail.get("topics") or []
    assert "limitations" not in topics and "training" not in topics, found["model_card"].as_json()
    assert found["sample_outputs"].outcome == "positive"   # the example images are there
    filled = dreambooth.replace("[TODO: provide examples of latent issues and potential remediations]",
                                "It draws foxes with too many tails and copies the base model's biases.")
    assert "limitations" in _findings(filled, "jdoe/fox-lora")["model_card"].detail["topics"]


def test_a_trainer_cards_metric_lines_are_its_evaluation_results() -> None:
    trainer = ("# distilbert-imdb\n\nThis model is a fine-tuned version of [distilbert-base-uncased]"
               "(https://huggingface.co/distilbert-base-uncased) on the imdb dataset.\nIt achieves the following "
               "results on the evaluation set:\n- Loss: 0.2240\n- Accuracy: 0.9312\n\n## Training hyperparameters\n"
               "- learning_rate: 2e-05\n- num_epochs: 2\n")
    found = _findings(trainer, "jdoe/distilbert-imdb")
    assert found["evaluation_results"].outcome == "positive" and "Accuracy: 0.9312" in _snippets(
        found["evaluation_results"])
    assert found["weights_released"].status == "not_found"     # the base's weights, linked as "a version of"
    hyper_only = trainer.split("It achieves")[0] + "\n## Training hyperparameters\n- learning_rate: 2e-05\n"
    assert _findings(hyper_only)["evaluation_results"].outcome == "negative"


def test_a_converters_card_titled_with_its_repository_id_links_its_own_weights() -> None:
    mlx = ("---\nbase_model: acme-ai/Lynx-7B-Instruct\nlibrary_name: mlx\n---\n\n# mlx-community/Lynx-7B-Instruct-4bit\n\n"
           "The Model [mlx-community/Lynx-7B-Instruct-4bit](https://huggingface.co/mlx-community/Lynx-7B-Instruct-4bit)"
           " was converted to MLX format from [acme-ai/Lynx-7B-Instruct](https://huggingface.co/acme-ai/Lynx-7B-Instruct)"
           " using mlx-lm version **0.19.0**.\n")
    weights = _findings(mlx, "mlx-community/Lynx-7B-Instruct-4bit")["weights_released"]
    assert weights.outcome == "positive" and "mlx-community/Lynx-7B-Instruct-4bit" in _snippets(weights)
    assert "acme-ai" not in _snippets(weights)
    # a real "Community" section is still others' work
    community = ("# Lynx\n## Community\n* [fans/lynx-ft](https://huggingface.co/fans/lynx-ft), a fine-tune by a "
                 "fan.\n")
    assert _findings(community)["weights_released"].status == "not_found"
