"""Chat templates judged from jinja2's parse (audit/jinja_ast.py), beside the text patterns of gguf_format.SSTI.

Each evasion below reaches an attribute through a name the template computes at render time (an underscore taken
from the special-token text the model file sets, kept in a variable, a namespace attribute, a macro parameter, a
loop over a token's characters) and is written so that no text pattern matches it: each test first asserts that,
so it fails on the code before the parse (clean). Benign templates are ours, written with the constructs real chat
templates use (ChatML, Llama 3, Mistral, Gemma, Qwen, DeepSeek-R1, Phi, tool-use macros); never rendered here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from audit_samples import bounded_scan, gguf_file, no_loading, rules_of  # noqa: F401 - no_loading: autouse trap
from cpu_time import thread_cpu_seconds

from openscope.audit import scan_path
from openscope.audit.gguf_format import SSTI
from openscope.audit.jinja_ast import MAX_PARSE_CHARS, judge

EVASIONS = [
    # the underscore from bos_token's text (the file's vocabulary makes it '_'), the name kept in a variable
    "{% set u = bos_token[0] %}{% set a = u ~ u ~ 'class' ~ u ~ u %}{{ messages[a] }}",
    "{% set u = eos_token|first %}{% set a = u ~ u ~ 'init' ~ u ~ u %}{% set b = u ~ u ~ 'globals' ~ u ~ u %}"
    "{{ messages[a][b]['os'] }}",
    # kept in a namespace attribute
    "{% set ns = namespace(k=bos_token[0]) %}{% set k = ns.k ~ ns.k ~ 'class' ~ ns.k ~ ns.k %}{{ messages[k] }}",
    "{% set ns = namespace(k='') %}{% set ns.k = bos_token ~ 'class' %}{{ messages[ns.k] }}",
    # the whole key is a token's text
    "{% set k = eos_token %}{{ tools[k] }}",
    # through a macro parameter
    "{% macro reach(obj, name) %}{{ obj[name] }}{% endmacro %}{{ reach(messages, bos_token ~ 'class') }}",
    # a loop over a token's characters
    "{% for c in eos_token %}{% set k = c ~ c ~ 'class' %}{{ messages[k] }}{% endfor %}",
    # filters that look attributes up by a name given as an argument (Jinja's make_attrgetter, getattr fallback)
    "{% set n = bos_token ~ 'class' %}{{ messages|map('attr', n)|list }}",
    "{% set n = bos_token ~ 'class' %}{{ messages|map(attribute=n)|list }}",
    "{% set n = bos_token ~ 'class' %}{{ messages|selectattr(n)|list }}{{ messages|sum(attribute=n) }}",
    "{% set f = bos_token %}{{ messages|map(f, 'x')|list }}",  # a computed filter name may be 'attr'
    # join with a separator the template does not write, repetition, a dict literal's value
    "{% set k = ['', 'class', '']|join(bos_token) %}{{ messages[k] }}",
    "{% set k = (bos_token * 2) ~ 'class' %}{{ messages[k] }}",
    "{% set d = {'k': bos_token ~ 'class'} %}{{ messages[d.k] }}",
]


def scan(tmp_path: Path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return scan_path(p)


@pytest.mark.parametrize("template", EVASIONS)
def test_computed_names_the_text_search_misses_are_caught(tmp_path: Path, template: str) -> None:
    assert SSTI.search(template) is None, "the text patterns already match: not an evasion"
    rep = scan(tmp_path, "t.gguf", gguf_file(template=template))
    hits = [f for f in rep.findings if f.rule == "gguf.chat_template.injection"]
    assert rep.verdict == "unsafe" and hits and hits[0].severity == "critical", rep.findings
    assert "parsed" in hits[0].detail and "computes" in hits[0].detail


def test_attr_with_a_computed_name_and_transformers_files(tmp_path: Path) -> None:
    """``|attr(x)`` with x computed; in a tokenizer_config.json (transformers, in the sandbox) the rule is high."""
    template = "{% set n = [bos_token, bos_token, 'class']|join %}{% set o = messages|attr(n) %}{{ o }}"
    assert judge(template).reaches
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"chat_template": EVASIONS[0]}))
    rep = scan_path(tmp_path)
    hits = [f for f in rep.findings if f.rule == "chat_template.injection"]
    assert hits and hits[0].severity == "high" and rep.verdict == "unsafe", rep.findings
    (tmp_path / "tokenizer_config.json").unlink()
    (tmp_path / "chat_template.jinja").write_text(EVASIONS[2])
    assert "chat_template.injection" in rules_of(scan_path(tmp_path))


@pytest.mark.parametrize(("template", "name"), [
    ("{% set k = '_' %}{{ x[k ~ k ~ 'init' ~ k ~ k] }}", "__init__"),  # folded through a variable
    ("{% for c in ['_', 'a'] %}{{ messages[c ~ c ~ 'class' ~ c ~ c] }}{% endfor %}", "__class__"),
    ("{{ messages[['_', '_', 'class', '_', '_']|join] }}", "__class__"),
    ("{{ messages[('%c' % 95) ~ ('%c' % 95) ~ 'dict'] }}", "__dict"),
    ("{% set n = 'A_B'|lower|replace('a', '') %}{{ messages[n ~ 'x'] }}", "_bx"),
    ("{{ '{0.__class__}'.format(messages) }}", "__class__"),  # a format field reaches the attribute
    ("{{ messages|attr('format') }}", "format"),  # CVE-2025-27516: str.format past the sandbox's interception
    ("{% set ns = namespace() %}{% set ns.__x = 1 %}", "__x"),
    ("{{ (x|list).gi_frame }}", "gi_frame"),  # jinja2.sandbox.UNSAFE_GENERATOR_ATTRIBUTES
    ("{{ messages|map(attribute='role.' ~ 'mro')|list }}", "mro"),
    ("{{ tools|sort(attribute='function.' ~ '_' ~ 'x') }}", "_x"),
])
def test_names_folded_from_literals_are_named(template: str, name: str) -> None:
    res = judge(template)
    assert res.error is None and any(repr(name) in r for r in res.reaches), res


BENIGN = [
    # ChatML with a generation prompt
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
    # Mistral-style alternation check with raise_exception, loop.index0 arithmetic, eos/bos tokens written out
    "{{ bos_token }}{% for m in messages %}{% if (m['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('roles must alternate') }}{% endif %}{% if m['role'] == 'user' %}{{ '[INST] ' + m['content']"
    " + ' [/INST]' }}{% else %}{{ m['content'] + eos_token }}{% endif %}{% endfor %}",
    # Llama 3 style: system message sliced off, date, tools as JSON, trim
    "{%- if messages[0]['role'] == 'system' %}{%- set sys = messages[0]['content']|trim %}{%- set msgs = messages[1:] %}"
    "{%- else %}{%- set sys = '' %}{%- set msgs = messages %}{%- endif %}{%- if not date_string is defined %}"
    "{%- set date_string = strftime_now('%d %b %Y') %}{%- endif %}{{ 'Today: ' + date_string }}"
    "{%- for t in tools %}{{ t | tojson(indent=4) }}{% endfor %}{%- for m in msgs %}{{ '<|start_header_id|>' + "
    "m['role'] + '<|end_header_id|>\\n\\n' + m['content'] | trim + '<|eot_id|>' }}{%- endfor %}",
    # Qwen-style: namespace with an index from the end, reversed loop, split on </think>, startswith
    "{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1) %}"
    "{%- for message in messages[::-1] %}{%- set index = (messages|length - 1) - loop.index0 %}"
    "{%- if ns.multi_step_tool and message.role == 'user' and not message.content.startswith('<tool_response>') %}"
    "{%- set ns.multi_step_tool = false %}{%- set ns.last_query_index = index %}{%- endif %}{%- endfor %}"
    "{%- for message in messages %}{%- if '</think>' in message.content %}"
    "{%- set content = message.content.split('</think>')[-1].lstrip('\\n') %}{%- endif %}"
    "{%- if loop.index0 > ns.last_query_index %}{{ messages[ns.last_query_index]['content'] }}{% endif %}"
    "{%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}{{ '<|im_end|>' }}{% endif %}{%- endfor %}",
    # Gemma-style: role mapping, content as string or list of parts
    "{%- for message in messages %}{%- set role = 'model' if message['role'] == 'assistant' else message['role'] %}"
    "{{ '<start_of_turn>' + role + '\\n' }}{%- if message['content'] is string %}{{ message['content'] | trim }}"
    "{%- else %}{%- for item in message['content'] %}{%- if item['type'] == 'image' %}{{ '<start_of_image>' }}"
    "{%- elif item['type'] == 'text' %}{{ item['text'] | trim }}{%- endif %}{%- endfor %}{%- endif %}"
    "{{ '<end_of_turn>\\n' }}{%- endfor %}",
    # DeepSeek-R1 style: namespace flags, tool calls by index, loop controls
    "{%- set ns = namespace(is_first=false, is_tool=false, system_prompt='') %}{%- for message in messages %}"
    "{%- if message['role'] == 'system' %}{% set ns.system_prompt = message['content'] %}{%- endif %}{%- endfor %}"
    "{{ bos_token }}{{ ns.system_prompt }}{%- for message in messages %}{%- if message['tool_calls'] is defined %}"
    "{{ message['tool_calls'][0]['function']['name'] + '\\n' + message['tool_calls'][0]['function']['arguments'] }}"
    "{%- for tool in message['tool_calls'][1:] %}{{ tool['type'] + '<sep>' + tool['function']['name'] }}"
    "{%- if loop.index > 3 %}{% break %}{% endif %}{%- endfor %}{%- endif %}{%- endfor %}",
    # Phi-style with a generation block (transformers' {% generation %})
    "{% for message in messages %}{% if message['role'] == 'assistant' %}{{ '<|assistant|>\\n' }}{% generation %}"
    "{{ message['content'] + '<|end|>\\n' }}{% endgeneration %}{% else %}{{ '<|' + message['role'] + '|>\\n' + "
    "message['content'] + '<|end|>\\n' }}{% endif %}{% endfor %}",
    # tool-use macros: recursive type rendering, a dict literal indexed by the caller's data, items of parameters
    "{%- macro py_type(spec) %}{%- set m = {'string': 'str', 'number': 'float', 'boolean': 'bool'} %}"
    "{%- if m[spec.type] is defined %}{{ m[spec.type] }}{%- elif spec.type == 'array' %}"
    "{{ 'list[' + py_type(spec['items']) + ']' }}{%- else %}{{ 'Any' }}{%- endif %}{%- endmacro %}"
    "{%- for tool in tools %}{%- for name, field in tool.parameters.properties|items %}"
    "{{ name + ': ' + py_type(field) }}{{ tool.parameters.properties[name]['description'] }}{%- endfor %}"
    "{%- for k in ['name', 'description'] %}{{ tool[k] }}{% endfor %}{%- endfor %}",
    # the caller's data shaped by methods and filters with literal arguments, then used as a key
    "{%- set role_map = {'user': 'User', 'assistant': 'Assistant'} %}{% for message in messages %}"
    "{%- set role = (message['role'] | default('user', true)).strip().lower() %}{{ role_map[role] }}"
    "{%- set c = message['content'].split('</think>', 1)[-1]|trim %}{{ seen[c] }}{{ names[message.get('name', 'x')] }}"
    "{%- endfor %}",
    # filters with literal filter, test and attribute names
    "{{ tools|selectattr('type', 'equalto', 'function')|map(attribute='function.name')|join(', ') }}"
    "{{ (item|map('upper')|list)|tojson }}{{ messages|groupby('role')|length }}{{ docs|sort(attribute='id') }}",
    # a key kept in a variable from a literal; data keys and values from .items(); private-looking variables
    "{% set key = 'content' %}{% for m in messages %}{{ m[key] }}{% set _args = m.tool_calls or {} %}"
    "{% for k, v in _args.items() %}{{ k ~ '=' ~ (v|tojson if v is not string else v) }}{% endfor %}{% endfor %}",
]

# Text between two literals across Jinja tags, and compact JSON in a literal: the text patterns read
# "' %}{%- if loop.first and system_message is defined %}{{- ' [" (a Mistral-style template) as a literal holding
# an underscore, subscripted, and '{"type":"function","function":{' as a nested format spec: both `unsafe`.
ACROSS_TAGS = [
    "{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content'] %}"
    "{%- set loop_messages = messages[1:] %}{%- else %}{%- set loop_messages = messages %}{%- endif %}"
    "{{- bos_token }}{%- for message in loop_messages %}{%- if message['role'] == 'user' %}"
    "{%- if loop.first and system_message is defined %}{{- ' [INST] ' + system_message + '\n\n' + message['content']"
    " + ' [/INST]' }}{%- else %}{{- ' [INST] ' + message['content'] + ' [/INST]' }}{%- endif %}"
    "{%- elif message['role'] == 'assistant' %}{{- ' ' + message['content'] + eos_token }}{%- endif %}{%- endfor %}",
    "{%- for tool in tools %}{{- '{\"type\":\"function\",\"function\":{' + '\"name\":\"' + tool.name + '\"}}' }}"
    "{%- endfor %}",
]


@pytest.mark.parametrize("template", ACROSS_TAGS)
def test_text_between_literals_across_tags_is_no_literal(tmp_path: Path, template: str) -> None:
    assert SSTI.search(template) is None
    rep = scan(tmp_path, "b.gguf", gguf_file(template=template))
    assert rep.verdict == "clean", rep.findings
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "tokenizer_config.json").write_text(json.dumps({"chat_template": template}))
    assert scan_path(folder).verdict == "clean"


@pytest.mark.parametrize("template", BENIGN)
def test_benign_templates_stay_clean(tmp_path: Path, template: str) -> None:
    res = judge(template)
    assert res.error is None and res.reaches == [], res
    rep = scan(tmp_path, "b.gguf", gguf_file(template=template))
    assert rep.verdict == "clean", rep.findings


def test_deep_nesting_is_incomplete_not_a_traceback(tmp_path: Path) -> None:
    """jinja2's parser is recursive: 10,000 nested parentheses end its recursion, which the audit reports."""
    deep = "{{ " + "(" * 10_000 + "1" + ")" * 10_000 + " }}"
    assert judge(deep).error == "depth"
    (tmp_path / "d.gguf").write_bytes(gguf_file(template=deep))
    rep = bounded_scan(tmp_path / "d.gguf", seconds=10)
    assert rep.verdict == "incomplete" and "incomplete.template_parse" in rules_of(rep), rep.findings
    deep_blocks = "{% if a %}" * 3_000 + "x" + "{% endif %}" * 3_000
    assert judge(deep_blocks).error == "depth"


