"""Are the architecture and the training hardware documented?"""

from __future__ import annotations

import re

from openscope.derive.openness.cards import paragraph_end
from openscope.derive.openness.probes import Evidence, Finding, either, jako_needles, zsearch
from openscope.derive.openness.probes._other_release import about_other_release, model_names
from openscope.derive.openness.probes._own_evidence import (
    _matches,
    _sentence_at,
    enclosing_titles,
    in_code,
    mention_evidence,
)
from openscope.derive.openness.records import ModelRecord

COMPONENT = None
# The edges of the Latin names are "not a Latin letter or digit" rather than ``\b``: a Chinese character is a word
# character to ``re``, so "8卡A100" or "A100显卡" has no word boundary around "A100". The Chinese forms: 昇腾
# (Ascend), 显卡 / 显示卡 / GPU卡 (graphics cards: 显示卡 is Taiwan's 顯示卡 in its simplified reading, :mod:`..hant`),
# 加速卡 (accelerator cards), 算力 / 计算资源 / 运算资源 (compute), 训练集群 / 计算集群 (training cluster; Taiwan's 訓練叢集
# reads so), 训练服务器 (training server; 伺服器 reads 服务器), 卡时 / GPU时 / GPU小时 / GPU时数 (card-hours, GPU-hours).
# A count may be glued to a chip's name ("8xA100", "8xH100": the "x" is a letter, yet no word goes on; the letter before
# a name may be an "x", and :func:`training_hardware` keeps such a match only after a digit, which is cheaper than a
# lookbehind for it), and the name may be plural ("256 H100s"). The smaller data-centre and workstation chips a
# fine-tune's card names are chips too ("one NVIDIA A10", "16 GPU A10", "an A6000", "a T4", "my RTX 3090"): the
# probe counts a chip whatever its size.
HARDWARE = either(r"(?<![A-WYZa-wyz0-9])(?:(?:A100|H100|H800|H20|H200|GH200|GB200|B200|V100|A800|L40S?"
                      r"|A10G?|A40|A6000|L4|T4|P100|K80|RTX[ -]?A?\d{4}(?:[ -]?Ti)?)s?|"
                      r"TPU ?v?\d*|GPUs?|GPU[- ]hours|accelerators?|"
                      r"Ascend|MI2\d0X?|MI300X?|Gaudi|compute (budget|used)|FLOPs?)(?![A-Za-z0-9])"
                      , r"昇腾|显卡|显示卡|加速卡|GPU ?卡|算力|(?:计算|运算)资源|训练集群|计算集群|训练服务器|卡时|GPU ?(?:小时|时)", re.IGNORECASE,
                  # Japanese: 計算資源 (compute), 計算クラスタ, スーパーコンピュータ, GPU時間 (GPU hours); Korean: 연산/컴퓨팅
                  # 자원 (compute), 클러스터, 슈퍼컴퓨터, GPU 시간
                  jako=r"計算資源|計算クラスタ|スーパーコンピュータ|GPU ?時間|연산\s?자원|컴퓨팅\s?자원|슈퍼\s?컴퓨터|GPU ?시간"
                  r"|학습\s?클러스터")
# Chinese: 模型结构 / 模型架构 / 网络结构 (architecture), 层数 (layers), 注意力头 (attention heads), 隐藏层 (hidden
# layer/size), 上下文长度 (context length), 混合专家 (mixture of experts), "32 层" (32 layers).
ARCH_ZH = r"模型结构|模型架构|网络结构|层数|注意力头|隐藏层|上下文长度|混合专家|专家混合|(?<!\d)\d+ ?层(?!级|次)"
ARCH_EN = (r"\b(\d+ (layers|attention heads|heads|experts)|hidden (size|dim(ension)?)|num_layers|d_model|"
           # blocks of a named kind or alone ("12 conformer blocks", "a ViT of 12 blocks, width 384")
           r"\d+ (?:(?:transformer|conformer|encoder|decoder|residual|convolutional|attention|mamba)[ -])?blocks|"
           r"(?:width|embedding dim(?:ension)?) \d+|"
           # a multimodal model's parts ("a SigLIP vision encoder, a two-layer MLP projector and a 7B language decoder")
           r"(?:vision|image|audio|speech)[ -]encoder|(?:MLP|linear)[ -]projector|language[ -]decoder|"
           r"context (length|window)|decoder-only|encoder-decoder|mixture[- ]of[- ]experts|\bMoE\b|"
           r"\bDiT\b|U-?Net|\bVAE\b|transformer (architecture|decoder|encoder)|grouped[- ]query attention|"
           r"rotary|RoPE|SwiGLU|state[- ]space|Mamba|architecture|"
           # German, French, Spanish, Italian, Portuguese: layer counts ("22 Schichten", "28 couches", "16 capas"),
           # attention heads ("Attention-Köpfe", "têtes d'attention", "cabezas de atención"), decoder-only
           # ("Nur-Decoder", "décodeur seul", "solo decodificador") and the word architecture itself
           r"\d+ (?:Schichten|couches|capas|strati|camadas)|\d+ (?:[A-Za-z]+-)?Blöcke\w{0,2}|Attention-?Köpf\w*|Aufmerksamkeitsköpf\w*"
           r"|têtes d'attention|cabezas de atención|teste di attenzione|cabeças de atenção"
           r"|Nur-Decoder|décodeur seul|solo decodificador|Architektur|arquitectura|architettura|arquitetura)\b")
