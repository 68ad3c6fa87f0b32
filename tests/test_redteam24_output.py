"""Twenty-fourth red team: what happens to the exit code when stdout or stderr cannot be written.

Real processes (``python -m openscope.cli``, the console script's path): the cases are about file descriptors the
shell hands over (a pipe whose reader is gone, a closed descriptor, a full device), which an in-process call cannot
have. Found by hand: ``openscope audit DIR | head -1`` exited 0 for an unsafe folder (the verdict's 1 was lost when
the reader went away), ``--json`` with stdout closed and any output to a full disk were internal errors (70), and an
error line that could not be written turned every exit code into 1 ("a check failed").
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# A protocol-0 pickle whose GLOBAL names posix.system: written as bytes, never loaded (docs/audit.md).
PAYLOAD = b"cposix\nsystem\n(S'echo openscope-redteam24'\ntR."


@pytest.fixture
def unsafe(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "pytorch_model.bin").write_bytes(PAYLOAD)
    return folder


def _run(args: list[str], stdout: int | None, stderr: int | None = subprocess.PIPE,
         preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "openscope.cli", *args], stdout=stdout, stderr=stderr,
                          preexec_fn=preexec, timeout=120, check=False)


def _gone_reader() -> tuple[int, int]:
    """A pipe whose reading end is closed before anything is written: every write meets EPIPE, whatever the
    output's size (a reader that read one line and left, as ``| head -1`` does)."""
    r, w = os.pipe()
    os.close(r)
    return r, w


@pytest.mark.parametrize("json_out", [False, True])
def test_audit_keeps_its_verdict_exit_code_when_the_reader_goes_away(unsafe: Path, json_out: bool) -> None:
    _, w = _gone_reader()
    try:
        p = _run([*(["--json"] if json_out else []), "audit", str(unsafe)], stdout=w)
    finally:
        os.close(w)
    assert p.returncode == 1, p.stderr
    assert b"Traceback" not in p.stderr


def test_a_clean_audit_and_a_read_command_still_exit_0_when_the_reader_goes_away(tmp_path: Path) -> None:
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "notes.txt").write_text("hello\n")
    for args in (["audit", str(tmp_path / "clean")], ["license", "mit"], ["--json", "license", "mit"]):
        _, w = _gone_reader()
        try:
            p = _run(args, stdout=w)
        finally:
            os.close(w)
        assert (p.returncode, p.stderr) == (0, b""), args


def _close_stdout() -> None:
    os.close(1)


@pytest.mark.parametrize("args", [["--json", "license", "mit"], ["license", "mit"]])
def test_a_closed_stdout_is_a_reader_that_went_away_not_an_internal_error(args: list[str]) -> None:
    p = _run(args, stdout=None, preexec=_close_stdout)
    assert p.returncode == 0, p.stderr
    assert b"internal error" not in p.stderr


def test_a_closed_stdout_keeps_the_audit_verdict(unsafe: Path) -> None:
    p = _run(["--json", "audit", str(unsafe)], stdout=None, preexec=_close_stdout)
    assert p.returncode == 1, p.stderr
    assert b"internal error" not in p.stderr


@pytest.mark.parametrize("args", [["--json", "license", "mit"], ["license", "mit"], ["--json", "audit", "{unsafe}"]])
def test_output_to_a_full_disk_is_one_line_and_73(args: list[str], unsafe: Path) -> None:
    with open("/dev/full", "wb") as full:
        p = _run([a.format(unsafe=unsafe) for a in args], stdout=full.fileno())
    lines = p.stderr.decode().splitlines()
    assert p.returncode == 73, p.stderr
    assert len(lines) == 1 and lines[0].startswith("openscope: error: cannot write the output"), lines
    assert "No space left on device" in lines[0]


def test_an_error_line_that_cannot_be_written_keeps_its_exit_code(tmp_path: Path) -> None:
    with open("/dev/full", "wb") as full:
        p = _run(["--db", str(tmp_path / "none.duckdb"), "model", "a/b"], stdout=subprocess.PIPE, stderr=full.fileno())
    assert p.returncode == 66


def test_a_warning_that_cannot_be_written_does_not_fail_the_command(tmp_path: Path) -> None:
    (tmp_path / "rel").mkdir()  # no README.md: assess warns, then grades
    with open("/dev/full", "wb") as full:
        p = _run(["--db", str(tmp_path / "none.duckdb"), "--json", "assess", str(tmp_path / "rel")],
                 stdout=subprocess.PIPE, stderr=full.fileno())
    assert p.returncode == 0
    assert b'"osaid"' in p.stdout


def test_a_crawl_whose_log_reader_goes_away_still_crawls_to_the_end(tmp_path: Path) -> None:
    """`openscope crawl … 2>&1 | head -1`: the crawl stopped at its first log line, its snapshot left `running`
    with nothing stored, and exited 0. The log is diagnostics: the crawl goes on and exits as it ends."""
    import json

    from openscope.simhub.testing import running_simhub

    db = tmp_path / "s.duckdb"
    with running_simhub(models=80, datasets=5, seed=24) as hub:
        for stream in ("stderr", "both"):
            _, w = _gone_reader()
            try:
                p = _run(["--db", str(db), "crawl", "--endpoint", hub.url, "--no-derive", "--full"],
                         stdout=w if stream == "both" else subprocess.DEVNULL, stderr=w)
            finally:
                os.close(w)
            assert p.returncode == 0
            status = _run(["--db", str(db), "--json", "status"], stdout=subprocess.PIPE)
            doc = json.loads(status.stdout)
            assert doc["models"] == 80 and doc["last_snapshot"]["status"] == "complete", doc


def test_an_error_line_whose_reader_went_away_keeps_its_exit_code(tmp_path: Path) -> None:
    _, w = _gone_reader()
    try:
        p = _run(["--db", str(tmp_path / "none.duckdb"), "model", "a/b"], stdout=subprocess.PIPE, stderr=w)
    finally:
        os.close(w)
    assert p.returncode == 66


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_stdout_that_is_not_utf8_gets_the_answer_not_an_internal_error(tmp_path: Path, encoding: str) -> None:
    """A terminal or pipe in another encoding (an old Latin-1 locale, PYTHONIOENCODING=ascii, a Windows console):
    `license llama3.1`, `model`, `lineage` and their --json twins were internal errors (70) on the first `–` or `↳`.
    The JSON stays exact (characters escaped as \\uXXXX); the text shows what cannot be encoded as `?`."""
    import json

    from openscope.cli import main

    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps({"id": "org/m", "pipeline_tag": "text–generation ↳ é"}) + "\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    assert main(["--db", str(db), "--quiet", "ingest", str(src)]) == 0

    def run(enc: str, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "openscope.cli", "--db", str(db), *args], capture_output=True,
                              env={**os.environ, "PYTHONIOENCODING": enc}, timeout=120, check=False)

    utf8 = run("utf-8", "--json", "model", "org/m")
    p = run(encoding, "--json", "model", "org/m")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout.decode(encoding)) == json.loads(utf8.stdout.decode("utf-8"))
    assert json.loads(p.stdout.decode(encoding))["metadata"]["pipeline_tag"] == "text–generation ↳ é"
    for args in (["model", "org/m"], ["license", "llama3.1"], ["lineage", "org/m"]):
        p = run(encoding, *args)
        assert p.returncode == 0, (args, p.stderr)
        assert p.stdout.decode(encoding).strip(), args
