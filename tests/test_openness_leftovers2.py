"""Judgments that were wrong on the evidence a card shows (eleventh session): each fixed by a general rule.

The cards are written here in the structure of the real Hub forms (LazyMergekit merges, training-checkpoint
repositories, fine-tuning cards naming their data in plain text, quantized re-uploads pasting their base's
card), in our own words and with an invented "Acme Lynx" base; each test shows the wrong form beside the right
one that still counts.
"""

from __future__ import annotations

import json
from pathlib import Path

from openscope.derive.openness import openness_rows
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.probes import Finding, run_all
from openscope.derive.openness.probes.weights_released import merged_model_ids
from openscope.derive.openness.records import ModelRecord, from_folder, from_store, from_text
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store


def _findings(text: str, model_id: str = "jdoe/lynx") -> dict[str, Finding]:
    return {f.probe: f for f in run_all(from_text(model_id, text))}


def _snippets(f: Finding) -> str:
    return " ".join(f"{e.locator} {e.snippet}" for e in f.evidence)


# -- 1. LazyMergekit: the models a merge lists are its bases, not its own weights -------------------------------

LAZY = """---
license: apache-2.0
tags:
- merge
- mergekit
- lazymergekit
---

# LynxCat-7B-slerp

LynxCat-7B-slerp is a merge of the following models using [LazyMergekit](https://colab.research.google.com/drive/1x):
* [acme-ai/Lynx-7B-Instruct](https://huggingface.co/acme-ai/Lynx-7B-Instruct)
* [bobcat-lab/Bobcat-7B-Math](https://huggingface.co/bobcat-lab/Bobcat-7B-Math)

## Configuration

```yaml
slices:
  - sources:
      - model: acme-ai/Lynx-7B-Instruct
        layer_range: [0, 32]
      - model: bobcat-lab/Bobcat-7B-Math
        layer_range: [0, 32]
merge_method: slerp
base_model: acme-ai/Lynx-7B-Instruct
dtype: bfloat16
```
"""

TIES_CONFIG = """# LynxTies-7B

LynxTies-7B is a merge made with mergekit.

```yaml
models:
  - model: acme-ai/Lynx-7B
    # no parameters for the base model
  - model: "ocelot/Ocelot-7B-Chat"
    parameters:
      density: 0.5
merge_method: ties
base_model: acme-ai/Lynx-7B
```

Also compare with [ocelot/Ocelot-7B-Chat](https://huggingface.co/ocelot/Ocelot-7B-Chat) on your own prompts.
"""


def test_a_lazymergekit_list_names_the_merges_bases_not_its_weights() -> None:
    assert merged_model_ids(from_text("jdoe/lynxcat", LAZY)) == {"acme-ai/lynx-7b-instruct", "bobcat-lab/bobcat-7b-math"}
    w = _findings(LAZY, "jdoe/lynxcat")["weights_released"]
    assert w.status == "not_found", w.as_json()
    # the right form beside it: the merge's own repository, linked in a sentence of its own, is its weights
    own = LAZY + "\nDownload the merged weights: [jdoe/LynxCat-7B-slerp](https://huggingface.co/jdoe/LynxCat-7B-slerp).\n"
    w = _findings(own, "jdoe/lynxcat")["weights_released"]
    assert w.outcome == "positive" and "jdoe/LynxCat-7B-slerp" in _snippets(w)
    assert "acme-ai" not in _snippets(w) and "bobcat-lab" not in _snippets(w)


def test_a_mergekit_configuration_names_the_merged_models_without_a_list() -> None:
    assert merged_model_ids(from_text("jdoe/lynxties", TIES_CONFIG)) == {"acme-ai/lynx-7b", "ocelot/ocelot-7b-chat"}
    assert _findings(TIES_CONFIG)["weights_released"].status == "not_found"
    # a YAML block that is not a merge configuration (no merge_method) names no merged model
    axolotl = TIES_CONFIG.replace("merge_method: ties\n", "")
    assert merged_model_ids(from_text("jdoe/lynxties", axolotl)) == set()
    # a list after other words is not a merge list
    other = "# m\nWe compare with the following models:\n* [ocelot/Ocelot-7B-Chat](https://huggingface.co/ocelot/Ocelot-7B-Chat)\n"
    assert merged_model_ids(from_text("jdoe/m", other)) == set()


