"""Fuzzing `openscope assess`: hostile cards, model folders, MOF records, expert files, and the card pass.

Model cards are third-party text: millions of them are graded by the derive step (in worker processes)
and any one is graded by ``openscope assess ID|PATH``. Whatever a card, a folder, a MOF record or an
expert file holds, the command exits 0 (with the documented warnings on stderr), 65 or 66, never 70 and
never with a traceback; ``--json`` is exactly one document of the contract's shape with grades from the
documented vocabulary; the human rendering writes no control character to the terminal; a store that
``assess ID`` reads is unchanged; and the card pass grades every other card when one is hostile.

The probe regexes run over whole cards, so each is checked for super-linear time (ReDoS): every
``re.Pattern`` of the openness package is listed programmatically and timed on runs of the characters
and words it accepts, at n and 4n characters, as a loose ratio within this run (no absolute timings).

Property tests draw repeatable examples (``tests/conftest.py``); ``OPENSCOPE_FUZZ_HUNT=N`` draws N fresh
random ones per test to hunt for bugs (docs/fuzzing.md, "Openness").
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

import openscope.derive.openness as openness_pkg
from openscope.derive.openness import assess_record
from openscope.derive.openness.evaluations.mof import component_names
from openscope.derive.openness.evaluations.osai import DIMENSIONS
from openscope.derive.openness.probes import PROBES
from openscope.derive.openness.records import ModelRecord, from_text

_HUNT = int(os.environ.get("OPENSCOPE_FUZZ_HUNT") or 0)
FAST = settings(max_examples=_HUNT or 15, deadline=None, suppress_health_check=list(HealthCheck),
                phases=(Phase.explicit, Phase.generate) if _HUNT else tuple(Phase), print_blob=bool(_HUNT))

STATUSES = {"open_license", "restrictive_license", "no_license", "documented_not_released", "not_found"}
OUTCOMES = {"positive", "negative", "not_applicable", "unknown"}
GRADES = {"open", "partial", "closed", "unknown"}
EVIDENCE_KINDS = {"hub_metadata", "card", "file_list", "file", "curated", "expert"}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# --- the contract -----------------------------------------------------------------------------------


def _check_doc(doc: dict[str, Any]) -> None:
    """The contract's ``assess`` shape, every grade in the documented vocabulary."""
    assert set(doc) >= {"id", "osai", "mof", "osaid", "components", "flags"}
    assert set(doc["osai"]) == set(DIMENSIONS) | {"score"}
    assert all(doc["osai"][d] in GRADES for d in DIMENSIONS)
    score = doc["osai"]["score"]
    assert score is None or (isinstance(score, float) and 0.0 <= score <= 1.0)
    assert doc["mof"]["class"] in (0, 1, 2, 3) and isinstance(doc["mof"]["label"], str)
    assert set(doc["mof"]["progress"]) == {"1", "2", "3"}
    assert all(isinstance(v, float) and 0.0 <= v <= 100.0 for v in doc["mof"]["progress"].values())
    assert doc["osaid"]["verdict"] in ("pass", "fail", "insufficient")
    assert all(isinstance(m, str) for m in doc["osaid"]["missing"])
    assert set(doc["components"]) == set(component_names())
    for c in doc["components"].values():
        assert c["status"] in STATUSES and set(c) == {"status", "license", "evidence"}
        for e in c["evidence"]:
            assert set(e) == {"kind", "locator", "snippet", "read_at"} and e["kind"] in EVIDENCE_KINDS
            assert all(isinstance(v, str) for v in e.values())
    assert [p["probe"] for p in doc["probes"]] == list(PROBES)
    assert all(p["outcome"] in OUTCOMES and p["status"] in STATUSES for p in doc["probes"])
    for f in doc["flags"]:
        assert isinstance(f["flag"], str) and isinstance(f["detail"], str) and isinstance(f["evidence"], list)
    assert all(isinstance(w, str) for w in doc["warnings"])


def _check_run(res: Any, allowed: set[int], what: Any) -> None:
    assert res.code in allowed, (what, res.code, res.stderr[-2000:])
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, (what, res.stderr[-2000:])
    if res.code != 0:
        assert res.stderr.strip() and res.stdout == "", (what, "a failure says why, and prints no document")
        assert len(res.stderr.strip().splitlines()) == 1, (what, "one line", res.stderr[-2000:])


def _assess(cli: Any, db: Path, *args: Any, allowed: frozenset[int] = frozenset({0}), what: Any = "") -> Any:
    """``assess`` with ``--json`` (one contract document) and rendered (no control character reaches the
    terminal); both exit alike. Returns the JSON document, or None when the command refused."""
    res = cli("--db", db, "assess", *args, "--json")
    _check_run(res, set(allowed), what)
    human = cli("--db", db, "assess", *args)
    _check_run(human, set(allowed), what)
    assert human.code == res.code, what
    assert not CONTROL.search(human.stdout.replace("\r", "")), (what, "control characters reach the terminal")
    assert not CONTROL.search(human.stderr), (what, "control characters in a warning")
    if res.code != 0:
        return None
    doc = json.loads(res.stdout)  # exactly one document: json.loads refuses trailing data
    assert human.stderr == res.stderr, (what, "the same warnings either way")
    return doc


# --- cards ------------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)
FRONT_KEYS = ("license", "base_model", "datasets", "tags", "license_name", "library_name", "pipeline_tag",
              "model-index", "extra_gated_prompt", "language")

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)) + \
    "license: *i\nbase_model: *i\ndatasets: *i\ntags: *i\n"
