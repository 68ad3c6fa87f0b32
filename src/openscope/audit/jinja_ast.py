"""Chat templates judged from their parsed form (jinja2's own parser), never rendered or compiled.

Why: a renderer without Jinja's sandbox (llama-cpp-python before 0.2.72, CVE-2024-34359; a custom server) lets a
template reach Python internals through attribute names. The text patterns of ``gguf_format.SSTI`` see how a name
is *written*; a template can instead *compute* it at render time (an underscore taken from ``bos_token`` text the
file's own vocabulary sets, kept in a ``{% set %}`` variable, used as ``messages[a]``, where Jinja's subscript falls
back to ``getattr``). This module parses the template with jinja2 (``Environment.parse``: lexing and parsing only)
and follows, flow-insensitively, what each variable may hold:

- a string the template folds from literals (concatenation, ``~``, ``join``, ``replace``, ``lower``, slicing,
  ``format``/``%`` with literal arguments, ``dict``/``namespace`` keys): the name is known and checked against what
  Jinja's sandbox forbids (a leading ``_``, ``jinja2.sandbox``'s ``UNSAFE_*`` attributes, ``mro``);
- a number (``loop.index0 - 1``, ``messages|length``): an index, harmless;
- the caller's data (``messages``, ``tools``, a loop over them, a macro parameter given such data): its text is not
  the template's choice;
- a string the template *makes* from its own material but cannot be folded here (special-token text, the text of
  a Jinja global, a ``strftime_now`` result, a macro's output, a ``{% set %}`` block, an unknown filter of a
  literal): a name the template chooses.

A made or forbidden name used to reach an attribute (``x.name``, ``x[key]`` with a string key, ``|attr(key)``,
a format string's ``{0.name}`` field, ``{% set ns.name %}``) is reported. Real chat templates index messages by
numbers and by literal keys (``'role'``, ``'content'``) and iterate the caller's data; they never compute an
attribute name, so they stay clean.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass, field

import jinja2
import jinja2.ext
import jinja2.sandbox
from jinja2 import nodes

from openscope.audit.blob import Blob
from openscope.audit.context import Context

MAX_PARSE_CHARS = 256 * 1024  # real chat templates are tens of kB; jinja2 parses ~0.4 MB of dense tags a second
MAX_STRS = 16  # known string values one variable may hold before it counts as made
MAX_STR_LEN = 512  # a folded string longer than this counts as made
MAX_FINDINGS = 8
PASSES = 4  # fixpoint passes over the flow-insensitive environment
MAX_STEPS = 2_000_000  # expression evaluations over all passes (each node once a pass; 256 KiB has far fewer)

# text the model files choose (a tokenizer's special tokens; llama.cpp and transformers hand them to the template)
TOKEN_NAMES = frozenset({"bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token",
                         "additional_special_tokens"})
# Jinja globals and those transformers and llama.cpp add: objects whose text and attributes the template chooses
GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace", "self", "loop", "raise_exception",
                     "strftime_now", "varargs", "kwargs", "caller"})
LOOP_NUMBERS = frozenset({"index", "index0", "revindex", "revindex0", "length", "first", "last", "depth", "depth0"})
FORBIDDEN = frozenset(jinja2.sandbox.UNSAFE_FUNCTION_ATTRIBUTES | jinja2.sandbox.UNSAFE_METHOD_ATTRIBUTES
                      | jinja2.sandbox.UNSAFE_GENERATOR_ATTRIBUTES | jinja2.sandbox.UNSAFE_COROUTINE_ATTRIBUTES
                      | jinja2.sandbox.UNSAFE_ASYNC_GENERATOR_ATTRIBUTES) | {
    "mro", "f_globals", "f_builtins", "f_locals", "f_back", "tb_frame", "co_code", "func_globals"}
# str.format reached without the sandbox's interception of ``.format`` calls (CVE-2025-27516: |attr('format'))
ATTR_FORBIDDEN = FORBIDDEN | {"format", "format_map"}
NUMBER_FILTERS = frozenset({"length", "count", "int", "float", "abs", "round", "wordcount", "sum", "filesizeformat"})
STR_FOLDS = frozenset({"string", "lower", "upper", "trim", "title", "capitalize", "reverse", "replace", "first",
                       "last", "e", "escape", "safe", "strip", "lstrip", "rstrip"})
# filters and str methods that put their arguments' text into the result
INSERTING = frozenset({"replace", "format", "format_map", "join", "center", "ljust", "rjust", "indent", "wordwrap",
                       "truncate", "xmlattr", "urlize", "expandtabs", "zfill", "translate"})
CONTAINER_FILTERS = frozenset({"list", "items", "dictsort", "selectattr", "rejectattr", "map", "select", "reject",
                               "sort", "unique", "batch", "slice", "groupby", "min", "max", "random", "default", "d"})


def forbidden(name: str, attr_filter: bool = False) -> bool:
    """True for a name Jinja's sandbox refuses as an attribute (``is_safe_attribute``: a leading underscore, the
    ``UNSAFE_*`` internals), and ``format``/``format_map`` through ``attr`` (the sandbox only intercepts direct
    ``.format`` calls)."""
    return name.startswith("_") or name in (ATTR_FORBIDDEN if attr_filter else FORBIDDEN)


@dataclass(frozen=True)
class V:
    """What an expression may evaluate to: known strings, a number, the caller's data, or a string the template
    makes and that is not folded here (``made``). A join of several is their union."""

    strs: frozenset[str] = frozenset()
    num: bool = False
    data: bool = False
    made: bool = False

    def __or__(self, o: V) -> V:
        strs = self.strs | o.strs
        if len(strs) > MAX_STRS:
            return V(frozenset(), self.num or o.num, self.data or o.data, True)
        return V(strs, self.num or o.num, self.data or o.data, self.made or o.made)

    def derived(self) -> V:
        """A value computed from this one by an operation not folded here: strings of the template stay its
        choice (made), the caller's data stays data, numbers stay numbers."""
        return V(frozenset(), self.num and not self.strs, self.data, self.made or bool(self.strs))