def test_a_merge_list_of_bare_ids_and_mergekits_own_sentence() -> None:
    bare = ("# m\n\nThe following models were included in the merge:\n\n- acme-ai/Lynx-7B\n- ocelot/Ocelot-7B-Chat\n\n"
            "See [acme-ai/Lynx-7B](https://huggingface.co/acme-ai/Lynx-7B) for the prompt format.\n")
    assert merged_model_ids(from_text("jdoe/m", bare)) == {"acme-ai/lynx-7b", "ocelot/ocelot-7b-chat"}
    assert _findings(bare)["weights_released"].status == "not_found"


# -- 2. Hub dataset ids in plain text -----------------------------------------------------------------------------

def test_a_dataset_id_in_a_training_sentence_is_training_data() -> None:
    for card, shown in [
        ("# Lynx-chat\n\nLynx-chat was fine-tuned on the `acme-ai/chat-200k` dataset for two epochs.\n", "acme-ai/chat-200k"),
        ("# Lynx-chat\n\nLynx-chat was trained on acme-ai/Chat-Mix-v2.\n", "acme-ai/Chat-Mix-v2"),
        ("# Lynx-art\n\nWe fine-tuned Lynx on the lambda-art/pokemon-captions dataset.\n", "lambda-art/pokemon-captions"),
    ]:
        d = _findings(card)["datasets_released"]
        assert (d.status, d.outcome) == ("no_license", "positive"), (card, d.as_json())
        assert shown in d.evidence[0].snippet and d.evidence[0].locator.endswith("#L3")


def test_a_dataset_id_listed_under_a_training_data_heading_is_training_data() -> None:
    card = "# Lynx-chat\n\n## Training data\n\n- acme-ai/chat-mix\n- bobcat/OpenHermes-2.5: 1M synthetic dialogues\n"
    d = _findings(card)["datasets_released"]
    assert d.status == "no_license" and "acme-ai/chat-mix" in d.evidence[0].snippet
    assert d.evidence[0].locator.startswith("jdoe/lynx#L5")
    # the same list under an evaluation heading is not training data
    ev = card.replace("## Training data", "## Evaluation data")
    assert _findings(ev)["datasets_released"].outcome == "negative"


def test_words_joined_by_a_slash_and_model_ids_are_not_datasets() -> None:
    cases = [
        "# Lynx\n\nLynx is trained on ~15k instruction/response fine tuning records.\n",
        "# Lynx\n\nIf you are fine-tuning based on `acme-ai/Lynx-Base`, prepare your data first.\n",
        "# Lynx\n\n## Evaluation\n\nEvaluated on the `acme-ai/lynx-bench` dataset.\n",
        "# Lynx GPTQ\n\nQuantized with GPTQ using the `acme-ai/calib-set` dataset for calibration.\n",
        "---\nbase_model: acme-ai/Lynx-7B\n---\n# Lynx\n\n## Training data\n\n- acme-ai/Lynx-7B\n",
        "# Lynx\n\nSee [acme-ai/Lynx-7B](https://huggingface.co/acme-ai/Lynx-7B).\n\n## Training data\n\n- acme-ai/Lynx-7B\n",
        "# Lynx\n\nWe trained on `data/train.jsonl` and `acme/train.json`.\n",
        "# Lynx\n\n```\ntrained on acme-ai/mix-v2\n```\n",
        "# Lynx\n\n## Acknowledgements\n\nThanks to the team that trained on `acme-ai/chat-mix` before us.\n",
        "# Lynx\n\nLoad it with `from_pretrained('acme-ai/x-1b')`. It was trained on `acme-ai/x-1b` weights.\n",
        # a merge's ingredient written as an id is a model, even in a sentence about training
        LAZY + "\nThe ingredients were trained with acme-ai/Lynx-7B-Instruct as a teacher.\n",
    ]
    for card in cases:
        d = _findings(card)["datasets_released"]
        assert d.outcome != "positive", (card, d.as_json())


# -- 3. intermediate checkpoints alone are not the final weights -------------------------------------------------

