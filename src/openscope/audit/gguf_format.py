"""GGUF (llama.cpp): header, metadata of every value type, tensor infos and data offsets, with every count
bounded by the bytes left (the allocation/overflow class fixed in llama.cpp and gguf readers), and chat
templates checked for Jinja2 template injection (CVE-2024-34359 class: sandbox escapes through dunder
attributes)."""

from __future__ import annotations

import re
import struct

from openscope.audit import jinja_ast, native_format
from openscope.audit.blob import Blob, Truncated
from openscope.audit.context import Context

# ggml type id -> (block size in elements, bytes per block); from gguf-py constants GGML_QUANT_SIZES
# (https://github.com/ggml-org/llama.cpp/blob/master/gguf-py/gguf/constants.py, MIT licence).
GGML_TYPES: dict[int, tuple[int, int]] = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34), 9: (32, 40),
    10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 15: (256, 292),
    16: (256, 66), 17: (256, 74), 18: (256, 98), 19: (256, 50), 20: (32, 18), 21: (256, 110), 22: (256, 82),
    23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8), 29: (256, 56), 30: (1, 2),
    34: (256, 54), 35: (256, 66), 39: (32, 17), 40: (64, 36), 41: (128, 18),
}
# metadata value types: id -> struct format (8 = string, 9 = array)
_SCALAR = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
MAX_DIMS = 4  # GGML_MAX_DIMS
MAX_ARRAY_DEPTH = 4
MAX_CARRIED = 1000  # strings starting like a native header kept for the native.embedded check
SSTI = re.compile(
    # dunder attributes and Jinja internals
    r"__[A-Za-z]\w*__|_TemplateReference__context|\bself\s*\.\s*_|\b(?:popen|subprocess|import_module)\b"
    r"|\|\s*attr\s*\(\s*['\"]_|\battr\s*\(\s*['\"]_"
    # an underscore written as an escape (Jinja string literals decode \x, \u, \U, octal and \N{...})
    r"|\\x5f|\\u005f|\\U0000005f|\\137|\\N\{LOW LINE\}"
    # attribute names built at render time: attr() of anything but a plain literal, underscores made by
    # concatenation, repetition, join or %c formatting, a literal that starts or ends a dunder (every
    # pattern fixed-width or bounded around its repeat: a template of a megabyte of '_' or '{' is linear)
    r"|\battr\s*\(\s*(?!['\"][A-Za-z])"
    r"|['\"]_+['\"]\s*(?:[~+*,]\s*(?:\d|['\"]_)|\*)|(?:[~+,]\s*)['\"]_+['\"]\s*[~+,]"
    r"|\bset\s+\w+\s*=\s*['\"]_+['\"]|['\"]__\w|(?<=\w)__['\"]|%c|\{[^{}]{0,40}:c\}"
    # frames, code and globals reached without dunders; private attributes; SSTI-only Jinja globals
    r"|\b(?:gi_frame|gi_code|ag_frame|cr_frame|tb_frame|f_globals|f_builtins|f_locals|f_back|co_code|func_globals|im_func"
    r"|mro)\b|\.\s*_[A-Za-z]|\b(?:lipsum|cycler)\b"
    # red-team round four: names built from characters no pattern above sees. An underscore made from a
    # number by a format spec that is itself an argument ('{:{}}'.format(95, 'c')) or built by concatenation
    # ('%' ~ 'c', '{:' ~ 'c}'), by int.to_bytes/bytes.fromhex, or cut out of a literal holding one
    # ('a_b'[1], 'a_b'|list, 'a_b'.split('a'), dict(a_=1)|list); a Jinja global class or function, or a
    # string literal, subscripted (Jinja's subscript falls back to getattr: namespace['__init__']); a
    # subscript whose key is concatenated or filtered at render time (x[d ~ 'init' ~ d]). A literal holds no
    # brace or percent sign here, and a format field's name is word characters: otherwise the text between two
    # literals across Jinja tags (`'user' %}{%- if system_message … %}{{- ' [INST]`, Mistral's template) and
    # compact JSON (`'{"type":"function","function":{'`) read as a literal cut or a nested format spec; such
    # literals are still judged from the template's parse (jinja_ast)
    r"|\{[\w.\[\]]{0,40}:\{|['\"][^'\"\n]{0,20}(?:%|\{[^{}'\"]{0,10}:)['\"]\s*[~+]|\b(?:to_bytes|fromhex)\b"
    r"|['\"][^'\"\n{}%]{0,40}_[^'\"\n{}%]{0,40}['\"]\s*(?:\[|\|\s*(?:list|first|last|batch|slice|reverse|random|sort|unique"
    r"|map|select)\b|\.\s*(?:split|rsplit|partition|rpartition|strip|lstrip|rstrip|replace|translate)\b)"
    r"|\bdict\s*\([^()]{0,80}\b\w{0,40}_\w{0,40}\s*="
    r"|\b(?:namespace|joiner|range|dict|self|raise_exception|strftime_now)\s*\["
    r"|(?:[(=,~+\[]|\{\{-?)\s{0,3}['\"][^'\"\n%{}]{0,40}['\"]\s*\[\s*(?![-\d:\]])"
    r"|(?<=[\w)\]])\[\s*\(?\s*\w+\s*~|(?<=[\w)\]])\[[^\[\]\n]{0,80}(?:\|\s*(?:join|format|replace|reverse|string"
    r"|lower|upper|title|trim)\b|\.\s*format\s*\()",
    re.IGNORECASE,
)


