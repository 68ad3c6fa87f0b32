"""The commands that only read the store start without the HTTP stack: importing httpx and the Hub client costs about
0.2 s, a fifth of ``lineage --down``'s one-second budget (docs/benchmarks.md). Only ``crawl`` and ``simhub`` talk
HTTP; a status count the crawl also reports lives in the store layer (``store/card_waits.py``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

READ_ONLY = ("status", "lineage", "model", "license", "sql", "assess")


@pytest.mark.parametrize("command", READ_ONLY)
def test_a_read_only_command_module_loads_no_http_client(command: str) -> None:
    code = (f"import sys, openscope.cli, openscope.commands.{command}; "
            "print(','.join(sorted(m for m in ('httpx', 'httpcore', 'huggingface_hub', 'openscope.jobs.crawl', "
            "'openscope.sources.hub') if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"openscope.commands.{command} imports {out}"


def test_status_counts_waiting_cards_from_the_store_layer() -> None:
    from openscope.commands import status
    from openscope.store import card_waits

    assert status.deferred_readmes is card_waits.deferred_readmes
    assert status.deferred_cards is card_waits.deferred_cards
