"""Conditions and timer values written for other engines, rewritten as the Python slaflow evaluates: JUEL
(Camunda 7, Activiti, Flowable: ``${approved && amount > 1000}``) and FEEL (Camunda 8: ``=not(approved)``).

Only simple expressions are rewritten: variables, literals, comparisons, arithmetic, and/or/not, and
``a.b`` property reads. Anything else (method calls, FEEL functions and ranges, several ``${}`` parts)
gives ``None``, and the importer lists it for a person to rewrite."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<op>&&|\|\||==|!=|<=|>=|<|>|!|\+|-|\*|/|%|\(|\)|\.|=)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
""", re.VERBOSE)

_JUEL_WORDS = {"and": "and", "or": "or", "not": "not", "eq": "==", "ne": "!=", "lt": "<", "gt": ">",
               "le": "<=", "ge": ">=", "div": "/", "mod": "%", "true": "True", "false": "False", "null": "None",
               "empty": "not"}
_FEEL_WORDS = {"and": "and", "or": "or", "true": "True", "false": "False", "null": "None"}
_PY_OPS = {"&&": "and", "||": "or", "!": "not"}


@dataclass
class Rewritten:
    python: str
    variables: dict[str, str] = field(default_factory=dict)  # name -> "boolean" | "number" | "string"
    strings: dict[str, list[str]] = field(default_factory=dict)  # name -> string literals compared with


def dialect(text: str) -> str | None:
    """"juel", "feel", or None for what already reads as Python (or cannot be told)."""
    text = (text or "").strip()
    if re.fullmatch(r"[$#]\{.*\}", text, re.DOTALL):
        return "juel"
    if text.startswith("="):
        return "feel"
    return None


def to_python(text: str) -> Rewritten | None:
    """The Python for a JUEL or FEEL expression, or None when it is neither or too complex to rewrite."""
    text = (text or "").strip()
    kind = dialect(text)
    if kind == "juel":
        body = text[2:-1]
        if "${" in body or "#{" in body:
            return None
        return _rewrite(body, juel=True)
    if kind == "feel":
        return _rewrite(text[1:], juel=False)
    return None


def _tokens(body: str) -> list[tuple[str, str]] | None:
    out, pos = [], 0
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if m is None:
            return None
        pos = m.end()
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group()))
    return out


def _rewrite(body: str, juel: bool) -> Rewritten | None:
    tokens = _tokens(body)
    if not tokens:
        return None
    words = _JUEL_WORDS if juel else _FEEL_WORDS
    out: list[str] = []
    variables: dict[str, str] = {}
    strings: dict[str, list[str]] = {}
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if kind == "name":
            if not juel and text == "not" and nxt[1] == "(":
                out.append("not")
            elif text in words:
                out.append(words[text])
            elif nxt[1] == "(":
                return None  # a method or function call: not rewritten
            else:
                name, i = _dotted(tokens, i)
                if i < len(tokens) and tokens[i][1] == "(":
                    return None  # a method call (execution.getVariable(...)): not rewritten
                out.append(name)
                variables.setdefault(name.split("[", 1)[0], "boolean")
                continue
        elif kind == "op":
            if text == "=":
                if juel:
                    return None  # an assignment in JUEL
                out.append("==")
            elif text in _PY_OPS and juel:
                out.append(_PY_OPS[text])
            elif text == ".":
                return None
            else:
                out.append(text)
        elif kind == "str":
            out.append(repr(ast.literal_eval(text)) if text[0] == "'" else text)
        else:
            out.append(text)
        i += 1
    python = " ".join(out).replace("( ", "(").replace(" )", ")")
    try:
        tree = ast.parse(python, mode="eval")
    except SyntaxError:
        return None
    _infer(tree, variables, strings)
    return Rewritten(python, variables, strings)


def _dotted(tokens, i) -> tuple[str, int]:
    """``a.b.c`` -> ``a["b"]["c"]`` (task data are dictionaries)."""
    name = tokens[i][1]
    i += 1
    while i + 1 < len(tokens) and tokens[i][1] == "." and tokens[i + 1][0] == "name":
        name += f'["{tokens[i + 1][1]}"]'
        i += 2
    return name, i


def _infer(tree, variables: dict[str, str], strings: dict[str, list[str]]) -> None:
    """What each variable holds, from what it is compared with: numbers, text, or else a yes/no."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Compare, ast.BinOp)):
            parts = [node.left, *node.comparators] if isinstance(node, ast.Compare) else [node.left, node.right]
            names = [_root(p) for p in parts if _root(p)]
            consts = [p.value for p in parts if isinstance(p, ast.Constant)]
            for name in names:
                if any(isinstance(c, str) for c in consts):
                    variables[name] = "string"
                    strings.setdefault(name, [])
                    strings[name] += [c for c in consts if isinstance(c, str) and c not in strings[name]]
                elif any(isinstance(c, (int, float)) and not isinstance(c, bool) for c in consts) \
                        or isinstance(node, ast.BinOp):
                    variables[name] = "number"


def _root(node) -> str | None:
    while isinstance(node, ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def timer_value(text: str) -> str | None:
    """A timer's date, duration or cycle as slaflow's Python: ``PT5M`` -> ``"PT5M"``, ``${due}`` -> ``due``."""
    text = (text or "").strip()
    if not text:
        return None
    if dialect(text):
        rewritten = to_python(text)
        return rewritten.python if rewritten else None
    if re.fullmatch(r"[0-9A-Za-z:+\-./]+", text):
        return repr(text).replace("'", '"')
    return None
