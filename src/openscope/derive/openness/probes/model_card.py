"""Is there a model card that documents the model (uses, limitations, training, evaluation)?"""

from __future__ import annotations

import re
from collections.abc import Mapping

from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    either,
    reading_length,
    reads_at_least,
    repo_license,
    zsearch,
)
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Model card"
# Each topic's section titles in English and Chinese (用途/使用方法, 局限性/使用限制/偏见/风险/安全, 训练/数据,
# 评测/评估/结果/基准/性能), and in French, Spanish and German ("Utilisations prévues", "Limites et risques",
# "Données d'entraînement", "Évaluation"; "Usos previstos", "Limitaciones", "Datos de entrenamiento", "Evaluación";
# "Verwendung", "Einschränkungen", "Trainingsdaten", "Bewertung").
CARD_TOPICS = {
    "uses": either(r"(intended|out-of-scope|direct|downstream) use|uses\b|usage|utilisations?\b|usos?\b|verwendung", r"用途|使用方法|使用方式|用法|使用场景",
                   re.IGNORECASE, jako=r"用途|使い方|利用方法|使用例|사용\s?방법|사용법|용도|활용"),
    # (a section on what the release may do to others is this topic too, under its other usual titles: "Broader
    # Implications", "Broader Impact", "Societal Impact", "Misuse and abuse", "Caveats", "Potential Harms", "Dual Use";
    # 滥用 misuse, 社会影响 societal impact)
    "limitations": either(r"limitation|bias|risk|safety|ethic|responsib|limites?\b|risques?\b|biais|limitaci|riesgos?\b|sesgos?\b"
                          r"|einschränkung|risiken|broader[ \t-]{1,3}(?:impacts?|implications?)|societal[ \t-]{1,3}impacts?"
                          r"|misuse|\bharms?\b|caveats?|dual[ \t-]use", r"局限|使用限制|偏见|风险|安全|伦理|滥用|社会影响", re.IGNORECASE,
                          jako=r"制限|限界|バイアス|リスク|安全|倫理|한계|제한|편향|위험|안전|윤리"),
    "training": either(r"training|data|dataset|entraînement|données|entrenamiento|datos\b|daten\b", r"训练|数据", re.IGNORECASE, jako=r"学習|訓練|データ|학습|훈련|데이터"),
    "evaluation": either(r"evaluat|result|benchmark|performance|évaluation|evaluaci|résultats?\b|bewertung|ergebnis", r"评测|评估|测评|结果|基准|性能", re.IGNORECASE,
                         jako=r"評価|結果|ベンチマーク|性能|평가|결과|벤치마크|성능"),
}
REMEDIATION = "Write a model card covering intended uses, limitations and risks, training data and evaluation."
# The rule's thresholds: a card of at least MIN_CARD characters of text (:func:`reading_length`), and a section of
# at least MIN_SECTION characters on at least MIN_TOPICS of the topics.
MIN_CARD, MIN_SECTION, MIN_TOPICS = 200, 30, 2
TOPIC_WORDS = {"uses": "intended uses", "limitations": "limitations and risks", "training": "training data",
               "evaluation": "evaluation"}


def topics(rec: ModelRecord) -> list[str]:
    """Which model-card topics have a section of their own."""
    if rec.card is None:
        return []
    titles = [s.title for s in rec.card.sections if reads_at_least(s.text.strip(), MIN_SECTION)]
    return [k for k, rx in CARD_TOPICS.items() if any(zsearch(rx, t) for t in titles)]


def short_sections(rec: ModelRecord) -> list[tuple[str, int]]:
    """(title, length) of each topic section too short to count (under :data:`MIN_SECTION` characters)."""
    if rec.card is None:
        return []
    return [(s.title, reading_length(text)) for s in rec.card.sections
            if not reads_at_least(text := s.text.strip(), MIN_SECTION)
            and any(zsearch(rx, s.title) for rx in CARD_TOPICS.values())]


def next_step(findings: Mapping[str, Finding]) -> dict[str, str]:
    """The MOF step for a README that was read but is too short to be a model card: what it has against the rule's
    thresholds (its length, the topic sections it looks for and theirs), as one short instruction. Empty when
    no README was read or the card is released. Why: "release Model card" beside a README the publisher wrote
    reads as if it had not been found; the step must say what to add."""
    f = findings.get("model_card")
    if f is None or f.status not in ("unknown", "not_found") or "reading" not in f.detail:
        return {}
    have = f.detail["reading"]
    short = f.detail.get("short") or []
    now = "; ".join(f"'{t}' has {n}" for t, n in short[:3])
    return {COMPONENT: (f"expand the README into a model card under an open document licence: it has {have} "
                        f"characters of text (at least {MIN_CARD}); give at least {MIN_TOPICS} of intended uses, "
                        f"limitations and risks, training data, evaluation a section of at least {MIN_SECTION} "
                        f"characters each (now {', '.join(TOPIC_WORDS[t] for t in f.detail['topics']) or 'none'}"
                        f"{'; ' + now if now else ''})")}


def run(rec: ModelRecord) -> Finding:
    f = Finding("model_card", "unknown", COMPONENT, remediation=REMEDIATION)
    if rec.card is None:
        return f
    found = topics(rec)
    reading = reading_length(rec.card.body.strip(), within=rec.card.body)
    f.detail = {"topics": found, "chars": len(rec.card.body), "reading": reading, "short": short_sections(rec)}
    if reading < MIN_CARD:
        f.outcome = "negative"
        return f
    f.status, f.license = released_status(repo_license(rec))
    f.outcome = "positive" if len(found) >= 2 else "negative"
    f.evidence = [Evidence("card", rec.card_locator or rec.locator,
                           f"{len(rec.card.sections)} sections; topics: {', '.join(found) or 'none'}", rec.read_at)]
    return f
