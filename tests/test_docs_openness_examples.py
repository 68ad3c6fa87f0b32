"""docs/openness.md's examples print what the document shows, on the inputs the document describes.

Why a module of its own: ``test_docs_examples`` runs the other documents' examples one after another in one folder
(the demo's store) and checks exit codes, error lines and ``--json`` keys. Each example of docs/openness.md
describes its own input instead (a folder whose README pastes its base's card, a stored model whose licence file
was never read, a DeepSeek-style folder with two licence files, an apache-2.0 finetune of Llama 2, a broken front
matter, a path that does not exist, the demo's store with the expert files imported), and shows what ``assess``
prints for it. So each example runs here in a folder built for it from the document's own description, and the
lines it prints are compared with the lines the document shows: every shown line, in order, where a line ``…``
(or ``… (what)``) stands for lines left out (and ``# (last lines …`` on the command for the lines before); a ``--json`` example's
document is compared key by key, where a key ``"…"`` stands for keys left out and ``read_at`` is any day. A shown
``rc=N`` is the exit code (else 0).

Nothing is mocked: the real command line runs in-process against real folders and DuckDB stores built by our own
ingest. Examples that read ``../shared/data`` (a Model Openness Tool record, the expert files) are marked
``reference``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from doc_output import chunks_in_order, json_differs, parse_shown_json, shown_output
from lineage_graphs import entry, write_jsonl
from test_docs_examples import Example, _run, examples
from test_openness_leftovers2 import GGUF
from test_openness_license_files import DEEPSEEK, MIT

DOC = "docs/openness.md"
ROOT = Path(__file__).resolve().parents[1]
MOF_RECORD = "RandomTestFile_C1_73%-C2_82%-C3_83%_15C_4G_15L_13V_2I_11T.yml"
EXPERT_FILES = {"osai_dev.csv": "openness", "mof_models.csv": "mof", "fmti_totals.csv": "fmti"}


def _ingest(cwd: Path, entries: list[dict[str, Any]]) -> None:
    """``openscope.duckdb`` in ``cwd``, holding ``entries`` as the Hub lists them (our own ingest, derive included)."""
    src = write_jsonl(cwd / "hub.jsonl", entries)
    assert _run(["--db", str(cwd / "openscope.duckdb"), "--quiet", "ingest", str(src)]).code == 0
    src.unlink()


# ---------------------------------------------------------------------------------------------------------
# The input each example describes, built in an empty folder (the example's working folder)


def _pasted_card(cwd: Path, demo: Path, shared: Path | None) -> None:
    """`lynx-gguf/`: a GGUF re-upload whose README pastes its base's card under "# Original model card" (lines 13-23)."""
    folder = cwd / "lynx-gguf"
    folder.mkdir()
    (folder / "README.md").write_text(GGUF, encoding="utf-8")
    (folder / "lynx-7b-instruct.Q4_K_M.gguf").write_bytes(b"GGUF")


def _licence_file_unread(cwd: Path, demo: Path, shared: Path | None) -> None:
    """The stored model `acme/lic`: file list LICENSE and model.safetensors, no licence tag, no card text."""
    _ingest(cwd, [entry("acme/lic", files=("LICENSE", "model.safetensors"))])


def _demo(cwd: Path, demo: Path, shared: Path | None) -> None:
    shutil.copy(demo, cwd / "openscope.duckdb")


def _split_licences(cwd: Path, demo: Path, shared: Path | None) -> None:
    """`acme-v3/` as the document describes it: README declaring mit and pointing at LICENSE-CODE and LICENSE-MODEL,
    the MIT text, the DeepSeek licence agreement, a safetensors file and a NOTICE (not a licence of the release)."""
    folder = cwd / "acme-v3"
    folder.mkdir()
    (folder / "README.md").write_text(
        "---\nlicense: mit\n---\n# acme-v3\n\nThis code repository is licensed under [the MIT License](LICENSE-CODE). "
        "The use of the acme-v3 models is subject to [the Model License](LICENSE-MODEL).\n", encoding="utf-8")
    (folder / "LICENSE-CODE").write_text(MIT, encoding="utf-8")
    (folder / "LICENSE-MODEL").write_text(DEEPSEEK, encoding="utf-8")
    (folder / "NOTICE").write_text("acme-v3\nCopyright 2026 Acme\n", encoding="utf-8")
    (folder / "model.safetensors").write_bytes(b"\0" * 16)


def _publisher_folder(cwd: Path, demo: Path, shared: Path | None) -> None:
    """`my-model/`: the README the document prints (between its four-backtick fences), config.json, safetensors."""
    text = (ROOT / DOC).read_text(encoding="utf-8")
    readme = text.split("A local folder `my-model/`", 1)[1].split("````\n", 2)[1]
    folder = cwd / "my-model"
    folder.mkdir()
    (folder / "README.md").write_text(readme, encoding="utf-8")
    (folder / "config.json").write_text('{"architectures": ["Acme"]}\n', encoding="utf-8")
    (folder / "model.safetensors").write_bytes(b"\0" * 16)


LLAMA2 = "meta-llama/Llama-2-7b"


def _relicensed_finetune(cwd: Path, demo: Path, shared: Path | None) -> None:
    """A store holding Llama 2 (llama2) and `someone/llama-2-7b-apache-finetune`, a finetune of it declaring
    apache-2.0, each with its weights in the file list."""
    _ingest(cwd, [entry(LLAMA2, tags=("license:llama2",), files=("model.safetensors",)),
                  entry("someone/llama-2-7b-apache-finetune", files=("model.safetensors",),
                        tags=("license:apache-2.0", f"base_model:{LLAMA2}", f"base_model:finetune:{LLAMA2}"))])


