"""`openscope ingest PATH`: bulk-load API entries (JSONL, JSON array, the Hub's parquet dump)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from openscope.commands._common import (
    derive_refresh,
    err_console,
    escaped,
    nonblank_path,
    open_for_write,
    out_console,
    print_json,
    settings,
    warn,
)
from openscope.errors import InvalidInput, MissingInput
from openscope.jobs.ingest import ingest_file
from openscope.store import Store

# Models this ingest wrote that carry a dataset's tags (the Hub gives `task_categories:` and `size_categories:`
# to datasets) and none of a model's fields: all of them, and the file was a dump of datasets.
_DATASETS_AS_MODELS_SQL = """
SELECT count(*) AS written,
       count(*) FILTER (WHERE m.pipeline_tag IS NULL AND m.library_name IS NULL AND EXISTS (
           SELECT 1 FROM tags t WHERE t.repo_type = 'model' AND t.id = m.id
             AND (starts_with(t.tag, 'task_categories:') OR starts_with(t.tag, 'size_categories:'))))
FROM models m WHERE m.updated_snapshot_id = ?
"""


def _datasets_as_models(store: Store, snapshot_id: int) -> int:
    """How many entries this ingest stored as models look like datasets, when every one it wrote does
    (else 0). Why: `crawl --dump` writes datasets to `….datasets.jsonl`, and `ingest` of that file without
    `--datasets` stored 500 datasets as models without a word."""
    row = store.con.execute(_DATASETS_AS_MODELS_SQL, [snapshot_id]).fetchone()
    written, like = (int(row[0]), int(row[1])) if row else (0, 0)
    return written if written and like == written else 0


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest(
        ctx: typer.Context,
        path: Path = typer.Argument(..., parser=nonblank_path, metavar="FILE",
                                    help="A .jsonl(.gz), .json array or .parquet file of Hub API entries."),
        datasets: bool = typer.Option(False, "--datasets", help="The entries are datasets, not models."),
        run_derive: bool = typer.Option(True, "--derive/--no-derive",
                                        help="Recompute lineage, licences and openness afterwards."),
    ) -> None:
        """Load a bulk dump into a new `ingest` snapshot; unchanged entries are skipped."""
        s = settings(ctx)
        try:
            found = path.exists()
        except OSError as exc:  # a name the system refuses (`File name too long`): no such file (was exit 70)
            shown = str(path) if len(str(path)) <= 200 else str(path)[:200] + "…"
            raise MissingInput(f"no such file: {shown} ({exc.strerror})") from None
        if not found:
            raise MissingInput(f"no such file: {path}")
        with open_for_write(s) as store:
            store.set_resource_limits()
            try:
                if s.json or s.quiet:
                    res = ingest_file(store, path, repo_type="dataset" if datasets else "model")
                else:
                    with err_console().status(f"ingesting {path} …"):
                        res = ingest_file(store, path, repo_type="dataset" if datasets else "model")
            except InvalidInput as exc:
                if path.is_file() or path.is_dir():
                    raise
                # `cat d.jsonl | openscope ingest /dev/stdin` was "truncated or corrupt (… not seekable)": the dump is
                # fine, a pipe cannot be read twice (the format is sniffed from its head, then the file is read)
                raise InvalidInput(f"{exc}; {path} is a pipe (or a device), which ingest cannot read twice: save it to "
                                   "a file first") from None
            if not datasets and (n := _datasets_as_models(store, res.snapshot_id)):
                warn(s, f"the {n:,} entries stored as models look like datasets (task_categories: or "
                        f"size_categories: tags, no pipeline_tag or library_name); if {path} is a dump of "
                        "datasets, ingest it with --datasets (the models stored now stay)")
            if run_derive:
                derive_refresh(s, store)
        doc = res.contract()
        if s.json:
            print_json(doc)
            return
        if s.quiet:
            return
        # the title as its own line: as a table title it wrapped to the (narrow) width of the table
        out_console().print(f"ingest {escaped(path.name)} → snapshot #{res.snapshot_id}", highlight=False)
        t = Table(show_header=False, box=None)
        keys = ("format", "records", "changed", "rejects", "counters", "elapsed_s")
        if res.older_than_moves:  # only when it happened: the usual table is unchanged
            keys = (*keys[:5], "older_than_moves", keys[5])
        for k in keys:
            t.add_row(k, f"{doc[k]:,}" if isinstance(doc[k], int) else str(doc[k]))
        out_console().print(t)
        if res.older_than_moves:
            stats = "dataset_stats" if datasets else "model_stats"
            kind = "dataset" if datasets else "model"
            err_console().print(
                f"{res.older_than_moves:,} entries name ids a full crawl found the Hub redirecting to another id, and "
                f"nothing in {path.name} is newer than that crawl: the old ids stay moved (their counters are kept as "
                f"their history: openscope sql \"SELECT * FROM {stats} WHERE snapshot_id = {res.snapshot_id} AND id IN "
                f"(SELECT old_id FROM moves WHERE repo_type = '{kind}')\")",
                markup=False, highlight=False,
            )
        if res.rejects:
            err_console().print(
                f"{res.rejects} entries rejected; see them with: openscope sql \"SELECT * FROM rejects "
                f"WHERE snapshot_id = {res.snapshot_id}\"",
                markup=False,
            )