HOSTILE_FRONT = [
    "license: [broken\n", "license: mit\n  bad: indent\n", "- a\n- b\n", "just a string\n", "42\n", "null\n",
    BILLION_LAUGHS, "license: " + "[" * 5000 + "]" * 5000 + "\n", "x:\n" + "".join("  " * i + "- \n" for i in range(300)),
    "license: !!python/object/apply:os.system ['touch /tmp/openscope-pwned']\n",
    "license: !!python/name:os.system\n", "license: mit\nlicense: llama2\nlicense: other\n",
    "? [a, b]\n: c\n", "license: &x mit\nbase_model: *x\n", "license: *undefined\n", "\t\ttabs: [\n",
    "license: \"\\ud800\"\n", "base_model: 2024-01-01\nlicense: 1.5\ndatasets: {a: 1}\n", "%YAML 9.9\n---\nx: 1\n",
    "license: mit\n...\n", "<<: *x\n", "license:\n  - apache-2.0\n  - [nested, list]\n",
]
BODY_FRAGMENTS = [
    "- **Model type:** [More Information Needed]\n", "<!-- guidance -->\n", "<!--", "-->", "   :  ", "**",
    "# Model\n", "## Training\n", "## License\nApache 2.0\n", "```\npython train.py\n```\n", "```python\n", "```\n",
    "| MMLU | 45.3 |\n|---|---|\n", "[code](https://github.com/a/b)\n", "[x](./train.py)\n", "<a href='http://x'>y</a>\n",
    "This is a fully open-source model.\n", "fine-tuned from Llama-2-7b\n", "\x00", "\r\n", "\r", "\ufeff", "\u202e",
    "[/]", "[bold]", "\x1b[2J\x1b[31m", "\x1b]0;title\x07", "\udcff", "\ud800", "```\n" * 3, "#" * 300 + " License\n",
    "|" * 500 + "\n", "<a href='" * 200, "checkpoint 1" + "0" * 300, "- Training code: " + " " * 500 + "x\n",
]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "crlf", "cr", "nul"]


def _encode(text: str, how: str) -> bytes:
    if how == "crlf":
        text, how = text.replace("\n", "\r\n"), "utf-8"
    elif how == "cr":
        text, how = text.replace("\n", "\r"), "utf-8"
    elif how == "nul":
        return text.encode("utf-8", "surrogatepass") + b"\x00tail"
    if how == "latin-1":
        return text.encode("latin-1", "replace")
    return text.encode(how, "surrogatepass")  # lone surrogates written as their (invalid) bytes


@st.composite
def cards(draw: st.DrawFn) -> bytes:
    """Any card: front matter valid, broken, of the wrong type or hostile (or none, or never closed); a
    body of markdown structure, adversarial fragments and any text; in any encoding or line ending."""
    front = draw(st.sampled_from(["none", "json", "hostile", "unclosed", "bytes"]))
    if front == "bytes":  # any bytes at all
        return draw(st.binary(max_size=3000))
    text = ""
    if front == "json":
        meta = draw(st.dictionaries(st.sampled_from(FRONT_KEYS), JSON_VALUES, max_size=5))
        text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n"
    elif front == "hostile":
        text = "---\n" + draw(st.sampled_from(HOSTILE_FRONT)) + "---\n"
    elif front == "unclosed":
        text = "---\nlicense: mit\n" + draw(st.text(max_size=50))
    parts = draw(st.lists(st.sampled_from(BODY_FRAGMENTS) | st.text(max_size=80), max_size=12))
    text += "".join(parts)
    if draw(st.booleans()):  # some structure repeated thousands of times
        text += draw(st.sampled_from(BODY_FRAGMENTS)) * draw(st.integers(1, 3000))
    return _encode(text, draw(st.sampled_from(ENCODINGS)))


@FAST
@given(card=cards(), weights=st.booleans())
@example(card=("---\n" + BILLION_LAUGHS + "---\n# x\n").encode(), weights=True)
@example(card=b"---\nlicense: !!python/object/apply:os.system ['touch /tmp/openscope-pwned']\n---\n", weights=False)
@example(card=b"| MMLU |" + b"|" * 30_000 + b"\n", weights=False)  # quadratic results table (bug)
@example(card=b"<a href='" * 20_000, weights=False)  # unclosed HTML links read once per tag (bug)
@example(card=b"# x\n" + b"#" * 60_000 + b" license x\n", weights=False)  # generic licence heading (bug)
@example(card=b" " * 60_000 + b"x\n" + b"github " * 200, weights=False)  # training field (bug)
@example(card=b"0" * 60_000 + b"x\n" + b"checkpoint " * 200, weights=False)  # "N checkpoints" from every digit (bug)
@example(card=b"prepare-" * 10_000, weights=False)  # a script name from every "prepare" (bug)
@example(card=b"fully open-source model \x1b[2J\x1b[1A[/]", weights=True)  # terminal escapes (bug)
@example(card=b"**" + b" " * 3000 + b":" + b" " * 3000 + b"x more information needed", weights=False)  # (bug)
@example(card=("## 协议\n" + "商用需要" * 20_000 + "\n" + "将" * 30_000 + "开源\n").encode(), weights=True)  # Chinese licence
@example(card=("# 模型结构\n" + "0" * 30_000 + "层\n" + "学习率为 " * 20_000).encode(), weights=False)  # Chinese runs
@pytest.mark.timeout(120)
def test_any_card_in_a_folder_is_graded_or_warned_about(cli, tmp_path_factory, card: bytes, weights: bool) -> None:
    d = tmp_path_factory.mktemp("card")
    (d / "README.md").write_bytes(card)
    if weights:
        (d / "model.safetensors").write_bytes(b"x")
    doc = _assess(cli, d / "none.duckdb", d, what=card[:200])
    _check_doc(doc)
    assert not Path("/tmp/openscope-pwned").exists(), "a YAML tag constructed something"
    assert not (d / "none.duckdb").exists(), "assess never creates a store"
    for readme in (d / "README.md",):  # the README path itself is a card too
        _check_doc(_assess(cli, d / "none.duckdb", readme, what=card[:200]))


