"""What a licence the card names covers: the code, the weights, the data, or the release as a whole.

Why: release notes name several licences for several things. "Code is released under MIT, model weights
are released under CC-BY-NC 4.0" (MusicGen), a "Code License: Apache-2.0" badge beside a "Model License:
LLaMA" one (NexusRaven), "The code in this repository is released under Apache 2.0" above "the 5B model is
released under the CogVideoX licence". Reading every named licence as the model's put a code licence on the
weights (a false open-washing alarm when the Hub tag named the weights' licence) and a weights licence on
the code (MusicGen's training code graded non-commercial).

How: each licence name a line names is read with the words before it, back to the previous licence name or
the start of its clause: "code"/"software"/"scripts" there → the code; "weights"/"checkpoints"/"model(s)"/
"parameters" → the weights; "data"/"dataset(s)"/"corpus"/"evaluation set"/"test split" → the data; several of them ("the code and weights
of the models are distributed under Apache 2.0", "this repository and the model weights") → each of them. A
name with no such word covers the release as a whole (a bare "License: MIT" badge, "licensed under
Apache-2.0"), and so does a name joined to the previous one ("requires adherence to Apache 2.0 and the
Community License"): it shares that one's scope. A clause that starts with "it", "this" or "they" is read
with the clause before it ("The dataset is for research. And it is distributed under the MIT license."), in
Chinese, Japanese and Korean too ("该数据集仅供研究。其采用 MIT 许可证", "これは…", "이는…"). URLs are not read (a link to ``CODE_LICENSE`` says nothing of
the sentence). Chinese release notes are read the same way: the scope words 代码/源码/程序/脚本 (code),
权重/模型/参数/检查点 (weights) and 数据/语料 (data), clauses ending at 。；！？ (with or without a space after),
and names joined by 和/及/与/或/、 ("本仓库的代码遵循 Apache 2.0 协议，模型权重需遵循《…社区许可协议》": the code
under Apache 2.0, the weights under the community licence). Nothing here keys on a model's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SCOPES = ("code", "weights", "data")
_WORDS = {
    # (French, Spanish and German release notes too: "Les poids, le code et les documents sont publiés sous …")
    "code": re.compile(r"\b(source[- ]code|code(base)?s?|software|scripts?|logiciels?|código)\b|代码|源码|程序|脚本"
                       r"|コード|スクリプト|ソフトウェア|코드|스크립트|소프트웨어", re.IGNORECASE),
    "weights": re.compile(r"\b(weights?|checkpoints?|models?|networks?|parameters|poids|modèles?|paramètres|pesos|modelos?"
                          r"|parámetros|gewichte|modell(?:e|s)?)\b|权重|模型|参数|检查点"
                          r"|重み|ウェイト|モデル|パラメータ|チェックポイント|가중치|웨이트|모델|파라미터|체크포인트", re.IGNORECASE),
    # (an evaluation or test set is data: "the evaluation set X, released under the MIT license")
    "data": re.compile(r"\b(data(sets?)?|corpus|corpora|(?:evaluation|eval|test|validation|benchmark)[ \t]+(?:sets?|splits?)"
                       r"|données|datos|daten(?:satz|sätze)?)\b"
                       r"|数据|语料|データ|コーパス|데이터|코퍼스|말뭉치", re.IGNORECASE),
}
# where a clause starts: a sentence end, a line break, a semicolon, a list bullet, or a badge that follows another
# link or badge on its line (a row of badges: "[![Code License](…)](…) [![Data License](…)](…)", one statement each,
# as a reader of the rendered row reads them, and as the same badges one to a line are read)
_CLAUSE_END = re.compile(r"(?:[.!?;](?=\s|$)|[。；！？．]|\n|^\s*[-*] |\)[ \t]*(?:&nbsp;[ \t]*)*(?=\[?!\[))", re.MULTILINE)
_URL = re.compile(r"\]\([^()\]\s]*\)|https?://\S+|\(\s*[\w./-]*licen[cs]e[\w./-]*\s*\)", re.IGNORECASE)
# a clause that refers back to the previous one: "…the dataset. And it is distributed under the MIT license."
# The same in Chinese (其, 它, 该, 此, 这, 本: "其采用 MIT 许可证", "该项目遵循 …"; not 其他 / 其中 / 其余 / 此外, "other",
# "among them", "the rest", "moreover"), Japanese (これ, それ, この, 本: "これは MIT ライセンスで公開") and Korean (이는,
# 이것은, 그것은, 이 …, 본 …: "이는 MIT 라이선스로 배포됩니다"). A word after the pronoun that names what it is
# ("该模型", "本モデル", "이 모델은") is read by the scope words first, as "This model is licensed under X" is.
_PRONOUN = re.compile(r"^\s*(?:(and |but |so )?(it|this|they|these|which|all of (it|them))\b"
                      r"|(?:而且|并且|但|且)?(?:其(?![他中余])|它|该|此(?!外)|这|本)"
                      r"|(?:また|なお)?[、，]?(?:これ|それ|この|本)"
                      r"|(?:또한\s?)?(?:이는|이것은|이것이|그것은|그것이|이\s|본\s?))", re.IGNORECASE)
# a name right after another one, joined by "and", "or", "/", "&" or a comma: it shares that one's scope
_JOINED = re.compile(r"^[\s\]\[*_`'\"]*(,|and|or|&|/|\+|as well as|、|，|和|及|与|或|と|および|及び|並びに|または|및|와|과|또는)?[\s\[*_`'\"]*(the\s+|an?\s+)?[\s\[*_`'\"]*$",
                     re.IGNORECASE)


def scopes_of(text: str, hits: Iterable[tuple[int, int]], before_text: str = "") -> list[frozenset[str]]:
    """The scope of each licence name at ``(start, end)`` in ``text`` (hits in text order); an empty set means
    the release as a whole. ``before_text`` is the sentence before ``text`` in its paragraph, which a pronoun that
    opens ``text`` refers to ("The dataset is for research." on the line before "And it is distributed under the
    MIT license.": a line break that ends a sentence inside a paragraph renders as a space)."""
    out: list[frozenset[str]] = []
    prev_end = 0
    for start, end in hits:
        clause, before = 0, 0
        for m in _CLAUSE_END.finditer(text, 0, start):
            clause, before = m.end(), clause
        lead = text[max(prev_end, clause):start]
        found = _scope(lead + text[start:end])
        if not found and out and prev_end > clause and _JOINED.match(_URL.sub(" ", lead)):
            found = out[-1]
        elif not found and prev_end <= before and _PRONOUN.match(lead):
            # "The dataset is … And it is distributed under MIT." (the sentence before, on the line before or not)
            found = _scope(text[before:clause] if clause else before_text)
        out.append(found)
        prev_end = max(prev_end, end)
    return out


def _scope(words: str) -> frozenset[str]:
    words = _URL.sub(" ", words)
    return frozenset(s for s in SCOPES if _WORDS[s].search(words))


def scope_of_words(text: str) -> frozenset[str]:
    """What the scope words of ``text`` name (a README line that links a licence file: "Code license:
    [Apache-2.0](LICENSE)" → the code); URLs are not read."""
    return _scope(text)


def covers(scope: frozenset[str], what: str) -> bool:
    """A name covers ``what`` when its scope names it, or names nothing (the release as a whole)."""
    return not scope or what in scope