CHECKPOINTS = """---
license: apache-2.0
---
# Lynx-1B training checkpoints

This repository holds the intermediate checkpoints of Lynx-1B, saved every 1000 steps during pre-training.
Each checkpoint is a revision branch of this repository (`step1000`, `step2000`, ..., `step143000`).

## Loading a checkpoint

```python
from transformers import AutoModelForCausalLM
model = AutoModelForCausalLM.from_pretrained("acme-ai/lynx-1b-checkpoints", revision="step1000")
```

Browse them: [step1000](https://huggingface.co/acme-ai/lynx-1b-checkpoints/tree/step1000),
[step2000](https://huggingface.co/acme-ai/lynx-1b-checkpoints/tree/step2000).
Intermediate checkpoints are available for research on training dynamics.
"""


def test_a_card_linking_only_intermediate_checkpoints_does_not_release_the_final_weights() -> None:
    found = _findings(CHECKPOINTS, "acme-ai/lynx-1b-checkpoints")
    assert found["weights_released"].outcome == "negative", found["weights_released"].as_json()
    assert found["intermediate_checkpoints"].status == "open_license"
    # the final model named beside them is the final weights
    final = CHECKPOINTS + "\nThe final model is at [acme-ai/lynx-1b](https://huggingface.co/acme-ai/lynx-1b).\n"
    w = _findings(final, "acme-ai/lynx-1b-checkpoints")["weights_released"]
    assert w.status == "open_license" and "acme-ai/lynx-1b)" in _snippets(w)
    both = CHECKPOINTS + "\nThe final and intermediate checkpoints are available on the Hub.\n"
    assert _findings(both)["weights_released"].outcome == "positive"


def _folder(tmp: Path, files: list[str]) -> ModelRecord:
    tmp.mkdir()
    (tmp / "README.md").write_text("---\nlicense: mit\n---\n# Lynx trainer run\n", "utf-8")
    for name in files:
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_bytes(b"x")
    return from_folder(tmp)


def test_weight_files_in_checkpoint_folders_are_not_the_final_weights(tmp_path: Path) -> None:
    only = _folder(tmp_path / "a", ["checkpoint-500/model.safetensors", "checkpoint-1000/model.safetensors"])
    found = {f.probe: f for f in run_all(only)}
    assert found["weights_released"].outcome == "negative"
    assert found["intermediate_checkpoints"].status == "open_license"
    with_final = _folder(tmp_path / "b", ["checkpoint-500/model.safetensors", "model.safetensors"])
    w = {f.probe: f for f in run_all(with_final)}["weights_released"]
    assert w.status == "open_license" and w.evidence[0].snippet == "model.safetensors"


def test_the_set_based_path_reads_checkpoint_folders_as_the_probe_does(tmp_path: Path) -> None:
    models = [
        {"id": "acme/ckpt-only", "tags": ["license:apache-2.0"],
         "siblings": [{"rfilename": "checkpoint-500/model.safetensors"}, {"rfilename": "config.json"}]},
        {"id": "acme/final", "tags": ["license:apache-2.0"],
         "siblings": [{"rfilename": "checkpoint-500/model.safetensors"}, {"rfilename": "model.safetensors"}]},
    ]
    mp = tmp_path / "models.jsonl"
    mp.write_text("\n".join(json.dumps(m) for m in models) + "\n")
    store = open_store(tmp_path / "s.duckdb")
    try:
        ingest_file(store, mp)
        from openscope import derive
        derive.refresh(store)
        stored = dict(store.con.execute("SELECT id, grade FROM openness WHERE framework = 'component' AND "
                                        "dimension = 'Model parameters (Final)'").fetchall())
        assert stored == {"acme/ckpt-only": "not_found", "acme/final": "open_license"}
        for mid in stored:  # the per-model path gives the same rows
            rows = {(fw, d): g for fw, d, g, _, _ in openness_rows(assess_record(from_store(store, mid)))}
            assert rows[("component", "Model parameters (Final)")] == stored[mid]
    finally:
        store.close()


# -- 4. a re-upload's pasted original card is the base's side ----------------------------------------------------

