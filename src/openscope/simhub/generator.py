"""A generated but realistic Hub ecosystem, vectorised with numpy (2.5 million models in seconds).

Why generated: no test machine here can reach the Hub, and a new user should see openscope work
without it. The ecosystem is built around the real flagship models and organisations (embedded in
``openscope/data/flagships``, with attribution) and a synthetic crowd of derivatives whose shape follows
what is publicly known about the Hub: about 35% of models declare a base, about 1% are merges, 99% of
lineage is at depth <= 2, quantizations are almost always leaves, most repositories have 0 downloads,
Qwen-family bases dominate new derivatives in 2025-26 and DeepSeek-R1 drew hundreds of derivatives in
its first days. Every value is drawn from ``numpy.random.default_rng(seed)``: the same seed gives the
same ecosystem, byte for byte.

The structure (who derives from whom, when, with which counters) is numeric and built here; the
strings and the JSON shape of each entry are built set-based in DuckDB by :mod:`openscope.simhub.entries`.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Kinds of model in the ecosystem (the ``kind`` column).
FLAGSHIP, ROOT, FINETUNE, ADAPTER, QUANTIZED, MERGE = range(6)
KIND_NAMES = ["flagship", "root", "finetune", "adapter", "quantized", "merge"]
RELATION_OF_KIND = {FINETUNE: "finetune", ADAPTER: "adapter", QUANTIZED: "quantized", MERGE: "merge"}

# How a derivative declares its base (the ``decl`` column).
DECL_BOTH, DECL_CARD_ONLY, DECL_CONTRADICT, DECL_TAGS_ONLY = range(4)

# Quantization formats (the ``quant`` column).
QUANT_NONE, QUANT_GGUF, QUANT_GPTQ, QUANT_AWQ = range(4)
QUANT_NAMES = ["", "GGUF", "GPTQ", "AWQ"]

PIPELINES = [
    "text-generation", "text-classification", "feature-extraction", "sentence-similarity",
    "image-text-to-text", "text-to-image", "automatic-speech-recognition", "token-classification",
    "fill-mask", "image-classification", "translation", "text-to-speech",
]
PIPELINE_P = [0.62, 0.07, 0.05, 0.04, 0.05, 0.05, 0.03, 0.02, 0.02, 0.02, 0.015, 0.015]

LIBRARIES = ["transformers", "peft", "gguf", "diffusers", "sentence-transformers", "mlx", "timm", "onnx"]

# Licence tags as the Hub spells them. Which licence a synthetic repo carries is a simulation choice,
# not a fact about any real model.
LICENSES = [
    "apache-2.0", "mit", "llama3.1", "llama3", "llama2", "gemma", "other", "cc-by-nc-4.0",
    "cc-by-4.0", "openrail", "creativeml-openrail-m", "bsd-3-clause", "gpl-3.0", "llama3.2",
]
# Synthetic licence for a flagship by a pattern of its id (first match wins); documented as a
# simulation rule in docs/simhub.md, never used as a fact by any analysis.
_FLAGSHIP_LICENSE_RULES = [
    (r"(?i)llama-?3\.1", "llama3.1"), (r"(?i)llama-?3\.2", "llama3.2"), (r"(?i)llama-?3", "llama3"),
    (r"(?i)llama-?2", "llama2"), (r"(?i)gemma", "gemma"), (r"(?i)^deepseek-ai/", "mit"),
    (r"(?i)^(microsoft)/", "mit"), (r"(?i)^(Qwen|mistralai|allenai|ibm-granite)/", "apache-2.0"),
]
_LICENSE_IDX = {name: i for i, name in enumerate(LICENSES)}

# The simulated "now": fixed, so generation does not depend on the wall clock.
END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
START = dt.datetime(2019, 6, 1, tzinfo=dt.UTC)
UNKNOWN_CREATED = (dt.datetime(2022, 3, 2, 23, 29, 4, tzinfo=dt.UTC), dt.datetime(2022, 3, 2, 23, 29, 5, tzinfo=dt.UTC))
DAY_MS = 86_400_000
_END_MS = int(END.timestamp() * 1000)
_START_MS = int(START.timestamp() * 1000)
_Y2025_MS = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
_HUB_DATES_MS = int(UNKNOWN_CREATED[0].timestamp() * 1000)

# Real, well-known old repositories used as bases that are *not* in the ecosystem ("external"), plus
# repositories that no longer exist. Only their ids are used.
EXTERNAL_BASES = [
    "openai-community/gpt2", "google-bert/bert-base-uncased", "FacebookAI/roberta-base",
    "google-t5/t5-base", "EleutherAI/gpt-j-6b", "bigscience/bloom-560m", "facebook/opt-1.3b",
    "distilbert/distilbert-base-uncased", "openai/whisper-small",
    "ghost-lab/deleted-base-model", "ghost-lab/private-base-model",
]

SYNTHETIC_TAG = "openscope:synthetic"


@dataclass(frozen=True)
class Ecosystem:
    """A generated ecosystem: one Arrow table of models and one of datasets (plain columns).

    ``models`` columns: idx, id, author, kind, parent, parent2, parent3 (ids or null), decl, card_base
    (the base the card names when it contradicts the tags), depth, created_ms, modified_ms, old (created
    before the Hub kept dates), downloads, downloads_all_time, likes, trending, pipeline_tag,
    library_name, license, gated, params, quant, openness (0 bare .. 3 full card), ds1, ds2 (dataset
    ids), arxiv.
    """

    seed: int
    models: pa.Table
    datasets: pa.Table
    externals: tuple[str, ...]

    @property
    def n_models(self) -> int:
        return self.models.num_rows


@dataclass(frozen=True)
class Flagship:
    id: str
    org: str
    region: str
    params: int | None
    release_date: str | None


def load_flagships() -> list[Flagship]:
    """The embedded flagship list (ATOM Project ids + Epoch AI dates/params; see ATTRIBUTION.md)."""
    ref = Path(__file__).resolve().parent.parent / "data" / "flagships" / "flagships.csv"
    with ref.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Flagship(r["id"], r["org"], r["region"], int(r["params"]) if r["params"] else None, r["release_date"] or None)
        for r in rows
    ]


# Flagships every ecosystem keeps, even a small one (the ones tests and the demo look at).
_PRIORITY = [
    "Qwen/Qwen2.5-7B-Instruct", "meta-llama/Llama-3.1-8B-Instruct", "deepseek-ai/DeepSeek-R1",
    "Qwen/Qwen3-8B", "mistralai/Mistral-7B-Instruct-v0.3", "google/gemma-2-9b-it", "deepseek-ai/DeepSeek-V3",
    "meta-llama/Llama-2-7b", "Qwen/Qwen2.5-1.5B-Instruct", "meta-llama/Llama-3.2-1B-Instruct",
    "microsoft/phi-4", "allenai/OLMo-2-1124-7B",
]


def _pick_flagships(n: int) -> list[Flagship]:
    flags = load_flagships()
    by_id = {f.id: f for f in flags}
    first = [by_id[i] for i in _PRIORITY if i in by_id]
    rest = [f for f in flags if f.id not in set(_PRIORITY)]
    return (first + rest)[:n]


def _family_key(model_id: str) -> str:
    """``Qwen/Qwen2.5-7B-Instruct`` -> ``qwen/qwen2.5``: the id up to its size token."""
    return re.split(r"-\d+(?:\.\d+)?[BbMm](?![a-zA-Z])", model_id.lower(), maxsplit=1)[0]


def _flagship_pipeline(model_id: str) -> str:
    """A pipeline for a flagship from its id (the ATOM list is mostly text-generation LLMs)."""
    rules = [(r"(?i)embed|rerank|bge|e5-", "feature-extraction"), (r"(?i)whisper|asr|speech", "automatic-speech-recognition"),
             (r"(?i)diffusion|flux|image-gen", "text-to-image"), (r"(?i)vl\b|-vl-|vision|ocr|llava|internvl|-v-", "image-text-to-text"),
             (r"(?i)tts", "text-to-speech")]
    return next((p for pat, p in rules if re.search(pat, model_id)), "text-generation")


def _params_from_name(name: str) -> int | None:
    """A parameter count read from an id such as ``Qwen2.5-7B`` (unknown stays None)."""
    m = re.search(r"(?<![\d.])(\d+(?:\.\d+)?)[Bb](?![a-zA-Z])", name.split("/")[-1])
    return int(float(m.group(1)) * 1e9) if m else None


def _wrap_dates(lo: np.ndarray, delay: np.ndarray) -> np.ndarray:
    """``lo + delay`` folded back into ``[lo, END)`` so no date passes the simulated now."""
    span = np.maximum(_END_MS - lo, 1)
    return lo + np.mod(delay, span)


def _child_delay(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days from a base's release to a derivative: a burst in the first days, then a long tail."""
    burst = rng.random(n) < 0.25
    days = np.where(burst, rng.exponential(3.0, n), rng.exponential(160.0, n))
    return (days * DAY_MS).astype(np.int64) + rng.integers(0, DAY_MS, n)