def test_huge_template_is_bounded(tmp_path: Path) -> None:
    big = BENIGN[0] * (MAX_PARSE_CHARS // len(BENIGN[0]) + 1)
    t0 = thread_cpu_seconds()
    assert judge(big).error == "size" and thread_cpu_seconds() - t0 < 1
    (tmp_path / "chat_template.jinja").write_text(big)
    rep = bounded_scan(tmp_path, seconds=10)
    assert rep.verdict == "incomplete" and "incomplete.template_parse" in rules_of(rep), rep.findings
    just_under = BENIGN[3] * (MAX_PARSE_CHARS // len(BENIGN[3]))  # the largest parsed: within seconds
    t0 = thread_cpu_seconds()
    assert judge(just_under).reaches == [] and thread_cpu_seconds() - t0 < 8


def test_templates_jinja2_cannot_parse_fall_back_to_the_text_patterns(tmp_path: Path) -> None:
    """A tag jinja2 does not know (llama.cpp's minja is laxer): no parse, the text patterns still judge it."""
    assert judge("{% unknown_tag %}{{ x }}").error == "syntax"
    rep = scan(tmp_path, "a.gguf", gguf_file(template="{% unknown_tag %}{{ ''.__class__ }}"))
    assert rep.verdict == "unsafe", rep.findings
    assert scan(tmp_path, "b.gguf", gguf_file(template="{% unknown_tag %}{{ messages[0]['content'] }}")).verdict \
        == "clean"


@pytest.mark.parametrize("template", ["{% set k = x %}{{ namespace[k] }}", "{{ ''[x] }}", "{{ joiner[key] }}",
                                      "{{ self[m['role']] }}"])
def test_literals_and_globals_subscripted_by_the_callers_text(template: str) -> None:
    """A string literal or a Jinja global has no items: a subscript by text only reaches its attributes (the text
    patterns catch these as written; the parse catches them without the patterns)."""
    assert judge(template).reaches


def test_a_literal_dict_indexed_by_the_callers_data_is_clean() -> None:
    assert judge("{% set m = {'string': 'str'} %}{{ m[spec.type] }}{{ {'a': 1}[k] }}{{ 'abc'[0] }}").reaches == []


@pytest.mark.parametrize("template", [
    "{{ " + "[" * 40 + "'a'" + "]|join" * 40 + " }}",  # each join re-reads its items
    "{% macro f(a) %}{% endmacro %}{{ " + "f(a=" * 40 + "1" + ")" * 40 + " }}",  # and a macro call its keywords
    "{{ " + "x|map(attribute=(" * 40 + "'a'" + "))" * 40 + " }}",
])
def test_nested_folds_are_linear(template: str) -> None:
    """Folding evaluated sub-expressions again: 22 nested joins took a minute (2^depth) before each expression
    was evaluated once a pass."""
    t0 = thread_cpu_seconds()
    judge(template)
    assert thread_cpu_seconds() - t0 < 2
