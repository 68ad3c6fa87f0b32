"""The protobuf wire format, read without a protobuf library: shared by the ONNX and TensorFlow readers.

Both formats are protobuf messages, and a model file must never be handed to a parser that allocates what
the file declares. This reader yields each field of one message as offsets into the blob (a length is
checked against the bytes of its enclosing message before it is used; nothing is copied or allocated from
it), so a hostile length, a truncated varint or an unknown wire type stops with :class:`Truncated`.
Groups (wire types 3 and 4) are refused: neither ONNX nor TensorFlow writes them.
"""

from __future__ import annotations

from collections.abc import Iterator

from openscope.audit.blob import Blob, Truncated


def varint(blob: Blob, p: int, end: int) -> tuple[int, int]:
    """The varint at ``p`` (relative to the blob) and the position after it; at most 10 bytes are read."""
    shift = 0
    val = 0
    while True:
        if p >= end or shift > 63:
            raise Truncated("bad varint")
        b = blob.data[blob.start + p]
        p += 1
        val |= (b & 0x7F) << shift
        if not b & 0x80:
            return val, p
        shift += 7


def fields(blob: Blob, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(field number, wire type, value or payload start, payload end) for one message."""
    p = start
    while p < end:
        key, p = varint(blob, p, end)
        fno, wt = key >> 3, key & 7
        if fno == 0:
            raise Truncated("field number 0")
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
        else:
            raise Truncated(f"unsupported wire type {wt}")
        if p > end:
            raise Truncated("field runs past its message")