# Japanese: モデル構造, アーキテクチャ, 層数 / "32層" / レイヤー, アテンションヘッド, 隠れ層, 隠れ次元, コンテキスト長;
# Korean: 모델 구조, 아키텍처, 레이어 / "32개 층", 어텐션 헤드, 은닉층, 히든 사이즈, 컨텍스트 길이, 전문가 혼합.
ARCH_JAKO = (r"モデル構造|アーキテクチャ|ネットワーク構造|層数|レイヤー|(?<!\d)\d+ ?層|アテンションヘッド|隠れ層|隠れ次元"
             r"|コンテキスト長|エキスパート|모델\s?구조|아키텍처|레이어|(?<!\d)\d+\s?개?\s?층|어텐션\s?헤드|은닉층"
             r"|히든\s?(?:사이즈|크기|차원)|컨텍스트\s?(?:길이|윈도우)|전문가\s?혼합")
ARCH = either(ARCH_EN, ARCH_ZH, re.IGNORECASE, jako=ARCH_JAKO)
HARDWARE_NEEDLES = ('a10', 'h100', 'h800', 'h20', 'b200', 'v100', 'a800', 'l4', 'a40', 'a6000', 't4', 'p100', 'k80',
                    'rtx', 'tpu', 'gpu', 'accelerator', 'ascend', 'mi2', 'mi3',
                    'gaudi', 'compute', 'flop', '昇腾', '显卡', '显示卡', '加速卡', '资源', '算力', '集群', '训练服务器', '卡时') + jako_needles('計算', 'スーパーコンピュータ', '연산', '컴퓨팅', '슈퍼',
                                                                          '클러스터')
ARCH_NEEDLES = jako_needles('構造', 'アーキテクチャ', '層', 'レイヤー', 'アテンション', '隠れ', 'コンテキスト', 'エキスパート', '구조',
                            '아키텍처', '레이어', '층', '어텐션', '은닉층', '히든', '컨텍스트', '전문가') + (
                '结构', '架构', '层', '注意力头', '上下文长度', '专家', 'layer', 'head', 'expert', 'hidden', 'd_model', 'context', 'decoder', 'encoder', 'mixture', 'moe', 'dit', 'unet', 'u-net', 'vae', 'transformer', 'query', 'rotary', 'rope', 'swiglu', 'state', 'mamba', 'architecture',
                'schichten', 'couches', 'capas', 'strati', 'camadas', 'köpf', "d'attention", 'de atención',
                'di attenzione', 'de atenção', 'décodeur', 'decodificador', 'architektur', 'arquitect', 'arquitet', 'architettura',
                ' blocks', 'width ', 'embedding dim', 'blöcke', 'projector')
# A generative model's kind and parts, as an image, video or audio generator's card states its architecture: "a Latent
# Diffusion Model", "AltCLIP as the text encoder", "a 12B rectified flow transformer", "a flow-based model", "a
# diffusion transformer" (潜在扩散 latent diffusion, 文本编码器 text encoder). Apart from :data:`ARCH`, searched only
# in a card holding one of its words (the card's one needle pass), so the other cards pay nothing for it.
GENERATIVE_ARCH = re.compile(
    r"\b(?:latent[- ]diffusion|text[- ]encoders?|diffusion[- ]transformers?|rectified[- ]flow[- ](?:transformer|model)s?"
    r"|flow[- ](?:based|matching)[- ](?:generative[- ])?(?:transformer|model)s?)\b|文本编码器|潜在扩散|潜空间扩散", re.IGNORECASE)
