"""Hub API entries for lineage tests, written by hand (shape of `/api/models` list entries)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

LLAMA = "meta-llama/Llama-3.1-8B"
QWEN = "Qwen/Qwen2.5-7B"
MISTRAL_EXT = "mistralai/Mistral-7B-v0.1"


def entry(mid: str, tags: tuple[str, ...] = (), card: dict | None = None, files: tuple[str, ...] = (),
          base_models: dict | None = None, library: str | None = None, downloads: int = 0,
          created: str = "2024-05-01T00:00:00.000Z") -> dict[str, Any]:
    e: dict[str, Any] = {
        "_id": mid, "id": mid, "author": mid.split("/")[0], "createdAt": created, "lastModified": created,
        "downloads": downloads, "likes": 0, "tags": list(tags), "private": False,
        "siblings": [{"rfilename": f} for f in ("README.md", *files)],
    }
    if card is not None:
        e["cardData"] = card
    if base_models is not None:
        e["baseModels"] = base_models
    if library:
        e["library_name"] = library
    return e


def dataset_entry(did: str, tags: tuple[str, ...] = (), card: dict | None = None) -> dict[str, Any]:
    """A `/api/datasets` list entry (the fields ingest reads)."""
    e: dict[str, Any] = {"_id": did, "id": did, "author": did.split("/")[0], "createdAt": "2024-05-01T00:00:00.000Z",
                         "lastModified": "2024-05-01T00:00:00.000Z", "downloads": 5, "likes": 0,
                         "tags": list(tags), "private": False}
    if card is not None:
        e["cardData"] = card
    return e


def hand_graph() -> list[dict[str, Any]]:
    """Finetunes, an adapter, a quantization, a two-country merge, card-only and base_models-only edges,
    a tag/card disagreement, an external base, a legacy namespace and a rootless cycle."""
    L, Q = LLAMA, QWEN
    return [
        entry(L, downloads=1000), entry(Q, downloads=2000),
        entry("alice/llama-ft", (f"base_model:{L}", f"base_model:finetune:{L}"), downloads=50),
        # card-only edge without a relation; the adapter_config.json file says adapter
        entry("bob/llama-ft-lora", ("peft",), card={"base_model": "alice/llama-ft"}, files=("adapter_config.json",)),
        # a bare tag with another spelling of the parent; GGUF tag and file say quantized
        entry("carol/llama-ft-GGUF", ("gguf", "base_model:ALICE/llama-ft"), files=("model.Q4_K_M.gguf",),
              downloads=70),
        # a merge with roots in two countries (tags and card agree)
        entry("dave/qwen-llama-merge", ("mergekit", f"base_model:{L}", f"base_model:merge:{L}",
                                        f"base_model:{Q}", f"base_model:merge:{Q}"), card={"base_model": [L, Q]}),
        # tag says finetune, card says quantized: the tag is chosen, the card kept
        entry("erin/qwen-ft", (f"base_model:finetune:{Q}",), card={"base_model": Q, "base_model_relation": "quantized"}),
        entry("frank/card-only", card={"base_model": Q, "base_model_relation": "finetune"}),
        entry("gina/ext-ft", (f"base_model:finetune:{MISTRAL_EXT}",)),
        entry("x/a", ("base_model:finetune:x/b",)), entry("x/b", ("base_model:finetune:x/a",)),
        entry("x/c", ("base_model:finetune:x/a",)),
        entry("h/unknown-root", ("base_model:finetune:nobody/thing",)),
        # baseModels names Qwen, the card names Llama: baseModels outranks the card
        entry("i/bm-only", base_models={"relation": "quantized", "models": [{"_id": "1", "id": Q}]},
              card={"base_model": L}),
        # shortest path: direct to Llama (depth 1) beats via alice (depth 2)
        entry("j/deep", ("base_model:merge:alice/llama-ft", f"base_model:merge:{L}")),
        entry("facebook/opt-125m"), entry("k/opt-ft", ("base_model:finetune:facebook/opt-125m",)),
    ]


def write_jsonl(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in entries), encoding="utf-8")
    return path


def run_quiet(*args: str | Path) -> int:
    """The CLI's exit code for ``args``, its output discarded: for fixtures that build a store with it."""
    import contextlib
    import io

    from openscope.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main([str(a) for a in args])


def ingest_refresh(db: Path, entries: list[dict[str, Any]], name: str, *, full: bool | None = None
                   ) -> dict[str, Any] | None:
    """Ingest ``entries`` into ``db`` (written beside it as ``name``.jsonl) and, unless ``full`` is None, refresh
    lineage (full or incremental): the step a test of the refresh's modes takes once per snapshot."""
    from openscope.derive import lineage as lineage_step
    from openscope.jobs.ingest import ingest_file
    from openscope.store import open_store

    with open_store(db) as store:
        ingest_file(store, write_jsonl(db.with_name(f"{name}.jsonl"), entries))
        if full is None:
            return None
        return lineage_step.refresh(store, full=full)