@pytest.mark.parametrize("raw, warning", [
    (b"", None),
    (b"\x00\x01\x02binary\x00", "binary"),
    ("---\nlicense: mit\n---\n".encode("utf-16-le"), "binary"),  # UTF-16 without its byte order mark: NUL bytes
    ("---\nlicense: mit\n---\n".encode("utf-16"), "read as UTF-16 text"),  # with its mark: a text, read
    ("# caf\xe9\n".encode("latin-1"), "read as Latin-1 text"),
    (b"# x\n\xed\xa0\x80 lone surrogate\n", "read as Latin-1 text"),
    ("# 中文模型\n".encode() + b"\xff\n", "read as UTF-8 text with 1 invalid byte sequence replaced"),
    (b"---\nlicense: [broken\n---\n# x\n", "not valid YAML"),
    (b"---\n- a\n- b\n---\n# x\n", "not a mapping"),
    (b"---\n" + b"[" * 2000 + b"\n---\n", "not valid YAML"),
])
def test_unreadable_cards_warn_and_grade_unknown(cli, tmp_path: Path, raw: bytes, warning: str | None) -> None:
    (tmp_path / "README.md").write_bytes(raw)
    res = cli("--db", tmp_path / "none.duckdb", "assess", tmp_path, "--json")
    _check_run(res, {0}, raw)
    _check_doc(res.json())
    if warning:
        assert "warning" in res.stderr and warning in res.stderr, res.stderr
    if warning == "binary":
        assert all(c["status"] == "not_found" for c in res.json()["components"].values())
    if warning and warning.startswith("read as UTF-16"):  # the card's front matter was read: its licence counts
        assert res.json()["osai"]["licenses"] == "open"  # `license: mit`, unreadable before


@pytest.mark.timeout(120)
def test_huge_cards_are_read_only_to_their_bound(cli, tmp_path: Path) -> None:
    """5-20 MB READMEs, a 1 MB line, thousands of headings, links and unclosed fences: read up to the
    documented bounds (2 MB, 400,000 characters), with a warning, in time linear in those bounds."""
    cases = {
        "20mb": b"# Model\nApache 2.0 licence. " + b"word " * 4_000_000,
        "5mb-multibyte-cut": ("# M\n" + "\u00e9" * 2_600_000).encode(),  # the 2 MB cut falls inside a character
        "1mb-line": b"x" * 1_000_000,
        "headings": b"# h\n## Training\ntext\n" * 20_000,
        "links": b"[code](https://github.com/a/b) [x](./train.py) https://arxiv.org/abs/1 " * 10_000,
        "fences": b"```\npython train.py\n" * 20_000,
    }
    for name, raw in cases.items():
        d = tmp_path / name
        d.mkdir()
        (d / "README.md").write_bytes(raw)
        res = cli("--db", tmp_path / "none.duckdb", "assess", d, "--json")
        _check_run(res, {0}, name)
        _check_doc(res.json())
        if len(raw) > 2_000_000:
            assert "the rest was not read" in res.stderr, (name, res.stderr)
        if name == "5mb-multibyte-cut":
            assert "not UTF-8" not in res.stderr, "a character cut by the bound is not a decoding error"


# --- folders ----------------------------------------------------------------------------------------


def _folder(tmp: Path, kind: str) -> Path:
    d = tmp / kind
    d.mkdir()
    if kind == "readme-dir":
        (d / "README.md").mkdir()
    elif kind == "readme-fifo":
        os.mkfifo(d / "README.md")
    elif kind == "readme-loop":
        (d / "README.md").symlink_to("loop")
        (d / "loop").symlink_to("README.md")
    elif kind == "readme-dangling":
        (d / "README.md").symlink_to("nowhere")
    elif kind == "readme-unreadable":
        (d / "README.md").write_text("---\nlicense: mit\n---\n# x\n")
        (d / "README.md").chmod(0)
    elif kind == "readme-empty":
        (d / "README.md").write_bytes(b"")
    elif kind == "many-files":
        (d / "README.md").write_text("# x\n")
        for i in range(10_000):
            (d / f"f{i}.bin").write_bytes(b"")
    elif kind == "odd-names":
        (d / "README.md").write_text("# x\n")
        for name in (b"a\nb.safetensors", b"m\xffodel.safetensors", b"\x1b[2Jx.py", b"[bold]train.py", b"\xed\xa0\x80"):
            with open(os.path.join(os.fsencode(d), name), "wb") as f:
                f.write(b"x")
    elif kind == "nested-weights":
        deep = d.joinpath(*["sub"] * 40)
        deep.mkdir(parents=True)
        (deep / "model.safetensors").write_bytes(b"x")
        (d / "loop").symlink_to(".")
    elif kind == "config-not-json":
        (d / "config.json").write_bytes(b"{not json\x00\xff")
        (d / "model.safetensors").write_bytes(b"x")
    elif kind == "config-huge":
        (d / "config.json").write_bytes(b"[" * 3_000_000)
    elif kind == "no-readme":
        (d / "model.bin").write_bytes(b"x")
    return d


FOLDERS = ["readme-dir", "readme-fifo", "readme-loop", "readme-dangling", "readme-unreadable", "readme-empty",
           "many-files", "odd-names", "nested-weights", "config-not-json", "config-huge", "no-readme"]


