"""Runs diagram code in worker processes (``script_worker``) that can be killed.

A trace hook stops a Python loop at the time limit, but nothing inside the process can stop a C
function that never returns (``sum(range(10**12))``, ``math.factorial(10**6)``) or that asks for
gigabytes (``'a' * 10**10``): it holds the interpreter lock, and with it every request the web
process serves. Such code runs here instead, in a process with a memory limit that is killed when it
does not answer in time. The engine keeps a few idle workers per process and starts another when
all are busy or one was killed.

Helpers (the calendar functions diagrams call) stay in the engine's process: the worker asks for
them over its pipe, and their time is not charged to the script. What the worker sends back is
unpickled with a closed list of types, so a worker that were ever subverted could not make the
engine build arbitrary objects.
"""
from __future__ import annotations

import builtins
import io
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from .errors import ScriptError, ScriptTimeout

PROTOCOL = pickle.HIGHEST_PROTOCOL
MAX_REPLY_BYTES = 64 * 1024 * 1024
_TRACE_SHARE = 0.95  # the worker's own trace hook stops a Python loop just before the host kills it
_ROOT = Path(__file__).resolve().parent.parent

_ALLOWED_CLASSES = {
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("decimal", "Decimal"), ("zoneinfo", "ZoneInfo._unpickle"),
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "complex"), ("builtins", "bytearray"),
    ("builtins", "slice"), ("builtins", "range"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED_CLASSES:
            return super().find_class(module, name)
        raise ScriptError(f"the script produced a value that cannot be kept ({module}.{name})")


def _loads(data: bytes):
    return _Unpickler(io.BytesIO(data)).load()


class _Worker:
    def __init__(self, memory_mb: int):
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-s", "-m", "engine.script_worker", str(to_worker_r), str(from_worker_w),
             str(memory_mb)],
            cwd=_ROOT, env=env, pass_fds=(to_worker_r, from_worker_w), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, close_fds=True)
        os.close(to_worker_r)
        os.close(from_worker_w)
        self.send = Connection(to_worker_w, readable=False)
        self.recv = Connection(from_worker_r, writable=False)

    def close(self) -> None:
        try:
            self.process.kill()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for conn in (self.send, self.recv):
            try:
                conn.close()
            except OSError:
                pass


class ScriptHost:
    """A pool of script workers for one engine process (threads share it; each run has its own)."""

    def __init__(self, memory_mb: int = 256, idle: int = 4):
        self.memory_mb = memory_mb
        self.idle = idle
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._pid = os.getpid()
        self.started = 0  # workers started, for the operators' figures and the tests

    def _take(self) -> _Worker:
        with self._lock:
            if self._pid != os.getpid():  # forked (e.g. a pre-loading web server): the pipes are the parent's
                self._workers, self._pid = [], os.getpid()
            if self._workers:
                return self._workers.pop()
            self.started += 1
        return _Worker(self.memory_mb)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if len(self._workers) < self.idle and self._pid == os.getpid():
                self._workers.append(worker)
                return
        worker.close()

    def close(self) -> None:
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.close()

    def run(self, mode: str, source: str, context: dict, helpers: dict[str, Callable], timeout: float):
        """Evaluate (``mode="eval"``, returns the value) or execute (returns the new context)."""
        worker = self._take()
        keep = False
        try:
            message = self._exchange(worker, mode, source, context, helpers, timeout)
            keep = message[0] == "ok" or message[1] != "memory"
        except ScriptTimeout:
            raise
        except (EOFError, OSError, pickle.UnpicklingError, ValueError, IndexError, TypeError) as exc:
            raise ScriptError("the script stopped the worker that ran it (too much memory or output)") from exc
        finally:
            if keep:
                self._give_back(worker)
            else:
                worker.close()
        return self._result(message)

    def _exchange(self, worker: _Worker, mode, source, context, helpers, timeout) -> tuple:
        request = ("run", mode, source, context, tuple(helpers), timeout * _TRACE_SHARE)
        worker.send.send_bytes(pickle.dumps(request, PROTOCOL))
        deadline = time.monotonic() + timeout
        while True:
            if not worker.recv.poll(max(0.0, deadline - time.monotonic())):
                raise ScriptTimeout("the script ran longer than the time limit")
            message = _loads(worker.recv.recv_bytes(MAX_REPLY_BYTES))
            if message[0] != "call":
                return message
            started = time.monotonic()
            worker.send.send_bytes(pickle.dumps(self._call(helpers, message), PROTOCOL))
            deadline += time.monotonic() - started  # helpers' time is the engine's, not the script's

    @staticmethod
    def _call(helpers: dict[str, Callable], message) -> tuple:
        _, name, args, kwargs = message
        helper = helpers.get(name) if isinstance(name, str) else None
        if helper is None or not isinstance(args, tuple) or not isinstance(kwargs, dict):
            return ("raise", "NameError", f"name {name!r} is not defined")
        try:
            return ("value", helper(*args, **kwargs))
        except Exception as exc:  # a helper's refusal goes back to the script as its own exception
            return ("raise", type(exc).__name__, str(exc))

    @staticmethod
    def _result(message):
        if message[0] == "ok":
            return message[1]
        _, kind, class_name, text = message
        if kind == "timeout":
            raise ScriptTimeout(text)
        if kind in ("memory", "script"):
            raise ScriptError(text)
        raise builtin_exception(class_name, text)


def builtin_exception(class_name, text) -> Exception:
    """The built-in exception named ``class_name`` (NameError stays a NameError for the designer's
    checks), or a ScriptError when the name is not one or it cannot be built from a message."""
    cls = getattr(builtins, class_name, None) if isinstance(class_name, str) else None
    if isinstance(cls, type) and issubclass(cls, Exception) and cls.__module__ == "builtins":
        try:
            return cls(str(text))
        except TypeError:
            pass
    return ScriptError(f"{class_name}: {text}")


_DEFAULT: ScriptHost | None = None


def default_host() -> ScriptHost:
    """The process's pool of script workers (one per process)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = ScriptHost()
    return _DEFAULT
