"""Restricted compilation and evaluation of diagram code, with no workflow library in sight.

Every piece of code in a diagram is compiled by RestrictedPython's ``compile_restricted`` (which
refuses dunder names and attribute walks at compile time) and run with guarded builtins, no
``__import__`` and a time limit. ``safe_globals`` alone is not used: its plain ``getattr`` is
escapable.

This module is imported both by the engine and by the script worker process (``script_worker``),
so it depends on nothing but RestrictedPython and the engine's errors.
"""
from __future__ import annotations

import ast
import datetime as _dt
import decimal
import functools
import math
import operator
import sys
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from RestrictedPython import (
    RestrictingNodeTransformer,
    compile_restricted_eval,
    compile_restricted_exec,
    safe_builtins,
)
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)

from .errors import ScriptError, ScriptTimeout

SCRIPT_FILENAME = "<diagram script>"

_INPLACE = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow, "<<=": operator.ilshift,
    ">>=": operator.irshift, "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand,
}


def _inplacevar(op: str, x, y):
    fn = _INPLACE.get(op)
    if fn is None:
        raise ScriptError(f"operator {op} is not allowed")
    return fn(x, y)


def _guarded_pow(base, exp, mod=None):
    if isinstance(exp, int) and isinstance(base, int) and abs(exp) > 10_000:
        raise ScriptError("exponent too large")
    return pow(base, exp, mod) if mod is not None else pow(base, exp)


_EXTRA_BUILTINS = {
    name: getattr(__builtins__, name, None) if not isinstance(__builtins__, dict) else __builtins__[name]
    for name in (
        "all", "any", "dict", "enumerate", "filter", "list", "map", "max", "min", "reversed",
        "set", "sorted", "sum", "tuple", "zip", "frozenset",
    )
}


def _builtins() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(_EXTRA_BUILTINS)
    builtins["pow"] = _guarded_pow
    for dangerous in ("setattr", "delattr", "__build_class__", "id"):
        builtins.pop(dangerous, None)
    return builtins


BASE_GLOBALS: dict[str, Any] = {
    "__builtins__": _builtins(),
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    "_pow_": _guarded_pow,
    "datetime": _dt.datetime,
    "date": _dt.date,
    "timedelta": _dt.timedelta,
    "timezone": _dt.timezone,
    "Decimal": decimal.Decimal,
    "math": math,
}


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus ``a ** b`` routed through a guard (huge powers hang the CPU)."""

    def visit_BinOp(self, node):  # noqa: N802 - ast API
        node = super().visit_BinOp(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            call = ast.Call(func=ast.Name("_pow_", ast.Load()), args=[node.left, node.right], keywords=[])
            return ast.fix_missing_locations(ast.copy_location(call, node))
        return node


class _ImportFinder(ast.NodeVisitor):
    def __init__(self):
        self.errors: list[str] = []

    def visit_Import(self, node):  # noqa: N802 - ast API
        self.errors.append(f"Line {node.lineno}: import is not allowed in diagram scripts")

    visit_ImportFrom = visit_Import


@lru_cache(maxsize=2048)
def compile_script(source: str, mode: str):
    """Compile restricted code, or raise ScriptError with every reason it was refused."""
    try:
        tree = ast.parse(source, mode="eval" if mode == "eval" else "exec")
    except SyntaxError as exc:
        raise ScriptError(f"syntax error on line {exc.lineno}: {exc.msg}") from None
    finder = _ImportFinder()
    finder.visit(tree)
    if finder.errors:
        raise ScriptError("; ".join(finder.errors))
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename=SCRIPT_FILENAME, policy=_Policy)
    if result.errors or result.code is None:
        raise ScriptError("; ".join(result.errors) or "cannot compile")
    return result.code


def check_script(source: str, mode: str = "exec") -> str | None:
    """Return why ``source`` is refused, or None when it compiles under the restrictions."""
    try:
        compile_script(source, mode)
    except ScriptError as exc:
        return exc.message
    return None


_ACTIVE = threading.local()  # the time limit of the script running in this thread, if any


class _TimeLimit:
    """Interrupts restricted code that runs longer than ``seconds``, checked at every bytecode of the
    script (``while 1: pass`` jumps without a new line). Time spent in the helpers the glue provides
    (calendars, holidays) is trusted work and does not count: see ``uncounted``."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __enter__(self):
        self.deadline = time.monotonic() + self.seconds
        self.previous = sys.gettrace()
        self.outer = getattr(_ACTIVE, "limit", None)
        _ACTIVE.limit = self
        limit = self

        def local(frame, event, arg):
            if time.monotonic() > limit.deadline:
                raise ScriptTimeout("the script ran longer than the time limit")
            return local

        def global_trace(frame, event, arg):
            if frame.f_code.co_filename == SCRIPT_FILENAME:
                frame.f_trace_opcodes = True
                return local
            return None

        sys.settrace(global_trace)
        threading.settrace(global_trace)  # only affects threads started by the script (none)
        return self

    def __exit__(self, *exc):
        sys.settrace(self.previous)
        threading.settrace(None)
        _ACTIVE.limit = self.outer
        return False