@pytest.mark.parametrize("kind", FOLDERS)
@pytest.mark.timeout(60)
def test_odd_folders_are_graded_with_warnings(cli, tmp_path: Path, kind: str) -> None:
    d = _folder(tmp_path, kind)
    doc = _assess(cli, tmp_path / "none.duckdb", d, what=kind)
    _check_doc(doc)
    json.dumps(doc, ensure_ascii=False).encode("utf-8")  # a strict UTF-8 stdout can write it
    if kind in ("readme-dir", "readme-fifo", "readme-loop", "readme-dangling", "no-readme"):
        assert all(c["status"] == "not_found" or c["evidence"][0]["kind"] != "card"
                   for c in doc["components"].values())
    if kind == "odd-names":
        snippets = " ".join(e["snippet"] for c in doc["components"].values() for e in c["evidence"])
        assert "m\\xffodel.safetensors" in snippets  # undecodable bytes shown as escapes, not dropped
    if kind == "nested-weights":
        assert doc["components"]["Model parameters (Final)"]["status"] != "not_found"


@pytest.mark.parametrize("target", ["fifo", "dangling", "long", "nul"])
def test_odd_targets(cli, tmp_path: Path, target: str) -> None:
    """A FIFO named as the card is not read (no hang); a name that cannot exist is missing (66)."""
    db = tmp_path / "none.duckdb"
    if target == "fifo":
        os.mkfifo(tmp_path / "README.md")
        _check_doc(_assess(cli, db, tmp_path / "README.md", what=target))
    elif target == "dangling":
        (tmp_path / "README.md").symlink_to("nowhere")
        _assess(cli, db, tmp_path / "README.md", allowed=frozenset({66}), what=target)
    elif target == "long":
        _assess(cli, db, "./" + "x" * 5000, allowed=frozenset({66}), what=target)
    else:
        _assess(cli, db, "./a\x00b", allowed=frozenset({66}), what=target)


# --- MOF records --------------------------------------------------------------------------------------


def _mof(cli: Any, tmp: Path, path: Path, allowed: frozenset[int]) -> Any:
    db = tmp / "none.duckdb"
    res = cli("--db", db, "assess", "--mof-record", path, "--json")
    _check_run(res, set(allowed), path)
    human = cli("--db", db, "assess", "--mof-record", path)
    _check_run(human, set(allowed), path)
    assert human.code == res.code and not CONTROL.search(human.stdout)
    if res.code:
        return None
    doc = res.json()
    assert doc["mof"]["class"] in (0, 1, 2, 3) and set(doc["mof"]["progress"]) == {"1", "2", "3"}
    assert doc["id"] is None or isinstance(doc["id"], str)
    return doc


FIELD_VALUES = st.one_of(JSON_VALUES, st.sampled_from(["[/]", "\x1b[2J", "Model architecture", "MIT", "unlicensed"]))


@st.composite
def mof_records(draw: st.DrawFn) -> str:
    """A MOT record with any value in any field: names, licences, components, global licences."""
    comps = draw(st.lists(st.fixed_dictionaries(
        {}, optional={"name": st.sampled_from(component_names()) | FIELD_VALUES, "license": FIELD_VALUES,
                      "description": FIELD_VALUES}) | FIELD_VALUES, max_size=6))
    release = draw(st.fixed_dictionaries({}, optional={
        "name": FIELD_VALUES, "producer": FIELD_VALUES, "huggingface": FIELD_VALUES, "components": st.just(comps) | FIELD_VALUES,
        "license": st.dictionaries(st.sampled_from(["distribution", "code", "data", "document"]),
                                   st.fixed_dictionaries({}, optional={"name": FIELD_VALUES}) | FIELD_VALUES, max_size=4)
        | FIELD_VALUES}))
    doc: Any = draw(st.just({"release": release}) | JSON_VALUES)
    return yaml.safe_dump(doc, allow_unicode=True)


@FAST
@given(text=mof_records())
@example(text="release:\n  name: '[/]'\n  components: []\n")  # rich markup in the name (bug)
@example(text="release:\n  name: 2024-01-01\n  components: [{name: Model architecture, license: [1, 2]}]\n")
@example(text=BILLION_LAUGHS.replace("license: *i", "release: {name: *i, components: *i, license: {code: {name: *i}}}"))
@example(text="release: " + "[" * 5000)
@example(text="release:\n  components:\n  - {name: Training code, license: !!python/name:os.system }\n")
def test_any_mof_record_is_evaluated_or_refused(cli, tmp_path_factory, text: str) -> None:
    d = tmp_path_factory.mktemp("mof")
    (d / "r.yml").write_text(text, "utf-8")
    _mof(cli, d, d / "r.yml", frozenset({0, 65}))


@pytest.mark.parametrize("kind", ["missing", "dir", "fifo", "huge", "binary", "utf16", "bom", "empty"])
@pytest.mark.timeout(60)
def test_odd_mof_record_files(cli, tmp_path: Path, kind: str) -> None:
    p = tmp_path / "r.yml"
    good = "release:\n  name: x\n  components:\n  - name: Model architecture\n    license: MIT\n"
    expect = {"missing": 66, "dir": 65, "fifo": 65, "huge": 65, "binary": 65, "utf16": 65, "bom": 0, "empty": 65}
    if kind == "dir":
        p.mkdir()
    elif kind == "fifo":
        os.mkfifo(p)
    elif kind == "huge":
        p.write_bytes(b"release:\n  name: " + b"x" * (17 * 2**20) + b"\n")
    elif kind == "binary":
        p.write_bytes(b"\x00\xff\xfe" * 100)
    elif kind == "utf16":
        p.write_bytes(good.encode("utf-16"))
    elif kind == "bom":
        p.write_bytes(b"\xef\xbb\xbf" + good.encode())
    elif kind == "empty":
        p.write_bytes(b"")
    doc = _mof(cli, tmp_path, p, frozenset({expect[kind]}))
    if kind == "bom":
        assert doc["id"] == "x" and "Model architecture" in doc["included"]


