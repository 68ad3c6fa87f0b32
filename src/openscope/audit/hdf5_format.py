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
- links and attributes in dense storage (more than 8 on one object with ``libver='latest'``) are the objects of a
  fractal heap (``FRHP``: direct blocks ``FHDB``, indirect blocks ``FHIB`` nested as the heap grew, huge objects
  stored apart) listed by a version 2 B-tree name index (``BTHD``, ``BTIN``, ``BTLF``), and are read as the
  messages they are;
- an attribute's value is judged when its datatype can hold bytes: a fixed-length string or opaque value (each
  element), an array of 1-byte integers (the whole array), a variable-length string or byte sequence (each
  element, from its global heap collection, ``GCOL``).

Dataset data (the weights) is never read, nor are compressed chunks: only attribute values, which HDF5 stores
uncompressed. Every address is checked against the file before it is read, each object header, continuation chunk,
B-tree node and heap collection is visited once (a loop of addresses ends), and the counts are bounded
(MAX_OBJECTS, MAX_MESSAGES, MAX_NODES): past a bound, or on structures this reader does not follow (a shared
datatype or attribute message, a filtered fractal heap), the file is ``incomplete.hdf5_attributes``, never clean
by omission. A structure that does not parse ends the walk of that object only; the rest is still read.

Layouts from the HDF5 File Format Specification version 3.0 (sections II and IV).
"""

from __future__ import annotations

import struct
from bisect import bisect_right
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


class _Unsupported(Exception):
    """A structure the specification allows that this reader does not follow (reported as not read)."""


def _enc_size(n: int) -> int:
    """Bytes HDF5 uses to store a count up to ``n`` (H5VM_limit_enc_size)."""
    return (n.bit_length() - 1) // 8 + 1 if n else 1


class _Heap:
    """A fractal heap's managed objects: the direct blocks of its root (a direct block, or an indirect block of
    direct blocks, nested as deep as the heap grew), each with the heap offsets it covers, so a heap ID's (offset,
    length) is a span of the file. Huge and tiny objects and filtered heaps are not followed
    (:class:`_Unsupported`)."""

    def __init__(self, walk: _Walk, pos: int) -> None:
        w = walk
        self.blobs = w.blob
        if w.blob.read(pos, 4) != b"FRHP" or w.blob.read(pos + 4, 1)[0] != 0:
            raise _Bad(f"no fractal heap header at byte {pos:,}")
        self.walk = w
        self.id_len = w.uint(pos + 5, 2)
        if w.uint(pos + 7, 2):
            raise _Unsupported("a filtered heap")
        self.huge_tree = w.off(pos + 14 + w.sl)  # the version 2 B-tree of huge objects (record type 1)
        self.huge: dict[int, tuple[int, int]] | None = None
        p = pos + 10 + 4 + w.sl + w.so + w.sl + w.so + 8 * w.sl  # to the doubling table
        width = w.uint(p, 2)
        start = w.length(p + 2)
        max_direct = w.length(p + 2 + w.sl)
        self.max_bits = w.uint(p + 2 + 2 * w.sl, 2)
        root = w.off(p + 4 + 2 * w.sl + 2)
        rows = w.uint(p + 4 + 2 * w.sl + 2 + w.so, 2)
        if not 0 < self.max_bits <= 64 or not 0 < start <= max_direct <= 1 << 32 or width > 65536:
            raise _Bad("fractal heap doubling table out of range")
        self.off_len = (self.max_bits + 7) // 8
        self.blocks: list[tuple[int, int, int]] = []  # (heap offset, size, file position)
        self.starts: list[int] = []  # the blocks' heap offsets, sorted, once the first ID is looked up
        if root == w.undefined:
            return
        if rows == 0:
            self._direct(w, w.at(root), start)
            return
        # indirect blocks: rows of `width` children, row r's blocks of start * 2**(r-1) bytes (rows 0 and 1 of
        # `start`); rows up to max_direct hold direct blocks, the others indirect blocks of as many rows as their
        # size needs (H5HF__dtable_size_to_rows)
        first_row_bits = (start.bit_length() - 1) + (width.bit_length() - 1)
        if width & (width - 1) or start & (start - 1) or not width:
            raise _Bad("fractal heap doubling table not in powers of two")
        todo = [(w.at(root), rows)]
        while todo:
            ipos, nrows = todo.pop()
            if not w.once(ipos):
                continue
            w.nodes += 1
            if w.nodes > MAX_NODES or nrows > 64:
                raise _Unsupported("more heap blocks than the bound")
            if w.blob.read(ipos, 4) != b"FHIB":
                raise _Bad(f"no fractal heap indirect block at byte {ipos:,}")
            q = ipos + 5 + w.so + self.off_len
            for r in range(nrows):
                size = start << max(0, r - 1)
                for _ in range(width):
                    child = w.off(q)
                    q += w.so
                    if child == w.undefined:
                        continue
                    if size <= max_direct:
                        self._direct(w, w.at(child), size)
                    else:
                        todo.append((w.at(child), size.bit_length() - 1 - first_row_bits + 1))

    def _direct(self, w: _Walk, pos: int, size: int) -> None:
        w.nodes += 1
        if w.nodes > MAX_NODES:
            raise _Unsupported("more heap blocks than the bound")
        if w.blob.read(pos, 4) != b"FHDB":
            raise _Bad(f"no fractal heap direct block at byte {pos:,}")
        offset = w.uint(pos + 5 + w.so, self.off_len)
        if pos + size > w.blob.size:
            raise _Bad(f"fractal heap direct block at byte {pos:,} runs past the end")
        self.blocks.append((offset, size, pos))

    def find(self, hid: bytes) -> tuple[int, int] | None:
        """The span of the object a heap ID names: a managed object in a direct block, or a huge one (stored
        apart, its address and length in the ID or in the huge objects' B-tree); None for a tiny one (a few bytes
        inside the ID: no attribute fits)."""
        kind = (hid[0] >> 4) & 3 if hid else 3
        if kind == 1:
            return self._huge(hid)
        if kind != 0 or len(hid) < 1 + self.off_len:
            return None
        off = int.from_bytes(hid[1:1 + self.off_len], "little")
        n = int.from_bytes(hid[1 + self.off_len:], "little")
        if not self.starts:
            self.blocks.sort()
            self.starts = [b[0] for b in self.blocks]
        i = bisect_right(self.starts, off) - 1
        if i >= 0:
            start, size, pos = self.blocks[i]
            if off + n <= start + size:
                return pos + off - start, pos + off - start + n
        raise _Bad(f"heap object at offset {off:,} lies in no direct block")

    def _huge(self, hid: bytes) -> tuple[int, int] | None:
        w = self.walk
        if len(hid) >= 1 + w.so + w.sl:  # huge IDs holding the address and length themselves
            addr, n = w.off_of(hid, 1), int.from_bytes(hid[1 + w.so:1 + w.so + w.sl], "little")
        else:
            if self.huge is None:
                self.huge = {}
                if self.huge_tree != w.undefined:
                    for rec in w._records(w.at(self.huge_tree)):
                        if len(rec) >= w.so + 2 * w.sl and len(self.huge) < MAX_NODES:
                            self.huge[int.from_bytes(rec[w.so + w.sl:w.so + 2 * w.sl], "little")] = (
                                w.off_of(rec, 0), int.from_bytes(rec[w.so:w.so + w.sl], "little"))
            found = self.huge.get(int.from_bytes(hid[1:], "little"))
            if found is None:
                raise _Bad("huge heap object not in its B-tree")
            addr, n = found
        pos = w.at(addr)
        if n > w.blob.size - pos:
            raise _Bad(f"huge heap object at byte {pos:,} runs past the end")
        return pos, pos + n


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

    def off_of(self, raw: bytes, at: int) -> int:
        """An address inside bytes already read (a heap ID, a B-tree record)."""
        return int.from_bytes(raw[at:at + self.so], "little")

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
                elif mtype in (0x02, 0x15):
                    self._dense(s, mtype, path)

    def _dense(self, s: int, mtype: int, path: str) -> None:
        """A link info (2) or attribute info (21) message: when it names a fractal heap (dense storage, more than 8
        links or attributes with ``libver='latest'``), the links or attribute messages are that heap's objects,
        listed by the name index (a version 2 B-tree of heap IDs)."""
        flags = self.blob.read(s + 1, 1)[0]
        p = s + 2 + (8 if mtype == 0x02 and flags & 1 else 0) + (2 if mtype == 0x15 and flags & 1 else 0)
        heap, index = self.off(p), self.off(p + self.so)
        if heap == self.undefined:
            return
        what = "links" if mtype == 0x02 else "attributes"
        try:
            objects = _Heap(self, self.at(heap))
            for hid in self._btree2(self.at(index)):
                span = objects.find(hid)
                if span is None:
                    self.skip(f"{what} in dense storage held as huge or filtered heap objects")
                    continue
                a, b = span
                if mtype == 0x02:
                    self._link(a, b, path)
                else:
                    self._attribute(a, b, path)
        except _Unsupported as exc:
            self.skip(f"{what} in dense storage ({exc})")

    def _btree2(self, pos: int) -> Iterator[bytes]:
        """The heap IDs a version 2 B-tree of link names (record type 5: hash, ID) or attribute names (type 8: ID,
        flags, creation order, hash) lists, each node visited once."""
        rtype = self.blob.read(pos + 5, 1)[0] if self.blob.size > pos + 5 else -1
        if rtype not in (5, 8):
            raise _Unsupported(f"B-tree of record type {rtype}")
        for record in self._records(pos):
            yield record[4:] if rtype == 5 else record[:-9]

    def _records(self, pos: int) -> Iterator[bytes]:
        """The records of a version 2 B-tree (any type), each node visited once, in no particular order."""
        if self.blob.read(pos, 4) != b"BTHD" or self.blob.read(pos + 4, 1)[0] != 0:
            raise _Bad(f"no version 2 B-tree header at byte {pos:,}")
        node_size = self.uint(pos + 6, 4)
        rsize = self.uint(pos + 10, 2)
        depth = self.uint(pos + 12, 2)
        root = self.off(pos + 16)
        nroot = self.uint(pos + 16 + self.so, 2)
        if not 0 < rsize <= node_size or node_size > 1 << 20 or depth > 16:
            raise _Bad("version 2 B-tree of impossible node or record size")
        # the widths of an internal node's child counts (H5B2__hdr_init): a leaf's maximum record count, then for
        # each depth the records it and all below it can hold
        max_leaf = (node_size - 10) // rsize
        nrec_size = _enc_size(max_leaf)
        cum = [max_leaf]
        cum_size = [0]
        for d in range(1, depth + 1):
            ptr = self.so + nrec_size + (cum_size[d - 1] if d > 1 else 0)
            room = (node_size - 10 - ptr) // (rsize + ptr)
            if room <= 0:
                raise _Bad("B-tree nodes too small for their records")
            cum.append((room + 1) * cum[d - 1] + room)
            cum_size.append(_enc_size(cum[d]))
        todo = [(root, nroot, depth)]
        while todo:
            addr, nrec, level = todo.pop()
            node = self.at(addr)
            if not self.once(node):
                continue
            self.nodes += 1
            if self.nodes > MAX_NODES:
                return
            sig = self.blob.read(node, 4)
            if sig != (b"BTLF" if level == 0 else b"BTIN"):
                raise _Bad(f"no B-tree node at byte {node:,}")
            p = node + 6
            if p + nrec * rsize > node + node_size:
                raise _Bad(f"B-tree node at byte {node:,} holds more records than fit")
            for k in range(nrec):
                yield self.blob.read(p + k * rsize, rsize)
            if level:
                p += nrec * rsize
                extra = cum_size[level - 1] if level > 1 else 0
                for _ in range(nrec + 1):
                    child = self.off(p)
                    count = self.uint(p + self.so, nrec_size)
                    todo.append((child, count, level - 1))
                    p += self.so + nrec_size + extra

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
