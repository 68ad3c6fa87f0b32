"""Judging one pickle import: allowlist first, then denylist, then the review tier, else review.

The lists live in ``rules.yml`` (documented data, each group with its reason and source) so that what
openscope trusts can be read and changed without reading code.
"""

from __future__ import annotations

import re
from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING  # the tables pickle itself applies (pure data)
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from openscope.yamlsafe import safe_load


@dataclass(frozen=True)
class Judgment:
    severity: str | None  # None: allowlisted, no finding
    rule: str
    reason: str


EDGE = 32  # split points tried at each end of a dotted name (names may be megabytes long)
MAX_REROOTS = 16  # components naming a denied module that are each judged as a root


def cuts(name: str) -> list[int]:
    """Positions of the first and last EDGE dots of ``name`` (all of them in any real name): where a long
    attribute path may be split into a module and a remainder, found without splitting the whole name."""
    first: list[int] = []
    i = -1
    while len(first) < EDGE:
        i = name.find(".", i + 1)
        if i < 0:
            return first
        first.append(i)
    last: list[int] = []
    j = len(name)
    while len(last) < EDGE:
        j = name.rfind(".", 0, j)
        if j <= first[-1]:
            break
        last.append(j)
    return first + last[::-1]


@dataclass(frozen=True)
class _Rule:
    module: str
    names: frozenset[str] | None
    pattern: re.Pattern[str] | None
    except_modules: tuple[str, ...]
    why: str
    tail: re.Pattern[str] | None = None  # the pattern without its leading ^, matched at a position

    def _prefix_matches(self, full: str, d: int) -> bool:
        """Whether ``full[:d]`` is this rule's module or one of its submodules, and none of ``except_modules``, read
        in place (without copying the prefix)."""
        def under(m: str) -> bool:
            return d >= len(m) and full.startswith(m) and (d == len(m) or full[len(m)] == ".")
        return under(self.module) and not any(under(m) for m in self.except_modules)

    def exact(self, module: str, name: str) -> bool:
        """Allowlist semantics: the very module and name, no dotted tricks and no submodules. Why the module is
        exact for a name pattern too: an allowed name in any submodule (``torch.<anything>.device``) would allow
        whatever object a module we never read keeps under that name; a module that needs the names (legacy CUDA
        checkpoints' ``torch.cuda.FloatStorage``) gets its own rule."""
        if module != self.module:
            return False
        if self.names is not None:
            return name in self.names
        if self.pattern is not None:
            return bool(self.pattern.fullmatch(name))
        return False

    def covers(self, module: str, name: str, full: str | None = None, name_cuts: list[int] | None = None) -> bool:
        """Deny / review semantics: the module (and its submodules), or any attribute path below a name.

        ``full`` (module + "." + name) and ``name_cuts`` (:func:`cuts` of name) may be passed in when many
        rules judge one name, so a long name is copied and searched once, not once per rule.
        """
        full = f"{module}.{name}" if full is None else full
        if self.names is not None:
            return any(full == f"{self.module}.{n}" or full.startswith(f"{self.module}.{n}.") for n in self.names)
        if self.pattern is not None and self.tail is not None:
            # a name may walk attributes that are submodules (`pandas` + `io.parsers.read_csv` is what
            # `pandas.io.parsers` + `read_csv` imports): each split point is tried, in place
            if not full.startswith(self.module):
                return False
            base = len(module)
            for d in [base, *(base + 1 + k for k in (cuts(name) if name_cuts is None else name_cuts))]:
                if self._prefix_matches(full, d) and self.tail.match(full, d + 1):
                    return True
            return False
        return full.startswith(self.module + ".")


_CACHE: dict[tuple[str, str], Judgment] = {}


