"""Traditional Chinese cards (Taiwan, Hong Kong) read as the simplified ones are: a reading text of the same
length, with the traditional characters and the Taiwan words the probes' Chinese rules would miss put in their
simplified form, while every snippet quotes the card as written.

Why a reading text, not more needles: the probes hold some two hundred patterns with Chinese words (licence
lines and sections, training data, code, papers, reports, promises, citations, hardware), and a traditional card
says every one of them differently (訓練資料 for 训练数据, 授權 for 授权, 許可證 for 许可证, 開源 for 开源, 程式碼 for
代码, 權重 for 权重, 論文 for 论文, 技術報告 for 技术报告). Doubling each pattern and its needles would cost every
Chinese card; a card is mapped once, only when it holds a traditional character, and each rule then reads it as
it reads a simplified card (the same rules, so the same judgments: no rule of its own to drift).

Why a table, not a converter library: OpenCC (``opencc-python-reimplemented``, pure Python, Apache-2.0) converts
phrase by phrase with a segmenting dictionary, so a phrase may change length (程式碼 → 代码) and offsets, line
anchors and snippets would no longer point into the card; it is also slower than one ``str.translate`` over a
card. The table below holds only the traditional characters whose simplified form the probes' words use (169),
and the Taiwan words of the same length as their mainland form (資料 → 数据, 程式 → 程序, 釋出 → 发布, 軟體 → 软件;
and, added by hand, 程式碼 / 原始碼 → 源代码, three characters each, and 硬體 → 硬件, whose mainland word no probe
reads but a reader expects read alike), generated from OpenCC's own dictionaries
(``TSCharacters.txt``, ``TWVariantsRev.txt``, ``TWPhrasesRev.txt`` of opencc-python-reimplemented 0.1.7) for the Han
characters of ``probes/*.py`` and ``cards.py``: to regenerate, take each traditional character whose first
simplified form (``TSCharacters``, then ``TWVariantsRev``) is one of those characters, and each ``TWPhrasesRev``
phrase whose first mainland form, in simplified characters, has its length and occurs in those files (keyed by
the phrase as it reads once its characters are mapped). A word a probe gains later needs its characters here when they have
a traditional form (``tests/test_openness_cjk_leftovers.py`` checks the words named above).

What is not mapped: a text with kana or hangul (Japanese writes 論文, 公開, 技術, 訓練 in these very characters,
and its rules read them as written), and a text with none of the table's traditional characters (every English
card and most simplified ones: one character-class scan, and an ASCII text not even that).
"""

from __future__ import annotations

import re
from typing import Any

# Traditional character, then its simplified form (generated: see the module's docstring).
_PAIRS = (
    "並并佈布併并來来侷局俬私倉仓們们倫伦備备傢家傳传僅仅優优內内劃划務务區区協协卽即參参噹当埰采報报場场學学寀采實实將将專专"
    "對对層层庫库後后從从態态憶忆應应戶户採采據据數数於于時时暫暂書书會会朮术査查條条業业構构標标樣样檢检檯台權权沒没減减測测準准溫温"
    "濾滤為为無无熱热爲为獲获獻献現现當当發发確确碼码穫获節节級级細细納纳紹绍終终組组結结絡络經经綫线網网線线編编練练緻致續续羣群"
    "義义習习聲声脩修腳脚臺台與与蔘参處处術术衕同裝装製制見见規规計计記记訓训設设許许註注証证評评該该詳详語语說说説说調调請请論论"
    "謝谢證证議议讀读貢贡費费資资軟软載载輪轮辭辞迴回這这運运過过遲迟郵邮鏈链鑑鉴鑒鉴長长開开閤合閱阅閲阅關关險险隱隐項项須须預预頭头"
    "顯显風风颱台餘余騰腾髮发鬚须鳴鸣點点齣出"
    # added by hand for the base-model words of ``weights_released`` (在…基礎上, 進行了繼續預訓練)
    "礎础進进繼继"
)
# Taiwan words, as they read once their characters are mapped (程式碼 → 程式码), and the mainland word of the same
# length; replaced longest first.
_PHRASES = {"专案": "项目", "伺服器": "服务器", "位址": "地址", "原始码": "源代码", "取样": "采样", "叢集": "集群", "執行": "运行", "宣告": "声明", "引数": "参数", "批次": "批量", "效能": "性能", "检視": "查看", "社群": "社区", "程式": "程序", "程式码": "源代码", "硬體": "硬件", "网路": "网络", "设定": "设置", "资料": "数据", "资訊": "信息", "软體": "软件", "载入": "加载", "透过": "通过", "連结": "链接", "釋出": "发布"}