class _Bad(Exception):
    def __init__(self, rule: str, detail: str, offset: int) -> None:
        super().__init__(detail)
        self.rule, self.detail, self.offset = rule, detail, offset


def scan_gguf(ctx: Context, blob: Blob) -> None:
    carried: list[tuple[int, int, str]] = []
    try:
        _scan(ctx, blob, carried)
    except _Bad as b:
        ctx.add(blob, f"malformed.gguf.{b.rule}", "medium", b.detail, b.offset)
    except Truncated as exc:
        ctx.add(blob, "malformed.gguf.truncated", "medium", f"file ends inside a declared structure: {exc}")
    _carried(ctx, blob, carried)


def _carried(ctx: Context, blob: Blob, carried: list[tuple[int, int, str]]) -> None:
    """``native.embedded`` for a string (a metadata value, an array item, a key or tensor name) that holds a
    native image: llama.cpp and gguf-py hand string values over as raw bytes, which code reading the file can
    write out and load. Only strings the walk already bounds-checked are judged, never tensor data."""
    for at, n, key in carried:
        image = Blob(blob.data, blob.start + at, blob.start + at + n, blob.file, blob.member, blob.depth + 1,
                     blob.folder, blob.keep)
        fmt = native_format.embedded(image)
        if fmt is not None:
            native_format.report_embedded(ctx, blob, image, fmt, f"string {key} at byte {at:,}", at)