GENERATIVE_NEEDLES = ('latent diffusion', 'latent-diffusion', 'text encoder', 'text-encoder', 'diffusion transformer',
                      'diffusion-transformer', 'rectified flow', 'rectified-flow', 'flow based', 'flow-based',
                      'flow matching', 'flow-matching', '文本编码器', '潜在扩散', '潜空间扩散')
# A sentence about running the model, not about training it: "GPTQ models for GPU inference", "a Python library
# with GPU acceleration", "the number of layers to offload to GPU", "fits on a consumer GPU". A re-upload's card
# (GGUF, GPTQ, AWQ, MLX) is full of them; they say what the reader needs, not what the model was trained on.
RUNNING = either(r"\binferenc\w*|\brun(?:s|ning)?\b|\bgenerat(?:e|es|ing)\b|\brequire(?:s|d|ments?)?\b|\binstall(?:s|ed|ing)?\b|\boffload\w*|\bv?ram\b|\bmemory\b|\baccelerat(?:ion|ed)\b|"
                     r"\bdeploy\w*|\bserv(?:e|es|ing)\b|\bload(?:s|ing)?\b|\bfits?\b|\bconsumer\b|\bquanti[sz]\w*|"
                     # making a copy of the weights is not training them: a quantisation in Spanish ("Cuantizado en una
                     # sola RTX 4090") or French ("quantifié"), a format conversion ("The GGUF conversion ran on one A100")
                     r"\bcuantiz\w*|\bquantifi\w*|\bconver(?:t|ts|ted|ting|sion|sions|tido|tida|ti|tiert)\b|"
                     r"\bclients?\b|\blatency\b|\bthroughput\b|\bworkers?\b|\bweb ?servers?\b|\bcontroller\b|\byour\b"
                     # (Taiwan's 推論, 記憶體 and 消費級 read 推论, 记忆體 and 消费级: :mod:`..hant`)
                     , r"推理|推论|部署|显存|内存|记忆[体體]|运行|加载|量化|服务|延迟|吞吐|消费级", re.IGNORECASE,
                 # Japanese and Korean: inference (推論, 추론), deployment (デプロイ, 배포), memory (メモリ, 메모리), running
                 # (実行, 実行, 실행), loading (読み込, ロード, 로드), quantisation (量子化, 양자화), serving (サービング, 서빙)
                 jako=r"推論|デプロイ|メモリ|VRAM|実行|読み込|ロード|量子化|サービング|レイテンシ"
                 r"|추론|배포|메모리|실행|로드|양자화|서빙|지연\s?시간|처리량")
TRAINING = either(r"\btrain\w*|\bpre-?train\w*|\bfine-?tun\w*|\bcompute\b|\bhours\b|\bFLOPs?\b|\bcluster"
                      , r"训练|微调|算力|集群|卡时|小时|时数", re.IGNORECASE,
                  # (GPU hours, not "time": 推論時間 and 지연 시간 are the time a reply takes)
                  jako=r"学習|訓練|ファインチューニング|微調整|計算資源|クラスタ|GPU\s?時間"
                  r"|학습|훈련|파인\s?튜닝|미세\s?조정|클러스터|GPU\s?시간")
MAX_HARDWARE_MATCHES = 40
# A section that tells the reader how to set the model up or run it ("## System Requirements" › "### Hardware
# Requirements", "## Installation", "## Inference", "## Quick Start", "## Usage"; 环境 / 安装 / 推理 / 部署 / 快速开始):
# a GPU named there with no word of training in its sentence ("- **GPU**: NVIDIA GPU with CUDA support") is what the
# reader needs, not what the model was trained on. The section and each of its parents are read.
RUN_SECTION = either(r"\b(?:requirements?|install\w*|inferenc\w*|usage|quick[ -]?start|getting[ -]started|how[ -]to[ -]use"
                     r"|deploy\w*|set[ -]?up)\b", r"环境|安装|推理|部署|快速开始|快速上手|使用方法", re.IGNORECASE)