# --- expert files ---------------------------------------------------------------------------------------

OSAI_HEAD = "file,name," + ",".join(DIMENSIONS) + ",osai_site_score,link,org,endmodelname"


def _osai_row(grade: str = "open", score: str = "1.0", link: str = "https://huggingface.co/acme/tiny") -> str:
    return "x.yaml,Tiny," + ",".join([grade] * len(DIMENSIONS)) + f",{score},{link},Acme,tiny"


EXPERT_FILES: dict[str, tuple[bytes, int]] = {
    "osai": ((OSAI_HEAD + "\n" + _osai_row() + "\n").encode(), 0),
    "osai-bom": (b"\xef\xbb\xbf" + (OSAI_HEAD + "\n" + _osai_row() + "\n").encode(), 0),
    "osai-header-only": ((OSAI_HEAD + "\n").encode(), 0),
    "osai-missing-columns": (b"file,name,datasources_basemodel\nx,y\n", 0),
    "osai-odd-grade": ((OSAI_HEAD + "\n" + _osai_row(grade="maybe") + "\n").encode(), 65),
    "osai-nan-score": ((OSAI_HEAD + "\n" + _osai_row(score="nan") + "\n").encode(), 65),
    "osai-inf-score": ((OSAI_HEAD + "\n" + _osai_row(score="1e999") + "\n").encode(), 65),
    "osai-text-score": ((OSAI_HEAD + "\n" + _osai_row(score="high") + "\n").encode(), 65),
    "osai-semicolons": ((OSAI_HEAD.replace(",", ";") + "\n" + _osai_row().replace(",", ";") + "\n").encode(), 65),
    "osai-huge-field": ((OSAI_HEAD + "\n" + _osai_row(link="x" * 200_000) + "\n").encode(), 65),
    "osai-nul": ((OSAI_HEAD + "\n" + _osai_row(link="https://huggingface.co/a/\x00b") + "\n").encode(), 0),
    "mof-csv": (b"name,producer,huggingface,mof_class,mof_class_label,progress_class1\nA,B,,2,Class II,50\n", 0),
    "mof-csv-odd": (b"name,mof_class,huggingface\nx,zz,https://huggingface.co/a/b\n", 65),
    "fmti-totals": (b"index_version,developer,total_score\n2025,Meta,abc\n", 65),
    "fmti-scores": (b"index_version,developer,score\n2025,Meta,1\n2025,,2\n", 0),
    "binary": (b"\x00\xff\xfe\x01" * 64, 65),
    "utf16": (OSAI_HEAD.encode("utf-16"), 65),
    "empty": (b"", 65),
    "yaml-producer-mapping": (b"release:\n  name: [1]\n  producer: {a: 1}\n  components: []\n", 65),
    "yaml-ok": (b"release:\n  name: X\n  producer: Acme\n  huggingface: https://huggingface.co/acme/tiny\n"
                b"  components: [{name: Model architecture, license: MIT}]\n", 0),
    "yaml-bomb": (BILLION_LAUGHS.replace("license: *i", "release: {name: *i, producer: *i, huggingface: *i}").encode(), 65),
}


@pytest.mark.parametrize("name", list(EXPERT_FILES))
@pytest.mark.timeout(60)
def test_odd_expert_files_import_or_are_refused_and_keep_the_store(cli, tmp_path: Path, name: str) -> None:
    raw, code = EXPERT_FILES[name]
    db = tmp_path / "s.duckdb"
    entries = tmp_path / "m.jsonl"
    entries.write_text(json.dumps({"id": "acme/tiny", "author": "acme", "tags": ["license:mit"]}) + "\n")
    assert cli("--db", db, "ingest", entries).code == 0
    first = tmp_path / "first.csv"
    first.write_bytes(EXPERT_FILES["osai"][0])
    assert cli("--db", db, "assess", "--import-experts", first).code == 0
    before = cli("--db", db, "--json", "sql", "SELECT * FROM openness_experts ORDER BY ALL").json()["rows"]
    f = tmp_path / (f"e.{'yml' if name.startswith('yaml') else 'csv'}")
    f.write_bytes(raw)
    res = cli("--db", db, "assess", "--import-experts", f, "--json")
    _check_run(res, {code}, name)
    if code == 0:
        assert isinstance(res.json()["imported"][str(f)], int)
    else:
        after = cli("--db", db, "--json", "sql", "SELECT * FROM openness_experts ORDER BY ALL").json()["rows"]
        assert after == before, "a refused file changes nothing"
    doc = _assess(cli, db, "acme/tiny", what=name)  # the overlay of whatever was imported stays valid JSON
    _check_doc(doc)


@pytest.mark.parametrize("kind", ["dir", "fifo", "missing"])
@pytest.mark.timeout(60)
def test_expert_file_that_is_not_a_file(cli, tmp_path: Path, kind: str) -> None:
    p = tmp_path / "e.csv"
    if kind == "dir":
        p.mkdir()
    elif kind == "fifo":
        os.mkfifo(p)
    res = cli("--db", tmp_path / "s.duckdb", "assess", "--import-experts", p)
    _check_run(res, {66 if kind == "missing" else 65}, kind)


@FAST
@given(rows=st.lists(st.lists(st.text(max_size=12) | st.sampled_from(["open", "nan", "1e999", "\ufeff", '"', "\r"]),
                              max_size=len(DIMENSIONS) + 6), max_size=5),
       head=st.sampled_from([OSAI_HEAD, "name,mof_class,huggingface,progress_class1", "developer,total_score,index_version",
                             "developer,score,index_version", "a;b;c"]),
       bom=st.booleans())
