"""HDF5 attributes, read from the file's own structures (no h5py, no libhdf5): the values a Keras ``.h5`` (or any
HDF5 file) carries as attributes of its groups and datasets, judged for native images (``native.embedded``).

Why attributes: ``h5py`` hands an attribute back as it was written (``f.attrs['blob']`` is the bytes, a ``str``,
a ``numpy.void`` or a ``uint8`` array), so a model file can carry a dropper's payload there that code reading the
file writes out and loads, exactly as a pickle's bytes argument or a safetensors ``__metadata__`` value can. The
Keras config scan (``keras_format.scan_hdf5``) finds the JSON configs in the raw bytes and needs no structure; a
binary value needs to be found where it starts, so the attribute messages are read:

- the superblock (versions 0 to 3, after a user block too) gives the root group's object header;
- an object header (version 1, or version 2 ``OHDR`` with its ``OCHK`` continuation chunks, reached through
  continuation messages) gives its attribute messages (type 12), and a group's children: an old-style group's
  symbol table (type 17: a version 1 B-tree of ``SNOD`` nodes, names in the local heap) or a new-style group's
  link messages (type 6, hard links);
- an attribute's value is judged when its datatype can hold bytes: a fixed-length string or opaque value (each
  element), an array of 1-byte integers (the whole array), a variable-length string or byte sequence (each
  element, from its global heap collection, ``GCOL``).

Dataset data (the weights) is never read, nor are compressed chunks: only attribute values, which HDF5 stores
uncompressed. Every address is checked against the file before it is read, each object header, continuation chunk,
B-tree node and heap collection is visited once (a loop of addresses ends), and the counts are bounded
(MAX_OBJECTS, MAX_MESSAGES): past a bound, or on structures this reader does not follow (dense attribute or link
storage in a fractal heap, a shared attribute message), the file is ``incomplete.hdf5_attributes``, never clean by
omission. A structure that does not parse ends the walk of that object only; the rest is still read.

Layouts from the HDF5 File Format Specification version 3.0 (sections II and IV).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from openscope.audit.blob import Blob, Truncated
from openscope.audit.context import Context
from openscope.audit.native_format import MIN_EMBEDDED, Values

SIGNATURE = b"\x89HDF\r\n\x1a\n"
SIGNATURE_AT = (0, 512, 1024, 2048)  # a user block is 0 or a power of two from 512 (the engine's detect looks there)
MAX_OBJECTS = 200_000  # object headers walked per file
MAX_MESSAGES = 2_000_000  # header messages read per file, all objects together
MAX_NODES = 200_000  # B-tree and symbol table nodes read per file
MAX_PATH = 200  # characters of an object's path kept for the finding


class _Bad(Exception):
    """A structure of the file that does not parse as the specification lays it out."""


class _Walk:
    """One file's walk: object headers reached from the root, each once, with an explicit queue (no recursion)."""

    def __init__(self, ctx: Context, blob: Blob, values: Values, base: int, so: int, sl: int) -> None:
        self.ctx, self.blob, self.values = ctx, blob, values
        self.base, self.so, self.sl = base, so, sl
        self.undefined = (1 << (8 * so)) - 1
        self.seen: set[int] = set()  # object header, continuation chunk and node addresses visited
        self.todo: list[tuple[int, str]] = []
        self.objects = self.messages = self.nodes = 0
        self.skipped: list[str] = []  # what was not followed, for incomplete.hdf5_attributes
        self.heaps: dict[int, dict[int, tuple[int, int]]] = {}  # GCOL address -> object index -> (start, size)
        self.broken: str | None = None

    # -- reading ---------------------------------------------------------------------------------------------
    def at(self, addr: int) -> int:
        """A file position for an address (relative to the base address), checked to lie in the blob."""
        pos = self.base + addr
        if addr == self.undefined or not 0 <= pos < self.blob.size:
            raise _Bad(f"address {addr:,} outside the file")
        return pos

    def uint(self, pos: int, n: int) -> int:
        return int.from_bytes(self.blob.read(pos, n), "little")

    def off(self, pos: int) -> int:
        return self.uint(pos, self.so)

    def length(self, pos: int) -> int:
        return self.uint(pos, self.sl)

    def once(self, pos: int) -> bool:
        if pos in self.seen:
            return False
        self.seen.add(pos)
        return True

    def skip(self, what: str) -> None:
        if what not in self.skipped:
            self.skipped.append(what)

    # -- the walk --------------------------------------------------------------------------------------------
    def run(self, root: int) -> None:
        self.todo.append((root, "/"))
        while self.todo:
            addr, path = self.todo.pop()
            try:
                pos = self.at(addr)
            except _Bad as exc:
                self._broken(path, exc)
                continue
            if not self.once(pos):
                continue
            self.objects += 1
            if self.objects > MAX_OBJECTS:
                self.skip(f"more than {MAX_OBJECTS:,} objects")
                break
            try:
                self._object(pos, path)
            except (_Bad, Truncated) as exc:
                self._broken(path, exc)
            if self.messages > MAX_MESSAGES or self.nodes > MAX_NODES:
                self.skip(f"more than {MAX_MESSAGES:,} header messages or {MAX_NODES:,} group nodes")
                break

    def _broken(self, path: str, exc: Exception) -> None:
        if self.broken is None:
            self.broken = f"object {path[:MAX_PATH]!r}: {exc}"

    def _object(self, pos: int, path: str) -> None:
        """An object header: its messages, wherever its continuation messages put them."""
        head = self.blob.read(pos, 4)
        chunks: list[tuple[int, int, int]] = []  # (start, end, header version) of each chunk of messages
        if head == b"OHDR":
            version, flags = self.blob.read(pos + 4, 2)
            if version != 2:
                raise _Bad(f"object header version {version}")
            p = pos + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
            width = 1 << (flags & 3)
            size = self.uint(p, width)
            start = p + width
            chunks.append((start, start + size, 2))
            creation = bool(flags & 0x04)
        elif head[0] == 1:
            (nmsg,) = struct.unpack("<H", self.blob.read(pos + 2, 2))
            size = self.uint(pos + 8, 4)
            chunks.append((pos + 16, pos + 16 + size, 1))
            creation = False
        else:
            raise _Bad(f"no object header at byte {pos:,}")
        i = 0
        while i < len(chunks):
            start, end, version = chunks[i]
            i += 1
            if end > self.blob.size:
                raise _Bad(f"header chunk at byte {start:,} runs past the end")
            for mtype, flags, s, e in self._messages(start, end, version, creation):
                self.messages += 1
                if self.messages > MAX_MESSAGES:
                    return
                if mtype == 0x10:  # continuation: offset, length
                    cpos = self.at(self.off(s))
                    clen = self.length(s + self.so)
                    if not self.once(cpos):
                        continue
                    if version == 2:
                        if self.blob.read(cpos, 4) != b"OCHK":
                            raise _Bad(f"continuation chunk at byte {cpos:,} has no OCHK signature")
                        chunks.append((cpos + 4, cpos + clen - 4, 2))
                    else:
                        chunks.append((cpos, cpos + clen, 1))
                elif flags & 0x02 and mtype in (0x0C, 0x06):  # stored in the shared message table
                    self.skip("shared attribute or link messages")
                elif mtype == 0x0C:
                    self._attribute(s, e, path)
                elif mtype == 0x11:
                    self._symbol_table(s, path)
                elif mtype == 0x06:
                    self._link(s, e, path)
                elif mtype == 0x02 and self._dense(s, 0x02):
                    self.skip("links in dense storage (a fractal heap)")
                elif mtype == 0x15 and self._dense(s, 0x15):
                    self.skip("attributes in dense storage (a fractal heap)")

    def _dense(self, s: int, mtype: int) -> bool:
        """Whether a link info (2) or attribute info (21) message points at a fractal heap (dense storage)."""
        flags = self.blob.read(s + 1, 1)[0]
        p = s + 2 + (8 if mtype == 0x02 and flags & 1 else 0) + (2 if mtype == 0x15 and flags & 1 else 0)
        return self.off(p) != self.undefined

    def _messages(self, start: int, end: int, version: int, creation: bool) -> Iterator[tuple[int, int, int, int]]:
        """(type, flags, data start, data end) of each message of a chunk."""
        p = start
        if version == 1:
            while p + 8 <= end:
                mtype, size, flags = struct.unpack("<HHB", self.blob.read(p, 5))
                s = p + 8
                if s + size > end:
                    raise _Bad(f"message at byte {p:,} runs past its header chunk")
                yield mtype, flags, s, s + size
                p = s + size
            return
        while p + 4 <= end:
            mtype, size, flags = struct.unpack("<BHB", self.blob.read(p, 4))
            s = p + 4 + (2 if creation else 0)
            if s + size > end:
                if mtype == 0:  # gap at the end of a chunk, shorter than a message header
                    return
                raise _Bad(f"message at byte {p:,} runs past its header chunk")
            yield mtype, flags, s, s + size
            p = s + size

    # -- groups ----------------------------------------------------------------------------------------------
    def _child(self, path: str, name: str) -> str:
        return (path.rstrip("/") + "/" + name)[:1000]

    def _symbol_table(self, s: int, path: str) -> None:
        """An old-style group: a version 1 B-tree (its leaves are SNOD nodes) and the local heap of the names."""
        tree = self.off(s)
        heap = self.at(self.off(s + self.so))
        if self.blob.read(heap, 4) != b"HEAP":
            raise _Bad(f"no local heap at byte {heap:,}")
        names_at = self.at(self.off(heap + 8 + 2 * self.sl))
        nodes = [tree]
        while nodes:
            pos = self.at(nodes.pop())
            if not self.once(pos):
                continue
            self.nodes += 1
            if self.nodes > MAX_NODES:
                return
            sig = self.blob.read(pos, 4)
            if sig == b"SNOD":
                (count,) = struct.unpack("<H", self.blob.read(pos + 6, 2))
                entry = 2 * self.so + 24
                for k in range(count):
                    e = pos + 8 + k * entry
                    name_off, header = self.off(e), self.off(e + self.so)
                    self.todo.append((header, self._child(path, self._name(names_at, name_off))))
            elif sig == b"TREE":
                node_type, _level = self.blob.read(pos + 4, 2)
                (used,) = struct.unpack("<H", self.blob.read(pos + 6, 2))
                if node_type != 0:
                    raise _Bad(f"group B-tree node of type {node_type}")
                p = pos + 8 + 2 * self.so + self.sl  # past the siblings and key 0
                for _ in range(used):
                    nodes.append(self.off(p))
                    p += self.so + self.sl
            else:
                raise _Bad(f"no group node at byte {pos:,}")

    def _name(self, names_at: int, offset: int) -> str:
        """A NUL-terminated name in a local heap's data segment (at most 255 bytes read)."""
        p = names_at + offset
        if not 0 <= p < self.blob.size:
            return "?"
        raw = self.blob.read(p, min(255, self.blob.size - p))
        return raw.split(b"\x00", 1)[0].decode("utf-8", "replace")

    def _link(self, s: int, e: int, path: str) -> None:
        """A new-style group's link message: a hard link names a child object header (soft and external links
        name paths, not objects, and are not followed)."""
        version, flags = self.blob.read(s, 2)
        if version != 1:
            raise _Bad(f"link message version {version}")
        p = s + 2
        kind = 0
        if flags & 0x08:
            kind = self.blob.read(p, 1)[0]
            p += 1
        p += (8 if flags & 0x04 else 0) + (1 if flags & 0x10 else 0)
        width = 1 << (flags & 3)
        n = self.uint(p, width)
        p += width
        if p + n > e:
            raise _Bad("link name runs past its message")
        name = self.blob.read(p, n).decode("utf-8", "replace")
        if kind == 0:
            self.todo.append((self.off(p + n), self._child(path, name)))

    # -- attributes ------------------------------------------------------------------------------------------
    def _attribute(self, s: int, e: int, path: str) -> None:
        """An attribute message (versions 1 to 3): name, datatype, dataspace, then the value."""
        version = self.blob.read(s, 1)[0]
        nsize, dsize, ssize = struct.unpack("<HHH", self.blob.read(s + 2, 6))
        p = s + 8 + (1 if version == 3 else 0)

        def pad(n: int) -> int:
            return (n + 7) & ~7 if version == 1 else n

        if version not in (1, 2, 3):
            raise _Bad(f"attribute message version {version}")
        if version > 1 and self.blob.read(s + 1, 1)[0] & 0x03:  # a committed (shared) datatype or dataspace
            self.skip("attributes of a shared datatype or dataspace")
            return
        name = self.blob.read(p, min(nsize, 256)).split(b"\x00", 1)[0].decode("utf-8", "replace")
        dt = p + pad(nsize)
        ds = dt + pad(dsize)
        data = ds + pad(ssize)
        if data > e or dsize < 8:
            raise _Bad(f"attribute {name[:80]!r} runs past its message")
        count = self._elements(ds, ssize)
        place = f"attribute {name[:120]!r} of {path[:MAX_PATH]!r}"
        self._value(dt, data, e, count, place)

    def _elements(self, ds: int, size: int) -> int:
        """The number of elements a dataspace message describes (a scalar is one, a null space none)."""
        version, rank, _flags = self.blob.read(ds, 3)
        if version == 2:
            kind = self.blob.read(ds + 3, 1)[0]
            if kind == 2:
                return 0
            dims_at = ds + 4
        elif version == 1:
            dims_at = ds + 8
        else:
            raise _Bad(f"dataspace version {version}")
        if dims_at + rank * self.sl > ds + size:
            raise _Bad("dataspace runs past its message")
        count = 1
        for k in range(rank):
            count *= self.length(dims_at + k * self.sl)
            count = min(count, self.blob.size + 1)  # a value needs bytes: more elements than bytes is no value
        return count

    def _value(self, dt: int, data: int, end: int, count: int, place: str) -> None:
        """Judge a value whose datatype can carry bytes; numbers other than 1-byte integers are not read."""
        head = self.blob.read(dt, 8)
        cls = head[0] & 0x0F
        size = int.from_bytes(head[4:8], "little")
        if count == 0 or size == 0:
            return
        if cls in (3, 5):  # fixed-length string, opaque: each element its own value
            if count * size > end - data:
                raise _Bad(f"{place}: value runs past its message")
            if size < MIN_EMBEDDED:
                return
            for k in range(count):
                self.values.span(data + k * size, data + (k + 1) * size, self._where(place, k, count))
        elif cls == 0 and size == 1:  # an array of bytes (numpy uint8 / int8)
            if count > end - data:
                raise _Bad(f"{place}: value runs past its message")
            self.values.span(data, data + count, place)
        elif cls == 9:  # variable length: string, or a sequence of 1-byte elements
            base = self.blob.read(dt + 8, 8)
            if head[1] & 0x0F == 0 and not (base[0] & 0x0F in (0, 3, 5) and int.from_bytes(base[4:8], "little") == 1):
                return  # a sequence of wider numbers
            ref = 4 + self.so + 4  # length, collection address, object index
            if count * ref > end - data:
                raise _Bad(f"{place}: value runs past its message")
            for k in range(count):
                p = data + k * ref
                n = self.uint(p, 4)
                collection, index = self.off(p + 4), self.uint(p + 4 + self.so, 4)
                if n >= MIN_EMBEDDED:
                    span = self._heap_object(collection, index)
                    if span is not None:
                        start, size_ = span
                        self.values.span(start, start + min(n, size_), self._where(place, k, count))

    @staticmethod
    def _where(place: str, k: int, count: int) -> str:
        return place if count == 1 else f"{place} element {k:,}"

    def _heap_object(self, addr: int, index: int) -> tuple[int, int] | None:
        """(start, size) of object ``index`` of the global heap collection at ``addr``: the collection's objects are
        listed once and kept (many values in one collection cost one pass over it)."""
        pos = self.at(addr)
        table = self.heaps.get(pos)
        if table is None:
            table = {}
            if self.blob.read(pos, 4) != b"GCOL":
                raise _Bad(f"no global heap collection at byte {pos:,}")
            end = min(self.blob.size, pos + self.length(pos + 8))
            p = pos + 8 + self.sl
            while p + 8 + self.sl <= end:
                idx = self.uint(p, 2)
                if idx == 0:  # free space: the rest of the collection
                    break
                size = self.length(p + 8)
                start = p + 8 + self.sl
                if size > end - start:
                    raise _Bad(f"global heap object {idx} runs past its collection")
                table[idx] = (start, size)
                p = start + ((size + 7) & ~7)
            self.heaps[pos] = table
        return table.get(index)


