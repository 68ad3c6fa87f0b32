"""A model folder on disk for `assess PATH` tests: a README, a small weights file and the files a test names; and
the texts several such tests put in it (the head of the Apache-2.0 licence, a card's four topic sections)."""

from __future__ import annotations

from pathlib import Path


def model_folder(root: Path, files: dict[str, str | bytes], readme: str) -> Path:
    """``root`` holding ``README.md`` (``readme``), ``model.safetensors`` and ``files`` (path → text or bytes;
    text is written as UTF-8, bytes as they are, parent folders created)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text(readme, encoding="utf-8")
    (root / "model.safetensors").write_bytes(b"\0" * 16)
    for name, body in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            p.write_bytes(body)
        else:
            p.write_text(body, encoding="utf-8")
    return root


# The opening lines of the Apache License 2.0 as its file starts (what a LICENSE file is identified by).
APACHE = """
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION

   1. Definitions.
"""

# A model card's four topics, each a section long enough to count (the MOF model card rule).
CARD_SECTIONS = """
## Intended uses
Research on small language models.

## Limitations and risks
May produce wrong or biased text.

## Training data and procedure
Trained on a web text corpus for 2 epochs with AdamW.

## Evaluation
| benchmark | score |
|---|---|
| MMLU | 31.0 |
"""
