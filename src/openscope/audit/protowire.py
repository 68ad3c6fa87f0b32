"""The protobuf wire format, read without a protobuf library: shared by the ONNX and TensorFlow readers.

Both formats are protobuf messages, and a model file must never be handed to a parser that allocates what
the file declares. This reader yields each field of one message as offsets into the blob (a length is
checked against the bytes of its enclosing message before it is used; nothing is copied or allocated from
it), so a hostile length, a truncated varint or an unknown wire type stops with :class:`Truncated`.

It reads what the loaders read, not only what the exporters write: a field key is decoded as protobuf's C++
parser decodes it (at most 5 bytes, the value cut to 32 bits, so a key padded with high bits is the field the
loader sees, not an unknown one), and a group (wire types 3 and 4, which neither ONNX nor TensorFlow writes)
is skipped whole, as every protobuf parser skips an unknown group, instead of ending the message: an unknown
group before a graph hid the graph from the reader while the loader read past it.
"""

from __future__ import annotations

from collections.abc import Iterator

from openscope.audit.blob import Blob, Truncated

MAX_GROUP_DEPTH = 100  # groups nested deeper than protobuf's default recursion limit do not load
MAX_GROUP_FIELDS = 100_000  # fields inside one group skipped before giving up (TooLarge)


class TooLarge(Truncated):
    """More than a reader's bound: the message may be well-formed, but was not read to its end (a caller
    that decides on what it saw must say it did not judge the rest, never that it is clean)."""
_U64 = (1 << 64) - 1


def varint(blob: Blob, p: int, end: int) -> tuple[int, int]:
    """The varint at ``p`` (relative to the blob) and the position after it; at most 10 bytes are read, and
    the value is cut to 64 bits as protobuf cuts it."""
    shift = 0
    val = 0
    while True:
        if p >= end or shift > 63:
            raise Truncated("bad varint")
        b = blob.data[blob.start + p]
        p += 1
        val |= (b & 0x7F) << shift
        if not b & 0x80:
            return val & _U64, p
        shift += 7


def tag(blob: Blob, p: int, end: int) -> tuple[int, int, int]:
    """(field number, wire type, position after) of the key at ``p``, decoded as protobuf's C++ parser does:
    at most 5 bytes, the value cut to 32 bits (``0x8a 0x80 0x80 0x80 0x10`` is field 1 of wire type 2)."""
    val = 0
    for i in range(5):
        if p >= end:
            raise Truncated("bad field key")
        b = blob.data[blob.start + p]
        p += 1
        val |= (b & 0x7F) << (7 * i)
        if not b & 0x80:
            val &= 0xFFFFFFFF
            if val >> 3 == 0:
                raise Truncated("field number 0")
            return val >> 3, val & 7, p
    raise Truncated("field key longer than 5 bytes")


def _skip_group(blob: Blob, fno: int, p: int, end: int) -> tuple[int, int]:
    """Skip the group of field ``fno`` whose content starts at ``p`` (nested groups on an explicit stack, at
    most MAX_GROUP_DEPTH deep): (end of its content, position after its end key)."""
    open_groups = [fno]
    for _ in range(MAX_GROUP_FIELDS):
        at = p
        f, wt, p = tag(blob, p, end)
        if wt == 0:
            _, p = varint(blob, p, end)
        elif wt == 1:
            p += 8
        elif wt == 5:
            p += 4
        elif wt == 2:
            n, p = varint(blob, p, end)
            p += n
        elif wt == 3:
            open_groups.append(f)
            if len(open_groups) > MAX_GROUP_DEPTH:
                raise Truncated("groups nested too deeply")
        elif wt == 4:
            if open_groups.pop() != f:
                raise Truncated("group ends with another field's end key")
            if not open_groups:
                return at, p
        else:
            raise Truncated(f"unsupported wire type {wt}")
        if p > end:
            raise Truncated("group runs past its message")
    raise TooLarge(f"a group of more than {MAX_GROUP_FIELDS:,} fields")


def fields(blob: Blob, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(field number, wire type, value or payload start, payload end) for one message; a group is yielded
    once, as wire type 3 with the span from its content to past its end key (no reader here enters one, and
    a caller stepping from field to field lands where the loader does)."""
    p = start
    while p < end:
        fno, wt, p = tag(blob, p, end)
        if wt == 0:
            v, p = varint(blob, p, end)
            yield fno, wt, v, p
        elif wt == 1:
            p += 8
            yield fno, wt, p - 8, p
        elif wt == 5:
            p += 4
            yield fno, wt, p - 4, p
        elif wt == 2:
            n, p = varint(blob, p, end)
            if p + n > end:
                raise Truncated("length-delimited field runs past its message")
            yield fno, wt, p, p + n
            p += n
        elif wt == 3:
            s = p
            _, p = _skip_group(blob, fno, p, end)
            yield fno, wt, s, p
        else:
            raise Truncated(f"unsupported wire type {wt}" if wt != 4 else "group end key without its start")
        if p > end:
            raise Truncated("field runs past its message")
