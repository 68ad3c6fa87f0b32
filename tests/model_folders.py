"""A model folder on disk for `assess PATH` tests: a README, a small weights file and the files a test names."""

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
