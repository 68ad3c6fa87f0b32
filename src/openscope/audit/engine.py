"""Content-based dispatch and the file/folder walk: every file is routed by what its bytes are, never by
its name, and every file is listed (unknown formats included)."""

from __future__ import annotations

import codecs
import json
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openscope.audit import (
    containers,
    gguf_format,
    jinja_ast,
    keras_format,
    links,
    native_format,
    numpy_format,
    onnx_format,
    safetensors_format,
    tf_format,
    tf_text,
    tfjs_format,
    tflite_format,
)
from openscope.audit.blob import Blob, NotRegular, Truncated, map_file
from openscope.audit.context import Context
from openscope.audit.findings import RANK, FileEntry, Finding, clip, utf8, verdict
from openscope.audit.limits import DEFAULT_LIMITS, Limits
from openscope.audit.rules import ruleset
from openscope.audit.scan_pickle import looks_like_pickle, pickle_polyglot, scan_pickle, try_pickle

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
# formats whose members are scanned anyway (a zip inside a tar is a member) or that are zips themselves
NOT_APPENDED_ZIP = frozenset({"zip", "pytorch-zip", "keras-v3", "numpy-npz", "7z", "gzip", "bz2", "xz", "zlib", "lzma",
                              "joblib-zfile", "tar", "pytorch-legacy-tar", "nested", "empty",
                              "tflite"})  # a .tflite's appended zip holds its associated files (tflite_format)
MAX_JSON = 64 << 20
TEMPLATE_SUFFIXES = (".jinja", ".jinja2")  # chat templates saved as files (see Engine._template_file)
# formats whose magic bytes text can have ('{' at byte 8 reads as a safetensors length, 'GGUF', 'BZh9', 'x^'):
# a template file (by name) that is UTF-8 text is read as the template, not as a broken file of these
TEXT_LOOKALIKES = frozenset({"json", "safetensors", "gguf", "bz2", "zlib", "lzma"})


@dataclass
class Report:
    target: str
    findings: list[Finding]
    files: list[FileEntry] = field(default_factory=list)
    link: str | None = None  # the resolved path when the audited path is a symbolic link (links.given): `link_to`

    @property
    def verdict(self) -> str:
        return verdict(self.findings)

    @property
    def counted(self) -> list[FileEntry]:
        """The files, each once: every entry but the other names of a file (``same_as``, a symbolic or hard link
        to a file listed under its own name), which the summary's counts of files and bytes leave out."""
        return [e for e in self.files if e.same_as is None]

    def to_json(self) -> dict:
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        once = self.counted
        return {
            "target": self.target,
            "verdict": self.verdict,
            "findings": [f.to_json() for f in self.findings],
            "files": [e.to_json() for e in self.files],
            "summary": {"files": len(once), "bytes": sum(e.bytes for e in once), "by_severity": counts},
            "link_to": None if self.link is None else utf8(self.link),
        }


ZFILE_HEADER = 2 + 19  # b"ZF" + len(hex(2**64)) (joblib.numpy_pickle_compat)


def _zfile_length(blob: Blob) -> int | None:
    """The length a joblib zfile header declares, or None when the file does not start with one."""
    if blob.size <= ZFILE_HEADER + 2:
        return None
    try:
        return int(blob.read(2, ZFILE_HEADER - 2).decode("ascii"), 16)
    except (UnicodeDecodeError, ValueError):
        return None


