"""Keras: ``.keras`` archives (``config.json``) and legacy HDF5 (``model_config`` attribute).

A Lambda layer carries marshalled Python bytecode that ``load_model`` turns into a function; a config entry
whose ``module`` is not Keras makes older Keras import that module and fetch the named object
(CVE-2025-1550 class). HDF5 is read by searching its raw bytes for the JSON Keras writes (attribute
strings are stored uncompressed), so the verdict does not depend on h5py being installed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from openscope.audit import hdf5_format, native_format
from openscope.audit.blob import Blob
from openscope.audit.context import Context
from openscope.audit.rules import ruleset

KERAS_MODULES = ("keras", "tf_keras", "tensorflow.keras", "tensorflow.python.keras", "keras_nlp", "keras_hub",
                 "keras_cv")
MAX_NODES = 1_000_000
# constructor arguments that Keras layers and KerasHub tokenizers read as a file when given a string
# (StringLookup/IntegerLookup/TextVectorization `vocabulary`, BytePairTokenizer `merges`, SentencePieceTokenizer
# `proto`; the last two only on tokenizers): a saved config holds the list or nothing, so a string there makes
# loading read that path
FILE_KEYS = ("vocabulary", "merges", "proto")
CHUNK = 4 << 20
OVERLAP = 64 << 10
MAX_JSON = 64 << 20
_LAMBDA = re.compile(rb'"class_name"\s*:\s*"(?:Lambda|__lambda__)"|"function_type"\s*:\s*"lambda"')
# any JSON object start: Keras parses the whole config whatever its key order, and JSON lets every key and
# value be written with \u escapes ("\u0063lass_name": "\u004cambda"), which no byte pattern of the decoded
# names would see; candidates are decoded and judged on their decoded content
_JSON_START = re.compile(rb'\{\s*"')


def _is_keras(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in KERAS_MODULES)


def check_config(ctx: Context, blob: Blob, doc: Any, offset: int | None = None) -> None:
    """Walk a Keras config (iteratively, bounded) for Lambda layers and non-Keras module references, and its string
    values for native images (``native.embedded``: Keras hands a layer's config values to the layer's class, and
    a custom one can write an image held in base64, or as code points escaped in the JSON, out and load it)."""
    rules = ruleset()
    todo = [doc]
    reported: set[tuple[str, str]] = set()
    values = native_format.Values(ctx, blob)
    where = "the Keras config" if offset is None else f"the Keras config at byte {offset:,}"
    try:
        _walk_config(ctx, blob, todo, offset, rules, reported, values, where)
    finally:
        values.done()


def _walk_config(ctx: Context, blob: Blob, todo: list[Any], offset: int | None, rules: Any,
                 reported: set[tuple[str, str]], values: native_format.Values, where: str) -> None:
    seen = 0
    while todo:
        node = todo.pop()
        seen += 1
        if seen > MAX_NODES:
            ctx.incomplete(blob, "keras_config", f"config has more than {MAX_NODES:,} nodes; rest not checked", offset)
            return
        if isinstance(node, str):
            if len(node) >= native_format.MIN_EMBEDDED:
                values.value(node, f"a string value of {where}", offset)
            continue
        if isinstance(node, list):
            todo.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        todo.extend(node.values())
        cls = node.get("class_name")
        if cls in ("Lambda", "__lambda__") or node.get("function_type") == "lambda":
            name = (node.get("config") or {}).get("name") if isinstance(node.get("config"), dict) else None
            key = ("lambda", "")  # one finding per config is enough
            if key not in reported:
                reported.add(key)
                ctx.add(blob, "keras.lambda", "critical",
                        f"Lambda layer {name!r}: carries marshalled Python bytecode that load_model turns into a "
                        "function and runs", offset)
        inner = node.get("config")
        if isinstance(cls, str) and isinstance(inner, dict):
            for k in FILE_KEYS:
                if k != "vocabulary" and not cls.endswith("Tokenizer"):
                    continue
                path = inner.get(k)
                if isinstance(path, str) and path and (k, path) not in reported:
                    reported.add((k, path))
                    ctx.add(blob, "keras.file_reference", "high",
                            f"{cls} layer {inner.get('name')!r}: its {k} {path!r} is a file path, which loading reads "
                            "on the loader's machine (tf.io.gfile: also gs:// and other remote schemes) into the "
                            "model: arbitrary file read (CVE-2025-12058 class)", offset, path)
        module = node.get("module")
        if isinstance(module, str) and isinstance(cls, str):
            target = node.get("config") if cls == "function" and isinstance(node.get("config"), str) else cls
            j = rules.judge(module, str(target))
            key = (module, str(target))
            if j.severity is None or key in reported:
                continue
            # Keras's own modules are trusted except the functions the rules deny there (keras.utils.get_file
            # downloads, keras.config.enable_unsafe_deserialization turns safe_mode off: CVE-2025-9906 class)
            if _is_keras(module) and j.severity != "critical":
                continue
            reported.add(key)
            if j.severity == "critical":
                ctx.add(blob, "keras.module_injection", "critical",
                        f"config makes Keras import {module}.{target}: {j.reason} (CVE-2025-1550 class)", offset,
                        f"{module}.{target}")
            else:
                ctx.add(blob, "keras.custom_module", "medium",
                        f"config references {module}.{target}, which is not part of Keras: loading imports it", offset,
                        f"{module}.{target}")


def scan_keras_config(ctx: Context, blob: Blob) -> None:
    """``config.json`` inside a ``.keras`` archive."""
    try:
        doc = json.loads(blob.head(MAX_JSON).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        ctx.add(blob, "malformed.keras.config", "medium", f"config.json is not valid JSON: {exc}"[:200])
        return
    check_config(ctx, blob, doc)


def scan_hdf5(ctx: Context, blob: Blob) -> None:
    """Legacy Keras ``.h5``: find the JSON configs in the raw bytes and check them; regexes catch the rest. The
    attribute values are read from the HDF5 structures for native images (:mod:`hdf5_format`)."""
    hdf5_format.scan_attributes(ctx, blob)
    decoder = json.JSONDecoder()
    pos = 0
    skip_to = 0
    lambdas = 0
    # Each candidate is parsed up to the next NUL (attribute strings end there). A hostile file can hold
    # thousands of candidates with no NUL after them ('{"module": ' repeated): reading and parsing the rest
    # of the file for each was quadratic (2 MB took minutes), so the next NUL is tracked once for all
    # candidates and the bytes parsed are bounded by a budget; past it the scan says it is incomplete.
    budget = 8 * blob.size + MAX_JSON
    nul_at: int | None = None  # first NUL at or after the previous candidate, if found
    nul_scanned = 0  # no NUL in [previous candidate, nul_scanned) when nul_at is None
    parsing = True
    while pos < blob.size:
        end = min(blob.size, pos + CHUNK + OVERLAP)
        window = blob.read(pos, end - pos)
        for m in _JSON_START.finditer(window) if parsing else ():
            at = pos + m.start()
            if at < skip_to:
                continue
            limit = min(blob.size, at + MAX_JSON)
            if nul_at is None or nul_at < at:
                i = blob.find(b"\x00", max(at, nul_scanned) if nul_at is None else at, limit)
                nul_at, nul_scanned = (i, i) if i >= 0 else (None, limit)
            stop = limit if nul_at is None else min(nul_at, limit)
            budget -= stop - at
            if budget < 0:
                ctx.incomplete(blob, "keras_config", "too many JSON-like candidates to parse within the bound; "
                               "the rest of the file was searched for Lambda layers only", at)
                parsing = False
                break
            text = blob.read(at, stop - at).decode("utf-8", "replace")
            try:
                doc, used = decoder.raw_decode(text)
            except (ValueError, RecursionError):
                continue
            skip_to = at + len(text[:used].encode("utf-8"))
            check_config(ctx, blob, doc, at)
        if not lambdas:
            lm = _LAMBDA.search(window)
            if lm and not any(f.rule == "keras.lambda" for f in ctx.findings if f.file == blob.file):
                lambdas += 1
                ctx.add(blob, "keras.lambda", "critical", "Lambda layer in the HDF5 model config: marshalled Python "
                        "bytecode that load_model runs", pos + lm.start())
        if end >= blob.size:
            break
        pos += CHUNK
        _release(blob, pos)


def _release(blob: Blob, upto: int) -> None:
    """Let the kernel drop pages of a mapped file already read (keeps peak RSS bounded on big files)."""
    madvise = getattr(blob.data, "madvise", None)
    if madvise is None:
        return
    import mmap

    page = mmap.PAGESIZE
    stop = (blob.start + upto) // page * page
    first = blob.start // page * page
    if stop > first:
        try:
            madvise(mmap.MADV_DONTNEED, first, stop - first)
        except (OSError, ValueError, AttributeError):
            pass