ORIGINAL = """# Model Card for Lynx-7B-Instruct

Lynx-7B-Instruct is an instruction-tuned Lynx-7B. Read our [paper](https://arxiv.org/abs/2310.99999).

## Training Data
We trained on [acme-ai/lynx-sft-mix](https://huggingface.co/datasets/acme-ai/lynx-sft-mix), described in its data card.

## Weights
Download the weights from [acme-ai/Lynx-7B-Instruct](https://huggingface.co/acme-ai/Lynx-7B-Instruct) under Apache-2.0.
"""

GGUF = """---
base_model: acme-ai/Lynx-7B-Instruct
license: apache-2.0
---
# Lynx 7B Instruct - GGUF
- Original model: [Lynx 7B Instruct](https://huggingface.co/acme-ai/Lynx-7B-Instruct)

## Provided files
| Name | Quant method |
| ---- | ---- |
| [lynx-7b-instruct.Q4_K_M.gguf](https://huggingface.co/someone/Lynx-GGUF/blob/main/lynx-7b-instruct.Q4_K_M.gguf) | Q4_K_M |

# Original model card: Acme AI's Lynx 7B Instruct

""" + ORIGINAL
PASTED_FIRST = GGUF.split("\n").index("# Original model card: Acme AI's Lynx 7B Instruct") + 1
PASTED_LAST = GGUF.count("\n")


def test_a_pasted_original_card_gives_the_base_side_with_evidence_in_the_pasted_lines() -> None:
    rec = from_text("someone/lynx-gguf", GGUF, locator="README.md")
    a = assess_record(rec).as_json()
    alone = assess_record(from_text("someone/lynx-gguf", GGUF.split("# Original model card")[0], locator="README.md"))
    # the base's data sources, from the base's own words, where the re-upload's words say nothing about them
    assert alone.osai["datasources_basemodel"] == "closed"
    assert a["osai"]["datasources_basemodel"] != "closed" and "no_license" in a["osai_basis"]["datasources_basemodel"]
    assert a["base_model"] == "acme-ai/Lynx-7B-Instruct" and a["base_declared"] is None
    assert a["base_pasted"]["lines"] == [PASTED_FIRST, PASTED_LAST]
    assert a["base_pasted"]["evidence"]["locator"] == f"README.md#L{PASTED_FIRST}-L{PASTED_LAST}"
    assert any("pasted" in w and f"lines {PASTED_FIRST}-" in w for w in a["warnings"])
    # the end model's own dimensions still never read the copy
    assert a["osai"]["datasources_endmodel"] == alone.osai["datasources_endmodel"] == "closed"
    assert {p["probe"]: p["status"] for p in a["probes"]}["research_paper"] == "not_found"


def test_every_base_finding_from_the_copy_says_so_and_points_into_it() -> None:
    from openscope.derive.openness.assessment import sides

    _, base, *_ = sides(from_text("someone/lynx-gguf", GGUF, locator="README.md"))
    assert base is not None
    cited = [e for f in base.findings.values() for e in f.evidence if e.kind == "card"]
    assert {f.probe for f in base.findings.values() if f.outcome == "positive"} >= {
        "datasets_released", "research_paper", "weights_released"}
    for e in cited:
        assert e.snippet.startswith(f"[pasted original card, lines {PASTED_FIRST}-{PASTED_LAST}] "), e
        if e.locator.startswith("README.md#L"):
            first = int(e.locator.split("#L")[1].split("-")[0])
            assert PASTED_FIRST < first <= PASTED_LAST, e
    data = base.findings["datasets_released"].evidence[0]
    line = int(data.snippet.split("line ")[1].split(":")[0])
    assert GGUF.split("\n")[line - 1].startswith("We trained on [acme-ai/lynx-sft-mix]")   # the README's own line