@dataclass(frozen=True)
class RuleSet:
    aliases: dict[str, str]
    safe: tuple[_Rule, ...]
    deny: tuple[_Rule, ...]
    review: tuple[_Rule, ...]
    method_sinks: frozenset[str] = frozenset()
    method_why: str = ""
    deny_roots: frozenset[str] = frozenset()  # names a re-rooted attribute path can start from

    def canonical_module(self, module: str) -> str:
        module = IMPORT_MAPPING.get(module, module)
        head, _, rest = module.partition(".")
        if module in self.aliases:
            return self.aliases[module]
        if head in self.aliases:
            return self.aliases[head] + ("." + rest if rest else "")
        return module

    def judge(self, module: str, name: str) -> Judgment:
        key = (module, name)
        hit = _CACHE.get(key)
        if hit is None:
            hit = self._judge(module, name)
            if len(_CACHE) < 100_000:
                _CACHE[key] = hit
        return hit

    def _judge(self, module: str, name: str) -> Judgment:
        # what the unpickler imports for protocol 0-2 pickles (fix_imports, on by default): Python 2 names
        # mapped by the standard library's own tables (SimpleHTTPServer.test is http.server.test)
        module, name = NAME_MAPPING.get((module, name), (module, name))
        mod = self.canonical_module(module)
        dunder = [p for p in name.split(".") if len(p) > 4 and p.startswith("__") and p.endswith("__")]
        for r in self.safe:
            if r.exact(mod, name):
                return Judgment(None, "pickle.import.safe", r.why)
        denied = self._denied(mod, name)
        if denied is not None:
            return Judgment("critical", "pickle.import.denied", denied)
        parts = name.split(".")
        # an attribute path through a module that imported a denied one (`torch.serialization` + `os.system`
        # is os.system: protocol 4 resolves the name attribute by attribute, and the attribute `os` of a
        # module that ran `import os` is the os module itself). Only components naming a denied module (or an
        # alias of one) can start such a path; a name with more of them than any real name has is hostile.
        deny_roots = self.deny_roots
        roots = [i for i in range(len(parts) - 1) if parts[i] in deny_roots]
        if len(roots) > MAX_REROOTS:
            return Judgment("critical", "pickle.import.denied", f"an attribute path through {len(roots):,} names "
                            "of denied modules (no real object has one)")
        offsets = [0]
        for p in parts[:-1]:
            offsets.append(offsets[-1] + len(p) + 1)
        for i in roots:
            sub_mod, sub_name = self.canonical_module(parts[i]), name[offsets[i + 1]:]
            why = self._denied(sub_mod, sub_name)
            if why is not None:
                return Judgment("critical", "pickle.import.denied", f"reaches {sub_mod}.{sub_name[:200]} through "
                                f"the attribute {parts[i][:80]!r}: {why}")
        if dunder:
            return Judgment(
                "critical", "pickle.import.dunder",
                f"reaches interpreter internals through {'/'.join(dunder)} (a known scanner bypass)",
            )
        if len(parts) > 1 and parts[-1] in self.method_sinks:
            return Judgment("high", "pickle.import.method_sink", self.method_why)
        full, name_cuts = f"{mod}.{name}", cuts(name)
        for r in self.review:
            if r.covers(mod, name, full, name_cuts):
                return Judgment("low", "pickle.import.review", f"known-inert third-party class: {r.why}")
        return Judgment("medium", "pickle.import.unknown",
                        "not on the allowlist: loading imports this module and may call it; review it")


    def _denied(self, mod: str, name: str) -> str | None:
        """The reason a denylist rule gives for this (canonical) module and name, if one covers it."""
        full, name_cuts = f"{mod}.{name}", cuts(name)
        for r in self.deny:
            if r.covers(mod, name, full, name_cuts):
                return r.why
        return None


def _deny_roots(deny: tuple[_Rule, ...], aliases: dict[str, str]) -> frozenset[str]:
    """First components of denied modules, and every name the unpickler or our aliases map to one."""
    heads = {r.module.split(".")[0] for r in deny}
    mapped = {k for k, v in {**IMPORT_MAPPING, **aliases}.items() if "." not in k and v.split(".")[0] in heads}
    return frozenset(heads | mapped)


def _rules(items: list[dict]) -> tuple[_Rule, ...]:
    out = []
    for it in items:
        pat = it.get("name_pattern")
        out.append(_Rule(
            module=it["module"],
            names=frozenset(it["names"]) if "names" in it else None,
            pattern=re.compile(pat) if pat is not None else None,
            tail=re.compile(pat.removeprefix("^")) if pat is not None else None,
            except_modules=tuple(it.get("except_modules", ())),
            why=it["why"],
        ))
    return tuple(out)


@lru_cache(maxsize=1)
def ruleset() -> RuleSet:
    """The shipped rules (parsed once)."""
    text = resources.files("openscope.audit").joinpath("rules.yml").read_text(encoding="utf-8")
    doc = safe_load(text)
    sinks = doc.get("method_sinks") or {}
    deny, aliases = _rules(doc["deny"]), dict(doc["aliases"])
    return RuleSet(aliases=aliases, safe=_rules(doc["safe"]), deny=deny, review=_rules(doc["review"]),
                   method_sinks=frozenset(sinks.get("names", ())), method_why=sinks.get("why", ""),
                   deny_roots=_deny_roots(deny, aliases))


def judge_import(module: str, name: str) -> Judgment:
    return ruleset().judge(module, name)