NUM, DATA, MADE, NONE = V(num=True), V(data=True), V(made=True), V()


def const(s: str) -> V:
    return V(frozenset({s})) if len(s) <= MAX_STR_LEN else MADE


def strs_of(values: list[str]) -> V:
    out = NONE
    for s in values:
        out = out | const(s)
    return out


class _Budget(Exception):
    """More expression evaluations than MAX_STEPS: the template is not followed to the end (incomplete)."""


class _Generation(jinja2.ext.Extension):
    """transformers' ``{% generation %}…{% endgeneration %}`` (AssistantTracker), parsed as a plain block so
    templates that use it are judged; never rendered here."""

    tags = {"generation"}

    def parse(self, parser: jinja2.parser.Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return nodes.Scope(body, lineno=lineno)


def _environment() -> jinja2.Environment:
    # transformers' own environment options (trim_blocks, lstrip_blocks, loopcontrols, generation); the sandboxed
    # class parses exactly as the plain one, and nothing here ever renders
    return jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                                        extensions=[jinja2.ext.loopcontrols, _Generation])


@dataclass
class Result:
    """``reaches``: one line per access to a forbidden or computed name; ``error``: why the template was not
    judged from its parse (``syntax``: jinja2 rejects it, only the text patterns apply; ``depth``/``size``: the
    parse was bounded, the audit is incomplete)."""

    reaches: list[str] = field(default_factory=list)
    error: str | None = None
    detail: str = ""


def judge(source: str) -> Result:
    """Parse ``source`` with jinja2 and report each reach of a forbidden or template-computed attribute name."""
    if len(source) > MAX_PARSE_CHARS:
        return Result(error="size", detail=f"a template of {len(source):,} characters (more than "
                                           f"{MAX_PARSE_CHARS:,}) was not parsed")
    try:
        tree = _environment().parse(source)
    except jinja2.TemplateSyntaxError as exc:
        return Result(error="syntax", detail=f"jinja2 cannot parse it (line {exc.lineno}: {str(exc)[:120]})")
    except RecursionError:
        return Result(error="depth", detail="nested too deeply for jinja2's parser")
    except (MemoryError, ValueError, OverflowError) as exc:  # a literal Python cannot hold (huge int, bad escape)
        return Result(error="syntax", detail=f"jinja2 cannot parse it ({type(exc).__name__})")
    walker = _Walker()
    try:
        walker.run(tree)
    except RecursionError:
        return Result(error="depth", detail="nested too deeply to follow")
    except _Budget:
        return Result(error="size", detail=f"more than {MAX_STEPS:,} expression evaluations to follow")
    return Result(reaches=walker.reaches[:MAX_FINDINGS])