def _scan(ctx: Context, blob: Blob, carried: list[tuple[int, int, str]]) -> None:  # noqa: C901 - one pass
    (v_le,) = blob.unpack("<I", 4)
    (v_be,) = blob.unpack(">I", 4)
    if 1 <= v_le <= 3:
        e, version = "<", v_le
    elif 1 <= v_be <= 3:
        e, version = ">", v_be
    else:
        raise _Bad("version", f"unknown GGUF version {v_le}", 4)
    cnt = f"{e}I" if version == 1 else f"{e}Q"
    csize = 4 if version == 1 else 8
    pos = 8
    (n_tensors,) = blob.unpack(cnt, pos)
    (n_kv,) = blob.unpack(cnt, pos + csize)
    pos += 2 * csize
    left = blob.size - pos
    # each metadata pair needs at least a length, a type and one byte; each tensor info at least 4+4+8+8 bytes
    if n_kv > left // (csize + 5) or n_tensors > left // (csize + 4 + 4 + 8):
        raise _Bad("count", f"declares {n_tensors:,} tensors and {n_kv:,} metadata pairs in {left:,} bytes", 8)

    where = ["key"]  # what the strings being read are, for native.embedded's detail

    def carry(p: int, n: int) -> None:
        """Keep a string (bounds already checked) whose first bytes start a native magic, for _carried."""
        if n >= native_format.MIN_EMBEDDED and len(carried) < MAX_CARRIED \
                and blob.read(p, 2) in native_format.MAGIC2:
            carried.append((p, n, where[0]))

    def string(p: int) -> tuple[str, int]:
        (n,) = blob.unpack(cnt, p)
        if n > blob.size - p - csize:
            raise _Bad("string_length", f"string of {n:,} bytes at {p:,} runs past the end", p)
        carry(p + csize, n)
        return blob.read(p + csize, n).decode("utf-8", "replace"), p + csize + n

    def skip_value(t: int, p: int, depth: int, keep: bool) -> tuple[object, int]:
        if t in _SCALAR:
            size = struct.calcsize(_SCALAR[t])
            if keep:
                return blob.unpack(e + _SCALAR[t], p)[0], p + size
            blob.unpack(e + _SCALAR[t], p)
            return None, p + size
        if t == 8:
            if keep:
                return string(p)
            (n,) = blob.unpack(cnt, p)
            if n > blob.size - p - csize:
                raise _Bad("string_length", f"string of {n:,} bytes at {p:,} runs past the end", p)
            carry(p + csize, n)
            return None, p + csize + n
        if t == 9:
            if depth >= MAX_ARRAY_DEPTH:
                raise _Bad("array_depth", f"arrays nested deeper than {MAX_ARRAY_DEPTH}", p)
            (it,) = blob.unpack(f"{e}I", p)
            (n,) = blob.unpack(cnt, p + 4)
            p += 4 + csize
            if it in _SCALAR:
                size = struct.calcsize(_SCALAR[it])
                if n > (blob.size - p) // size:
                    raise _Bad("array_length", f"array of {n:,} items at {p:,} runs past the end", p)
                return None, p + n * size
            if it not in (8, 9):
                raise _Bad("value_type", f"unknown array item type {it}", p)
            if n > (blob.size - p) // csize:
                raise _Bad("array_length", f"array of {n:,} items at {p:,} runs past the end", p)
            for _ in range(n):
                _, p = skip_value(it, p, depth + 1, False)
            return None, p
        raise _Bad("value_type", f"unknown metadata value type {t}", p)

    alignment = 32
    templates: list[tuple[str, str, int]] = []
    for _ in range(n_kv):
        where[0] = "key"
        key, pos = string(pos)
        where[0] = f"value of {key[:80]!r}"
        (t,) = blob.unpack(f"{e}I", pos)
        pos += 4
        at = pos
        want = key == "general.alignment" or key.startswith("tokenizer.chat_template")
        val, pos = skip_value(t, pos, 0, want)
        if key == "general.alignment":
            if not isinstance(val, int) or val <= 0 or val & (val - 1):
                raise _Bad("alignment", f"general.alignment {val!r} is not a power of two", at)
            alignment = val
        elif key.startswith("tokenizer.chat_template") and isinstance(val, str):
            templates.append((key, val, at))
    infos = []
    where[0] = "tensor name"
    for _ in range(n_tensors):
        name, pos = string(pos)
        (nd,) = blob.unpack(f"{e}I", pos)
        pos += 4
        if nd > MAX_DIMS:
            raise _Bad("tensor_dims", f"tensor {name[:80]!r} has {nd} dimensions (max {MAX_DIMS})", pos)
        dims = blob.unpack(f"{e}{nd}Q", pos) if nd else ()
        pos += 8 * nd
        (gt,) = blob.unpack(f"{e}I", pos)
        (off,) = blob.unpack(f"{e}Q", pos + 4)
        infos.append((name, dims, gt, off, pos))
        pos += 12
    data_start = (pos + alignment - 1) // alignment * alignment
    data_len = blob.size - data_start
    for name, dims, gt, off, at in infos:
        if gt not in GGML_TYPES:
            ctx.add(blob, "malformed.gguf.tensor_type", "medium", f"tensor {name[:80]!r}: unknown ggml type {gt}", at)
            continue
        block, tsize = GGML_TYPES[gt]
        numel = 1
        for d in dims:
            numel *= d
        if numel >= 1 << 63 or numel % block:
            ctx.add(blob, "malformed.gguf.tensor_shape", "medium",
                    f"tensor {name[:80]!r}: {list(dims)} elements overflow or do not fill whole blocks of {block}", at)
            continue
        nbytes = numel // block * tsize
        if off % alignment or off + nbytes > data_len:
            ctx.add(blob, "malformed.gguf.tensor_bounds", "medium",
                    f"tensor {name[:80]!r}: {nbytes:,} bytes at data offset {off:,} do not fit the {data_len:,} "
                    "data bytes (or are misaligned)", at)
    for key, text, at in templates:
        m = SSTI.search(text)
        if m:
            ctx.add(blob, "gguf.chat_template.injection", "critical",
                    f"{key} contains {m.group(0)!r}: Jinja2 sandbox-escape pattern (a template reaching Python "
                    "internals runs code when rendered, CVE-2024-34359 class)", at)
        else:
            jinja_ast.report(ctx, blob, key, text, "gguf.chat_template.injection", "critical", at)
