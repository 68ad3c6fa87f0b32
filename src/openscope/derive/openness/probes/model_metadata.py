"""Is the training configuration (hyperparameters, optimizer state, trainer state) published?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import (
    Evidence,
    Finding,
    either,
    file_evidence,
    files_matching,
    jako_needles,
    repo_license,
    zsearch,
)
from openscope.derive.openness.probes._own_evidence import _sentence_at, mention_evidence, own_mentions
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Model metadata"
# (and a YAML file in a folder named for configurations, ``configs/heath-1b.yaml``: MOF's "any model metadata
# including training configuration"; a CI workflow, ``.github/workflows/x.yml``, or a ``docker-compose.yml`` sits
# in no such folder. RE2-compatible: the set-based form uses it verbatim.)
META_FILES = re.compile(r"(^|/)(trainer_state\.json|training_args\.bin|training_config\.(json|ya?ml)|"
                        r"optimizer\.(pt|bin)|hparams\.ya?ml|args\.json|configs?/[\w.-]{1,255}\.ya?ml)$",
                        re.IGNORECASE)
# (French, as a French card writes them: hyperparamètres, taux d'apprentissage, taille de lot, époques, optimiseur,
# décroissance des poids, pas d'entraînement)
HYPER_TEXT = either(r"\b(hyper-?parameters?|learning[ _]rate|batch[ _]size|warm-?up steps|optimi[sz]er|"
                    r"weight decay|training steps|epochs?|hyper-?paramètres?|taux d['’]apprentissage"
                    r"|taille (?:de|des) lots?|époques?|optimiseur|décroissance des poids|pas d['’]entraînement)\b",
                    # Chinese: 超参数, 学习率, 批大小 / 批次大小 / 批量大小, 训练步数, 优化器, 权重衰减, 预热步数, 训练轮数
                    r"(?P<zh>超参数?|学习率|批(?:次|量)?大小|训练步数|优化器|权重衰减|预热步数|训练轮数)", re.IGNORECASE,
                    # Japanese: ハイパーパラメータ, 学習率, バッチサイズ, エポック数, ステップ数, オプティマイザ / 最適化手法,
                    # 重み減衰, ウォームアップ; Korean: 하이퍼파라미터, 학습률, 배치 크기, 에포크, 스텝 수, 옵티마이저, 가중치
                    # 감쇠, 웜업
                    jako=r"(?P<hyper>ハイパーパラメータ|ハイパーパラメーター|하이퍼\s?파라미터)"
                    r"|(?P<optim>オプティマイザー?|最適化手法|옵티마이저)"
                    r"|(?P<jako>学習率|バッチサイズ|エポック数?|学習ステップ数?|ステップ数|重み減衰|ウォームアップ(?:ステップ)?"
                    r"|학습률|배치\s?(?:크기|사이즈)|에포크|에폭|학습\s?스텝|스텝\s?수|가중치\s?감쇠|웜업)")
HYPER_TEXT_NEEDLES = ('hyper', 'learning', 'batch', 'warm', 'optimi', 'decay', 'steps', 'epoch', 'apprentissage',
                      'taille', 'époque', 'décroissance', 'entraînement', '超参', '学习率', '大小',
                      '步数', '优化器', '衰减', '轮数') + jako_needles(
    'ハイパーパラメ', 'オプティマイザ', '最適化手法', '学習率', 'バッチサイズ', 'エポック', 'ステップ', '重み減衰', 'ウォームアップ', '하이퍼',
    '옵티마이저', '학습률', '배치', '에포크', '에폭', '스텝', '감쇠', '웜업')
# A hyperparameter is documented when the card gives its value ("learning rate 2e-5", "4 epochs", "--lr 1e-4",
# "Optimizer: AdamW", "the Muon optimizer"), or heads a list or table of them ("### Hyperparameters",
# "with the following hyperparameters:"). Not documented: advice to the reader ("you can change the batch
# size", "some hyper-parameter search could be necessary", "will affect the outputs") and inference or
# serving options (temperature, top-p, a server's batch size), which say nothing of how the model was trained.
# (Chinese: "学习率为 2e-5", "学习率：2e-5", "批大小设置为 1024", "优化器为 AdamW", "优化器采用 AdamW")
VALUE_AFTER = re.compile(r"^[\s:=*`'\"|(：]*+(?:(?:of|is|was|were|to|set\s+to|est\s+de|de|est|vaut)\b|为|是|设为|设置为|取|は|を|が|은|는|이|가|을|를)?"
                         r"[\s:=*`'\"|：]*+"
                         r"[<~≈]?\s*+\d")
NAMED_OPTIMIZER = re.compile(r"^[\s:=*`'\"|：]*+(?:(?:is|was|of)\s++|为|是|采用|使用|は|には|として|은|는|으로|로)?\s*+"
                             r"[A-Z][\w-]{1,20}")
OPTIMIZER_NAMED_BEFORE = re.compile(r"\b[A-Z][\w-]{1,20}\s*$")
LIST_FOLLOWS = re.compile(r"^\**\s*(?::|\*\*:)")
HEADING_LINE = re.compile(r"^\s*(?:#{1,6}\s|\||<summary|\*\*|<b>)")
ADVICE = either(r"\b(?:you|users?|one)\s+(?:can|could|may|might|should|need|want)|\bcould\s+be\s+necessary|"
                    r"\baffect|\badjust|\bcustomi[sz]e|\btun(?:e|ing)\b|\bchange\b|\bsearch\b|\bif\s+you\b"
                    r"|\bvous\s+pouvez|\bajust(?:er|ez)\b|\bsi\s+vous\b"
                    , r"可以|可根据|调整|修改|自定义|如果您|如果你",
                    re.IGNORECASE, jako=r"できます|調整|変更|カスタマイズ|お好み|수\s?있|조정|변경|커스터마이즈|원하는")
INFERENCE = either(r"\btemperature|\btop[-_ ]?[pk]\b|\bsampling|\bdecoding|\binference|serv(?:e|er|ing)\b"
                       , r"推理|采样|解码|温度|部署|服务",
                       re.IGNORECASE, jako=r"推論|サンプリング|デコード|温度|デプロイ|生成時|추론|샘플링|디코딩|온도|배포|서빙|생성\s?시")
REMEDIATION = "Publish the training configuration and hyperparameters (config files, trainer state)."


def run(rec: ModelRecord) -> Finding:
    f = Finding("model_metadata", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, META_FILES)
    if files:
        f.status, f.license = released_status(repo_license(rec, "weights"))
        f.outcome, f.evidence = "positive", [file_evidence(rec, files)]
        return f
    text = documented_value(rec)
    if text:
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", [text]
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f


def documented_value(rec: ModelRecord) -> Evidence | None:
    """The first place the card documents a training hyperparameter (its value, or a list or table of them),
    as the constants above define; not hidden, promised or in a section of others' work."""
    card = rec.card
    if card is None:
        return None
    body, off = card.body, len(card.text) - len(card.body)
    for m, verdict in own_mentions(rec, HYPER_TEXT, needles=HYPER_TEXT_NEEDLES, cited=False, component=COMPONENT):
        sentence = _sentence_at(card.text, off + m.start(), off + m.end())
        if verdict != "own" or zsearch(ADVICE, sentence) or zsearch(INFERENCE, sentence):
            continue
        named = m.groupdict()   # (a text searched with fewer sides has fewer groups)
        word = (m.group(1) or ("hyper" if named.get("hyper") else "optimizer" if named.get("optim") else None)
                or {"优化器": "optimizer"}.get(named.get("zh") or "", named.get("zh")) or named.get("jako") or "").lower()
        after, before = body[m.end():m.end() + 40], body[max(0, m.start() - 30):m.start()]
        line = body[body.rfind("\n", 0, m.start()) + 1:m.start()]
        valued = VALUE_AFTER.match(after) or _number_before(before)
        if word.startswith("optimi"):
            valued = valued or NAMED_OPTIMIZER.match(after) or OPTIMIZER_NAMED_BEFORE.search(before)
        if word.startswith(("hyper", "超参")):
            valued = valued or LIST_FOLLOWS.match(after) or HEADING_LINE.match(line)
        if valued:
            return mention_evidence(rec, m)
    return None


def _number_before(before: str) -> bool:
    """Whether the words right before a hyperparameter end with its value: "4 epochs", "`1500 to 3000` training
    steps", "1e-4 learning rate", "10k warmup steps" (read without a regular expression: linear on any text)."""
    tail = before.rstrip("`* \t")
    tail = tail[:-1] if tail[-1:] in ("k", "K", "M", "B") else tail
    return tail[-1:].isdigit()
