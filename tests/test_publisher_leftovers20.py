"""The publisher tryout's four leftovers (twentieth session), each fixed by a general rule.

Why: ``openscope assess PATH`` read four things a publisher's folder says wrongly: a quantizer's perplexity table
under "## Evaluation" was no result, a link to a data card elsewhere took the repository's licence while the same
link to a technical report did not, a ``configs/*.yaml`` training configuration and French hyperparameters were not
model metadata, and data given out on request had to be placed on the Open Source AI Index's scale. Every card and
folder here is our own text (no card of a real model); each test fails on the code before its fix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from model_folders import APACHE
from safetensors.numpy import save_file

from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.probes import evaluation_results, model_metadata
from openscope.derive.openness.records import from_folder


def _folder(root: Path, card: str, files: dict[str, str] | None = None) -> Path:
    """A release folder: the card, an Apache-2.0 LICENSE, weights, and ``files`` (path -> text)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text(card, encoding="utf-8")
    (root / "LICENSE").write_text(APACHE, encoding="utf-8")
    save_file({"w": np.zeros((2, 2), dtype=np.float32)}, str(root / "model.safetensors"))
    for path, text in (files or {}).items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


QUANT_CARD = """---
license: apache-2.0
base_model: fenmoor/Brill-2B
base_model_relation: quantized
---
# Brill-2B GGUF

GGUF files of [fenmoor/Brill-2B](https://huggingface.co/fenmoor/Brill-2B), quantized with `llama-quantize`.

## Evaluation
| quant | perplexity (wikitext-2) |
|---|---|
| Q4_K_M | 7.42 |
| Q8_0 | 7.31 |
"""


def test_a_perplexity_table_under_evaluation_is_an_evaluation_result(tmp_path: Path) -> None:
    """A table of this model's perplexity per quantisation, under "## Evaluation", reports measured results."""
    rec = from_folder(_folder(tmp_path / "q", QUANT_CARD))
    f = evaluation_results.run(rec)
    assert f.outcome == "positive" and f.status == "open_license"
    assert "| Q4_K_M | 7.42 |" in f.evidence[0].snippet
    assert f.evidence[0].locator.endswith("#L11-L13")


def _no_results(card: str, tmp_path: Path) -> None:
    f = evaluation_results.run(from_folder(_folder(tmp_path / "n", card)))
    assert f.outcome == "negative", f.evidence


def test_a_hyperparameter_table_is_no_result(tmp_path: Path) -> None:
    """A setting named "perplexity" in a table of settings with numbers is no result (its row has no number and
    does not head the table)."""
    _no_results("# Brill\n\n## Evaluation\nWe evaluated with these settings.\n\n| setting | value |\n|---|---|\n"
                "| perplexity target | none |\n| learning rate | 0.0003 |\n| batch size | 64 |\n", tmp_path)


def test_a_list_of_quantisations_with_sizes_is_no_result(tmp_path: Path) -> None:
    _no_results("# Brill GGUF\n\n## Evaluation\nPerplexity was not measured.\n\n| quant | size (GB) |\n|---|---|\n"
                "| Q4_K_M | 1.6 |\n| Q8_0 | 2.7 |\n", tmp_path)


def test_others_perplexity_in_a_section_of_others_work_is_no_result(tmp_path: Path) -> None:
    """A perplexity column only where the card quotes others' work (its references) reports no result of this
    model; the existing rule for a section of others' work holds for the new word as for the old ones."""
    _no_results("# Brill GGUF\n\nQuantized files.\n\n## References\n| model | perplexity |\n|---|---|\n"
                "| some other model | 5.9 |\n", tmp_path)


LINKS_CARD = """---
license: apache-2.0
base_model: fenmoor/Brill-2B
base_model_relation: quantized
---
# Brill-2B GGUF

GGUF files of [fenmoor/Brill-2B](https://huggingface.co/fenmoor/Brill-2B).

See the base model's [technical report](https://huggingface.co/fenmoor/Brill-2B/blob/main/technical_report.md) and
[data card](https://huggingface.co/fenmoor/Brill-2B/blob/main/DATA_CARD.md).
"""