def test_any_expert_csv_imports_or_is_refused(cli, tmp_path_factory, rows: list[list[str]], head: str, bom: bool) -> None:
    import csv
    import io

    d = tmp_path_factory.mktemp("exp")
    buf = io.StringIO()
    buf.write(head + "\n")
    csv.writer(buf).writerows(rows)
    (d / "e.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8", "surrogatepass"))
    res = cli("--db", d / "s.duckdb", "assess", "--import-experts", d / "e.csv", "--json")
    _check_run(res, {0, 65}, (head, rows))
    if res.code == 0:
        json.loads(res.stdout)
        rows_out = cli("--db", d / "s.duckdb", "--json", "sql",
                       "SELECT count(*) AS n FROM openness_experts WHERE NOT isfinite(score)").json()["rows"]
        assert rows_out == [{"n": 0}], "no NaN or infinity is stored"


# --- the store: assess ID reads it unchanged; the card pass keeps every other card's grades ---------------

HOSTILE_CARDS = [
    "---\n" + BILLION_LAUGHS + "---\n# x\n", "---\nlicense: [broken\n---\n", "---\n- a\n---\n", "\x00binary\x00",
    "| MMLU |" + "|" * 20_000 + "\n", "<a href='" * 10_000, "# x\n" + "#" * 20_000 + " license x\n",
    "checkpoint " + "0" * 20_000, "---\nlicense: !!python/object/apply:os.system ['true']\n---\n",
    "---\nbase_model: {a: [1, 2]}\nlicense: 5\ndatasets: 3\n---\nfine-tuned from Llama-2-7b\n",
    "x" * 500_000, "[/] [bold] \x1b[2J\ufeff\u202e", "```\n" * 5001,
]


def _store_with_cards(cli: Any, tmp: Path, cards_text: list[str], empty: Path | None = None) -> tuple[Path, list[str]]:
    """A store of one model per card text plus ``org/plain`` (no card); ``empty``: conftest's ``empty_store``,
    copied as the new store (the property test below: creating one runs every migration, in each example)."""
    db = tmp / "s.duckdb"
    if empty is not None:
        shutil.copyfile(empty, db)
    ids = [f"org/m{i}" for i in range(len(cards_text))] + ["org/plain"]
    p = tmp / "m.jsonl"
    p.write_text("".join(json.dumps({"id": i, "author": "org", "tags": ["license:mit"],
                                     "siblings": [{"rfilename": "model.safetensors"}]}) + "\n" for i in ids))
    assert cli("--db", db, "--quiet", "ingest", p, "--no-derive").code == 0
    from openscope.store import open_store

    with open_store(db) as store, store.transaction() as con:
        con.executemany("INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) "
                        "VALUES (?, 'model', ?, now(), 1)", [[i, t] for i, t in zip(ids, cards_text, strict=False)])
    return db, ids


@pytest.mark.timeout(180)
@pytest.mark.parametrize("parallel", [False, True])
def test_the_card_pass_grades_every_card_and_assess_leaves_the_store_unchanged(cli, tmp_path: Path,
                                                                               parallel: bool) -> None:
    from openscope.derive.openness import refresh, refresh_cards, refresh_metadata
    from openscope.store import open_store

    db, ids = _store_with_cards(cli, tmp_path, HOSTILE_CARDS)
    with open_store(db) as store:
        if parallel:  # the card pass in worker processes (as at scale)
            refresh_metadata(store, 1)
            assert refresh_cards(store, 1, parallel_from=1) == len(HOSTILE_CARDS)
        else:  # the registered derive step itself
            assert refresh(store)["cards"] == len(HOSTILE_CARDS)
        rows = store.con.execute("SELECT id, count(*), count(DISTINCT method), min(method) FROM openness "
                                 "GROUP BY id ORDER BY id").fetchall()
        grades = {g for (g,) in store.con.execute(
            "SELECT DISTINCT grade FROM openness WHERE framework = 'osai' AND dimension <> 'score'").fetchall()}
    assert {r[0] for r in rows} == set(ids)  # every model has rows; the card models graded from their cards
    assert all(r[3] == "card" for r in rows if r[0] != "org/plain")
    assert grades <= GRADES
    before = db.read_bytes()
    for i in (ids[0], ids[4], ids[-1], "ORG/M5"):
        _check_doc(_assess(cli, db, i, what=i))
    assert db.read_bytes() == before, "assess ID wrote to the store"


@FAST
@given(texts=st.lists(cards().map(lambda b: b.decode("utf-8", "replace")), min_size=1, max_size=6))
@pytest.mark.timeout(300)
def test_any_cards_in_the_store_are_all_graded(cli, tmp_path_factory, empty_store, texts: list[str]) -> None:
    """Cards as a crawl stores them (text, never bytes): the card pass grades every one, in the vocabulary."""
    from openscope.derive.openness import refresh_cards
    from openscope.store import open_store

    d = tmp_path_factory.mktemp("store")
    db, ids = _store_with_cards(cli, d, [t.replace("\x00", "") for t in texts], empty_store)
    with open_store(db) as store:
        assert refresh_cards(store, 1, ids[:-1], parallel_from=10**9) == len(texts)
        got = store.con.execute("SELECT id, grade FROM openness WHERE method = 'card' AND framework = 'osai' "
                                "AND dimension <> 'score'").fetchall()
    assert {i for i, _ in got} == set(ids[:-1])
    assert {g for _, g in got} <= GRADES