class _Walker:
    """Flow-insensitive: every assignment to a name (``set``, a loop target, a macro parameter at its call sites,
    a namespace attribute) joins into that name's value; passes repeat until nothing changes (bounded)."""

    def __init__(self) -> None:
        self.env: dict[str, V] = {}
        self.macros: dict[str, nodes.Macro] = {}
        self.reaches: list[str] = []
        self._seen: set[str] = set()
        self._report = False
        self._changed = False
        self._memo: dict[int, V] = {}
        self._steps = 0

    def run(self, tree: nodes.Template) -> None:
        for m in tree.find_all(nodes.Macro):
            self.macros[m.name] = m
        for _ in range(PASSES):
            self._changed = False
            self._memo.clear()
            self._stmts(tree.body)
            if not self._changed:
                break
        self._report = True
        self._memo.clear()
        self._stmts(tree.body)

    # -- reporting ---------------------------------------------------------------------------------------------
    def _reach(self, how: str, key: V, node: nodes.Node, attr_filter: bool = False) -> None:
        if not self._report:
            return
        bad = sorted(s for s in key.strs if forbidden(s, attr_filter))
        if bad:
            msg = f"line {node.lineno}: {how} reaches {bad[0][:60]!r}, an attribute Jinja's sandbox refuses"
        elif key.made:
            msg = (f"line {node.lineno}: {how} uses a name the template computes at render time (from its own "
                   "literals, token text or a variable), not a literal key")
        else:
            return
        if msg not in self._seen and len(self.reaches) < MAX_FINDINGS:
            self._seen.add(msg)
            self.reaches.append(msg)

    def _assign(self, name: str, v: V) -> None:
        old = self.env.get(name, NONE)
        new = old | v
        if new != old:
            self.env[name] = new
            self._changed = True

    def _target(self, t: nodes.Node, v: V) -> None:
        if isinstance(t, nodes.Name):
            self._assign(t.name, v)
        elif isinstance(t, nodes.Tuple | nodes.List):
            for item in t.items:
                self._target(item, v)
        elif isinstance(t, nodes.NSRef):
            self._reach("an assignment to a namespace attribute", const(t.attr), t)
            self._assign(f"{t.name}.{t.attr}", v)

    # -- statements --------------------------------------------------------------------------------------------
    def _stmts(self, body: list[nodes.Node]) -> None:
        for n in body:
            self._stmt(n)

    def _stmt(self, n: nodes.Node) -> None:
        if isinstance(n, nodes.Assign):
            v = self._expr(n.node)
            if isinstance(n.target, nodes.Name) and isinstance(n.node, nodes.Call) \
                    and isinstance(n.node.node, nodes.Name) and n.node.node.name == "namespace":
                for kw in n.node.kwargs:
                    self._assign(f"{n.target.name}.{kw.key}", self._expr(kw.value))
            self._target(n.target, v)
        elif isinstance(n, nodes.AssignBlock):
            self._stmts(n.body)
            self._target(n.target, MADE)  # the text the block renders: the template's own
        elif isinstance(n, nodes.For):
            it = self._expr(n.iter)
            self._target(n.target, self._elements(it))
            if n.test is not None:
                self._expr(n.test)
            self._stmts(n.body)
            self._stmts(n.else_)
        elif isinstance(n, nodes.Macro):
            for a, d in zip(n.args[len(n.args) - len(n.defaults):], n.defaults, strict=False):
                self._assign(a.name, self._expr(d))
            self._stmts(n.body)
        elif isinstance(n, nodes.CallBlock):
            self._expr(n.call)
            self._stmts(n.body)
        elif isinstance(n, nodes.With):
            for t, v in zip(n.targets, n.values, strict=False):
                self._target(t, self._expr(v))
            self._stmts(n.body)
        else:
            for child in n.iter_child_nodes():
                if isinstance(child, nodes.Expr):
                    self._expr(child)
                else:
                    self._stmt(child)

    # -- expressions -------------------------------------------------------------------------------------------
    def _elements(self, v: V) -> V:
        """What iterating a value yields: a string's characters, a container's items (strings of the
        template stay known as far as they can)."""
        chars = strs_of([c for s in v.strs for c in s][:MAX_STRS]) if v.strs else NONE
        return V(v.strs, v.num, v.data, v.made) | chars

    def _args(self, n: nodes.Call | nodes.Filter | nodes.Test) -> list[V]:
        out = [self._expr(a) for a in n.args] + [self._expr(k.value) for k in n.kwargs]
        for extra in (n.dyn_args, n.dyn_kwargs):
            if extra is not None:
                out.append(self._expr(extra))
        return out

    def _expr(self, n: nodes.Node) -> V:
        """Each expression evaluated once per pass: folding re-reads sub-expressions (a join's items, a macro
        call's keywords, a filter's attribute argument), which nested would otherwise cost 2^depth."""
        hit = self._memo.get(id(n))
        if hit is not None:
            return hit
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise _Budget
        v = self._eval(n)
        self._memo[id(n)] = v
        return v

    def _eval(self, n: nodes.Node) -> V:  # noqa: C901 - one dispatch over jinja2's expression nodes
        if isinstance(n, nodes.Const):
            if isinstance(n.value, str):
                return const(n.value)
            return NUM
        if isinstance(n, nodes.TemplateData):
            return const(n.data)
        if isinstance(n, nodes.Name):
            if n.name in self.env:
                return self.env[n.name]
            if n.name in TOKEN_NAMES or n.name in GLOBALS:
                return MADE
            return DATA  # the caller's: messages, tools, documents, add_generation_prompt, its own keywords
        if isinstance(n, nodes.Tuple | nodes.List):
            out = NONE
            for item in n.items:
                out = out | self._expr(item)
            return out
        if isinstance(n, nodes.Dict):
            out = NONE
            for pair in n.items:
                out = out | self._expr(pair.key) | self._expr(pair.value)
            return out
        if isinstance(n, nodes.Getattr):
            base = self._expr(n.node)
            self._reach(f"'.{n.attr[:60]}'", const(n.attr), n)
            if isinstance(n.node, nodes.Name):
                if n.node.name == "loop" and n.attr in LOOP_NUMBERS and "loop" not in self.env:
                    return NUM
                key = f"{n.node.name}.{n.attr}"
                if key in self.env:
                    return self.env[key]
            # an attribute of a literal string is a method (called through _call) or undefined: no name
            return V(data=base.data, made=base.made)
        if isinstance(n, nodes.Getitem):
            base = self._expr(n.node)
            if isinstance(n.arg, nodes.Slice):
                parts = [self._expr(p) for p in (n.arg.start, n.arg.stop, n.arg.step) if p is not None]
                if base.strs and all(isinstance(p, nodes.Const) and isinstance(p.value, int) for p in
                                     (n.arg.start, n.arg.stop, n.arg.step) if p is not None) and not parts_made(parts):
                    sl = slice(*(p.value if isinstance(p, nodes.Const) else None
                                 for p in (n.arg.start, n.arg.stop, n.arg.step)))
                    return strs_of([s[sl] for s in base.strs]) | V(num=base.num, data=base.data, made=base.made)
                return base.derived() if base.strs else base
            key = self._expr(n.arg)
            self._reach("a subscript (Jinja falls back to getattr)", key, n)
            if key.data and self._not_a_mapping(n.node):
                # a string literal or a Jinja global has no items to look up by the caller's text: only getattr
                self._reach("a subscript of a literal string or a Jinja global", MADE, n)
            if base.strs and isinstance(n.arg, nodes.Const) and isinstance(n.arg.value, int):
                i = n.arg.value
                return strs_of([s[i] for s in base.strs if -len(s) <= i < len(s)]) | V(data=base.data,
                                                                                       made=base.made)
            return base.derived() if base.strs or base.made else (base | V(made=key.made))
        if isinstance(n, nodes.Concat):
            return self._concat([self._expr(x) for x in n.nodes])
        if isinstance(n, nodes.Add):
            left, right = self._expr(n.left), self._expr(n.right)
            if left.num and right.num and not (left.strs or right.strs or left.made or right.made):
                return NUM | V(data=left.data or right.data)
            return self._concat([left, right])
        if isinstance(n, nodes.Mul):
            left, right = self._expr(n.left), self._expr(n.right)
            if isinstance(n.right, nodes.Const) and isinstance(n.right.value, int) and 0 <= n.right.value <= 64:
                return strs_of([s * n.right.value for s in left.strs]) | V(num=left.num, data=left.data,
                                                                          made=left.made)
            return (left | right).derived() if (left.strs or right.strs) else left | right
        if isinstance(n, nodes.Mod):
            left, right = self._expr(n.left), self._expr(n.right)
            return self._percent(n.left, n.right, left, right)
        if isinstance(n, nodes.BinExpr):
            left, right = self._expr(n.left), self._expr(n.right)
            return NUM | V(made=left.made or right.made or bool(left.strs or right.strs), data=left.data)
        if isinstance(n, nodes.UnaryExpr):
            self._expr(n.node)
            return NUM
        if isinstance(n, nodes.And | nodes.Or):
            return self._expr(n.left) | self._expr(n.right)
        if isinstance(n, nodes.Compare):
            self._expr(n.expr)
            for op in n.ops:
                self._expr(op.expr)
            return NUM
        if isinstance(n, nodes.CondExpr):
            self._expr(n.test)
            out = self._expr(n.expr1)
            return out | self._expr(n.expr2) if n.expr2 is not None else out
        if isinstance(n, nodes.Test):
            self._expr(n.node)
            self._args(n)
            return NUM
        if isinstance(n, nodes.Filter):
            return self._filter(n)
        if isinstance(n, nodes.Call):
            return self._call(n)
        if isinstance(n, nodes.Slice):
            for p in (n.start, n.stop, n.step):
                if p is not None:
                    self._expr(p)
            return NUM
        out = NONE
        for child in n.iter_child_nodes():
            out = out | (self._expr(child) if isinstance(child, nodes.Expr) else NONE)
        return out.derived()

    def _not_a_mapping(self, base: nodes.Node) -> bool:
        """A string literal, or a Jinja global the template did not rebind (``namespace``, ``joiner``, ``self``,
        ``range``, …): subscripting it by anything but a number only reaches attributes."""
        if isinstance(base, nodes.Const):
            return isinstance(base.value, str)
        return isinstance(base, nodes.Name) and base.name in GLOBALS and base.name not in self.env \
            and base.name != "loop"

    def _concat(self, parts: list[V]) -> V:
        """``~``/``+`` of strings: folded when every part is known, else made when any part is the template's
        (a literal or made); the caller's data joined to data stays data."""
        if parts and all(p.strs and not (p.num or p.data or p.made) for p in parts):
            acc = [""]
            for p in parts:
                acc = [a + s for a in acc for s in p.strs][: MAX_STRS + 1]
            return strs_of(acc) if len(acc) <= MAX_STRS else MADE
        # a literal joined to the caller's data is still a name the template shapes (the data may be a key
        # whose text is known, 'tool_calls'): made, as real templates never build a key that way
        made = any(p.made or p.strs for p in parts)
        return V(num=False, data=any(p.data for p in parts), made=made)

    def _percent(self, ln: nodes.Node, rn: nodes.Node, left: V, right: V) -> V:
        """``'%c' % 95``, ``'%s%s' % (a, b)``: folded when the format and its arguments are literals."""
        args: list[object] | None = None
        if isinstance(rn, nodes.Const) and isinstance(rn.value, str | int):
            args = [rn.value]
        elif isinstance(rn, nodes.Tuple) and all(isinstance(i, nodes.Const) and isinstance(i.value, str | int)
                                                 for i in rn.items):
            args = [i.value for i in rn.items if isinstance(i, nodes.Const)]
        if args is not None and left.strs and not (left.num or left.data or left.made):
            out: list[str] = []
            for fmt in left.strs:
                if not _simple_percent(fmt):
                    return (left | right).derived()
                try:
                    out.append(fmt % tuple(args))
                except (TypeError, ValueError, OverflowError):
                    return (left | right).derived()
            return strs_of(out)
        if left.strs or left.made:
            return V(data=left.data or right.data, made=True)
        return NUM | V(data=left.data)

    def _filter(self, n: nodes.Filter) -> V:
        base = self._expr(n.node) if n.node is not None else MADE
        args = self._args(n)
        name = n.name
        self._attribute_args(n)
        if name == "attr":
            key = args[0] if args else MADE
            if not (n.args and isinstance(n.args[0], nodes.Const) and isinstance(n.args[0].value, str)):
                key = key | MADE if not key.made and not key.strs else key
                if not key.strs:
                    key = MADE
            self._reach("'|attr(...)'", key, n, attr_filter=True)
            return base.derived() | V(made=True)
        if name in NUMBER_FILTERS:
            return NUM
        if name == "tojson":
            return base.derived()
        if name == "format":
            return self._format(n, base, n.args, args)
        if name == "join" and base.strs and not (base.num or base.data or base.made) \
                and isinstance(n.node, nodes.List | nodes.Tuple):
            sep: str | None = "" if not n.args and not n.kwargs else None
            if len(n.args) == 1 and not n.kwargs and isinstance(n.args[0], nodes.Const) \
                    and isinstance(n.args[0].value, str):
                sep = n.args[0].value
            items = [self._expr(i) for i in n.node.items]
            if sep is not None and all(len(i.strs) == 1 and not (i.num or i.data or i.made) for i in items):
                return const(sep.join(next(iter(i.strs)) for i in items))
        if name in STR_FOLDS and base.strs:
            consts = [a.value for a in n.args if isinstance(a, nodes.Const)]
            if len(consts) == len(n.args) and not n.kwargs and all(isinstance(c, str) for c in consts):
                folded = [_fold_str(name, s, [str(c) for c in consts]) for s in base.strs]
                if all(f is not None for f in folded):  # the literal part folded; the rest as it is shaped
                    rest = _shaped(V(data=base.data, made=base.made), args, name in INSERTING) \
                        if (base.data or base.made) else NONE
                    return strs_of([f for f in folded if f is not None]) | rest
        if name in CONTAINER_FILTERS:
            if name in ("default", "d"):
                return base | args[0] if args else base
            # the literal arguments of map/select/sort name filters, tests and attributes, not content
            return base.derived() if base.strs else base
        return _shaped(base, args, name in INSERTING)

    def _attribute_args(self, n: nodes.Filter) -> None:
        """Filters that look attributes up by a name given as an argument (Jinja's ``make_attrgetter``: dotted
        parts, each through ``getitem``, which falls back to ``getattr``): ``map(attribute=…)``,
        ``selectattr``/``rejectattr``/``groupby``, ``sort``/``unique``/``min``/``max``/``sum(attribute=…)``, and
        ``map('attr', name)``; ``map`` of a filter name the template computes may be ``attr`` itself."""
        names: list[tuple[nodes.Node, bool]] = [(kw.value, False) for kw in n.kwargs if kw.key == "attribute"]
        if n.name in ("selectattr", "rejectattr", "groupby") and n.args:
            names.append((n.args[0], False))
        if n.name == "map" and n.args:
            first = n.args[0]
            if isinstance(first, nodes.Const) and first.value == "attr":
                names.append((n.args[1], True) if len(n.args) > 1 else (first, True))
            elif not (isinstance(first, nodes.Const) and isinstance(first.value, str)):
                self._reach("'|map' of a filter name", MADE, n)
        for node, attr_filter in names:
            if isinstance(node, nodes.Const) and isinstance(node.value, int):
                continue
            v = self._expr(node)
            if v.strs and not (v.num or v.data or v.made):  # a literal, or folded from literals
                for text in v.strs:
                    for part in [text] if attr_filter else text.split("."):
                        if not part.isdigit():
                            self._reach(f"'|{n.name}' by attribute", const(part), node, attr_filter)
            else:  # any name not a literal: real templates only ever write these out
                self._reach(f"'|{n.name}' by attribute", MADE, node, attr_filter)

    def _format(self, n: nodes.Node, fmt: V, raw_args: Sequence[nodes.Node], args: list[V]) -> V:
        """``str.format``/``|format``: a field like ``{0.__class__}`` reaches an attribute of an argument without
        any ``.`` in the template's own syntax; a format string the template computes may hold one."""
        for s in fmt.strs:
            for field_name in _format_fields(s):
                for attr in _field_attrs(field_name):
                    self._reach("a format field", const(attr), n)
        if fmt.made:
            self._reach("a format string", MADE, n)
        if fmt.strs and not (fmt.num or fmt.data or fmt.made) and all(
                isinstance(a, nodes.Const) and isinstance(a.value, str | int) for a in raw_args):
            values = tuple(a.value for a in raw_args if isinstance(a, nodes.Const))
            out: list[str] = []
            for s in fmt.strs:
                if "{" in s or not _simple_percent(s):
                    return MADE
                try:
                    out.append(s % values)
                except (TypeError, ValueError, OverflowError):
                    return MADE
            return strs_of(out)
        joined = fmt
        for a in args:
            joined = joined | a
        return joined.derived()

    def _call(self, n: nodes.Call) -> V:
        args = self._args(n)
        f = n.node
        if isinstance(f, nodes.Name) and f.name in self.macros and f.name not in self.env:
            macro = self.macros[f.name]
            for a, v in zip(macro.args, args, strict=False):
                self._assign(a.name, v)
            for kw in n.kwargs:
                self._assign(kw.key, self._expr(kw.value))
            return MADE
        if isinstance(f, nodes.Name) and f.name not in self.env:
            if f.name == "range":
                return NUM
            if f.name in ("dict", "namespace"):
                out = strs_of([kw.key for kw in n.kwargs])
                for a in args:
                    out = out | a
                return out | MADE if f.name == "namespace" else out
            if f.name in ("raise_exception",):
                return NONE
            if f.name in GLOBALS or f.name in TOKEN_NAMES:
                return MADE
            return DATA
        if isinstance(f, nodes.Getattr):
            base = self._expr(f.node)
            self._reach(f"'.{f.attr[:60]}'", const(f.attr), f)
            if f.attr in ("format", "format_map"):
                return self._format(n, base, n.args, args)
            if base.strs and not n.kwargs \
                    and all(isinstance(a, nodes.Const) and isinstance(a.value, str) for a in n.args):
                folded = [_fold_str(f.attr, s, [str(a.value) for a in n.args if isinstance(a, nodes.Const)])
                          for s in base.strs]
                if all(x is not None for x in folded):  # the literal part folded; the rest as it is shaped
                    rest = _shaped(V(data=base.data, made=base.made), args, f.attr in INSERTING) \
                        if (base.data or base.made) else NONE
                    return strs_of([x for x in folded if x is not None]) | rest
            if f.attr in ("startswith", "endswith", "count", "find", "index", "isdigit", "isalpha"):
                return NUM
            if f.attr == "get":  # a mapping's item or the default given
                return base.derived() | (args[1] if len(args) > 1 else NONE)
            return _shaped(base, args, f.attr in INSERTING)
        callee = self._expr(f)
        return callee.derived() | V(made=callee.made)


