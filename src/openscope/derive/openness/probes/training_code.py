"""Is the code used to train the model released?"""

from __future__ import annotations

import re

from openscope.derive.openness.probes import (
    Finding,
    card_search,
    either,
    file_evidence,
    files_matching,
    linked_code_license,
    repo_license,
    repo_link,
)
from openscope.derive.openness.probes._own_evidence import (
    first_own_mention,
    own_code_repository,
    released_phrase,
)
from openscope.derive.openness.probes._status import released_status
from openscope.derive.openness.records import ModelRecord

COMPONENT = "Training code"
TRAIN_FILES = re.compile(r"(^|/)(train|finetune|fine_tune|pretrain|sft|dpo|run_clm|run_train)[\w-]*\.(py|sh)$",
                         re.IGNORECASE)
TRAIN_COMMAND = re.compile(
    r"(python3?|torchrun|deepspeed|accelerate launch|bash|sh|srun)\s[^\n]{0,80}"
    r"(train|finetune|fine_tune|pretrain|sft|dpo)[\w-]*\.(py|sh)", re.IGNORECASE)
TRAIN_TEXT = either(
    r"\b(training|train|pre-?training|fine-?tuning|finetune|sft|rlhf|dpo) (code|scripts?|recipes?|pipeline)\b"
    # Chinese: 训练代码, 微调代码, 预训练代码, 训练脚本, 精调脚本, SFT 代码
    , r"(?:训练|微调|精调|(?<![A-Za-z])(?:SFT|RLHF|DPO) ?)(?:代码|脚本)",
    re.IGNORECASE)
NOT_YET = either(
    r"\b(training|fine-?tuning) (code|scripts?)\b[^.\n]{0,60}\b(will be|to be|coming soon|not (be )?(released|"
    r"available|open))"
    , r"(?:训练|微调)(?:代码|脚本)[^。\n]{0,30}?(?:即将|将会|将于|后续|敬请期待|尚未|暂未|暂不|不开源)", re.IGNORECASE)
TRAIN_COMMAND_NEEDLES = ('train', 'finetune', 'fine_tune', 'fine-tun', 'finetun', 'sft', 'dpo')
TRAIN_TEXT_NEEDLES = ('train', 'fine-tun', 'finetun', 'sft', 'rlhf', 'dpo', '训练', '微调', '精调')
NOT_YET_NEEDLES = ('training', 'tuning', '训练', '微调')
# the card announces its own training code as released ("Training / Fine-tuning code is available NOW")
# (Chinese: "we open-source the fine-tuning code" 开源了微调代码, "the training code is released" 训练代码已开源)
TRAIN_RELEASED = either(
    released_phrase(r"training|train|fine-?tuning|finetuning|pre-?training|sft|rlhf|dpo|alignment").pattern,
    r"(?:开源|发布|公开|提供)了?[^。\n，]{0,24}?(?:训练|微调|精调)(?:代码|脚本)"
      r"|(?:训练|微调|精调)(?:代码|脚本)(?:已|现已|已经)(?:全部)?(?:开源|发布|公开|上线)", re.IGNORECASE)
# a release said to be open-sourced with a list that names its training code ("a fully open-sourced model that
# includes the pretraining data, …, pretraining scripts, and alignment code"); within one sentence
LISTED_RELEASE = re.compile(
    r"\bopen[- ]?sourced?\b[^.\n]{0,200}?\b(?:includ(?:e|es|ing)|along\s+with|together\s+with)\b[^.\n]{0,300}?"
    r"\b(?:pre-?training|training|fine-?tuning|alignment|sft|rlhf)\s+(?:code|scripts?|recipes?)\b", re.IGNORECASE)
# a linked file or folder beside the card (the card's own repository)
TRAIN_REL = re.compile(r"(^|[/_\s-])(train|training|trainer|finetun\w*|fine-tun\w*|pretrain\w*|sft)\b", re.IGNORECASE)
# a model-card field naming what trained the model, linked to a code host ("- **Orchestration:**
# [Megatron-LM](https://github.com/…)", "Training code: https://gitlab.com/…"); a bare "Repository:" is
# not enough (quantised copies point it at their runtime)
TRAIN_FIELD = re.compile(
    r"^[ \t]*+[-*]?[ \t]*+\**+(orchestration|training (code|framework|library|repository|repo|scripts?))\**[ \t]*:"
    r"[^\n]*?https?://(www\.)?(github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|gitee\.com)/",
    re.IGNORECASE | re.MULTILINE)
TRAIN_FIELD_NEEDLES = ('github', 'gitlab', 'bitbucket', 'codeberg', 'gitee')
REMEDIATION = "Publish the training scripts and configuration (a public repository) under an OSI-approved licence."


def run(rec: ModelRecord) -> Finding:
    f = Finding("training_code", "unknown", COMPONENT, remediation=REMEDIATION)
    files = files_matching(rec, TRAIN_FILES)
    cmd = card_search(rec, TRAIN_COMMAND, needles=TRAIN_COMMAND_NEEDLES)
    # a mention counts only where the card shows it as its own (not hidden, cited or only promised) and a
    # repository only where the card presents it as its own code (:mod:`._own_evidence`)
    text, promised = first_own_mention(rec, TRAIN_TEXT, needles=TRAIN_TEXT_NEEDLES)
    not_yet = card_search(rec, NOT_YET, needles=NOT_YET_NEEDLES) or promised
    released = (first_own_mention(rec, TRAIN_RELEASED, needles=TRAIN_TEXT_NEEDLES)[0]
                or first_own_mention(rec, LISTED_RELEASE, needles=("open",))[0]) if text else None
    repo = own_code_repository(rec)
    rel = repo_link(rec, TRAIN_REL)
    field = card_search(rec, TRAIN_FIELD, needles=TRAIN_FIELD_NEEDLES)
    if files or cmd or field or released or (text and repo and not not_yet) or (rel and not not_yet):
        linked_only = not (files or cmd or rel) and bool(field or repo)   # the code is another repository's
        f.status, f.license = released_status(linked_code_license(rec) if linked_only else repo_license(rec, "code"))
        f.outcome = "positive"
        f.evidence = [file_evidence(rec, files)] if files else [e for e in (cmd or field or rel or released or text, repo) if e]
        return f
    if said := not_yet or text:
        f.status, f.outcome, f.evidence = "documented_not_released", "negative", [said]
    elif rec.card is not None or rec.files:
        f.outcome = "negative"
    return f