def test_a_curated_base_or_a_stored_root_comes_before_the_pasted_copy() -> None:
    curated = GGUF.replace("base_model: acme-ai/Lynx-7B-Instruct", "base_model: meta-llama/Llama-2-7b-hf")
    a = assess_record(from_text("someone/lynx-gguf", curated, locator="README.md")).as_json()
    assert a["base_declared"] is not None and a["base_pasted"] is None
    # a lineage root in the store with its own record: the root's side
    rec = from_text("someone/lynx-gguf", GGUF, locator="README.md")
    rec.root = from_text("acme-ai/Lynx-7B-Instruct", "# Lynx-7B-Instruct\n\nA model.\n")
    a = assess_record(rec).as_json()
    assert a["base_pasted"] is None and a["osai"]["datasources_basemodel"] == "closed"
    # a root outside the store that no curated family covers has nothing of its own: the copy is read
    rec = from_text("someone/lynx-gguf", GGUF, locator="README.md")
    rec.root = ModelRecord(id="acme-ai/Lynx-7B-Instruct", locator="https://huggingface.co/acme-ai/Lynx-7B-Instruct",
                           read_at="2026-11-29")
    rec.root.cache["external"] = True
    a = assess_record(rec).as_json()
    assert a["base_pasted"] is not None and a["base_model"] == "acme-ai/Lynx-7B-Instruct"
    assert a["osai"]["datasources_basemodel"] != "closed"


def test_assess_on_a_re_upload_folder_reads_the_pasted_copy_as_the_base(tmp_path: Path, cli) -> None:
    (tmp_path / "README.md").write_text(GGUF, "utf-8")
    (tmp_path / "lynx-7b-instruct.Q4_K_M.gguf").write_bytes(b"GGUF")
    r = cli("assess", str(tmp_path), "--json")
    assert r.code == 0, r.stderr
    doc = r.json()
    assert doc["base_pasted"]["evidence"]["locator"].endswith(f"README.md#L{PASTED_FIRST}-L{PASTED_LAST}")
    assert doc["osai"]["datasources_basemodel"] != "closed"
    text = cli("assess", str(tmp_path))
    assert text.code == 0 and "base model (its card as pasted in this one" in text.stdout
    assert "lineage root" not in text.stdout
    # the base's name comes from the heading when the front matter names no single base
    no_front = GGUF.split("---\n", 2)[2]
    (tmp_path / "README.md").write_text(no_front, "utf-8")
    doc = cli("assess", str(tmp_path), "--json").json()
    assert doc["base_model"] == "Acme AI's Lynx 7B Instruct"


TRAINER = """---
license: apache-2.0
base_model: acme-ai/Lynx-1B
tags:
- generated_from_trainer
---

<!-- This model card has been generated automatically according to the information the Trainer had access to. -->

# lynx-1b-chat

This model is a fine-tuned version of [acme-ai/Lynx-1B](https://huggingface.co/acme-ai/Lynx-1B) on the acme-ai/chat-200k dataset.
It achieves the following results on the evaluation set:
- Loss: 1.2345
"""

AXOLOTL = """---
base_model: acme-ai/Lynx-7B
library_name: peft
---

[<img src="https://example.org/axolotl-badge-web.png" alt="Built with Axolotl"/>](https://github.com/axolotl-ai-cloud/axolotl)
<details><summary>See axolotl config</summary>

```yaml
base_model: acme-ai/Lynx-7B
adapter: lora

datasets:
  - path: ./local/extra.jsonl
    type: alpaca
  - path: acme-ai/alpaca-2k
    type: alpaca
test_datasets:
  - path: acme-ai/lynx-heldout
    type: alpaca
output_dir: ./outputs/lora-out
```

</details>

# lynx-7b-lora

This model is a fine-tuned version of [acme-ai/Lynx-7B](https://huggingface.co/acme-ai/Lynx-7B) on the None dataset.
"""


def test_the_trainers_sentence_names_its_dataset_after_the_base_link() -> None:
    d = _findings(TRAINER, "jdoe/lynx-1b-chat")["datasets_released"]
    assert d.status == "no_license" and "acme-ai/chat-200k" in d.evidence[0].snippet
    line = next(i for i, ln in enumerate(TRAINER.split("\n"), 1) if "chat-200k" in ln)
    assert int(d.evidence[0].locator.split("#L")[1].split("-")[0]) == line
    unknown = TRAINER.replace("the acme-ai/chat-200k dataset", "an unknown dataset")
    assert _findings(unknown)["datasets_released"].outcome == "negative"