def _shaped(base: V, args: list[V], inserting: bool) -> V:
    """A filter or method not folded here. Of the caller's data, it stays data unless it puts text of the
    template's into the result (``replace``, ``format``, ``join``, padding: ``INSERTING``); the literal
    arguments of the others (``split('</think>')``, ``strip('\\n')``, ``tojson(indent=2)``) only shape it. Of the
    template's own strings, or with a made argument, the result is made."""
    made = base.made or bool(base.strs) or any(a.made for a in args) or (inserting and any(a.strs for a in args))
    return V(data=base.data or (inserting and any(a.data for a in args)), made=made)


def parts_made(parts: list[V]) -> bool:
    return any(p.made or p.data for p in parts)


def _simple_percent(fmt: str) -> bool:
    """Only ``%s``/``%d``/``%c``/``%%`` without widths are folded: a width could build a huge string."""
    i = 0
    while True:
        i = fmt.find("%", i)
        if i < 0:
            return True
        if i + 1 >= len(fmt) or fmt[i + 1] not in "sdc%":
            return False
        i += 2


def _fold_str(name: str, s: str, args: list[str]) -> str | None:
    """A string filter or method of literal arguments, as Jinja/Python would give it (bounded in size)."""
    out: str | None = None
    if name in ("string", "e", "escape", "safe") and not args:
        out = s
    elif name == "lower" and not args:
        out = s.lower()
    elif name == "upper" and not args:
        out = s.upper()
    elif name in ("trim", "strip") and len(args) <= 1:
        out = s.strip(*args)
    elif name == "lstrip" and len(args) <= 1:
        out = s.lstrip(*args)
    elif name == "rstrip" and len(args) <= 1:
        out = s.rstrip(*args)
    elif name == "title" and not args:
        out = s.title()
    elif name == "capitalize" and not args:
        out = s.capitalize()
    elif name == "reverse" and not args:
        out = s[::-1]
    elif name == "replace" and len(args) == 2 and args[0]:
        if len(s) * (len(args[1]) + 1) <= MAX_STR_LEN * 4:
            out = s.replace(args[0], args[1])
    elif name in ("first", "last") and not args and s:
        out = s[0] if name == "first" else s[-1]
    elif name == "join" and len(args) == 1:
        out = s.join(args)
    return out if out is None or len(out) <= MAX_STR_LEN else None