_TABLE = str.maketrans(_PAIRS[0::2], _PAIRS[1::2])
# Traditional characters that only a phrase maps (資料, 軟體, 釋出, 叢集, 執行, 檢視, 資訊): with the table's own, a
# text holding none of them is not mapped.
_TRIGGER = re.compile("[" + _PAIRS[0::2] + "資叢執視訊釋體]")
_PHRASE = re.compile("|".join(sorted(_PHRASES, key=len, reverse=True)))
# A simplified character the table writes: a snippet holding none of them reads as the card does.
_WRITTEN = frozenset(_PAIRS[1::2] + "".join(_PHRASES.values()))
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
# Kana and hangul syllables: a text with none of them is neither Japanese nor Korean. (The katakana middle dot
# and the prolonged-sound mark, U+30FB and U+30FC, are left out: Chinese texts use the dot too.)
KANA_HANGUL = re.compile(r"[\u3040-\u30fa\u30fd-\u30ff\uac00-\ud7af]")
_LAST_TEXT: list[tuple[Any, int, Any, int]] = [(None, 0, None, 0)]   # the last two texts and their levels


def _script(text: str) -> int:
    """0: no Chinese, Japanese or Korean character; 1: some, but no kana or hangul; 2: kana or hangul."""
    if text.isascii() or CJK.search(text) is None:
        return 0
    return 2 if KANA_HANGUL.search(text) else 1


def script_level(text: str) -> int:
    """:func:`_script` of ``text``, kept for the last two texts. Why kept: the probes search one card many times,
    its body and its whole text (front matter included) in turn, and choose the sides of their patterns by it
    (``probes.for_text``); :func:`reading` asks for a card body's level first, so a card pays for one scan."""
    held = _LAST_TEXT[0]   # (a tuple, replaced whole: another thread sees the old one or the new, never a mix)
    if held[0] is text:
        return held[1]
    if held[2] is text:
        return held[3]
    level = _script(text)
    _LAST_TEXT[0] = (text, level, held[0], held[1])
    return level


def reading(text: str) -> str | None:
    """``text`` with its traditional characters and Taiwan words in simplified form (same length, same line
    breaks), or None when there is nothing to map: no Chinese character, kana or hangul (a Japanese or Korean
    text), or no traditional character of the table."""
    if script_level(text) != 1 or _TRIGGER.search(text) is None:
        return None
    out = _PHRASE.sub(_mainland, text.translate(_TABLE))
    return out if out != text else None


def _mainland(m: re.Match[str]) -> str:
    return _PHRASES[m.group(0)]


def as_written(snippet: str, read: str, written: str) -> str:
    """``snippet`` (quoted from the reading text ``read``: a section title, a link's anchor) with the card's own
    characters back: each word (between blanks) holding a character the table writes is looked up in ``read``
    and replaced by what ``written`` has there; a word not found so (decorated: "[训练数据]") is looked up a run
    of Han characters at a time. The first place a word occurs is taken, so a card that writes the same word in
    both scripts is quoted in the script of its first occurrence."""
    if not any(c in _WRITTEN for c in snippet):
        return snippet
    return re.sub(r"\S+", lambda m: _restore(m.group(0), read, written), snippet)


def writes(text: str) -> bool:
    """Whether ``text`` holds a simplified character that the reading writes for a traditional one (a word of a
    reading that may differ from the card as written)."""
    return any(c in _WRITTEN for c in text)


def _restore(word: str, read: str, written: str) -> str:
    if not any(c in _WRITTEN for c in word):
        return word
    at = read.find(word)
    if at >= 0:
        return written[at:at + len(word)]
    return _HAN_RUN.sub(lambda m: _restore_run(m.group(0), read, written), word)


def _restore_run(run: str, read: str, written: str) -> str:
    at = read.find(run) if any(c in _WRITTEN for c in run) else -1
    return written[at:at + len(run)] if at >= 0 else run
