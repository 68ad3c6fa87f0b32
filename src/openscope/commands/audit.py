"""`openscope audit PATH`: static audit of model files (see docs/audit.md and :mod:`openscope.audit`)."""

from __future__ import annotations

import errno
import json
import os
import textwrap
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from openscope.commands._common import (
    decide_exit,
    err_console,
    nonblank_output,
    nonblank_path,
    out_console,
    print_json,
    refuse_store_as_output,
    settings,
    shown_text,
    warn,
)
from openscope.errors import MissingInput, StoreWriteError, UsageError

if TYPE_CHECKING:  # imported lazily at run time: the audit engine loads only for `audit`
    from openscope.audit.engine import Report


class FailOn(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
_VERDICT_STYLE = {"clean": "bold green", "review": "bold yellow", "unsafe": "bold red", "incomplete": "bold magenta"}


def register(app: typer.Typer) -> None:
    @app.command("audit")
    def audit(
        ctx: typer.Context,
        path: Path = typer.Argument(..., parser=nonblank_path, metavar="PATH", help="A model file or folder (scanned recursively)."),
        fail_on: FailOn = typer.Option(FailOn.high, "--fail-on", case_sensitive=False,
                                       help="Exit 1 when a finding is at or above this severity."),
        sarif: Path | None = typer.Option(None, "--sarif", parser=nonblank_output, metavar="FILE", help="Also write the findings as SARIF 2.1.0 to FILE."),
        model_id: str | None = typer.Option(None, "--model-id", metavar="ID",
                                     help="Store the findings in audit_findings (in --db) against this model id."),
    ) -> None:
        """Audit model files without executing them: pickles (PyTorch, joblib, NumPy), Keras, TensorFlow, TFLite,
        TF.js, GGUF (and its chat template), safetensors, ONNX, HDF5, archives, native code and links that leave the
        folder."""
        from openscope.audit import exit_code, scan_path
        from openscope.audit.sarif import to_sarif

        s = settings(ctx)
        if model_id is not None and (not model_id.strip() or shown_text(model_id) != model_id):
            # `--model-id "$ID"` with ID unset stored nothing, silently; a blank id or one with control characters
            # (which the store refuses from any dump) was stored as given
            raise UsageError(f"--model-id {shown_text(model_id)!r} is blank or holds control characters; give the "
                             "model's id")
        if not os.path.lexists(path):  # False, not an OSError, for a name longer than the system allows
            name = str(path)
            raise MissingInput(f"no such file or folder: {name if len(name) <= 200 else name[:200] + '…'}")
        if os.path.islink(path) and not os.path.exists(path):
            raise MissingInput(_broken_link(path))
        if sarif is not None:
            refuse_store_as_output("--sarif", sarif)
        report = scan_path(path)
        if sarif is not None:
            overwritten = _audited_model_file(sarif, path, report)
            if overwritten is not None:
                raise UsageError(f"--sarif {_clip(str(sarif))} is {overwritten}, a file this audit just read; writing "
                                 "the SARIF there would replace it: give another file")
            try:
                sarif.write_text(json.dumps(to_sarif(report), indent=2), encoding="utf-8")
            except OSError as exc:
                raise StoreWriteError(f"cannot write SARIF file {sarif}: {exc.strerror or exc}")
        if model_id:
            from openscope.audit.store import store_report
            from openscope.commands._common import open_for_write

            with open_for_write(s) as store:
                store_report(store, model_id, report)
        code = exit_code(report.findings, fail_on.value)
        decide_exit(code)  # the verdict's code stands even if the reader of the report goes away (`| head`)
        if not report.files and path.is_dir():
            # `clean` of nothing: a failed download leaves an empty folder, and `clean` alone reads as "safe to load"
            warn(s, f"{_clip(str(path))} holds no file: nothing was audited")
        if s.json:
            print_json(report.to_json())
        elif not s.quiet:
            _print(report)
        if code:
            raise typer.Exit(code)


def _audited_model_file(sarif: Path, target: Path, report: Report) -> str | None:
    """The audited file of a model format that ``--sarif`` names (e.g. ``pytorch_model.bin (pickle)``), or None.

    Why: ``audit DIR --sarif DIR/pytorch_model.bin`` replaced the pickle it had just reported with the SARIF, the
    evidence gone. A SARIF file in the audited folder stays allowed, also when a run replaces an earlier run's (JSON,
    no model format: ``audit . --sarif audit.sarif`` in a repository, run again)."""
    try:
        if not sarif.is_file():
            return None
        single = target.is_file()
        for e in report.files:
            if e.format in NOT_MODEL or e.same_as is not None:
                continue
            if os.path.samefile(target if single else target / e.file, sarif):
                return f"{shown_text(e.file)} ({shown_text(e.format)})"
    except (OSError, ValueError):  # a name that cannot be looked up again: not the file --sarif names
        return None
    return None


def _clip(text: str) -> str:
    return shown_text(text if len(text) <= 200 else text[:200] + "…")


def _broken_link(path: Path) -> str:
    """The one-line error for a broken link given as the target: what it names and why nothing is there. Why an
    error and not an ``incomplete`` report, as before: the user named nothing that exists, as with a missing path
    (exit 66); inside a folder, a broken link is one file among others and stays ``incomplete.unreadable``."""
    try:
        to = os.readlink(path)
    except OSError:
        to = "?"
    try:
        os.stat(path)
        why = "not readable"
    except OSError as exc:
        why = "a link loop" if exc.errno == errno.ELOOP else "no such file or folder"
    return f"{_clip(str(path))} is a broken symbolic link (to '{_clip(to)}': {why}); nothing to audit"


def shown(s: str) -> str:
    """Attacker-chosen text (file, member and imported names, details) made safe for a terminal: control
    characters and bidirectional controls escaped (:func:`shown_text`), then rich markup escaped (a name like "[/]" ended
    the command with a MarkupError)."""
    return escape(shown_text(s))


_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
NOT_MODEL = ("other", "json", "empty")
# The verdict in words for a reader deciding whether the files may be loaded (docs/audit.md, "JSON shape and
# verdict"); a static check never proves safety, and the words say so.
VERDICT_WORDS = {
    "clean": "nothing found that would run code when these files are loaded (a static check: it lowers "
             "the risk, it cannot prove safety)",
    "review": "the findings above need a person's judgement before anyone loads these files",
    "unsafe": "do not load {files}: loading {them} (e.g. with torch.load or pickle) can run code on the "
              "computer that loads {them}; files with no finding are not affected; prefer formats that hold "
              "only data, such as safetensors",
    "incomplete": "some content could not be scanned; treat {files} as unsafe until they are checked",
}


def _files_table(report: Report) -> Table:
    """Every file with its format and what the scan found in it, so a reader sees which files are fine
    and which are not (the findings above say why)."""
    worst: dict[str, str] = {}
    count: dict[str, int] = {}
    for f in report.findings:
        count[f.file] = count.get(f.file, 0) + 1
        if f.file not in worst or _RANK[f.severity] > _RANK[worst[f.file]]:
            worst[f.file] = f.severity
    t = Table(title="files checked", title_justify="left", box=None, show_header=True, pad_edge=False)
    t.add_column("file", overflow="fold", ratio=3)
    t.add_column("format", no_wrap=True)
    t.add_column("result", ratio=2)
    for e in report.files:
        if e.same_as is not None:  # another name of a file (a link): shown only when that file has findings
            if e.same_as not in count:
                continue
            n = count[e.same_as]
            result = Text(f"same file as {shown_text(e.same_as)}: {n} finding{'s' if n > 1 else ''} "
                          f"({worst[e.same_as]})", style=_STYLE[worst[e.same_as]])
        elif e.file in count:
            n = count[e.file]
            result = Text(f"{n} finding{'s' if n > 1 else ''} ({worst[e.file]})", style=_STYLE[worst[e.file]])
        elif e.format in NOT_MODEL:
            continue  # listed with --json; counted in the summary line: a download cache can hold dozens
        else:
            result = Text("no finding", style="green")
        t.add_row(Text(shown_text(e.file)), Text(shown_text(e.format)), result)
    return t


def _detail_lines(detail: str, width: int) -> str:
    """A finding's detail under its rule, indented and wrapped at word boundaries to the console's width.

    Why: a pickle finding's detail (the opcode, the call and why the import is denied) runs to 140 characters, and the
    terminal folded it at column 80 in the middle of a word, back at column 1 under the severity column. A word longer
    than the line (a member path, a URL) is kept whole: a reader copies it."""
    indent = " " * 9
    return textwrap.fill(detail, width=max(width, 40), initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or indent


def _print(report: Report) -> None:
    out = out_console()
    for f in report.findings:
        where = shown(f.file + (f"!{f.member}" if f.member else "") + (f" @{f.offset}" if f.offset is not None
                                                                       else ""))
        imp = f"  {shown(f.import_)}" if f.import_ else ""
        # the place goes on a line of its own when the heading would run past the console's width
        fits = Text.from_markup(f"{f.severity:<8} {f.rule}{imp}  {where}").cell_len <= out.width
        out.print(f"[{_STYLE[f.severity]}]{f.severity:<8}[/] {f.rule}{imp}" + (f"  [dim]{where}[/]" if fits
                  else f"\n         [dim]{where}[/]"), highlight=False, soft_wrap=True)
        out.print(_detail_lines(shown_text(f.detail), out.width), markup=False, highlight=False, soft_wrap=True)
    if any(e.format not in NOT_MODEL or e.file in {f.file for f in report.findings} for e in report.files):
        out.print(_files_table(report))
    n = len(report.counted)  # each file once (docs/audit.md, "One file, several names")
    size = sum(e.bytes for e in report.counted)
    others = sum(1 for e in report.counted if e.format in NOT_MODEL)
    names = len(report.files) - n
    via = f" (a symbolic link to {shown(report.link)})" if report.link is not None else ""
    out.print(f"[{_VERDICT_STYLE[report.verdict]}]{report.verdict}[/] {shown(report.target)}{via}: {n} file(s), {size:,} bytes, "
              f"{len(report.findings)} finding(s)" + (f"; {others} file(s) of no model format (not scanned for code) listed with --json"
                                                       if others else "")
              + (f"; {names} other name(s) of these files (links), each file read once" if names else ""))
    if report.verdict == "unsafe":
        bad = sorted({f.file for f in report.findings if f.severity in ("high", "critical")})
    else:
        bad = sorted({f.file for f in report.findings if f.incomplete})
    files = (", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")) if bad else "these files"
    them = "it" if len(bad) == 1 else "them"
    out.print(Text("what this means: " + VERDICT_WORDS[report.verdict].format(files=shown_text(files), them=them)))
    if report.verdict == "incomplete":
        err_console().print("openscope: warning: some content could not be scanned; see the incomplete.* findings",
                            markup=False)
