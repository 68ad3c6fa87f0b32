"""Is the model architecture released as code (or at least described)?"""

from __future__ import annotations

import re

from openscope.derive.openness import libraries
from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    either,
    file_evidence,
    files_matching,
    library_evidence,
    library_name_evidence,
    linked_code_license,
    repo_license,
    section_with,
)
from openscope.derive.openness.probes._own_evidence import own_code_repository
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.probes.hardware_documented import ARCH_EN, ARCH_JAKO, ARCH_ZH
from openscope.derive.openness.probes.training_code import SCRIPT_URL
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Model architecture"
ARCH_FILES = re.compile(r"(^|/)(modeling_[\w]+\.py|configuration_[\w]+\.py|config\.json|model_index\.json|"
                        r"params\.json|[\w-]{0,255}model[\w-]{0,255}\.py)$", re.IGNORECASE)
ARCH_SECTION = re.compile(r"architecture|model (details|description|overview|structure)|technical specifications"
                          # German, French, Spanish, Italian, Portuguese: the architecture, the model's details
                          r"|architektur|arquitectura|architettura|arquitetura|modell(?:details|beschreibung|übersicht)"
                          r"|(?:détails|description) du modèle|(?:detalles|descripción) del modelo"
                          r"|dettagli del modello|detalhes do modelo"
                          r"|模型(?:结构|架构|详情|介绍|概述|描述|细节)|网络结构|技术规格"
                          r"|モデル(?:の)?(?:詳細|概要|構造|アーキテクチャ|説明)|アーキテクチャ|ネットワーク構造|技術仕様"
                          r"|모델\s?(?:세부\s?정보|상세|개요|구조|아키텍처|설명|정보)|아키텍처|기술\s?사양",
                          re.IGNORECASE)
# A section whose title names the architecture documents it; a general "Model details/description/overview"
# section documents it only when its text names some (layers, attention, an architecture family: the hardware
# probe's words; a parameter count; causal, encoder, decoder, transformer, diffusion). Why: the Hub template's "### Model Description" left with "- **Finetuned from model:** X",
# or a LoRA's "A LoRA trained on 40 paintings", describes no architecture.
ARCH_TITLE = re.compile(r"architecture|model structure|technical specifications|模型结构|模型架构|网络结构|技术规格"
                        r"|architektur|arquitectura|architettura|arquitetura"
                        r"|モデル構造|アーキテクチャ|ネットワーク構造|技術仕様|모델\s?구조|아키텍처|기술\s?사양",
                        re.IGNORECASE)
DESCRIBES = either(ARCH_EN + r"|\bparam(?:eter)?s?\b|\bcausal\b|\bauto-?regressive\b|\bencoder\b|\bdecoder\b|"
                   r"\bseq(?:uence)?-?to-?seq(?:uence)?\b|\btransformer\b|\bdiffusion\b", ARCH_ZH, re.IGNORECASE,
                   jako=ARCH_JAKO + r"|パラメータ|パラメーター|デコーダ|エンコーダ|トランスフォーマー|拡散|自己回帰"
                   r"|파라미터|매개변수|디코더|인코더|트랜스포머|확산|자기\s?회귀")
REMEDIATION = "Publish the model's architecture code (e.g. modeling_*.py or a code repository) under an open licence."


def run(rec: ModelRecord) -> Finding:
    f = Finding("architecture_code", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, ARCH_FILES)
    # the release's own code, not a repository the card cites; read only when no architecture file is listed: a file
    # decides the finding and is its evidence, so the repository would change nothing (and judging every code link of
    # the card is one of the dearest readings of a card)
    link = None if files else own_code_repository(rec, component=COMPONENT)
    if link is not None and rec.library_name and SCRIPT_URL.match(link.locator):
        # a training script's file ("…/blob/main/train_lora.py") beside a declared library: the script trained the
        # model, the library defines it (without a library, the script's repository stays the model's code)
        link = None
    if files or link:
        f.status, f.license = released_status(repo_license(rec, "code") if files else linked_code_license(rec, (link,)))
        f.outcome = "positive"
        f.evidence = [file_evidence(rec, files)] if files else [link] if link else []
        return f
    if rec.library_name:
        # A declared library integration (`library_name: transformers`, an adapter's `peft`) says the code that
        # defines and loads the model is that library's: released, under the library's own licence (cited from
        # libraries.yml), never the model repository's, as for any code kept outside this repository; a library not
        # listed is code of unknown licence. The front-matter line is the evidence, in both paths (a folder's
        # README and a card text read alone give the same record), so a publisher sees where it was read.
        lib = libraries.by_library_name(rec.library_name)
        f.status, f.license = released_status(lib.license) if lib is not None else ("no_license", None)
        f.outcome = "positive"
        f.evidence = [library_name_evidence(rec)]
        if lib is not None:
            f.evidence.append(library_evidence(rec, lib))
        return f
    sec = section_with(rec, ARCH_TITLE) or described_model(rec)
    if sec:
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", [sec]
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f


def described_model(rec: ModelRecord) -> Evidence | None:
    """The first general model section (:data:`ARCH_SECTION`) whose text names an architecture feature."""
    if rec.card is None:
        return None
    for s in rec.card.sections:
        if ARCH_SECTION.search(s.title) and not ARCH_TITLE.search(s.title) and DESCRIBES.search(s.text):
            return section_with(rec, re.compile(re.escape(s.title)))
    return None