def test_a_card_that_raises_loses_only_its_own_grades(tmp_path: Path) -> None:
    """An assessment that raises (here: a record the probes cannot read, built directly) is left out of
    the batch, with its metadata rows kept; the other cards of the batch are graded."""
    from openscope.derive.openness import _grade_batch

    good = from_text("org/good", "---\nlicense: mit\n---\n# Model\n")
    bad = ModelRecord(id="org/bad", locator="x", read_at="2024-01-01")
    bad.files = None  # type: ignore[assignment]  # not a list: every file probe raises on it
    rows, failed = _grade_batch([good, bad, from_text("org/good2", "# M\n")], 1)
    assert [i for i, _ in failed] == ["org/bad"] and failed[0][1]  # with why
    assert {r[1] for r in rows} == {"org/good", "org/good2"}


def test_a_card_left_out_by_the_card_pass_is_a_reject_with_its_reason(cli, tmp_path: Path, monkeypatch) -> None:
    """The loss is visible: the card pass writes a ``rejects`` row (source ``openness``, the model id, why) for
    a card it could not assess, keeps that model's metadata rows and grades the others. The failure is
    injected into the assessment of one model (no stored card has been found that makes it raise)."""
    import openscope.derive.openness as step
    from openscope.store import open_store

    db, ids = _store_with_cards(cli, tmp_path, ["# A\n", "# B\n", "# C\n"])
    real = step.assess_record

    def failing(rec: ModelRecord) -> Any:
        if rec.id == ids[1]:
            raise ValueError("a parser gave up\nsecond line")
        return real(rec)

    monkeypatch.setattr(step, "assess_record", failing)
    with open_store(db) as store:
        step.refresh_metadata(store, 1)
        assert step.refresh_cards(store, 1, ids[:3], parallel_from=10**9) == 2
        rejects = store.con.execute("SELECT source, locator, reason FROM rejects WHERE source = 'openness'").fetchall()
        graded = {r[0] for r in store.con.execute("SELECT DISTINCT id FROM openness WHERE method = 'card'").fetchall()}
        meta = store.con.execute("SELECT count(*) FROM openness WHERE id = ? AND method <> 'card'", [ids[1]]).fetchone()[0]
    assert rejects == [("openness", ids[1], "card not assessed: ValueError: a parser gave up")]
    assert graded == {ids[0], ids[2]} and meta > 0


@pytest.mark.timeout(120)
def test_a_batch_that_fails_in_the_pool_is_halved_until_the_bad_card_is_alone() -> None:
    """A batch that cannot be graded in a worker (here: a record that cannot even be sent to one, as a
    worker that dies loses its batch) is halved and retried in a fresh pool; only that record is lost."""
    from openscope.derive.openness import _grade_batch, _graded_parts

    good = [from_text(f"org/good{i}", f"---\nlicense: mit\n---\n# Model {i}\n") for i in range(4)]
    bad = from_text("org/bad", "# M\n")
    bad.cache["unpicklable"] = lambda: None
    parts, failed = _graded_parts([[good[0], bad, good[1]], [good[2], good[3]]], 1, 2, _grade_batch)
    rows = [row for part in parts for row in part]
    assert [i for i, _ in failed] == ["org/bad"]
    assert {r[1] for r in rows} == {g.id for g in good}
    assert len(rows) == 4 * len({(r[2], r[3]) for r in rows})  # every good card, with all its rows


# --- regular-expression blow-ups (ReDoS) -----------------------------------------------------------------

# Patterns applied only with ``.match`` at one position (searching them from every position is quadratic
# by nature, and nothing does): the heading line of a licence word, and the 60 characters after "open source".
MATCH_ONLY = {"license_declared.GENERIC_HEADING", "open_source_claim.OTHER_THING", "declared_base.ABOUT_DOCS",
              "open_source_claim.TAGLINE", "open_source_claim.URL_AFTER",
              # matched at a line's start (a licence label, a list item) or over a whole section title
              "license_declared._LABEL_ONLY", "license_declared._ITEM", "data_card.DATASHEET_TOPIC"}
# Patterns searched only in a bounded slice (the 160 characters before a mention of "open source"; the list of
# names before a dataset mention, searched in the 160 characters before it by datasets_released._negated)
BOUNDED_SLICE = {"open_source_claim.SELF_BEFORE", "open_source_claim.THING_SELF", "open_source_claim.FUTURE",
                 "datasets_released._LIST_BEFORE",
                 # run at one position of the 200 characters before a base declaration's verb
                 "declared_base._COPULA_THEN_VERB", "declared_base._PART_SUBJECT"}


