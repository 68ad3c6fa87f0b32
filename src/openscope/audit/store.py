"""Storing an audit in ``audit_findings`` (and its verdict in ``audit_runs``) against a model id.

A re-audit of the same model and target replaces the previous rows in one transaction, so the store
always holds the latest complete audit and never half of one. ``audit_runs.link_to`` (migration 0017) keeps the
resolved path when the target was a symbolic link, as ``--json`` and SARIF say it. ``files`` and ``bytes`` count
each file once, as ``--json``'s summary does (another name of a file, ``same_as``, is not counted again).
"""

from __future__ import annotations

import datetime as dt

from openscope.audit.engine import Report
from openscope.audit.findings import utf8
from openscope.store import Store


def store_report(store: Store, model_id: str, report: Report) -> int:
    """Write the report's findings; returns how many rows were written."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [(model_id, report.target, f.file, f.member, f.offset, f.rule, f.severity, f.import_, f.detail, now)
            for f in report.findings]
    with store.transaction() as con:
        con.execute("DELETE FROM audit_findings WHERE model_id = ? AND target = ?", [model_id, report.target])
        con.execute("DELETE FROM audit_runs WHERE model_id = ? AND target = ?", [model_id, report.target])
        if rows:
            con.executemany(
                'INSERT INTO audit_findings (model_id, target, file, member, "offset", rule, severity, import, '
                "detail, scanned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute(
            "INSERT INTO audit_runs (model_id, target, verdict, files, bytes, findings, scanned_at, link_to) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [model_id, report.target, report.verdict, len(report.counted), sum(e.bytes for e in report.counted),
             len(rows), now, None if report.link is None else utf8(report.link)])
    return len(rows)
