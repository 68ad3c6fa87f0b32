"""Bare canonical ids: a base declared as ``bert-base-uncased`` is the Hub's ``google-bert/bert-base-uncased``.

Why: in January 2024 the Hub moved the repositories it had published without a namespace (its "canonical"
models) under organisation namespaces made for the purpose, and redirects the old ids to the new ones
(huggingface/transformers PR #28795). Cards written before still declare the bare id. Read literally, such a
declaration makes an external node ``bert-base-uncased`` beside the stored ``google-bert/bert-base-uncased``:
one base split in two, half of it without a publisher.

The rule, exact as the Hub redirects: a declared parent without a namespace ``X`` that matches no store id
(case-insensitively) resolves to the stored ``<ns>/X`` for ``<ns>`` one of the namespaces in
``openscope/data/canonical/namespaces.csv`` (matched case-insensitively, as the Hub matches), when exactly
one such namespace holds it. Only namespaces made for the move are listed: each holds moved repositories
only, so ``<ns>/X`` is the redirect target of ``X``. A bare id with no such stored model stays external as
declared: without the model in the store we cannot tell which namespace the Hub sends it to, and mapping it
by a guessed name would invent a node.
"""

from __future__ import annotations

from openscope.data.canonical import data_file, namespaces
from openscope.derive.lineage.publishers import namespace_expr

__all__ = ["data_file", "in_canonical_ns", "name_expr", "namespaces", "sql_list"]


def sql_list() -> str:
    """The namespaces as an SQL list literal (``'albert', 'distilbert', ...``); curated ids, no quotes in them."""
    return ", ".join("'" + ns.replace("'", "''") + "'" for ns in namespaces())


def in_canonical_ns(col: str) -> str:
    """SQL: true when the Hub id in ``col`` lies in a canonical-move namespace."""
    return f"({namespace_expr(col)} IN ({sql_list()}))"


def name_expr(col: str) -> str:
    """SQL for the lower-cased name part of a namespaced Hub id (the text after the first ``/``)."""
    return f"lower(substr({col}, strpos({col}, '/') + 1))"