def _patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern of the openness package, by ``module.NAME`` (and the licence name lists)."""
    out: dict[str, re.Pattern[str]] = {}
    for m in pkgutil.walk_packages(openness_pkg.__path__, openness_pkg.__name__ + "."):
        mod = importlib.import_module(m.name)
        for k, v in vars(mod).items():
            if isinstance(v, re.Pattern) and v.pattern:
                out.setdefault(f"{m.name.rsplit('.', 1)[-1]}.{k}", v)
        for k, v in vars(mod).items():  # patterns kept in lists of (name, pattern) or in dicts
            pairs = v.items() if isinstance(v, dict) else v if isinstance(v, list) else ()
            for pair in pairs:
                if isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[1], re.Pattern) \
                        and not isinstance(pair[0], int):  # tables by id(): named below, or caches
                    out.setdefault(f"{m.name.rsplit('.', 1)[-1]}.{k}[{pair[0]}]", pair[1])
    # the English side of each bilingual pattern (searched alone in texts without Chinese), named after it: a
    # test id stays the same from run to run, and caches filled by earlier calls are not collected
    from openscope.derive.openness import probes

    by_id = {id(rx): name for name, rx in out.items()}
    for key, english in list(probes._ENGLISH.items()):
        if key in by_id:
            out.setdefault(f"{by_id[key]}[english]", english)
    return out


PATTERNS = _patterns()
WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")
GENERIC_UNITS = [" ", "a", "-", ".", "/", "[", "](", "<a href='", "http://", "#", "`", "\t", "a ", "_", "|", "=", ":",
                 "0", "(", "*", "\n", " \n", "'", '"', "<", "github.com/", "step", "x-"]


def _units(rx: re.Pattern[str]) -> list[str]:
    """Runs that the pattern's quantifiers accept: its own words and near-misses of them, and the
    characters that markdown, URLs, tables and numbers are made of."""
    words = sorted({w.lower() for w in WORD.findall(rx.pattern)})[:40]
    return GENERIC_UNITS + [v for w in words for v in (w + " ", w, w[:-1] + " ", w + "-", w + "0", w + "/")]


def _timed(fn: Any, text: str, runs: int) -> float:
    """Best CPU time of this thread over ``runs`` calls: unlike the wall clock it does not count the time other
    processes on the machine take from us, so a loaded machine cannot make linear code look quadratic."""
    best = float("inf")
    for _ in range(runs):
        t0 = time.thread_time()
        fn(text)
        best = min(best, time.thread_time() - t0)
    return best


SUPER_LINEAR = 50   # t(16n) / t(n): linear code gives about 16 (4 per 4x step), quadratic about 256


def _super_linear(fn: Any, make: Any, n: int, floor: float) -> tuple[float, float] | None:
    """(t(n), t(16n)) when the time grows much faster than the size (two 4x steps), else None. Times below
    ``floor`` are not compared (the clock and other processes cannot tell growth from noise there); a suspect
    is timed again, best of three, before it counts."""
    small, large = make(n), make(16 * n)
    fn(small)  # warm-up: first calls load caches (curated facts, compiled patterns)
    t1, t16 = _timed(fn, small, 1), _timed(fn, large, 1)
    if t16 <= SUPER_LINEAR * max(t1, floor):
        return None
    t1, t16 = _timed(fn, small, 3), _timed(fn, large, 3)
    return (round(t1, 4), round(t16, 4)) if t16 > SUPER_LINEAR * max(t1, floor) else None


def test_every_probe_pattern_is_listed() -> None:
    """The list is built from the modules, so a new probe's patterns are checked without being named here;
    every module that compiles a pattern has it listed (none hides one inside a function)."""
    listed = {n.split(".")[0] for n in PATTERNS}
    for m in pkgutil.walk_packages(openness_pkg.__path__, openness_pkg.__name__ + "."):
        src = Path(importlib.import_module(m.name).__file__ or "").read_text("utf-8")
        short = m.name.rsplit(".", 1)[-1]
        if "re.compile(" in src:
            assert short in listed, short
    assert "evaluation_results.RESULTS_TABLE" in PATTERNS and "cards._HTML_LINK" in PATTERNS
    assert set(PATTERNS) >= (MATCH_ONLY | BOUNDED_SLICE)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_probe_pattern_is_linear(name: str) -> None:
    """2,000 vs 32,000 characters of each run the pattern accepts: the time may grow about 16x, not 256x.
    Patterns only used at one position are timed with ``match``; those only searched in a bounded slice
    are run on that slice's size (their cost per mention is bounded)."""
    rx = PATTERNS[name]
    fn = rx.match if name in MATCH_ONLY else rx.search
    slow = []
    for u in _units(rx):
        if name in BOUNDED_SLICE:
            fn(u * max(1, 160 // len(u)))  # bounded: a run of the slice's size is the whole cost, and it ends
            continue
        hit = _super_linear(fn, lambda k, u=u: u * max(1, k // len(u)), 2000, 0.0003)
        if hit:
            slow.append((u, *hit))
    assert not slow, (name, "grows super-linearly on", slow)


ADVERSARIAL_CARDS = {
    "pipes": lambda n: "## Results\n| MMLU " + "|" * n + "\n",
    "pipes-no-keyword": lambda n: "|" * n + "\n" + "| acc " * (n // 6) + "\n",
    "html-links": lambda n: "<a href='" * (n // 9),
    "html-links-no-close": lambda n: "<a href=\"http://x\" " * (n // 19),
    "hashes": lambda n: "#" * n + " license x\n",
    # a long line, then enough needles that the probe searches the whole card (not windows around them)
    "spaces-training-field": lambda n: " " * n + "x\n" + "github " * (n // 350),
    "digits": lambda n: "0" * n + "x\n" + "checkpoint " * (n // 350),
    "pipes-alone": lambda n: "|" * n + "\n",
    "model-path": lambda n: "model" * (n // 5),
    "prepare": lambda n: "prepare-" * (n // 8),
    "declares": lambda n: "fine-tuned from " * (n // 16),
    "open-source": lambda n: "open-source " * (n // 12),
    "brackets": lambda n: "[" * n + "](" * n,
    "urls": lambda n: "https://github.com/" + "a" * n,
    "licence-words": lambda n: "license licence apache mit " * (n // 27),
    "one-line-mix": lambda n: ("| MMLU acc score [x](y) <a href='http://z'> open-source fine-tuned from "
                               "python train.py checkpoint 100 ") * (n // 110),
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(ADVERSARIAL_CARDS))
def test_whole_assessment_stays_linear(name: str) -> None:
    """The assessment of a card built to stress the probes (100 KB without a newline at 16n) grows about
    linearly with the card: n vs 16n (two 4x steps) within this run, as a loose ratio."""
    make = ADVERSARIAL_CARDS[name]

    def assess(text: str) -> None:
        rec = from_text("org/x", text)  # the text is also a file name (a store holds any path)
        rec.files = [(text + ".py", 1), (text + ".bin", 1), ("a/" * 2000 + "model.safetensors", 1)]
        assess_record(rec)

    hit = _super_linear(assess, make, 6250, 0.005)
    assert hit is None, (name, "grows super-linearly", hit)