def test_a_pasted_training_configurations_datasets_are_training_data() -> None:
    d = _findings(AXOLOTL, "jdoe/lynx-lora")["datasets_released"]
    assert d.status == "no_license" and "acme-ai/alpaca-2k" in d.evidence[0].snippet
    assert int(d.evidence[0].locator.split("#L")[1].split("-")[0]) == AXOLOTL.split("\n").index(
        "  - path: acme-ai/alpaca-2k") + 1
    # only a local file and a held-out test set: no released training data
    local = AXOLOTL.replace("  - path: acme-ai/alpaca-2k\n    type: alpaca\n", "")
    assert _findings(local, "jdoe/lynx-lora")["datasets_released"].outcome == "negative"
    # a YAML block that trains nothing (no base_model) is not a training configuration
    other = AXOLOTL.replace("base_model: acme-ai/Lynx-7B\nadapter", "adapter")
    assert _findings(other.split("---\n", 2)[2], "jdoe/lynx-lora")["datasets_released"].outcome == "negative"


def test_a_pasted_copy_with_nothing_in_it_gives_no_base_side_and_a_pasted_front_matter_is_the_bases() -> None:
    empty = GGUF.split("# Original model card")[0] + "# Original model card: Acme AI's Lynx 7B Instruct\n\nSee above.\n"
    a = assess_record(from_text("someone/lynx-gguf", empty, locator="README.md")).as_json()
    assert a["base_pasted"] is None and a["base_model"] is None
    whole = GGUF.replace("# Model Card for Lynx-7B-Instruct", "---\nlicense: cc-by-nc-4.0\ndatasets:\n- acme-ai/lynx-sft-mix\n"
                         "---\n\n# Model Card for Lynx-7B-Instruct")
    from openscope.derive.openness.assessment import sides

    _, base, *_ = sides(from_text("someone/lynx-gguf", whole, locator="README.md"))
    assert base is not None
    declared = base.findings["datasets_released"].evidence[0]   # the base's declared datasets
    assert declared.kind == "hub_metadata" and declared.snippet.startswith("[pasted original card, lines ")
    assert base.findings["weights_released"].license == "cc-by-nc-4.0"
    # the re-upload's own licence is still its own
    assert assess_record(from_text("someone/lynx-gguf", whole)).components["Model parameters (Final)"].license \
        == "apache-2.0"


def test_the_fast_training_sentence_search_finds_what_the_plain_pattern_finds() -> None:
    from openscope.derive.openness.probes import datasets_released as d

    phrases = ["pre-trained on x", "post-training with y", "we fine-tune, fine-tuned on a", "finetuned on b",
               "finetuning on c", "fine-tuning on d", "instruction tuning on e", "constrained on f", "microsoft with g",
               "SFT on h", "DPO with i", "tuned on j", "retrained on k", "Pretraining on l", "attuned with m",
               "Fine-Tuned on n", "x-training on o", "trained for 3 epochs using p", "a fine-tuned version of "
               "[acme-ai/Lynx-1B](https://huggingface.co/acme-ai/Lynx-1B) on the acme-ai/chat dataset"]
    for text in ["\n".join(phrases), LAZY, TRAINER, AXOLOTL, GGUF]:
        low = text.lower()
        plain = [m.end() for m in d.TRAINED_ON.finditer(text)]
        fast = [m.end() for m in d.TRAINED_ON_LOWER.finditer(low) if d._verb_starts(low, m.start())]
        assert plain == fast, (plain, fast)
    assert len(list(d.TRAINED_ON.finditer("\n".join(phrases)))) == 14   # not: instruction tuning, constrained, …


def test_a_tool_trained_with_is_not_a_dataset() -> None:
    for card in ["# Lynx\n\nLynx was fine-tuned using `unsloth-ai/unsloth` on a single GPU.\n",
                 "# Lynx\n\nWe trained Lynx with huggingface/trl-v2 and LoRA.\n",
                 "# Lynx\n\nTrained on our cluster using the `acme-ai/trainer` library.\n",
                 "# Lynx\n\nLynx was trained on `acme-ai/lynx-recipes` scripts.\n"]:
        assert _findings(card)["datasets_released"].outcome != "positive", card
    named = "# Lynx\n\nLynx was fine-tuned using the `acme-ai/chat-200k` dataset and LoRA.\n"
    assert _findings(named)["datasets_released"].status == "no_license"