def _mof_record(cwd: Path, demo: Path, shared: Path | None) -> None:
    assert shared is not None
    shutil.copy(shared / "mof" / "fixtures" / MOF_RECORD, cwd / MOF_RECORD)


def _experts(cwd: Path, demo: Path, shared: Path | None) -> None:
    """The demo's store and the three expert files beside it (the next example reads the store they went into)."""
    assert shared is not None
    _demo(cwd, demo, shared)
    for name, folder in EXPERT_FILES.items():
        shutil.copy(shared / folder / name, cwd / name)


def _broken_front_matter(cwd: Path, demo: Path, shared: Path | None) -> None:
    folder = cwd / "broken"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: [mit\n---\n# broken\n", encoding="utf-8")


def _nothing(cwd: Path, demo: Path, shared: Path | None) -> None:
    """No store and no folder: `./nope` does not exist."""


Setup = Callable[[Path, Path, "Path | None"], None]

# the start of each example's command (its words after `openscope`) → (the input it describes, reads ../shared)
SETUPS: dict[str, tuple[Setup, bool]] = {
    "assess lynx-gguf": (_pasted_card, False),
    "assess acme/lic": (_licence_file_unread, False),
    "sql SELECT grade AS verdict": (_demo, False),
    "assess acme-v3": (_split_licences, False),
    "assess my-model": (_publisher_folder, False),
    "assess someone/llama-2-7b-apache-finetune": (_relicensed_finetune, False),
    "assess --mof-record": (_mof_record, True),
    "assess --import-experts": (_experts, True),
    "assess EleutherAI/pythia-6.9b": (_experts, True),  # the store the example before it imported into
    "assess broken": (_broken_front_matter, False),
    "assess ./nope": (_nothing, False),
}
# examples that run in the folder of the example before them, after it (the document shows them as one session)
AFTER_PREVIOUS = {"assess EleutherAI/pythia-6.9b"}


def _key(ex: Example) -> str:
    words = " ".join(ex.argv[1:])
    return next((k for k in SETUPS if words.startswith(k)), words)


def _examples() -> list[Example]:
    return [ex for ex in examples(DOC) if ex.argv[:1] == ["openscope"]]


# ---------------------------------------------------------------------------------------------------------
# Comparing what runs with what the document shows


FOLDER = re.compile(r"(?m)(?<=from )/\S*/(?=[^/\s]+$)")


def _differs(ex: Example, code: int, out: str, err: str) -> str | None:
    shown, shown_code = shown_output(ex.output, ex.code)
    if code != shown_code:
        return f"exit {code}, shown {shown_code} ({err.strip()[:300]})"
    if "--json" in ex.argv:
        start = next((i for i, line in enumerate(shown) if line.startswith("{")), len(shown))
        if (d := chunks_in_order(shown[:start], [line.rstrip() for line in err.splitlines()], False)) is not None:
            return f"stderr: {d}"
        printed = json.loads(out)  # one JSON document on stdout, whether the document shows it or not
        return json_differs(parse_shown_json(shown[start:]), printed) if start < len(shown) else None
    printed = [line.rstrip() for line in (err + out).splitlines()]
    return chunks_in_order(shown, printed, last_lines="# (last lines" in ex.text)


# ---------------------------------------------------------------------------------------------------------
# The tests


def _params() -> list[Any]:
    out = []
    for ex in _examples():
        setup = SETUPS.get(_key(ex))
        marks = [pytest.mark.reference] if setup and setup[1] else []
        out.append(pytest.param(ex, id=f"L{ex.line}-{_key(ex)[:40]}", marks=marks))
    return out


@pytest.mark.parametrize("ex", _params())
def test_each_example_prints_what_the_document_shows(ex: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    demo_store: Path, request: pytest.FixtureRequest) -> None:
    key = _key(ex)
    assert key in SETUPS, f"{DOC}:{ex.line}: `{ex.text}` has no input built for it in SETUPS"
    setup, reads_shared = SETUPS[key]
    shared = request.getfixturevalue("shared_data") if reads_shared else None
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENSCOPE_DB", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    monkeypatch.setenv("COLUMNS", "120")
    before = [e for e in _examples() if e.line < ex.line]
    if key in AFTER_PREVIOUS:  # run the example before it first, in the same folder, as the document does
        prev = before[-1]
        SETUPS[_key(prev)][0](tmp_path, demo_store, shared)
        assert _run(prev.argv[1:]).code == 0
    else:
        setup(tmp_path, demo_store, shared)
    for k, v in ex.env.items():
        monkeypatch.setenv(k, v)
    if m := re.search(r"(\d+) columns", ex.text):
        monkeypatch.setenv("COLUMNS", m.group(1))
    r = _run(ex.argv[1:])
    code, out, err = r.code, r.stdout, r.stderr
    if key == "assess --import-experts":  # where the files were read from is the reader's folder, here a temporary one
        ex = dataclasses.replace(ex, output=[FOLDER.sub("", line) for line in ex.output])
        out, err = FOLDER.sub("", out), FOLDER.sub("", err)
    problem = _differs(ex, code, out, err)
    assert problem is None, f"{DOC}:{ex.line}: `{ex.text.splitlines()[0]}`: {problem}"


def test_every_example_of_the_document_is_run() -> None:
    """A new example needs its input here: the list of keys is the document's list of commands, both ways."""
    keys = [_key(ex) for ex in _examples()]
    assert sorted(set(keys)) == sorted(SETUPS), (sorted(set(keys) - set(SETUPS)), sorted(set(SETUPS) - set(keys)))
    assert len(keys) >= 10