# The text before a word that puts it inside an address, not a sentence: an absolute URL (``https://…/gpu.html``), a
# link's target (``](./MoE/README.md)``, ``](docs/…``) or an HTML ``src=``/``href=`` value, with no space, bracket
# or quote since. A word there names a file or a page ("installation/gpu.html", "collections/acme/acme-moe"), never
# the model's hardware or architecture.
_IN_ADDRESS = re.compile(r"(?:https?://|\]\(|(?:src|href)=[\"'])[^\s()\[\]<>\"']*$", re.IGNORECASE)
# The text before a word that puts it inside an image's alt text (``![GPU Kernel](…)``, ``<img alt="GPU" …``).
_IN_IMAGE_ALT = re.compile(r"!\[[^\]\n]*$|<img\b[^<>\n]*\balt=[\"'][^\"'<>\n]*$", re.IGNORECASE)
# A badge image (shields.io and the like): its words are a label, not a statement.
_BADGE = re.compile(r"shields\.io|/badges?/|badge\.(?:svg|png)|badgen\.net", re.IGNORECASE)
REMEDIATION = "Document the architecture (layers, sizes, attention) and the training hardware and compute."


def run(rec: ModelRecord) -> Finding:
    f = Finding("hardware_documented", "unknown", COMPONENT, remediation=REMEDIATION)
    if rec.card is None:
        return f
    hw, arch = training_hardware(rec), architecture(rec)
    f.detail = {"hardware": hw is not None, "architecture": arch is not None}
    f.evidence = [e for e in (arch, hw) if e]
    f.outcome = "positive" if hw and arch else "negative"
    return f


def in_address_or_badge(text: str, a: int) -> bool:
    """Whether the word at ``text[a]`` is inside a URL or a link's target, or is a badge's label (the alt text of an
    image whose address is a badge service's). Why: on the development cards "gpu" in a documentation URL
    (``…/installation/gpu.html``), "MoE" in a folder link (``](./MoE/README.md)``) or a collection's address, and a
    "GPU Kernel" badge were quoted as the model's training hardware and architecture; a reader sees an address or a
    label, not a statement. An image's alt text that is not a badge's ("![model architecture](arch.png)") is a
    figure's caption and is still read."""
    line_start = text.rfind("\n", 0, a) + 1
    before = text[max(line_start, a - 400):a]
    if _IN_ADDRESS.search(before):
        return True
    alt = _IN_IMAGE_ALT.search(before)
    if alt is None:
        return False
    line_end = text.find("\n", a)
    rest = text[a:len(text) if line_end < 0 else line_end]
    close = rest.find(")") if alt.group().startswith("!") else rest.find(">")
    return bool(_BADGE.search(alt.group() + (rest[:close] if close >= 0 else rest)))


def training_hardware(rec: ModelRecord) -> Evidence | None:
    """The first hardware mention that is not about running the model (:data:`RUNNING` in its sentence, or a
    section about setting it up or running it, :data:`RUN_SECTION`, with no word of training in its sentence), not inside a code block (a command's ``--device cuda``) and not in an address or a
    badge (:func:`in_address_or_badge`)."""
    card = rec.card
    if card is None:
        return None
    off = len(card.text) - len(card.body)
    for seen, m in enumerate(_matches(card.body, card.lowered_body, HARDWARE, HARDWARE_NEEDLES)):
        if seen >= MAX_HARDWARE_MATCHES:
            return None
        a, b = off + m.start(), off + m.end()
        if a > 0 and card.text[a - 1] in "xX" and not card.text[a - 2:a - 1].isdigit():
            continue   # a word ending in "x" ("maxFLOPs"), not a count ("8xA100")
        sentence = _sentence_at(card.text, a, b)
        if in_code(rec, a) or in_address_or_badge(card.text, a):
            continue
        if not zsearch(TRAINING, sentence) and (zsearch(RUNNING, sentence) or any(
                zsearch(RUN_SECTION, t) for t in enclosing_titles(card, a))):
            continue
        if another_models_hardware(rec, sentence, a):
            continue
        if a_mode_or_a_budget(card.text, a, b) or readers_setting(card.text, a):
            continue
        return _from_clause(rec, a, b) or mention_evidence(rec, m)
    return None


# where a sentence starts, looking back from a chip: a sentence's end or a line's start (a field's label stays with it:
# "**Matériel :** une carte NVIDIA V100"); a point inside a word or a number ("Tidal-2.8B") ends nothing
_SENTENCE_START = re.compile(r"(?:[.!?;](?=\s)|[。；！？]|\n)(?:[^.!?;。；！？\n]|[.!?;](?!\s)){0,200}$")
CLAUSE_REACH = 200   # characters looked back for the sentence's start