def test_a_data_card_linked_elsewhere_has_an_unknown_licence_as_a_report_so_linked(tmp_path: Path) -> None:
    """docs/openness.md: what the repository ships is under its licence; anything only linked elsewhere is under
    terms the link does not show (``no_license``). The two links to the base's documents are read alike."""
    a = assess_record(from_folder(_folder(tmp_path / "l", LINKS_CARD)))
    report, sheet = a.components["Technical report"], a.components["Data card"]
    assert (report.status, report.license) == ("no_license", None)
    assert (sheet.status, sheet.license) == ("no_license", None)


def test_a_data_card_the_repository_ships_or_names_keeps_its_licence(tmp_path: Path) -> None:
    """The same anchor linking a file of the folder, or the card's own words naming its data card, stay under
    the repository's licence (Apache-2.0 here)."""
    rel = _folder(tmp_path / "r", "# Brill\n\nThe sources are described in the [data card](DATA_CARD.md).\n",
                  {"DATA_CARD.md": "# Data card\n\nWeb text, filtered.\n"})
    own = _folder(tmp_path / "o", "# Brill\n\n## Training data\nThis section is the data card of Brill: web text "
                  "filtered by language and quality (see [filters](https://example.org/filters)).\n")
    for folder in (rel, own):
        sheet = assess_record(from_folder(folder)).components["Data card"]
        assert (sheet.status, sheet.license) == ("open_license", "apache-2.0"), folder.name


TRAIN_YAML = "model: brill-2b\noptimizer: adamw\nlearning_rate: 3.0e-4\nbatch_size: 512\nmax_steps: 20000\n"
CI_YAML = "name: tests\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
COMPOSE_YAML = "services:\n  api:\n    image: brill-server\n"


def test_a_configs_yaml_is_model_metadata_and_other_yaml_is_not(tmp_path: Path) -> None:
    """MOF's Model metadata is "any model metadata including training configuration and optimizer states": a
    YAML file under a ``configs/`` folder is the model's configuration, under the repository's licence. A CI
    workflow or a docker-compose file is no configuration of the model."""
    card = "# Brill\n\nA small model.\n"
    rel = from_folder(_folder(tmp_path / "c", card, {"configs/brill-2b.yaml": TRAIN_YAML}))
    f = model_metadata.run(rel)
    assert (f.status, f.license) == ("open_license", "apache-2.0")
    assert "configs/brill-2b.yaml" in f.evidence[0].snippet
    other = from_folder(_folder(tmp_path / "o", card, {".github/workflows/tests.yml": CI_YAML,
                                                      "docker-compose.yml": COMPOSE_YAML}))
    assert model_metadata.run(other).status == "not_found"


FRENCH_CARD = """# Brill

Brill est un modèle de langue de 2 milliards de paramètres.

## Entraînement
Le taux d'apprentissage est de 3e-4, avec une taille de lot de 512 séquences, sur 2 époques.
"""


def test_french_hyperparameters_are_documented(tmp_path: Path) -> None:
    """"taux d'apprentissage", "taille de lot", "époques" with their values document the training configuration
    in the card (not released as a file)."""
    f = model_metadata.run(from_folder(_folder(tmp_path / "f", FRENCH_CARD)))
    assert f.status == "documented_not_released"
    assert "taux d'apprentissage" in f.evidence[0].snippet
    advice = "# Brill\n\n## Utilisation\nVous pouvez ajuster le taux d'apprentissage de 3e-4 si besoin.\n"
    assert model_metadata.run(from_folder(_folder(tmp_path / "a", advice))).status == "not_found"


ON_REQUEST_CARD = """---
license: apache-2.0
---
# Brill

## Training data
Brill was trained on 400B tokens of web text. The training data is available on request for research:
write to the data team. Its sources and filtering are described in the [data card](DATA_CARD.md).
"""


def test_data_on_request_with_a_data_card_stays_closed_on_the_index(tmp_path: Path) -> None:
    """The Open Source AI Index grades training data sources by whether they are "open for inspection or shared"
    (partial: some of them are); data handed out on request is neither, as weights given only to applicants are
    ``closed`` on its weights dimensions. The data card is what the ``datasheet`` dimension rewards."""
    a = assess_record(from_folder(_folder(tmp_path / "d", ON_REQUEST_CARD,
                                          {"DATA_CARD.md": "# Data card\n\nSources: web crawl, filtered.\n"})))
    assert a.components["Datasets"].status == "documented_not_released"
    assert a.osai["datasources_endmodel"] == "closed", a.osai_basis["datasources_endmodel"]
    assert a.osai["datasheet"] == "open"
