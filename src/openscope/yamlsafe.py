"""YAML read with PyYAML's safe loader, in its C implementation when PyYAML was built with libyaml.

Why one place: the package's own data files (licence catalogue, rules, curated facts) and attacker-controlled
text (card front matter, files an audit reads) are all read with the safe constructors, never a full loader.
The C loader builds the same values as ``yaml.safe_load`` several times faster: the licence catalogue's two
files took about 0.5 s per process with the pure-Python loader, paid by every command that reads licences and
by every worker process of the openness grading.
"""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str | bytes) -> Any:
    """``yaml.safe_load(text)``, with the C loader when there is one (the same safe constructors)."""
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 - the safe loader, never a full one
