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


def _apache_terms(*edits: tuple[str, str]) -> str:
    """The Apache License 2.0 as its file reads, generated from the canonical words the package ships (so the test
    holds no third-party text of its own): the title, then its terms laid out in lines, with ``edits`` (old words,
    new words) made first."""
    from openscope.derive.openness.license_files import _texts

    body = _texts()["apache-2.0"]["body"]
    for old, new in edits:
        assert old in body
        body = body.replace(old, new, 1)
    words = body.split()
    lines = [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
    return "                                 Apache License\n                           Version 2.0, January 2004\n" \
           "                        http://www.apache.org/licenses/\n\n" + "\n".join(lines) + "\n"


def _folder_with_license(root: Path, license_text: str) -> Path:
    rel = root / "rel"
    rel.mkdir(parents=True)
    (rel / "README.md").write_text("---\nlicense: apache-2.0\n---\n# pub-1b\n\nA decoder-only transformer.\n",
                                   encoding="utf-8")
    (rel / "LICENSE").write_text(license_text, encoding="utf-8")
    _weights(rel)
    return rel


def test_an_edited_apache_text_is_not_the_apache_license(cli: Any, tmp_path: Path) -> None:
    """A LICENSE with the Apache-2.0 title whose grant was edited ("… use, reproduce … for non-commercial purposes
    only") was read as Apache-2.0 by its title: the weights open, OSAID parameters-license met. Its terms are now
    compared with the canonical words: it is `modified-apache-2.0`, the flag points at the changed line, and the
    step says to ship the text unmodified (not "(now unknown)")."""
    grant = "perpetual worldwide non exclusive no charge royalty free irrevocable copyright license"
    edited = _apache_terms((grant, grant + " for non commercial purposes only"))
    rel = _folder_with_license(tmp_path, edited)
    doc = _assess(cli, rel)
    probe = next(p for p in doc["probes"] if p["probe"] == "license_declared")
    (f,) = probe["detail"]["files"]
    assert f["license"] == "modified-apache-2.0" and "non commercial purposes only" in f["snippet"]
    assert edited.split("\n")[f["line"] - 1].strip() in f["snippet"] or f["snippet"] in edited.split("\n")[f["line"] - 1]
    weights = doc["components"]["Model parameters (Final)"]
    assert (weights["status"], weights["license"]) == ("restrictive_license", "modified-apache-2.0")
    assert "parameters-license" in doc["osaid"]["missing"]
    step = next(s for s in doc["next_steps"]["mof"] if "Model parameters (Final)" in s)
    assert "now modified-apache-2.0" in step and "ship its text unmodified" in step
    assert any(fl["flag"] == "license-file-contradicts-card" for fl in doc["flags"])


def test_the_apache_text_unedited_and_its_circulating_wordings_stay_apache(cli: Any, tmp_path: Path) -> None:
    """The canonical terms, and the copies that say "submitted to the Licensor" / "excluding any notices" (as
    TensorFlow's LICENSE does), are Apache-2.0; so is a file holding only the title and first lines (a text cut
    short is left to its title)."""
    text = _apache_terms()
    variant = _apache_terms(("submitted to licensor for inclusion", "submitted to the licensor for inclusion"),
                            ("excluding those notices that do not", "excluding any notices that do not"))
    for i, license_text in enumerate((text, variant, APACHE)):
        rel = _folder_with_license(tmp_path / str(i), license_text)
        weights = _assess(cli, rel)["components"]["Model parameters (Final)"]
        assert (weights["status"], weights["license"]) == ("open_license", "apache-2.0"), i


def test_a_modified_mit_step_names_the_licence_not_unknown(cli: Any, tmp_path: Path) -> None:
    """A LICENSE that adds a term to the MIT text was identified (`modified-mit`) but the steps said "(now
    unknown)" and the component's licence was `unknown`: the catalogue has no entry for it."""
    mit = ("MIT License\n\nCopyright (c) 2026 Pubco\n\nPermission is hereby granted, free of charge, to any person "
           "obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the "
           "Software without restriction, including without limitation the rights to use, copy, modify, merge, "
           "publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the "
           "Software is furnished to do so, subject to the following conditions:\n\nThe Software may not be used "
           "for commercial purposes.\n\nThe above copyright notice and this permission notice shall be included in "
           "all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT "
           "WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF "
           "MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR "
           "COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF "
           "CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR "
           "OTHER DEALINGS IN THE SOFTWARE.\n")
    rel = _folder_with_license(tmp_path, mit)
    doc = _assess(cli, rel)
    assert doc["components"]["Model parameters (Final)"]["license"] == "modified-mit"
    steps = "\n".join(doc["next_steps"]["mof"] + doc["next_steps"]["osaid"])
    assert "now unknown" not in steps and "now modified-mit: an edited licence text" in steps


def test_a_folders_declared_base_is_read_from_the_store(cli: Any, tmp_path: Path) -> None:
    """An Apache-2.0 LoRA folder whose card declares a base the store holds under CC BY-NC 4.0: ``license`` of the
    base named its terms, but ``assess PATH`` graded the adapter open (no flag, OSAID parameters-license met): a
    folder's base was looked up only among the curated families. Now the stored base binds it, as it binds a stored
    derivative; without the store the adapter is graded on its own, as before."""
    src = tmp_path / "models.jsonl"
    src.write_text(json.dumps({"id": "pubco/base-1b", "author": "pubco", "tags": ["license:cc-by-nc-4.0"],
                               "cardData": {"license": "cc-by-nc-4.0"}}) + "\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    assert cli("--db", db, "--quiet", "ingest", src).code == 0
    rel = tmp_path / "lora"
    rel.mkdir()
    (rel / "README.md").write_text(LORA_CARD.replace("meta-llama/Llama-2-7b-hf", "pubco/base-1b"), encoding="utf-8")
    _weights(rel, "adapter_model.safetensors")
    r = cli("--db", db, "--json", "assess", rel)
    assert r.code == 0, r.stderr
    doc = r.json()
    weights = doc["components"]["Model parameters (Final)"]
    assert (weights["status"], weights["license"]) == ("restrictive_license", "cc-by-nc-4.0")
    assert any(e["locator"] == "https://huggingface.co/pubco/base-1b" for e in weights["evidence"])
    assert "parameters-license" in doc["osaid"]["missing"]
    assert any(f["flag"] == "license-contradicts-base" and f["base"] == "pubco/base-1b" for f in doc["flags"])
    alone = _assess(cli, rel)["components"]["Model parameters (Final)"]
    assert (alone["status"], alone["license"]) == ("open_license", "apache-2.0")


FRENCH_SECTIONS = """---
license: apache-2.0
---
# Heath-1B

Heath-1B est un transformeur décodeur de 1,1 milliard de paramètres.

## Utilisations prévues
Recherche sur les petits modèles de langue et enseignement.

## Limites et risques
Peut affirmer des faits faux avec assurance et reproduire des biais.

## Données d'entraînement
Deux jeux de données publics de texte du web et de code source.

## Évaluation
| benchmark | score |
|---|---|
| HellaSwag | 58.2 |
"""


def test_a_french_model_card_has_its_topics(cli: Any, tmp_path: Path) -> None:
    """The French twin of an English card (the same four sections): no topic was found ("7 sections; topics:
    none"), so the OSAI `modelcard` dimension was closed where the English card's is open."""
    rel = tmp_path / "fr"
    rel.mkdir()
    (rel / "README.md").write_text(FRENCH_SECTIONS, encoding="utf-8")
    _weights(rel)
    doc = _assess(cli, rel)
    assert doc["osai"]["modelcard"] == "open", doc["osai_basis"]["modelcard"]
    assert "topics: uses, limitations, training, evaluation" in doc["osai_basis"]["modelcard"]


def test_an_adapters_architecture_shows_where_it_was_read(cli: Any, tmp_path: Path) -> None:
    """A LoRA folder (adapter_config.json, adapter_model.safetensors, `library_name: peft`): the Model architecture
    was `restrictive_license` with no evidence at all; it is the `library_name` line of the README. The code is the
    library's, under the library's licence (peft: Apache-2.0), not the adapter's cc-by-nc-4.0 (eighth evidence round:
    code kept outside the repository carries its own licence)."""
    rel = tmp_path / "lora"
    rel.mkdir()
    (rel / "README.md").write_text(LORA_CARD.replace("apache-2.0", "cc-by-nc-4.0"), encoding="utf-8")
    (rel / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "r": 8}), encoding="utf-8")
    _weights(rel, "adapter_model.safetensors")
    arch = _assess(cli, rel)["components"]["Model architecture"]
    assert (arch["status"], arch["license"]) == ("open_license", "apache-2.0")
    assert [(e["locator"].split("/")[-1], e["snippet"]) for e in arch["evidence"]][0] == ("README.md#L4",
                                                                                          "library_name: peft")
    assert "peft is released under apache-2.0" in arch["evidence"][1]["snippet"]