def uncounted(helper: Callable) -> Callable:
    """A helper whose running time is not charged to the script calling it (its first call may warm a
    holiday calendar, which is the engine's work, not the script's)."""

    @functools.wraps(helper)
    def wrapper(*args, **kwargs):
        started = time.monotonic()
        try:
            return helper(*args, **kwargs)
        finally:
            limit = getattr(_ACTIVE, "limit", None)
            if limit is not None:
                limit.deadline += time.monotonic() - started

    return wrapper



# -- code that provably cannot run away --------------------------------------------------------------
# Most diagram code is a condition (``decision == "approve"``), a counter (``rounds += 1``) or a call of
# a calendar helper (``report_due(fiscal_year, 6)``). Code made only of the constructs below has no
# loop, calls nothing but the engine's helpers and cannot build anything larger than the data it reads
# plus its own text, so it runs in the engine's own process. Anything else (loops, comprehensions,
# built-in calls, multiplication ...) may spend unbounded time or memory inside a C function, where no
# trace hook can stop it, and runs in a worker process with resource limits (``script_host``).

_BOUNDED_EXPRESSIONS = (ast.Constant, ast.Name, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.IfExp,
                        ast.Subscript, ast.Slice, ast.Attribute, ast.Dict, ast.List, ast.Tuple, ast.Set)
_BOUNDED_CONTEXTS = (ast.Load, ast.Store, ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, ast.Eq, ast.NotEq,
                     ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn)


def _small_number(node) -> bool:
    return (isinstance(node, ast.Constant) and type(node.value) in (int, float)
            and abs(node.value) < 1_000_000_000)


class _Bounded(ast.NodeVisitor):
    def __init__(self, helper_names: frozenset[str]):
        self.helper_names = helper_names
        self.ok = True

    def generic_visit(self, node):
        if not self.ok:
            return
        if isinstance(node, (ast.Module, ast.Expression, ast.Assign, ast.If, ast.Pass, ast.Expr)
                      + _BOUNDED_EXPRESSIONS + _BOUNDED_CONTEXTS):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                self.ok = False
                return
            super().generic_visit(node)
        else:
            self.ok = False

    def visit_Call(self, node):  # noqa: N802 - ast API
        if not (isinstance(node.func, ast.Name) and node.func.id in self.helper_names):
            self.ok = False
            return
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            if isinstance(arg, ast.Starred):
                self.ok = False
                return
            self.visit(arg)
        if any(k.arg is None for k in node.keywords):  # **mapping
            self.ok = False

    def visit_BinOp(self, node):  # noqa: N802 - ast API
        # only ``x + 1`` / ``x - 1``: each statement grows a value by a constant, never doubles it
        if isinstance(node.op, (ast.Add, ast.Sub)) and (_small_number(node.left) or _small_number(node.right)):
            self.generic_visit(node)
        else:
            self.ok = False

    def visit_AugAssign(self, node):  # noqa: N802 - ast API
        if isinstance(node.target, ast.Name) and isinstance(node.op, (ast.Add, ast.Sub)) and _small_number(node.value):
            return
        self.ok = False


@lru_cache(maxsize=2048)
def is_bounded(source: str, mode: str, helper_names: frozenset[str]) -> bool:
    """True when ``source`` only uses constructs whose cost is bounded by its data and its own text."""
    try:
        tree = ast.parse(source, mode="eval" if mode == "eval" else "exec")
    except SyntaxError:
        return False
    visitor = _Bounded(helper_names)
    visitor.visit(tree)
    return visitor.ok


# -- running -----------------------------------------------------------------------------------------

def environment_globals(helpers: dict[str, Callable]) -> dict[str, Any]:
    env_globals = dict(BASE_GLOBALS)
    env_globals.update({name: uncounted(fn) if callable(fn) else fn for name, fn in helpers.items()})
    return env_globals


def evaluate(source: str, env_globals: dict, context: dict, timeout: float):
    """Evaluate an expression under the restrictions and the time limit."""
    code = compile_script(source.strip(), "eval")
    my_globals = dict(env_globals)
    my_globals.update(context)
    with _TimeLimit(timeout):
        return eval(code, my_globals)  # noqa: S307 - restricted code object


def execute(source: str, env_globals: dict, context: dict, timeout: float) -> None:
    """Run a script on ``context`` (task data), which it updates; globals and functions are removed."""
    code = compile_script(source, "exec")
    context.update(env_globals)
    try:
        with _TimeLimit(timeout):
            exec(code, context)  # noqa: S102 - restricted code object
    finally:
        for key in list(context):
            if key.startswith("_") or key in env_globals or callable(context[key]):
                context.pop(key)