def _from_clause(rec: ModelRecord, a: int, b: int) -> Evidence | None:
    """The hardware quoted from the start of its sentence (at most :data:`CLAUSE_REACH` characters back) to the end
    of its context. Why: a snippet must show the fact to a reader: "11 days on 128 H100 GPUs." and "hours on a single
    V100." (15 characters before the chip) do not say what ran on them; "Kestrel-3B was trained for 11 days on 128
    H100 GPUs." and "Fine-tuning took 20 hours on a single V100." do. None when the sentence starts farther back, or
    on a heading (quoted with the paragraph under it, as before): the usual context is quoted."""
    card = rec.card
    assert card is not None
    m = _SENTENCE_START.search(card.text, max(0, a - CLAUSE_REACH), a)
    if m is None or card.text.startswith("#", card.text.rfind("\n", 0, a) + 1):
        return None
    start = m.start() + 1
    while start < a and card.text[start].isspace():
        start += 1
    anchor, snip = card.span(start, b, stop=paragraph_end(card.text, b), before=0)
    return Evidence("card", f"{rec.card_locator}{anchor}", snip, rec.read_at)


# A device word that is part of a program's feature, not a statement of hardware: a mode of running ("multi-GPU
# training", "single-GPU and multi-GPU training", "multi-GPU inference") or a memory budget ("uses less GPU memory",
# "low-GPU-memory offload", "GPU Mem."), or a part of an identifier (`actor_num_gpus_per_node`). None says which
# accelerator or how many.
_GENERIC_DEVICE = frozenset({"gpu", "gpus", "accelerator", "accelerators"})
_MODE_BEFORE = re.compile(r"(?:multi|single|dual|cross)-$", re.IGNORECASE)
_BUDGET_AFTER = re.compile(r"[- ]?mem(?:ory|\.|\b)", re.IGNORECASE)


def a_mode_or_a_budget(text: str, a: int, b: int) -> bool:
    """Whether the device word at ``text[a:b]`` (a generic one: GPU, accelerator; never a chip's name) is a mode of
    running a program ("multi-GPU training": the word after "multi-", "single-"), a memory budget ("GPU memory",
    "low-GPU-memory offload") or a part of an identifier (`actor_num_gpus_per_node`, an option's name). Why: "We use the `accelerate` package for multi-GPU training" says how the training
    script can be set up, and "fine-tuning code that uses less GPU memory" what it costs; a reader who asks what the
    model was trained on learns no chip, no count and no compute from either (three development cards were graded
    as documenting their training hardware on such a sentence). "Trained on a single GPU", "8 GPUs" and an A100 in
    the same sentence are still read."""
    if text[a:b].lower() not in _GENERIC_DEVICE:
        return False
    if text[a - 1:a] == "_" or text[b:b + 1] == "_":
        return True                      # a part of an identifier: `actor_num_gpus_per_node`, `--gpus_per_node`
    return bool(_MODE_BEFORE.search(text, max(0, a - 7), a) or _BUDGET_AFTER.match(text, b, b + 8))


# A clause addressed to the reader as a condition or an option: "If you have fewer GPUs, lower the batch size", "if
# your machine has one GPU", "when you only have 8 GPUs", "you can fine-tune it on a single GPU". The hardware named
# there is the reader's choice, not the release's, even in a sentence about training. A requirement ("you need 8
# GPUs to train it", "you will require 8 GPUs") says what the recipe takes, and is read.
# A capability said of a tool or of the method works the same way: "a low-memory solution that enables fine-tuning on
# a single RTX 4090", "lets you train on one T4", "can be executed on consumer hardware, such as a single RTX 3090"
# (what it makes possible, not what the release was trained on); "can be trained on 8 A100s" is what the recipe
# takes, as a requirement, and is read.
_READER = re.compile(r"\b(?:if|when|unless|whether)[ \t]+you(?:r|'re|'ve)?\b|\byou[ \t]+(?:can|could|may|might)\b"
                     r"|\b(?:enabl(?:e|es|ing)|allow(?:s|ing)?|lets)\b"
                     r"|\b(?:can|could|may)[ \t]+be[ \t]+(?:run|executed|used|deployed|served|loaded)\b",
                     re.IGNORECASE)
