"""How many cards ``crawl --cards`` leaves alone for now: READMEs, trees or licence files that could not be read,
not to be asked again before their retry date unless the repository's commit changes (docs/crawl.md).

Why in the store layer: ``status`` reports these counts, and a read-only command must not import the crawl (and
with it the HTTP client) just to count rows; the crawl reads the same counts from here.
"""

from __future__ import annotations

from openscope.store.db import Store

_REPO_TABLES = {"model": "models", "dataset": "datasets"}


def _table(repo_type: str) -> str:
    if repo_type not in _REPO_TABLES:
        raise ValueError(f"repository type {repo_type!r}: model or dataset")
    return _REPO_TABLES[repo_type]


def deferred_cards(store: Store, repo_type: str = "model") -> int:
    """Cards whose tree or licence files could not be read and that are not asked again yet (``retry_at`` to come,
    the commit unchanged): what ``--cards`` leaves alone this run."""
    return int(store.scalar(
        f"""SELECT count(*) FROM cards c JOIN {_table(repo_type)} m ON m.id = c.id AND m.deleted_at IS NULL
            WHERE c.repo_type = ? AND c.license_files_at IS NULL AND c.retry_at > now()::TIMESTAMP
              AND (m.sha IS NULL OR c.sha IS NOT DISTINCT FROM m.sha)""", [repo_type]) or 0)


def deferred_readmes(store: Store, repo_type: str = "model") -> int:
    """Repositories whose README could not be read and that are not asked again yet (``card_attempts.retry_at`` to
    come, the listing's commit unchanged): what ``--cards`` leaves alone this run, and no call is spent on."""
    return int(store.scalar(
        f"""SELECT count(DISTINCT a.id) FROM card_attempts a JOIN {_table(repo_type)} m
                 ON m.id = a.id AND m.deleted_at IS NULL
            WHERE a.repo_type = ? AND a.retry_at > now()::TIMESTAMP AND a.sha IS NOT DISTINCT FROM m.sha""",
        [repo_type]) or 0)