def _choose_weighted(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    cw = np.cumsum(weights)
    return np.searchsorted(cw, rng.random(n) * cw[-1], side="right").clip(0, len(weights) - 1)


def generate(models: int, datasets: int = 0, seed: int = 0, max_fanout: int | None = None) -> Ecosystem:
    """Generate ``models`` models and ``datasets`` datasets, deterministically from ``seed``.

    ``max_fanout`` sets the number of direct children of the largest base (the most popular flagship);
    without it the fan-out follows the popularity curve. All other bases stay below it.
    """
    if models < 1:
        raise ValueError("models must be >= 1")
    if datasets < 0:
        raise ValueError("datasets must be >= 0")
    if max_fanout is not None and max_fanout < 1:
        raise ValueError("max_fanout must be >= 1")
    rng = np.random.default_rng(seed)
    n = int(models)

    # --- population sizes -------------------------------------------------------------------------
    n_flag = min(len(load_flagships()), max(1, min(n // 20 if n >= 40 else n, 1958)))
    flags = _pick_flagships(n_flag)
    n_flag = len(flags)
    n_der = min(n - n_flag, round(0.35 * n))
    n_merge = min(n_der, round(0.01 * n)) if n >= 100 else 0
    n_l3 = round(0.004 * n) if n >= 1000 else 0
    n_l2 = min(n_der - n_merge - n_l3, round(0.05 * n)) if n >= 100 else 0
    n_l1 = n_der - n_merge - n_l2 - n_l3
    n_root = n - n_flag - n_der
    o_root, o_l1 = n_flag, n_flag + n_root
    o_l2 = o_l1 + n_l1
    o_merge = o_l2 + n_l2
    o_l3 = o_merge + n_merge
    ext_base = n  # parent indices >= n point into EXTERNAL_BASES

    kind = np.empty(n, np.int8)
    parent = np.full(n, -1, np.int64)
    parent2 = np.full(n, -1, np.int64)
    parent3 = np.full(n, -1, np.int64)
    depth = np.zeros(n, np.int8)
    created = np.zeros(n, np.int64)

    # --- flagships: real ids; release dates where known, synthetic otherwise -------------------------
    kind[:n_flag] = FLAGSHIP
    known = np.array([f.release_date is not None for f in flags])
    fdates = np.array(
        [int(dt.datetime.fromisoformat(f.release_date).replace(tzinfo=dt.UTC).timestamp() * 1000)
         if f.release_date else 0 for f in flags], np.int64)
    lo_syn = int(dt.datetime(2023, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
    hi_syn = int(dt.datetime(2026, 6, 1, tzinfo=dt.UTC).timestamp() * 1000)
    syn = rng.integers(lo_syn, hi_syn, n_flag)
    # an unknown release date is estimated from a sibling of the same family with a known one
    # (``meta-llama/Llama-3.1-8B`` from ``meta-llama/Llama-3.1-405B``), else drawn; both are synthetic
    fam_date: dict[str, int] = {}
    for f, d in zip(flags, fdates, strict=True):
        if f.release_date:
            fam_date.setdefault(_family_key(f.id), int(d))
    est = np.array([fam_date.get(_family_key(f.id), -1) for f in flags], np.int64)
    syn = np.where(est > 0, est + rng.integers(0, 30 * DAY_MS, n_flag), syn)
    created[:n_flag] = np.where(known, fdates + rng.integers(0, DAY_MS, n_flag), syn)
    is_qwen = np.array([f.id.lower().startswith("qwen/") or "qwen" in f.id.split("/")[-1].lower() for f in flags])
    # popularity: the priority list first, then a Zipf curve
    pop = 1.0 / np.arange(1, n_flag + 1) ** 1.1

    # --- synthetic roots: uploads without a base ------------------------------------------------------
    kind[o_root:o_l1] = ROOT
    age = rng.exponential(420.0, n_root) * DAY_MS
    created[o_root:o_l1] = _END_MS - np.mod(age, _END_MS - _START_MS).astype(np.int64)

    # --- layer 1: derivatives of flagships, roots and external bases ----------------------------------
    l1 = slice(o_l1, o_l2)
    r = rng.random(n_l1)
    kind[l1] = np.where(r < 0.45, FINETUNE, np.where(r < 0.65, ADAPTER, QUANTIZED))
    c_dates = _END_MS - np.mod(rng.exponential(330.0, n_l1) * DAY_MS, _END_MS - _HUB_DATES_MS).astype(np.int64)
    order = np.argsort(created[:n_flag], kind="stable")
    sorted_dates = created[:n_flag][order]
    w_plain = pop[order]
    w_qwen = np.where(is_qwen[order], pop[order] * 6.0, pop[order])
    cw_plain, cw_qwen = np.cumsum(w_plain), np.cumsum(w_qwen)
    n_elig = np.searchsorted(sorted_dates, c_dates, side="right")  # flagships released before the child
    use_qwen = c_dates >= _Y2025_MS
    ie = np.maximum(n_elig - 1, 0)
    tot = np.where(n_elig > 0, np.where(use_qwen, cw_qwen[ie], cw_plain[ie]), 0.0)
    u = rng.random(n_l1) * tot
    pick = np.where(use_qwen, np.searchsorted(cw_qwen, u, side="right"), np.searchsorted(cw_plain, u, side="right"))
    pick = np.minimum(pick, np.maximum(n_elig - 1, 0))
    par = order[pick].astype(np.int64)
    src = rng.random(n_l1)
    to_root = (src < 0.10) & (n_root > 0)
    to_ext = (src >= 0.10) & (src < 0.13) | (n_elig == 0)
    if n_root > 0:
        root_pick = o_root + rng.integers(0, n_root, n_l1)
        par = np.where(to_root, root_pick, par)
    par = np.where(to_ext & ~to_root, ext_base + rng.integers(0, len(EXTERNAL_BASES), n_l1), par)
    parent[l1] = par

    # DeepSeek-R1 drew hundreds of derivatives in its first days.
    r1 = next((i for i, f in enumerate(flags) if f.id == "deepseek-ai/DeepSeek-R1"), None)
    if r1 is not None and n_l1 > 0:
        k = min(n_l1 // 20, max(1, min(800, n_l1 // 100)))
        who = rng.choice(n_l1, size=k, replace=False)
        parent[o_l1 + who] = r1
        c_dates[who] = created[r1] + (rng.exponential(2.0, k) * DAY_MS).astype(np.int64)

    # max_fanout: the largest base gets exactly that many direct children (when there are enough).
    flag_children = parent[l1] < n_flag
    if max_fanout is not None and n_l1 > 0:
        top = 0  # the most popular flagship
        counts = np.bincount(parent[l1][flag_children], minlength=n_flag)
        have = counts[top]
        if have > max_fanout:
            mine = np.flatnonzero(parent[l1] == top)
            move = rng.choice(mine, size=have - max_fanout, replace=False)
            others = np.arange(1, n_flag) if n_flag > 1 else None
            if others is not None:
                parent[o_l1 + move] = rng.choice(others, size=len(move))
            else:
                parent[o_l1 + move] = ext_base
        elif have < max_fanout:
            cand = np.flatnonzero((parent[l1] != top) & (parent[l1] != r1 if r1 is not None else True))
            take = rng.choice(cand, size=min(len(cand), max_fanout - have), replace=False)
            parent[o_l1 + take] = top
            c_dates[take] = np.maximum(c_dates[take], created[top] + 1000)
        # keep every other base strictly below the largest one
        for _ in range(8):
            counts = np.bincount(parent[l1][parent[l1] < n], minlength=n)
            counts[top] = 0
            over = np.flatnonzero(counts >= max_fanout)
            if len(over) == 0:
                break
            for b in over:
                mine = np.flatnonzero(parent[l1] == b)
                move = rng.choice(mine, size=counts[b] - max_fanout + 1, replace=False)
                parent[o_l1 + move] = ext_base + rng.integers(0, len(EXTERNAL_BASES), len(move))
    par = parent[l1]
    in_eco = par < n
    created[l1] = np.where(in_eco, np.maximum(c_dates, created[np.minimum(par, n - 1)] + DAY_MS // 24), c_dates)
    created[l1] = np.minimum(created[l1], _END_MS - 1000)
    depth[l1] = 1

    # --- layer 2: derivatives of layer-1 fine-tunes ---------------------------------------------------
    ft1 = o_l1 + np.flatnonzero(kind[l1] == FINETUNE)
    if n_l2 and len(ft1):
        l2 = slice(o_l2, o_merge)
        r = rng.random(n_l2)
        kind[l2] = np.where(r < 0.55, QUANTIZED, np.where(r < 0.85, FINETUNE, ADAPTER))
        p = ft1[_choose_weighted(rng, 1.0 / np.arange(1, len(ft1) + 1) ** 0.8, n_l2)]
        parent[l2] = p
        created[l2] = _wrap_dates(created[p], _child_delay(rng, n_l2))
        depth[l2] = 2
    elif n_l2:
        kind[o_l2:o_merge] = ROOT
    # --- merges: two or three bases among layer-1 fine-tunes (and flagships) --------------------------
    if n_merge:
        mg = slice(o_merge, o_l3)
        kind[mg] = MERGE
        pool = np.concatenate([ft1, np.arange(n_flag)]) if len(ft1) else np.arange(n_flag)
        a = pool[rng.integers(0, len(pool), n_merge)]
        b = pool[rng.integers(0, len(pool), n_merge)]
        b = np.where(b == a, pool[(np.searchsorted(pool, a) + 1) % len(pool)] if len(pool) > 1 else b, b)
        c = np.where(rng.random(n_merge) < 0.2, pool[rng.integers(0, len(pool), n_merge)], -1)
        c = np.where((c == a) | (c == b), -1, c)
        parent[mg], parent2[mg], parent3[mg] = a, b, c
        lo = np.maximum(np.maximum(created[a], created[b]), np.where(c >= 0, created[np.maximum(c, 0)], 0))
        created[mg] = _wrap_dates(lo, _child_delay(rng, n_merge))
        depth[mg] = 1 + np.maximum(np.maximum(depth[a], depth[b]), np.where(c >= 0, depth[np.maximum(c, 0)], 0))
    # --- layer 3: a thin third generation (mostly quantizations of layer-2 fine-tunes) -----------------
    ft2 = o_l2 + np.flatnonzero(kind[o_l2:o_merge] == FINETUNE)
    if n_l3 and len(ft2):
        l3 = slice(o_l3, n)
        kind[l3] = np.where(rng.random(n_l3) < 0.7, QUANTIZED, FINETUNE)
        p = ft2[rng.integers(0, len(ft2), n_l3)]
        q2 = o_l2 + np.flatnonzero(kind[o_l2:o_merge] == QUANTIZED)
        # quantizations are almost always leaves: 2% of this thin layer derive from one
        if len(q2):
            rare = rng.random(n_l3) < 0.02
            p = np.where(rare, q2[rng.integers(0, len(q2), n_l3)], p)
        parent[l3] = p
        created[l3] = _wrap_dates(created[p], _child_delay(rng, n_l3))
        depth[l3] = 3
    elif n_l3:
        kind[o_l3:n] = ROOT

    # --- a few 2-cycles: a layer-1 fine-tune that (wrongly) declares its own child as base ------------
    n_cycles = (max(1, n // 200_000) if n >= 1000 else 0)
    cyc_children = np.flatnonzero(kind[o_l2:o_merge] == FINETUNE) + o_l2
    # never break the largest base's fan-out (its index is 0)
    cyc_children = cyc_children[parent[parent[cyc_children]] > 0][:n_cycles]
    for ch in cyc_children:
        parent[parent[ch]] = ch

    # --- declarations: tags + card (most), card only, contradicting, tags only -------------------------
    is_der = parent >= 0
    r = rng.random(n)
    decl = np.where(r < 0.04, DECL_CARD_ONLY, np.where(r < 0.05, DECL_CONTRADICT, np.where(r < 0.08, DECL_TAGS_ONLY, DECL_BOTH)))
    decl = np.where(is_der, decl, DECL_BOTH).astype(np.int8)
    decl[kind == MERGE] = np.where(decl[kind == MERGE] == DECL_CONTRADICT, DECL_BOTH, decl[kind == MERGE])
    card_base = np.where(decl == DECL_CONTRADICT, rng.integers(0, n_flag, n), -1)
    card_base = np.where(card_base == parent, (card_base + 1) % max(n_flag, 1), card_base)
    if n_flag == 1:
        card_base = np.where(decl == DECL_CONTRADICT, ext_base, card_base)

    # --- repository facets --------------------------------------------------------------------------
    quant = np.zeros(n, np.int8)
    qm = kind == QUANTIZED
    rq = rng.random(n)
    quant[qm] = np.where(rq[qm] < 0.7, QUANT_GGUF, np.where(rq[qm] < 0.88, QUANT_GPTQ, QUANT_AWQ))
    pipeline = _choose_weighted(rng, np.array(PIPELINE_P), n).astype(np.int8)
    pipeline[:n_flag] = [PIPELINES.index(_flagship_pipeline(f.id)) for f in flags]
    top_par = np.where(parent >= 0, parent, np.arange(n))
    # derivatives inherit the base's pipeline (follow up to three levels in the ecosystem)
    for _ in range(3):
        inside = (top_par < n) & (parent[np.minimum(top_par, n - 1)] >= 0) & (parent[np.minimum(top_par, n - 1)] < n)
        top_par = np.where(inside, parent[np.minimum(top_par, n - 1)], top_par)
    pipeline = np.where(is_der & (top_par < n), pipeline[np.minimum(top_par, n - 1)], pipeline).astype(np.int8)
    library = np.zeros(n, np.int8)  # transformers
    library[pipeline == PIPELINES.index("text-to-image")] = LIBRARIES.index("diffusers")
    library[pipeline == PIPELINES.index("sentence-similarity")] = LIBRARIES.index("sentence-transformers")
    library[pipeline == PIPELINES.index("image-classification")] = LIBRARIES.index("timm")
    library[kind == ADAPTER] = LIBRARIES.index("peft")
    library[quant == QUANT_GGUF] = LIBRARIES.index("gguf")
    library[(kind == ROOT) & (rng.random(n) < 0.03)] = LIBRARIES.index("mlx")
    no_lib = (kind == ROOT) & (rng.random(n) < 0.25)

    lic = np.full(n, -1, np.int16)
    for i, f in enumerate(flags):
        lic[i] = next((_LICENSE_IDX[v] for pat, v in _FLAGSHIP_LICENSE_RULES if re.search(pat, f.id)),
                      _LICENSE_IDX["apache-2.0"] if i % 3 else _LICENSE_IDX["other"])
    rl = rng.random(n)
    own = _choose_weighted(rng, np.array([0.40, 0.16, 0.0, 0.0, 0.0, 0.0, 0.10, 0.08, 0.06, 0.05, 0.04, 0.03, 0.03, 0.0]), n)
    own = np.where(rl < 0.22, -1, own)  # no licence declared
    lic[n_flag:] = own[n_flag:]
    # derivatives mostly keep their base's licence (in topological order: layers were built in order)
    for sl in (slice(o_l1, o_l2), slice(o_l2, n)):
        idx = np.arange(sl.start, sl.stop)
        p = parent[idx]
        ok = (p >= 0) & (p < n) & (rng.random(len(idx)) < 0.8)
        lic[idx[ok]] = lic[p[ok]]
    gated = np.zeros(n, np.int8)
    for i, f in enumerate(flags):
        if f.org in ("meta-llama", "google", "mistralai") and re.search(r"(?i)llama|gemma|large|codestral", f.id):
            gated[i] = 2
    gated[n_flag:] = np.where(rng.random(n - n_flag) < 0.01, 1, np.where(rng.random(n - n_flag) < 0.003, 2, 0))

    params = np.full(n, -1, np.int64)
    for i, f in enumerate(flags):
        v = f.params or _params_from_name(f.id)
        params[i] = v if v is not None else -1
    root_sizes = np.array([125_000_000, 350_000_000, 1_000_000_000, 3_000_000_000, 7_000_000_000], np.int64)
    params[o_root:o_l1] = np.where(rng.random(n_root) < 0.6, root_sizes[rng.integers(0, 5, n_root)], -1)
    for sl in (slice(o_l1, o_l2), slice(o_l2, n)):
        idx = np.arange(sl.start, sl.stop)
        p = parent[idx]
        ok = (p >= 0) & (p < n)
        params[idx[ok]] = params[p[ok]]
    params[kind == ADAPTER] = np.where(params[kind == ADAPTER] > 0, params[kind == ADAPTER] // 200, 16_000_000)

    # --- adoption: most repos at 0 downloads, a heavy tail; flagships on top ------------------------
    zero = rng.random(n) < 0.62
    dl = np.where(zero, 0, np.floor(rng.lognormal(2.2, 2.3, n))).astype(np.int64)
    dl[:n_flag] = (rng.lognormal(11.0, 1.8, n_flag) * (pop * 20 + 0.2)).astype(np.int64)
    dl_all = dl + np.where(rng.random(n) < 0.7, np.floor(rng.lognormal(2.5, 2.5, n)), 0).astype(np.int64)
    dl_all[:n_flag] = dl[:n_flag] * rng.integers(3, 40, n_flag)
    likes = np.where(rng.random(n) < 0.78, 0, np.floor(rng.pareto(1.3, n))).astype(np.int64)
    likes[:n_flag] = (rng.pareto(1.1, n_flag) * 40 + pop * 3000).astype(np.int64)
    trending = np.where(rng.random(n) < 0.95, 0, rng.integers(1, 50, n)).astype(np.int64)
    trending[:n_flag] = (pop * 200).astype(np.int64)

    old = (kind == ROOT) & (created < _HUB_DATES_MS)
    # the Hub shows (and sorts by) its "unknown" stamp for these: :04 or :05, by parity as in entries.py
    created = np.where(old, _HUB_DATES_MS + (np.arange(n) % 2) * 1000, created)
    modified = _wrap_dates(created, (rng.exponential(40.0, n) * DAY_MS).astype(np.int64) * (rng.random(n) < 0.6))
    modified = np.maximum(modified, np.where(old, _HUB_DATES_MS + 5000, 0))
    openness = np.where(kind == FLAGSHIP, rng.integers(1, 4, n), _choose_weighted(rng, np.array([0.45, 0.30, 0.17, 0.08]), n)).astype(np.int8)
    n_ds_pool = max(datasets, 200)
    has_ds = ((kind == FLAGSHIP) | (kind == FINETUNE) | (kind == ADAPTER) | (openness >= 2)) & (rng.random(n) < 0.4)
    ds_rank = _choose_weighted(rng, 1.0 / np.arange(1, n_ds_pool + 1), 2 * n)
    ds1 = np.where(has_ds, ds_rank[:n], -1)
    ds2 = np.where(has_ds & (rng.random(n) < 0.3), ds_rank[n:], -1)
    ds2 = np.where(ds2 == ds1, -1, ds2)
    arxiv = np.where((kind == FLAGSHIP) & (rng.random(n) < 0.6) | (rng.random(n) < 0.03),
                     rng.integers(0, 10**9, n), -1)
    author_idx = np.where(kind == FLAGSHIP, -1, _choose_weighted(rng, 1.0 / np.arange(1, max(50, n // 6) + 1) ** 0.9, n))
    disambig = rng.integers(0, 1 << 30, n)

    # --- strings (ids) -----------------------------------------------------------------------------
    flag_ids = np.array([f.id for f in flags] + EXTERNAL_BASES, dtype=object)
    ids = _name_models(n, n_flag, kind, parent, quant, author_idx, flag_ids, disambig)
    all_ids = np.concatenate([ids, np.array(EXTERNAL_BASES, dtype=object)])

    def idcol(a: np.ndarray) -> pa.Array:
        return pa.array(np.where(a >= 0, all_ids[np.maximum(a, 0)], None), pa.string())

    authors = np.array([s.split("/", 1)[0] for s in ids], dtype=object)
    table = pa.table({
        "idx": pa.array(np.arange(n, dtype=np.int64)),
        "id": pa.array(ids, pa.string()),
        "author": pa.array(authors, pa.string()),
        "kind": pa.array(np.array(KIND_NAMES, dtype=object)[kind], pa.string()),
        "parent": idcol(parent), "parent2": idcol(parent2), "parent3": idcol(parent3),
        "decl": pa.array(decl), "card_base": idcol(card_base),
        "depth": pa.array(depth),
        "created_ms": pa.array(created), "modified_ms": pa.array(np.maximum(modified, created)),
        "old": pa.array(old),
        "downloads": pa.array(dl), "downloads_all_time": pa.array(dl_all), "likes": pa.array(likes),
        "trending": pa.array(trending),
        "pipeline_tag": pa.array(np.array(PIPELINES, dtype=object)[pipeline], pa.string()),
        "library_name": pa.array(np.where(no_lib, None, np.array(LIBRARIES, dtype=object)[library]), pa.string()),  # type: ignore[call-overload]  # None: an object array; numpy's stubs omit it
        "license": pa.array(np.where(lic >= 0, np.array(LICENSES, dtype=object)[np.maximum(lic, 0)], None), pa.string()),  # type: ignore[call-overload]  # None: an object array; numpy's stubs omit it
        "gated": pa.array(gated),
        "params": pa.array(np.where(params > 0, params, None), pa.int64()),  # type: ignore[call-overload]  # None: an object array; numpy's stubs omit it
        "quant": pa.array(np.array(QUANT_NAMES, dtype=object)[quant], pa.string()),
        "openness": pa.array(openness),
        "ds1": pa.array(np.where(ds1 >= 0, _dataset_ids(np.maximum(ds1, 0)), None), pa.string()),  # type: ignore[call-overload]  # None: an object array; numpy's stubs omit it
        "ds2": pa.array(np.where(ds2 >= 0, _dataset_ids(np.maximum(ds2, 0)), None), pa.string()),  # type: ignore[call-overload]  # None: an object array; numpy's stubs omit it
        "arxiv": pa.array(arxiv.astype(np.int64)),
    })
    return Ecosystem(seed=seed, models=table, datasets=_generate_datasets(rng, datasets), externals=tuple(EXTERNAL_BASES))


_ADJ = ["quiet", "bright", "rapid", "clever", "tiny", "open", "lucky", "brave", "calm", "eager", "fuzzy",
        "gentle", "happy", "jolly", "kind", "lively", "mighty", "noble", "proud", "silly", "wise", "zesty"]
_NOUN = ["otter", "falcon", "lynx", "panda", "heron", "koala", "badger", "raven", "tiger", "walrus", "yak",
         "zebra", "bison", "crane", "dingo", "egret", "gecko", "ibis", "jackal", "lemur", "moose", "newt"]
_WORD = ["chat", "instruct", "math", "code", "med", "law", "rp", "story", "reason", "sql", "vision", "tiny",
         "zh", "ja", "de", "fr", "ko", "ar", "hi", "agent", "tool", "summ", "qa", "dpo", "orpo", "sft"]


def _author_names(idx: np.ndarray) -> np.ndarray:
    a = np.array(_ADJ, dtype=object)[idx % len(_ADJ)]
    b = np.array(_NOUN, dtype=object)[(idx // len(_ADJ)) % len(_NOUN)]
    k = (idx // (len(_ADJ) * len(_NOUN))).astype(str).astype(object)
    return a + "-" + b + np.where(k == "0", "", k)


def _name_models(n: int, n_flag: int, kind: np.ndarray, parent: np.ndarray, quant: np.ndarray,
                 author_idx: np.ndarray, flag_ids: np.ndarray, disambig: np.ndarray) -> np.ndarray:
    """Readable, unique ids: ``<user>/<family>-<suffix>`` for derivatives, invented names for roots."""
    ids = np.empty(n, dtype=object)
    ids[:n_flag] = flag_ids[:n_flag]
    nonflag = np.arange(n_flag, n)
    authors = _author_names(np.maximum(author_idx[nonflag], 0))
    word = np.array(_WORD, dtype=object)
    w1 = word[disambig[nonflag] % len(_WORD)]
    w2 = word[(disambig[nonflag] // 7) % len(_WORD)]
    # family name: the basename of the nearest flagship/external ancestor (or a generated root name)
    fam = parent.copy()
    for _ in range(4):
        step = (fam >= n_flag) & (fam < n) & (parent[np.clip(fam, 0, n - 1)] >= 0)
        fam = np.where(step, parent[np.clip(fam, 0, n - 1)], fam)
    fam_nf = fam[nonflag]
    ext = fam_nf >= n
    is_flag = (fam_nf >= 0) & (fam_nf < n_flag)
    base_src = np.where(ext, flag_ids[np.clip(fam_nf - n + n_flag, 0, len(flag_ids) - 1)],
                        np.where(is_flag, flag_ids[np.clip(fam_nf, 0, n_flag - 1)], None))
    fam_base = np.array([s.rsplit("/", 1)[-1] if s is not None else None for s in base_src], dtype=object)
    root_name = w1 + "-" + np.array(_NOUN, dtype=object)[(disambig[nonflag] // 11) % len(_NOUN)]
    fam_base = np.where(fam_base == None, root_name, fam_base)  # noqa: E711 (object array compare)
    k = kind[nonflag]
    q = np.array(QUANT_NAMES, dtype=object)[quant[nonflag]]
    suffix = np.select(
        [k == QUANTIZED, k == ADAPTER, k == MERGE, k == FINETUNE],
        ["-" + q, "-" + w1 + "-lora", "-" + w1 + "-" + w2 + "-merge", "-" + w1 + "-" + w2],
        default="-" + w2,
    )
    names = authors + "/" + np.where(k == ROOT, root_name + "-" + w2, fam_base + suffix)
    # make ids unique (case-insensitively, as on the Hub): later duplicates get a short suffix
    codes = pc.utf8_lower(pa.array(names, pa.string())).dictionary_encode().indices.to_numpy()
    _, first = np.unique(codes, return_index=True)
    dup = np.ones(len(names), bool)
    dup[first] = False
    # collisions with flagship ids are impossible: synthetic authors never equal a real org name
    where = np.flatnonzero(dup)
    names[where] = [f"{names[i]}-{i + n_flag:x}" for i in where]
    ids[n_flag:] = names
    return ids


def _dataset_ids(k: np.ndarray) -> np.ndarray:
    owner = _author_names((k * 7 + 3) % 5000)
    topic = np.array(_WORD, dtype=object)[k % len(_WORD)]
    return owner + "/" + topic + "-corpus-" + k.astype(str).astype(object)


def _generate_datasets(rng: np.random.Generator, m: int) -> pa.Table:
    k = np.arange(m, dtype=np.int64)
    created = _END_MS - np.mod(rng.exponential(500.0, m) * DAY_MS, _END_MS - _START_MS).astype(np.int64)
    old = created < _HUB_DATES_MS
    modified = _wrap_dates(created, (rng.exponential(30.0, m) * DAY_MS).astype(np.int64))
    lic = np.array(["cc-by-4.0", "apache-2.0", "mit", "cc-by-sa-4.0", "odc-by", "other", "cc-by-nc-4.0"], dtype=object)
    li = _choose_weighted(rng, np.array([0.25, 0.2, 0.15, 0.08, 0.07, 0.1, 0.15]), m) if m else np.zeros(0, np.int64)
    no_lic = rng.random(m) < 0.3
    rank = np.arange(1, m + 1)
    dl = np.where(rng.random(m) < 0.5, 0, (rng.lognormal(3, 2.5, m) * 100 / rank ** 0.3)).astype(np.int64)
    ids = _dataset_ids(k) if m else np.zeros(0, dtype=object)
    return pa.table({
        "idx": pa.array(k),
        "id": pa.array(ids, pa.string()),
        "author": pa.array(np.array([s.split("/", 1)[0] for s in ids], dtype=object), pa.string()),
        "created_ms": pa.array(created), "modified_ms": pa.array(np.maximum(modified, created)),
        "old": pa.array(old),
        "downloads": pa.array(dl), "downloads_all_time": pa.array(dl * rng.integers(1, 20, m)),
        "likes": pa.array(np.where(rng.random(m) < 0.8, 0, np.floor(rng.pareto(1.3, m))).astype(np.int64)),
        "trending": pa.array(np.zeros(m, np.int64)),
        "license": pa.array(np.where(no_lic, None, lic[li]), pa.string()),
        "task": pa.array(np.array(["text-generation", "question-answering", "text-classification", "translation",
                                   "summarization", "image-classification"], dtype=object)[k % 6], pa.string()),
        "size_cat": pa.array(np.array(["n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M"],
                                      dtype=object)[rng.integers(0, 5, m)], pa.string()),
        "gated": pa.array(np.where(rng.random(m) < 0.02, 1, 0).astype(np.int8)),
    })


def write_dump(path: str | Path, *, models: int, datasets: int = 0, seed: int = 0,
               max_fanout: int | None = None, repo_type: str = "model") -> int:
    """Generate an ecosystem and write its ``repo_type`` entries as JSON Lines; returns entries written."""
    from openscope.simhub.entries import write_jsonl

    if repo_type not in ("model", "dataset"):
        raise ValueError("repo_type must be 'model' or 'dataset'")
    eco = generate(models, datasets=datasets, seed=seed, max_fanout=max_fanout)
    return write_jsonl(eco, Path(path), repo_type=repo_type)


def declared_edges(eco: Ecosystem) -> pa.Table:
    """The lineage each model *declares* (ground truth for lineage tests), one row per (child, base).

    Columns: ``child``, ``parent``, ``relation`` (finetune/adapter/quantized/merge), ``in_tags`` (declared
    as a ``base_model:`` tag pair), ``in_card`` (named by ``cardData.base_model``), ``external`` (the base
    is not in the ecosystem). A contradicting card yields two rows: the tag base (``in_tags`` only) and
    the card's base (``in_card`` only).
    """
    import duckdb

    con = duckdb.connect()
    con.register("m", eco.models)
    rel = "CASE kind WHEN 'merge' THEN 'merge' ELSE kind END"
    out = con.sql(f"""
        WITH bases AS (
          SELECT id AS child, unnest(list_filter([parent, parent2, parent3], lambda x: x IS NOT NULL)) AS parent,
                 {rel} AS relation, decl, card_base FROM m WHERE parent IS NOT NULL)
        SELECT child, parent, relation, decl IN (0, 2, 3) AS in_tags, decl IN (0, 1) AS in_card FROM bases
        UNION ALL
        SELECT child, card_base, relation, false, true FROM bases WHERE decl = 2 AND card_base IS NOT NULL
        """).to_arrow_table()
    con.close()
    ids = set(eco.models.column("id").to_pylist())
    external = pa.array([p not in ids for p in out.column("parent").to_pylist()])
    return out.append_column("external", external).sort_by([("child", "ascending"), ("parent", "ascending")])