# A clause that gives an example ("such as a single RTX 3090", "e.g. an A10", "like a T4") belongs to the clause
# before it, which says what the example is of.
# A line break inside a sentence (after a letter, a digit or a comma, before a letter): a wrap, not a new clause.
_WRAP = re.compile(r"(?<=[\w,])\n(?=[ \t]{0,8}[^\W\d_])")
_EXAMPLE = re.compile(r"[ \t]{0,8}(?:such[ \t]+as|e\.g\.|for[ \t]+example|for[ \t]+instance|like)\b", re.IGNORECASE)
_CLAUSE_START = re.compile(r"[,;:()—–]|\s-\s|\n", re.IGNORECASE)
READER_REACH = 300   # characters before a mention read for its clause


def readers_setting(text: str, a: int) -> bool:
    """Whether the hardware mention at ``text[a]`` stands in a clause addressed to the reader as a condition or an
    option (:data:`_READER`: "if you have", "if your", "when you", "you can"), or as what a tool or the method makes
    possible ("enables", "allows", "lets", "can be run / executed on"), read from the clause's start (a comma, a semicolon, a colon, a
    parenthesis, a dash, a line break or a sentence's end) to the mention. Why: a reproduction guide tells the reader
    what to change on fewer GPUs ("If you have less GPUs, you can adjust the batch size"), a card what the reader's
    fine-tuning needs ("you can add new concepts with a single GPU"); that is the reader's machine, not what the
    release was trained on. A clause of the card's own ("We trained on 64 H100s, so if you have fewer GPUs …") is
    read: its hardware stands before the reader's clause."""
    head = text[max(0, a - READER_REACH):a]
    cut = max(head.rfind(". "), head.rfind("! "), head.rfind("? "), head.rfind("。"))
    head = head[cut + 1:]
    head = _WRAP.sub(" ", head)   # a line wrapped inside a sentence goes on the same clause (same length)
    starts = [m.end() for m in _CLAUSE_START.finditer(head)]
    if starts and _EXAMPLE.match(head, starts[-1]):
        starts.pop()   # an example's clause is read with the clause it exemplifies
    clause = head[starts[-1]:] if starts else head
    return bool(_READER.search(clause))


def another_models_hardware(rec: ModelRecord, sentence: str, a: int) -> bool:
    """Whether the hardware mention at ``card.text[a]`` is said of another model the card links on the Hub
    (:func:`.._other_release.about_other_release`): its sentence names only such models ("train Heron-7B with 4 x
    A100"), or, when the sentence names no model, the heading of its section does ("### Fine-tuning Heron-7B with
    Local GPUs"). Why: a platform's README (FastChat's) gives the recipe of each model it hosts; the release's
    training hardware is not another model's. Cheap: nothing is read unless the card links a Hub model."""
    card = rec.card
    assert card is not None
    if "huggingface.co/" not in card.text:
        return False
    if about_other_release(rec, sentence):
        return True
    titles = enclosing_titles(card, a)
    return not model_names(sentence) and bool(titles) and about_other_release(rec, titles[-1])


# "mamba" is also a package manager: conda's faster twin ("conda install mamba -n base", "mamba env create -f
# environment.yml", "Install mamba in the base environment", micromamba), and "pip install mamba-ssm" installs a
# library. A command or an install step says how to set up the reader's machine, not what the model is made of.
# Read as the tool: a "mamba" inside a code block or inline code (`mamba`), right after an install word (install,
# conda, pip, apt, brew), right before a subcommand or an option ("mamba env", "mamba install", "mamba -n"), or in a
# sentence about conda or setting up an environment (conda, conda-forge, micromamba, mambaforge, miniforge, environment,
# package manager, set up).
_MAMBA_TOOL_BEFORE = re.compile(r"\b(?:install(?:s|ed|ing)?|conda|pip3?|apt(?:-get)?|brew)[ \t]+(?:the[ \t]+)?$",
                                re.IGNORECASE)
_MAMBA_TOOL_AFTER = re.compile(r"^[ \t]+(?:install|env|create|activate|deactivate|update|upgrade|remove|uninstall|run|"
                               r"search|list|clean|init|info|config|repoquery|shell)\b|^[ \t]+-{1,2}[a-z]", re.IGNORECASE)
_MAMBA_TOOL_SENTENCE = re.compile(r"\b(?:conda(?:-forge)?|micromamba|mambaforge|miniforge|miniconda|environments?|"
                                  r"package[ \t]+manager|set[ \t-]?up)\b", re.IGNORECASE)