def detect(blob: Blob) -> str:
    """The format a blob's content says it is (cheap magic checks; pickles, ONNX and TensorFlow by a trial parse)."""
    if blob.size == 0:
        return "empty"
    h = blob.head(16)
    if h[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        return "zip"
    if h[:6] == b"7z\xbc\xaf\x27\x1c":
        return "7z"
    if h[:2] == b"\x1f\x8b":
        return "gzip"
    if tflite_format.detect(h):  # 'TFL3' at byte 4, which the TFLite runtime requires
        return tflite_format.FORMAT
    # TensorFlow protobufs have no magic. An unknown field, which the loader skips, can spell the magic of the
    # formats tested from here on (zlib's 0x78 0x01 is field 15 = 1, 'BZh9', ']\x00', 'ZF', HDF5 at 512, tar at
    # 257, a safetensors '{' at byte 8), so the trial comes first; it stops within a few bytes on anything that
    # is not protobuf (tf_format.detect). A file with a TensorFlow graph that is also shaped as an ONNX model
    # (a SavedModel's fields 1 and 2 are ONNX's ir_version and producer_name; one unknown field 7 completes
    # it) is read as TensorFlow and as ONNX (Engine), never as ONNX alone, which hid the graph
    tf = tf_format.detect(blob)
    if tf is not None and (tf != "protobuf" or not onnx_format.looks_like_onnx(blob)):
        # still protobuf past the trial's bound without evidence: no compressed stream, HDF5, tar or safetensors
        # file parses that far, while padding could spell their magic; a pickle is still tried (engine)
        return "pickle" if tf == "protobuf" and h[0] == 0x80 else tf
    if h[:3] == b"BZh" and h[3:4].isdigit():
        return "bz2"
    if h[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if h[:4] == b"\x04\x22\x4d\x18":
        return "lz4"
    if blob.size > 2 and h[0] == 0x78 and not h[1] & 0x20 and (h[0] << 8 | h[1]) % 31 == 0:
        return "zlib"
    if h[:2] == b"]\x00" and blob.size > 13:
        return "lzma"  # legacy .lzma ("alone"): joblib's compress='lzma' (its _LZMA_PREFIX is b']\x00')
    if h[:2] == b"ZF" and _zfile_length(blob) is not None:
        return "joblib-zfile"
    if h[:6] == b"\x93NUMPY":
        return "numpy"
    if h[:4] == b"GGUF":
        return "gguf"
    if any(blob.size > off + 8 and blob.read(off, 8) == HDF5_MAGIC for off in (0, 512, 1024, 2048)):
        return "hdf5"
    if blob.size > 262 and blob.read(257, 5) == b"ustar":
        return "tar"
    if blob.size >= 9 and h[8:9] == b"{":
        (n,) = blob.unpack("<Q", 0)
        if n <= blob.size - 8 or h[0] != 0x80:
            return "safetensors"
    if h[0] == 0x80:
        return "pickle"
    # native code (ELF, PE, Mach-O, WebAssembly) after every model format's magic: an HDF5 user block, a tar
    # member's name or a safetensors length can start with these bytes, and such a file is judged as the model
    # format it is (Engine.scan_blob still reports the native header); no text, JSON, ONNX or TensorFlow text
    # file starts with them
    native = native_format.detect(blob, h)
    if native is not None:
        return native
    first = h.lstrip()[:1]
    if first in (b"{", b"[") and blob.size <= MAX_JSON:
        return "json"
    if onnx_format.looks_like_onnx(blob):
        return "onnx"
    if tf_text.detect(blob):  # saved_model.pbtxt, a text .meta or GraphDef: loaders parse these too
        return tf_text.FORMAT
    return "headerless"


def _diffusers_code(doc: dict, folder: Path | None) -> list[str]:
    """Python code a diffusers ``model_index.json`` names, which DiffusionPipeline.from_pretrained imports from
    this repository with trust_remote_code=True: a custom pipeline (``_class_name`` written as ``[module_file,
    Class]``, the repository's file or a community pipeline of that name), and a custom component (``[library,
    Class]`` whose ``<component>/<library>.py`` the repository holds, as diffusers decides it; a library name
    without such a file is diffusers' own pipeline module, ``stable_diffusion`` for the safety checker, or an
    installed package)."""
    def pair(v: object) -> tuple[str, str] | None:
        if isinstance(v, list | tuple) and len(v) == 2 and all(isinstance(x, str) and x for x in v):
            return str(v[0]), str(v[1])
        return None

    refs = []
    custom = pair(doc.get("_class_name"))
    if custom:
        refs.append(".".join(custom))
    for k, v in doc.items():
        p = pair(v)
        if folder is None or k.startswith("_") or p is None or "/" in k or "\\" in k or "/" in p[0] or "\\" in p[0]:
            continue
        try:
            shipped = (folder / k / f"{p[0]}.py").is_file()
        except (OSError, ValueError):  # a name the file system refuses is no file of the repository
            shipped = False
        if shipped:
            refs.append(f"{k}/{p[0]}.py: {p[1]}")
    return refs


class Engine:
    def __init__(self, limits: Limits = DEFAULT_LIMITS, sensitive_files: Sequence[str] | None = None) -> None:
        self.ctx = Context(limits=limits)
        self.ctx.dispatch = self.scan_blob
        self.hard_links = links.HardLinks(sensitive_files)  # files never read through a hard link

    def scan_blob(self, blob: Blob) -> str:
        """Scan a blob by what its content is, and also as a pickle when it is one too (a polyglot), and as a
        zip when a zip archive ends it (an appended zip)."""
        fmt = self._scan_format(blob)
        # a template file is rendered as text whatever else its bytes are: 'N.' (a pickle of None) before the
        # template made it a clean pickle, never searched; so it is searched under every format it has
        if fmt != "chat-template" and self._template_file(blob) and fmt == "other":
            fmt = "chat-template"
        # a file starting with a zip local header is read as a zip by torch.load, and its first opcode (PERSID)
        # stops every other unpickler (no persistent_load): an .npz of object arrays is not a polyglot
        if fmt not in ("pickle", "other", "empty") and blob.head(4) != b"PK\x03\x04" \
                and pickle_polyglot(blob, self.ctx):
            self.ctx.add(blob, "hostile.polyglot", "medium",
                         f"read as {fmt}, but it is also a pickle that imports and calls: a loader that unpickles "
                         "it (torch.load of a file that is not a zip, pickle.load, joblib.load) runs it; judged below",
                         0)
            scan_pickle(self.ctx, blob)
        if fmt not in native_format.FORMATS and fmt != "empty":
            native = native_format.detect(blob, blob.head(16))
            if native is not None:  # a model format whose first bytes are also a native header (byte 0)
                native_format.scan_native(self.ctx, blob, native, also=fmt)
        if fmt not in NOT_APPENDED_ZIP:
            start = containers.appended_zip(blob)
            if start is not None and (fmt != "pickle" or start >= try_pickle(blob, self.ctx).end - blob.start):
                self.ctx.add(blob, "hostile.polyglot", "medium",
                             f"read as {fmt}, but a zip archive starts at byte {start:,} and ends the file: zip "
                             "readers open it wherever it starts (Keras loads a .keras file through Python's zipfile, "
                             "numpy and joblib users too); its members are judged below", start)
                containers.scan_zip(self.ctx, blob, keras_format.scan_keras_config, scan_pickle)
        return fmt

    def _scan_format(self, blob: Blob) -> str:
        ctx = self.ctx
        try:
            fmt = detect(blob)
            if fmt in TEXT_LOOKALIKES and self._template_file(blob):
                return "chat-template"
            if fmt == "zip":
                return containers.scan_zip(ctx, blob, keras_format.scan_keras_config, scan_pickle)
            if fmt == "7z":
                return containers.scan_7z(ctx, blob)
            if fmt in ("gzip", "bz2", "xz", "zlib", "lzma"):
                return containers.scan_compressed(ctx, blob, fmt)
            if fmt == "joblib-zfile":
                return self._zfile(blob)
            if fmt == "lz4":
                ctx.incomplete(blob, "unsupported_lz4", "LZ4-compressed data (joblib compress='lz4'): not "
                               "decompressed, contents not scanned")
            elif fmt == "tar":
                return containers.scan_tar(ctx, blob)
            elif fmt == "numpy":
                numpy_format.scan_npy(ctx, blob)
            elif fmt == "gguf":
                gguf_format.scan_gguf(ctx, blob)
            elif fmt == "hdf5":
                keras_format.scan_hdf5(ctx, blob)
            elif fmt == "safetensors":
                safetensors_format.scan_safetensors(ctx, blob)
            elif fmt == "pickle":
                scan_pickle(ctx, blob)
            elif fmt == "onnx":
                onnx_format.scan_onnx(ctx, blob)
            elif fmt == tflite_format.FORMAT:
                tflite_format.scan_tflite(ctx, blob)
                # the identifier is checked before the TensorFlow trial: bytes 4-7 of a graph can spell it inside
                # a field the loader skips, so a graph must not hide behind it (the trial stops within a few
                # bytes on a real flatbuffer)
                tf = tf_format.detect(blob)
                if tf is not None and tf != "protobuf":
                    ctx.add(blob, "hostile.polyglot", "medium", f"read as tflite, but it is also a TensorFlow graph "
                            f"({tf}): a TensorFlow loader given it runs that graph; judged as TensorFlow too", 0)
                    tf_format.scan_tf(ctx, blob, tf)
            elif fmt in tf_format.FORMATS and fmt != "protobuf":
                tf_format.scan_tf(ctx, blob, fmt)
                if onnx_format.looks_like_onnx(blob):
                    ctx.add(blob, "hostile.polyglot", "medium", f"read as {fmt}, but it is also shaped as an ONNX "
                            "model (ir_version, a graph): ONNX Runtime loads it as one; judged as ONNX too", 0)
                    onnx_format.scan_onnx(ctx, blob)
            elif fmt in native_format.FORMATS:
                native_format.scan_native(ctx, blob, fmt)
            elif fmt == tf_text.FORMAT:
                tf_text.scan(ctx, blob)
            elif fmt == "json":
                return self._json(blob)
            elif fmt in ("headerless", "protobuf"):
                if looks_like_pickle(blob, ctx):
                    scan_pickle(ctx, blob)
                    return "pickle"
                if fmt == "protobuf":
                    tf_format.scan_tf(ctx, blob, fmt)
                    return fmt
                return "other"
            return fmt
        except Truncated as exc:
            ctx.add(blob, "malformed.truncated", "medium", f"ends inside a declared structure: {exc}")
            return "truncated"
        except RecursionError:
            ctx.add(blob, "hostile.nesting", "medium", "structure nested too deeply to follow")
            ctx.incomplete(blob, "depth", "nesting too deep; content not fully scanned")
            return "nested"

    def _zfile(self, blob: Blob) -> str:
        """joblib's pre-0.10 compressed pickle, still read by joblib.load (numpy_pickle_compat.read_zfile):
        'ZF', the data length in hex padded to 19 bytes, an optional space, then zlib data."""
        start = ZFILE_HEADER + (1 if blob.read(ZFILE_HEADER, 1) == b" " else 0)
        inner = containers.inflate(self.ctx, blob, start, blob.size - start, "zlib", "<joblib zfile>")
        if inner is None:
            self.ctx.add(blob, "malformed.compressed_stream", "medium",
                         "joblib zfile whose zlib data does not inflate", start)
            return "joblib-zfile"
        self.ctx.scan(inner)
        return "joblib-zfile"

    def _remote_code(self, blob: Blob, auto_map: dict | list, key: str = "auto_map") -> None:
        """A config whose ``auto_map`` (or ``custom_pipelines`` ``impl``) names Python classes: transformers imports
        and runs those modules (from this repository, or another one for ``repo--module.Class``) when loaded with
        trust_remote_code=True."""
        refs = auto_map.values() if isinstance(auto_map, dict) else auto_map
        names = sorted({r for v in refs for r in (v if isinstance(v, list) else [v]) if isinstance(r, str)})
        other = [n for n in names if "--" in n]
        self.ctx.add(blob, "transformers.remote_code", "medium",
                     f"{key} names Python code ({', '.join(n[:80] for n in names[:3])}{', …' if len(names) > 3 else ''})"
                     f"{' from another repository' if other else ''}: loading with trust_remote_code=True imports and "
                     "runs it; review that code (it is not analysed here)", 0)

    def _st_modules(self, blob: Blob, modules: list[dict]) -> None:
        """sentence-transformers' ``modules.json``: SentenceTransformer imports each module's ``type`` by its
        dotted name (``import_from_string``; with trust_remote_code=True, a name outside the library is first
        looked for as this repository's own code) and calls its ``load`` on the module's folder. A type outside
        ``sentence_transformers.`` is code the file names: judged like a Keras config's module
        (``sentence_transformers.module_injection``, critical, when the rules deny it; otherwise
        ``sentence_transformers.custom_module``, medium)."""
        rules = ruleset()
        seen: set[str] = set()
        for m in modules:
            ref = str(m["type"])
            if ref.startswith("sentence_transformers.") or ref in seen:
                continue
            seen.add(ref)
            module, _, name = ref.rpartition(".")
            # the name itself, and its load() that the library calls (torch.jit is a module; torch.jit.load runs)
            j = max((rules.judge(module or ref, name), rules.judge(module or ref, f"{name}.load")),
                    key=lambda x: RANK.get(x.severity or "", -1))
            if j.severity == "critical":
                self.ctx.add(blob, "sentence_transformers.module_injection", "critical",
                             f"modules.json makes SentenceTransformer import {clip(ref, 200)} and call its load(): "
                             f"{j.reason}", 0, ref)
            elif j.severity is not None:
                self.ctx.add(blob, "sentence_transformers.custom_module", "medium",
                             f"modules.json names {clip(ref, 200)}, which is not part of sentence-transformers: "
                             "loading imports it (this repository's code with trust_remote_code=True, else an "
                             "installed module) and calls its load(); review that code (it is not analysed here)",
                             0, ref)

    def _chat_templates(self, blob: Blob, value: object) -> None:
        """``chat_template`` of a tokenizer_config.json / chat_template.json (a string, a list of
        ``{name, template}``, or a dict of name to template, which transformers keeps as it is and picks
        ``default``/``tool_use`` or a named template from): transformers renders it in Jinja's sandbox, which
        templates reaching Python internals have escaped before (CVE-2024-56326, CVE-2025-27516, fixed in Jinja
        3.1.5 and 3.1.6)."""
        items = [("chat_template", value)] if isinstance(value, str) else [
            (f"chat_template[{t.get('name')!r}]", t.get("template")) for t in value if isinstance(t, dict)
        ] if isinstance(value, list) else [
            (f"chat_template[{k!r}]", t) for k, t in value.items()
        ] if isinstance(value, dict) else []
        for key, text in items:
            if isinstance(text, str):
                self._template(blob, key, text)

    def _template(self, blob: Blob, key: str, text: str) -> None:
        m = gguf_format.SSTI.search(text)
        if m:
            self.ctx.add(blob, "chat_template.injection", "high",
                         f"{key} contains {m.group(0)[:200]!r}: a Jinja2 sandbox-escape pattern (rendered by "
                         "transformers in Jinja's sandbox, which older Jinja versions let such templates escape)", 0)
        else:
            jinja_ast.report(self.ctx, blob, key, text, "chat_template.injection", "high", 0)

    def _template_file(self, blob: Blob) -> bool:
        """A chat template saved as its own file (``chat_template.jinja``, ``additional_chat_templates/*.jinja``,
        which transformers reads as UTF-8 text and renders like the ``chat_template`` of a tokenizer_config.json;
        llama.cpp and vLLM take any template file by path). Recognised by its name (``*.jinja``/``*.jinja2``) and
        by being UTF-8 text. Content still comes first: a pickle, an archive, NumPy or HDF5 named ``.jinja`` is
        judged as what it is (and searched as a template as well when its bytes are UTF-8 text: a text that is
        also a pickle is still rendered), while text whose first bytes merely look like a magic number
        (``TEXT_LOOKALIKES``) is only a template. Bytes that are not UTF-8 are no template transformers can
        read. True when the file was searched (or was text too large to search)."""
        name = (blob.member or blob.file).rsplit("!", 1)[-1].rsplit("/", 1)[-1].lower()
        if not name.endswith(TEMPLATE_SUFFIXES) or blob.size == 0:
            return False
        if blob.size > MAX_JSON:
            try:  # a large binary file that merely has the name is not a template (its own scan judged it)
                codecs.getincrementaldecoder("utf-8")().decode(blob.head(1 << 16), final=False)
            except UnicodeDecodeError:
                return False
            self.ctx.incomplete(blob, "template_size", f"a template file of {blob.size:,} bytes (more than "
                                f"{MAX_JSON:,}): not searched")
            return True
        try:
            text = blob.head(MAX_JSON).decode("utf-8-sig")
        except UnicodeDecodeError:
            return False
        self._template(blob, "chat template file", text)
        return True

    def _json(self, blob: Blob) -> str:
        try:
            doc = json.loads(blob.head(MAX_JSON).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return "other"
        if isinstance(doc, dict) and isinstance(doc.get("auto_map"), dict | list) and doc["auto_map"]:
            self._remote_code(blob, doc["auto_map"])
        # a config's custom pipelines ({task: {"impl": "module.Class", ...}}): pipeline(..., trust_remote_code=True)
        # imports each impl from the repository as it does auto_map's classes
        pipes = doc.get("custom_pipelines") if isinstance(doc, dict) else None
        impls = [v.get("impl") for v in pipes.values() if isinstance(v, dict)] if isinstance(pipes, dict) else []
        if any(isinstance(i, str) and i for i in impls):
            self._remote_code(blob, [i for i in impls if isinstance(i, str) and i], "custom_pipelines")
        if isinstance(doc, dict) and "_class_name" in doc and "_diffusers_version" in doc:
            refs = _diffusers_code(doc, None if blob.member is not None or blob.folder is None else Path(blob.folder))
            if refs:
                self._remote_code(blob, refs, "model_index.json")
        if isinstance(doc, dict) and "chat_template" in doc:
            self._chat_templates(blob, doc["chat_template"])
        tfjs = tfjs_format.kind(doc)
        if tfjs is not None:
            tfjs_format.scan_tfjs(self.ctx, blob, doc, tfjs)
            return tfjs
        if isinstance(doc, dict) and isinstance(doc.get("weight_map"), dict):
            safetensors_format.check_index(self.ctx, blob, doc)
            return "checkpoint-index"
        if isinstance(doc, list) and doc and all(isinstance(m, dict) and isinstance(m.get("type"), str)
                                                 and "path" in m for m in doc):
            self._st_modules(blob, doc)
        if isinstance(doc, dict) and "class_name" in doc and "config" in doc:
            keras_format.check_config(self.ctx, blob, doc)
            return "keras-config"
        return "json"

    def scan_file(self, path: Path, rel: str) -> None:
        ctx = self.ctx
        try:
            data, keep = map_file(path, lambda st: self.hard_links.check(path, st))
        except links.HardLinked as exc:  # another name of a system or credentials file: listed, never read
            ctx.files.append(FileEntry(rel, "system-file", 0))
            ctx.findings.append(exc.finding(rel))
            return
        except NotRegular:
            ctx.files.append(FileEntry(rel, "special-file", 0))
            ctx.findings.append(Finding(rel, None, None, "incomplete.special_file", "info", None,
                                        "a FIFO, device or socket, not a file: not opened, not scanned"))
            return
        except OSError as exc:
            entry = FileEntry(rel, "unreadable", 0)
            ctx.files.append(entry)
            ctx.findings.append(Finding(rel, None, None, "incomplete.unreadable", "info", None,
                                        f"cannot read: {exc.strerror or exc}"))
            return
        blob = Blob(data, 0, len(data), rel, None, 0, path.parent, keep)
        ctx.resources.extend(keep)
        ctx.start_file(blob.size)
        try:
            fmt = self.scan_blob(blob)
        except Exception as exc:  # noqa: BLE001 - one file's scanner failure must not end a folder audit
            fmt = "error"
            ctx.findings.append(Finding(rel, None, None, "incomplete.scanner_error", "info", None,
                                        f"the scan of this file failed ({type(exc).__name__}: {exc}); not clean"[:300]))
        finally:
            ctx.release()
            ctx.summarize_unlisted()
        ctx.files.append(FileEntry(rel, fmt, blob.size))


def _walk(root: Path, limit: int, errors: list[OSError]) -> list[tuple[Path, str]]:
    """Every file under ``root``; folders that cannot be listed go to ``errors`` (os.walk skips them
    silently, which let a payload in a folder nested past PATH_MAX read as clean)."""
    out: list[tuple[Path, str]] = []
    for d, dirs, names in os.walk(root, followlinks=False, onerror=errors.append):
        dirs.sort()
        names = names + [n for n in dirs if os.path.islink(os.path.join(d, n))]  # listed (as links), never walked
        for n in sorted(names):
            p = Path(d, n)
            out.append((p, p.relative_to(root).as_posix()))
            if len(out) >= limit:
                return out
    return out


def _unfollowed_link(eng: Engine, p: Path, rel: str, root: str, folder: bool) -> None:
    """A link the walk does not follow leaves the verdict ``incomplete`` unless nothing is missed by it.

    A link to a folder inside the audited one is walked where that folder lives: nothing is missed. A link to
    a folder elsewhere (or one that loops) is not walked, so what a loader would read through it was not
    scanned; a broken link (or a link loop) names content that cannot be read at all (given as the target, it is
    the command's one-line error, exit 66). Either way the audit cannot vouch for it (it used to read ``clean``)."""
    if folder:
        target = os.path.realpath(p)
        if target == root or target.startswith(root.rstrip(os.sep) + os.sep):
            return
        detail = "a symbolic link to a folder outside the audited one: not followed; audit that folder itself"
    else:
        detail = "a broken symbolic link (its target does not exist or loops): not scanned"
    eng.ctx.findings.append(Finding(rel, None, None, "incomplete.unreadable", "info", None, detail))


def scan_path(path: Path, limits: Limits = DEFAULT_LIMITS, sensitive_files: Sequence[str] | None = None) -> Report:
    """Audit one file or a folder (recursively). Never imports or unpickles anything it reads.

    ``sensitive_files``: the system and credentials files a hard link must not reach (:class:`links.HardLinks`);
    None for rules.yml ``links.sensitive.files`` (``~/.ssh``, ``/etc/shadow``, a Hub token…)."""
    eng = Engine(limits, sensitive_files)
    target = utf8(str(path))
    # a link given as the target (a broken one is the command's one-line error; here it reads as unreadable)
    if os.path.islink(path) and os.path.exists(path):
        given = links.given(path, eng.hard_links)
        if given.finding is not None:
            eng.ctx.findings.append(given.finding)
        if not given.read:  # a system or credentials file or folder: listed, never opened nor walked
            eng.ctx.files.append(FileEntry(path.name or target, "system-file", 0))
            return Report(target, eng.ctx.findings, eng.ctx.files, given.target)
        report = _scan(eng, path, limits)
        report.link = given.target
        return report
    return _scan(eng, path, limits)


@dataclass
class _Name:
    """One entry of a folder walk, looked at before anything is read: ``st`` is ``os.stat`` of it (through a
    symbolic link; None for a broken link or a loop), ``link`` what :func:`links.judge` says of a symbolic link to
    a file (its finding, whether its target may be read, the resolved target)."""

    path: Path
    rel: str
    is_link: bool
    st: os.stat_result | None
    link: tuple[Finding | None, bool, str] | None = None

    @property
    def to_folder(self) -> bool:
        return self.st is not None and stat.S_ISDIR(self.st.st_mode)


def _names(eng: Engine, files: list[tuple[Path, str]], root: str) -> list[_Name]:
    """Each walked entry with its ``stat``: the one ``os.stat`` per entry the walk adds (it replaces the
    ``isdir``/``exists`` checks a link had), and what a symbolic link to a file earns (resolved once)."""
    out: list[_Name] = []
    for p, rel in files:
        is_link = os.path.islink(p)
        try:
            st: os.stat_result | None = os.stat(p)
        except (OSError, ValueError):
            st = None
        name = _Name(p, rel, is_link, st)
        if is_link and st is not None and not name.to_folder:
            name.link = links.judge(p, rel, root, known=eng.hard_links)
        out.append(name)
    return out


def _same_files(eng: Engine, names: list[_Name]) -> dict[int, int]:
    """Which entries are another name of a file the walk also reaches under a name it prefers: index -> the index
    of that name. A huggingface_hub cache lists each file as its blob (``blobs/<hash>``) and as a link to it in
    every revision that has it (``snapshots/<rev>/pytorch_model.bin``): read under each name, a payload was two
    or three findings and the summary counted the bytes as often. One file is one identity, (``st_dev``,
    ``st_ino``), whatever leads to it: symbolic links (followed by ``os.stat``) and hard links alike. The name
    kept is a chat template's name if there is one (the only name that changes how bytes are judged,
    Engine._template_file: ``a.txt`` hard-linked to ``chat_template.jinja`` must not hide the template), then a
    symbolic link (the name a user or a loader opens: the snapshot's, not the hash), then the first in sorted
    order. Left out, so they are listed and judged exactly as before: anything that is not
    a regular file, a link whose target is never read (:func:`links.judge`), and a file that is a system or
    credentials file under another name (:class:`links.HardLinks`), each name of which has its own finding."""
    groups: dict[tuple[int, int], list[int]] = {}
    for i, n in enumerate(names):
        if n.st is None or not stat.S_ISREG(n.st.st_mode) or (n.link is not None and not n.link[1]):
            continue
        try:
            eng.hard_links.check(n.path, n.st)
        except links.HardLinked:
            continue
        groups.setdefault((n.st.st_dev, n.st.st_ino), []).append(i)
    same: dict[int, int] = {}
    for group in groups.values():
        if len(group) > 1:
            keep = min(group, key=lambda i: (not names[i].rel.lower().endswith(TEMPLATE_SUFFIXES),
                                             not names[i].is_link, i))
            same.update((i, keep) for i in group if i != keep)
    return same


def _scan(eng: Engine, path: Path, limits: Limits) -> Report:
    target = utf8(str(path))
    # os.path's predicates answer False where pathlib's raise (a path longer than PATH_MAX): such a file
    # then fails to open and is listed as unreadable, never skipped
    if os.path.isdir(path):
        errors: list[OSError] = []
        files = _walk(path, limits.max_files + 1, errors)
        if len(files) > limits.max_files:
            files = files[: limits.max_files]
            eng.ctx.findings.append(Finding(".", None, None, "incomplete.file_count", "info", None,
                                            f"more than {limits.max_files:,} files; the rest were not scanned"))
        for exc in errors:
            where = os.path.relpath(exc.filename, path) if isinstance(exc.filename, str) else "."
            eng.ctx.findings.append(Finding(where[:1000], None, None, "incomplete.unreadable", "info", None,
                                            f"cannot list this folder: {exc.strerror or exc}; its files were not "
                                            "scanned"))
        root = os.path.realpath(path)
        names = _names(eng, files, root)
        same = _same_files(eng, names)
        entry_of: dict[int, FileEntry] = {}  # the entry of each name read, and of each other name
        for i, n in enumerate(names):
            p, rel = n.path, n.rel
            if n.is_link and (n.to_folder or n.st is None):
                folder = n.to_folder
                # a link to a system or credentials folder: the finding, never walked (links.system_link), and
                # nothing to audit there, so no incomplete.unreadable asking for it; as when given as the target
                system = links.system_link(p, rel, root, known=eng.hard_links) if folder else None
                if system is not None:
                    eng.ctx.findings.append(system)
                    eng.ctx.files.append(FileEntry(rel, "system-file", 0))
                    continue
                eng.ctx.files.append(FileEntry(rel, "symlink-to-folder" if folder else "broken-symlink", 0))
                _unfollowed_link(eng, p, rel, root, folder)
                continue
            link_to = None
            if n.link is not None:  # a file (or FIFO, device: scan_file never opens those) it points at
                finding, readable, link_to = n.link
                if finding is not None:
                    eng.ctx.findings.append(finding)
                if not readable:  # a system or credentials file (links.system_link): listed, never opened (as
                    # when given as the target: its finding's `import` names it, the entry stays as it was)
                    eng.ctx.files.append(FileEntry(rel, "system-file", 0))
                    continue
            if i in same:  # another name of a file read under the name kept: listed, filled in below
                entry_of[i] = FileEntry(rel, "", 0, same_as=names[same[i]].rel, link_to=link_to)
                eng.ctx.files.append(entry_of[i])
                continue
            eng.scan_file(p, rel)
            entry = entry_of[i] = eng.ctx.files[-1]  # scan_file lists each file once, last
            if link_to is not None:
                entry.link_to = utf8(link_to)
        _fill_other_names(eng, names, same, entry_of)
    else:
        eng.scan_file(path, path.name)
    safetensors_format.check_indexes(eng.ctx)
    eng.ctx.summarize_unlisted()
    return Report(target, eng.ctx.findings, eng.ctx.files)


def _fill_other_names(eng: Engine, names: list[_Name], same: dict[int, int], entry_of: dict[int, FileEntry]) -> None:
    """Each other name of a file gets the format and size its content was read as (the name kept may come later
    in the walk: a blob sorts before its snapshot), and, for a sharded checkpoint's index, the tensors of that
    shard under its own name too: a revision whose new index names a shard it shares with an older revision
    finds the shard beside it (safetensors_format.check_indexes), as when each name was read."""
    for i, keep in same.items():
        entry, kept = entry_of.get(i), entry_of.get(keep)
        if entry is None or kept is None:
            continue
        entry.format, entry.bytes = kept.format, kept.bytes
        tensors = eng.ctx.st_tensors.get(names[keep].rel)
        if tensors is not None:
            eng.ctx.st_tensors[names[i].rel] = tensors