def _format_fields(fmt: str) -> list[str]:
    """The field names of a ``str.format`` string, nested specs included; an unparsable one yields none
    (Python raises at render time)."""
    out: list[str] = []
    todo = [fmt]
    while todo and len(out) < 64:
        s = todo.pop()
        try:
            parsed = list(string.Formatter().parse(s))
        except ValueError:
            continue
        for _, field_name, spec, _ in parsed:
            if field_name:
                out.append(field_name)
            if spec and "{" in spec:
                todo.append(spec)
    return out


def _field_attrs(field_name: str) -> list[str]:
    """``0.__class__.__mro__[1]`` → the attribute and item names it reaches (``__class__``, ``__mro__``)."""
    out: list[str] = []
    i = 0
    s = field_name
    while i < len(s):
        if s[i] == ".":
            j = i + 1
            while j < len(s) and s[j] not in ".[":
                j += 1
            out.append(s[i + 1:j])
            i = j
        elif s[i] == "[":
            j = s.find("]", i)
            j = len(s) if j < 0 else j
            key = s[i + 1:j]
            if not key.isdigit():
                out.append(key)
            i = j + 1
        else:
            i += 1
    return out


def describe(res: Result) -> str:
    """One line for a finding's detail."""
    return "; ".join(res.reaches)




def report(ctx: Context, blob: Blob, key: str, text: str, rule: str, severity: str, at: int) -> None:
    """Judge one template from its parse when the text patterns found nothing: a forbidden or computed reach is
    ``rule`` at ``severity``; a template too large or too deeply nested to parse is incomplete (never clean);
    one jinja2 cannot parse is left to the text patterns (llama.cpp's minja accepts some such templates)."""
    res = judge(text)
    if res.reaches:
        ctx.add(blob, rule, severity, f"{key}, parsed: {describe(res)[:600]} (a renderer without Jinja's sandbox "
                                      "reaches Python internals through such names)", at)
    elif res.error in ("depth", "size"):
        ctx.incomplete(blob, "template_parse", f"{key}: {res.detail}; only searched as text", at)