MAX_ARCH_MATCHES = 40
# "architecture" said of a chip or of software, not of the model: a chip's or a vendor's name right before it
# ("NVIDIA Ampere architecture", "GPU architecture"), or a program's ("bitnet.cpp's architecture", "the server
# architecture"); and a bare "architecture" in a sentence about a serving system or a program (servers, workers,
# a controller, a system-level paper, a library, a framework) when no word of a model stands right before it.
_CHIP_OR_PROGRAM_BEFORE = re.compile(
    r"(?:\.cpp|\bserv(?:er|ing)|\bsystem|\bsoftware|\bframework|\blibrary|\bengine|\bcodebase|\bapp|\bhardware|\bchips?"
    r"|\bdevices?|\bGPUs?|\bCPUs?|\bNVIDIA|\bAMD|\bIntel|\bAmpere|\bHopper|\bAda(?:[ \t]+Lovelace)?|\bVolta|\bTuring"
    r"|\bBlackwell|\bPascal|\bARM|\bx86(?:[-_]64)?)(?:'s)?[*_]{0,2}[ \t]+$", re.IGNORECASE)
_SOFTWARE_SENTENCE = re.compile(r"\b(?:web ?servers?|servers?|serving|workers?|controller|system-level|librar(?:y|ies)"
                                r"|frameworks?|codebase|toolkit)\b|\.cpp\b", re.IGNORECASE)
# a link right after the word, to a document about a server or a system ("[here](docs/server_arch.md)")
_SOFTWARE_LINK_AFTER = re.compile(r"[ \t]{0,3}(?:(?:in|at|on|here|see)[ \t]{1,3}){0,2}\[[^\]\n]{0,80}\]\([^)\s]{0,200}?"
                                  r"(?:server|serving|system|infra|deploy)", re.IGNORECASE)
_MODEL_BEFORE = re.compile(r"\b(?:model|network|neural|transformer|backbone|our|its)(?:'s)?[ \t]+(?:\w+[ \t]+)?$",
                           re.IGNORECASE)


def software_architecture(rec: ModelRecord, a: int, b: int) -> bool:
    """Whether the "architecture" at ``card.text[a:b]`` is a chip's or a program's, not the model's
    (:data:`_CHIP_OR_PROGRAM_BEFORE`, :data:`_SOFTWARE_SENTENCE`). Why: on the development cards "bitnet.cpp's
    architecture and design", "learn more about the architecture" (of a web server, its model workers and their
    controller) and "all NVIDIA Ampere architecture … devices" were read as the model's architecture."""
    card = rec.card
    assert card is not None
    text = card.text
    before = text[max(text.rfind("\n", 0, a) + 1, a - 60):a]
    if _CHIP_OR_PROGRAM_BEFORE.search(before):
        return True
    line_end = text.find("\n", b)
    if _SOFTWARE_LINK_AFTER.match(text, b, min(b + 160, len(text) if line_end < 0 else line_end)):
        return True   # "learn more about the architecture [here](docs/server_arch.md)"
    return not _MODEL_BEFORE.search(before) and bool(_SOFTWARE_SENTENCE.search(_sentence_at(text, a, b)))


def code_identifier(rec: ModelRecord, a: int, b: int) -> bool:
    """Whether the architecture word at ``card.text[a:b]`` is part of an identifier in code (``pipe.vae.enable_tiling()``,
    ``unet(`` ): a program's attribute or call names an object, it does not describe the model. A configuration's
    ``num_layers: 32`` or ``d_model=4096`` is still read."""
    text = rec.card.text if rec.card is not None else ""
    return (text[a - 1:a] in (".", "_") or text[b:b + 1] in (".", "(", "_")) and in_code(rec, a)


def mamba_tool(rec: ModelRecord, a: int, b: int) -> bool:
    """Whether the "mamba" at ``card.text[a:b]`` is the package manager (or a package installed), not the
    state-space architecture. Why: an OpenChatKit-style README's setup steps ("Install mamba in the base
    environment", ``mamba env create``) were read as a description of the model's architecture."""
    card = rec.card
    assert card is not None
    text = card.text
    if in_code(rec, a) or text[a - 1:a] == "`" or text[b:b + 1] == "`":
        return True
    line_start = text.rfind("\n", 0, a) + 1
    line_end = text.find("\n", b)
    line_end = len(text) if line_end < 0 else line_end
    return bool(_MAMBA_TOOL_BEFORE.search(text[line_start:a]) or _MAMBA_TOOL_AFTER.search(text[b:line_end])
                or _MAMBA_TOOL_SENTENCE.search(_sentence_at(text, a, b)))