def superblock(blob: Blob) -> tuple[int, int, int, int] | None:
    """(base address, size of offsets, size of lengths, root object header address) of the first superblock, or
    None when there is none this reader knows."""
    for at in SIGNATURE_AT:
        if blob.size < at + 48 or blob.read(at, 8) != SIGNATURE:
            continue
        version = blob.read(at + 8, 1)[0]
        if version in (0, 1):
            so, sl = blob.read(at + 13, 2)
            p = at + 24 + (4 if version == 1 else 0)
        elif version in (2, 3):
            so, sl = blob.read(at + 9, 2)
            p = at + 12
        else:
            return None
        if so not in (2, 4, 8) or sl not in (2, 4, 8):
            return None
        try:
            base = int.from_bytes(blob.read(p, so), "little")
            if version in (0, 1):
                entry = p + 4 * so  # base, free space, end of file, driver info; then the root's symbol table entry
                root = int.from_bytes(blob.read(entry + so, so), "little")
            else:
                root = int.from_bytes(blob.read(p + 3 * so, so), "little")
        except Truncated:
            return None
        return base, so, sl, root
    return None


def scan_attributes(ctx: Context, blob: Blob) -> None:
    """``native.embedded`` for each attribute value of the file that holds a native image (raw or base64)."""
    sb = superblock(blob)
    if sb is None:  # libhdf5 opens no file without a superblock it knows: no attribute of it can be read either
        return
    base, so, sl, root = sb
    values = Values(ctx, blob)
    walk = _Walk(ctx, blob, values, base, so, sl)
    walk.run(root)
    values.done()
    if walk.broken is not None:
        ctx.add(blob, "malformed.hdf5", "medium", f"an HDF5 structure does not parse ({walk.broken})"[:300])
    if walk.skipped:
        ctx.incomplete(blob, "hdf5_attributes", f"{', '.join(walk.skipped)}: not read, so those attribute values "
                       "were not checked for native images")
