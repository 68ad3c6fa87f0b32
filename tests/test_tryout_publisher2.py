"""The model publisher's second tryout (nineteenth session): release folders of eight kinds, graded by ``assess``.

Why: a publisher follows the next steps literally, so every step must be one they can act on and every licence
must be read from the words that state it. Each test here builds a small folder with our own texts (no card of a
real model) and fails on the code before the fix it names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from model_folders import APACHE
from safetensors.numpy import save_file

ASSESS_KEYS = {"id", "osai", "mof", "osaid", "components", "flags"}


def _assess(cli: Any, folder: Path) -> dict[str, Any]:
    r = cli("--db", folder.parent / "none.duckdb", "--json", "assess", folder)
    assert r.code == 0, r.stderr
    doc = r.json()
    assert set(doc) >= ASSESS_KEYS
    return doc


def _weights(folder: Path, name: str = "model.safetensors") -> None:
    save_file({"w": np.zeros((4, 4), dtype=np.float32)}, str(folder / name))


FRENCH = """# Heath-1B

Heath-1B est un transformeur décodeur de 1,1 milliard de paramètres, entraîné par Wrenfield Labs.

## Données d'entraînement
Heath-1B a été entraîné sur deux jeux de données publics, tous deux sous licence CC-BY-4.0 :
[wrenfield/heath-text](https://huggingface.co/datasets/wrenfield/heath-text).

## Licence
Les poids, le code et les documents sont publiés sous [licence Apache 2.0](LICENSE).
"""


def test_a_french_card_puts_the_datasets_licence_on_the_data_not_the_weights(cli: Any, tmp_path: Path) -> None:
    """A French README with no front matter: "deux jeux de données …, tous deux sous licence CC-BY-4.0" is the
    data's licence and "Les poids, le code … sous [licence Apache 2.0](LICENSE)" the weights' and the code's.
    Before, no French scope word was read: the data's CC-BY-4.0 covered "the release as a whole" and became the
    weights' licence, and the linked LICENSE covered only the code (the English word "code")."""
    rel = tmp_path / "rel"
    rel.mkdir()
    (rel / "README.md").write_text(FRENCH, encoding="utf-8")
    (rel / "LICENSE").write_text(APACHE, encoding="utf-8")
    (rel / "config.json").write_text(json.dumps({"architectures": ["LlamaForCausalLM"]}), encoding="utf-8")
    _weights(rel)
    doc = _assess(cli, rel)
    weights = doc["components"]["Model parameters (Final)"]
    assert (weights["status"], weights["license"]) == ("open_license", "apache-2.0")
    probe = next(p for p in doc["probes"] if p["probe"] == "license_declared")
    covers = {f["path"]: f["covers"] for f in probe["detail"]["files"]}
    assert covers == {"LICENSE": ["code", "weights"]}
    assert probe["detail"]["card_weights"] != "CC-BY-4.0"


LORA_CARD = """---
license: apache-2.0
base_model: meta-llama/Llama-2-7b-hf
library_name: peft
---
# legal-lora

A LoRA adapter (rank 8) for legal summarisation, released under Apache-2.0.

## Training
Trained for 3 epochs on 40,000 public court opinions.
"""


def test_a_derivatives_inherited_licence_gets_a_step_the_publisher_can_take(cli: Any, tmp_path: Path) -> None:
    """A LoRA of a Llama 2 base declaring Apache-2.0 (with the Apache text as LICENSE): its weights are under
    llama2, which no declaration lifts. Before, the steps asked to "release Model parameters (Final) under an open
    licence (now llama2)" and to "license the parameters under OSD-conformant terms (e.g. Apache-2.0, MIT)": what
    the publisher had already done. Now both say the licence is the base's and what would change it."""
    rel = tmp_path / "lora"
    rel.mkdir()
    (rel / "README.md").write_text(LORA_CARD, encoding="utf-8")
    (rel / "LICENSE").write_text(APACHE, encoding="utf-8")
    (rel / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "r": 8,
                                                         "base_model_name_or_path": "meta-llama/Llama-2-7b-hf"}),
                                             encoding="utf-8")
    _weights(rel, "adapter_model.safetensors")
    doc = _assess(cli, rel)
    assert doc["components"]["Model parameters (Final)"]["license"] == "llama2"
    mof_step = next(s for s in doc["next_steps"]["mof"] if "Model parameters (Final)" in s)
    assert "the licence of its base Llama 2" in mof_step and "build it on a base whose licence is open" in mof_step
    osaid_step = next(s for s in doc["next_steps"]["osaid"] if "parameters-license" in s)
    assert "the licence of its base Llama 2" in osaid_step and "declaring another licence does not lift" in osaid_step
    # the text output says the same
    r = cli("--db", tmp_path / "none.duckdb", "assess", rel)
    assert r.code == 0 and "whose terms bind" in " ".join(r.stdout.split())