# A context length or window is a fact about the model only with its value: "a context length of 4,096 tokens", "a
# 128K context window", "上下文长度为 32K". Named without one ("split long conversations into segments that fit the
# model's maximum context length", "supports a long context window") it documents nothing a reader could check.
_CONTEXT_WORD = re.compile(r"context|上下文长度|コンテキスト長|컨텍스트", re.IGNORECASE)
# (a number standing alone, "8K", "2,048", "32K"; not a digit of a name, "Finch-7B", "v2")
_ANY_DIGIT = re.compile(r"(?<![A-Za-z0-9.-])\d|[一二三四五六七八九十百千万]")


# A generative model's parts named in a sentence about running it ("offload the text encoder to the CPU", "load the
# model with a remote text encoder") tell the reader what to do, not what the model is made of: passed over, as a
# hardware mention there is (:data:`RUNNING` without :data:`TRAINING`).
_TEXT_ENCODER = re.compile(r"text[- ]encoders?|文本编码器", re.IGNORECASE)


def _running_sentence(text: str, a: int, b: int) -> bool:
    """Whether the sentence around ``text[a:b]`` is about running the model and says nothing of training it."""
    sentence = _sentence_at(text, a, b)
    return bool(zsearch(RUNNING, sentence)) and not zsearch(TRAINING, sentence)


def _context_valued(text: str, a: int, b: int) -> bool:
    """Whether the context length or window at ``text[a:b]`` comes with its value: a number in its sentence, or a
    table's cell (its column holds the values: "| **Context Length** |" over "| 128K |")."""
    line = text[text.rfind("\n", 0, a) + 1:a]
    return line.lstrip().startswith("|") or bool(_ANY_DIGIT.search(_sentence_at(text, a, b)))


def architecture(rec: ModelRecord) -> Evidence | None:
    """The first architecture detail (:data:`ARCH`) that is not the "mamba" package manager (:func:`mamba_tool`) nor
    in an address or a badge (:func:`in_address_or_badge`), nor a context length or window named without its value
    (:data:`_CONTEXT_WORD`). The first 40 matches are read."""
    card = rec.card
    if card is None:
        return None
    off = len(card.text) - len(card.body)
    gen = _generative_part(rec)
    for seen, m in enumerate(_matches(card.body, card.lowered_body, ARCH, ARCH_NEEDLES)):
        if gen is not None and gen.start() < m.start():
            return mention_evidence(rec, gen)   # the first detail in the card's order, whichever pattern found it
        if seen >= MAX_ARCH_MATCHES:
            return None if gen is None else mention_evidence(rec, gen)
        if m.group().lower() == "mamba" and mamba_tool(rec, off + m.start(), off + m.end()):
            continue
        if in_address_or_badge(card.text, off + m.start()):
            continue
        if m.group().lower() == "architecture" and software_architecture(rec, off + m.start(), off + m.end()):
            continue
        if code_identifier(rec, off + m.start(), off + m.end()):
            continue
        if _CONTEXT_WORD.match(m.group()) and not _context_valued(card.text, off + m.start(), off + m.end()):
            continue   # "segments that fit the model's maximum context length": no length is given
        return mention_evidence(rec, m)
    return None if gen is None else mention_evidence(rec, gen)


def _generative_part(rec: ModelRecord) -> re.Match[str] | None:
    """The first generative model's kind or part (:data:`GENERATIVE_ARCH`) that is not in an address or a badge, not
    an identifier in code, and not a text encoder named in a sentence about running the model ("load the model with
    the text encoder offloaded to the CPU"). Why: "Mustango leverages Latent Diffusion Model (LDM), Flan-T5 …", "We use
    AltCLIP as the text encoder", "a 32 billion parameter rectified flow transformer" state what the model is made of
    and were read as no architecture. The first 40 matches are read."""
    card = rec.card
    assert card is not None
    off = len(card.text) - len(card.body)
    for seen, m in enumerate(_matches(card.body, card.lowered_body, GENERATIVE_ARCH, GENERATIVE_NEEDLES)):
        if seen >= MAX_ARCH_MATCHES:
            return None
        a, b = off + m.start(), off + m.end()
        if in_address_or_badge(card.text, a) or code_identifier(rec, a, b):
            continue
        if _TEXT_ENCODER.fullmatch(m.group()) and _running_sentence(card.text, a, b):
            continue   # "load the model with a remote text encoder on one GPU": how to run it, not what it is
        return m
    return None
