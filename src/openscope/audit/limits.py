"""Bounds that keep a hostile file from turning a scan into a hang or an out-of-memory kill.

Every loop over attacker-controlled counts is bounded by these numbers *and* by the bytes left in the
input; hitting a bound yields an ``incomplete.*`` finding instead of a silent stop.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_depth: int = 6  # nested archives / nested pickles
    max_member_bytes: int = 2 << 30  # one decompressed member
    max_total_bytes: int = 8 << 30  # everything decompressed in one scan
    max_ratio: int = 200  # decompressed / compressed, above which a big member is a bomb
    ratio_floor: int = 64 << 20  # the ratio check applies only above this many output bytes
    max_pickle_ops: int = 20_000_000  # opcodes per pickle stream
    max_streams: int = 64  # stacked pickles per file
    max_members: int = 100_000  # archive members
    max_stack: int = 2_000_000  # pickle stack, memo and mark-stack entries (each)
    in_memory_bytes: int = 32 << 20  # decompressed data above this spills to a temporary file
    max_files: int = 1_000_000  # files in folder mode


DEFAULT_LIMITS = Limits()
