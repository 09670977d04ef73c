"""The worker process that runs diagram code which might spend unbounded time or memory.

Started by ``script_host`` as ``python -m engine.script_worker READ_FD WRITE_FD MEMORY_MB``, with an
empty environment (no secrets, no database address) and nothing but two pipes. It limits its own
address space, file size and descriptors, then serves one request at a time:

    host -> worker  ("run", mode, source, context, helper_names, timeout)
    worker -> host  ("call", helper, args, kwargs)        a calendar helper, answered by the host
    host -> worker  ("value", result) | ("raise", exception class name, message)
    worker -> host  ("ok", result) | ("error", kind, exception class name, message)

The host kills the worker when it does not answer in time, so a C function that never returns
(``sum(range(10**12))``) costs a new worker, never the web process.
"""
from __future__ import annotations

import pickle
import resource
import sys
from multiprocessing.connection import Connection

from . import sandbox
from .errors import ScriptError, ScriptTimeout
from .script_host import builtin_exception

PROTOCOL = pickle.HIGHEST_PROTOCOL


def _limit(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))


def _proxy(conn: Connection, name: str):
    def helper(*args, **kwargs):
        conn.send_bytes(pickle.dumps(("call", name, args, kwargs), PROTOCOL))
        answer = pickle.loads(conn.recv_bytes())  # noqa: S301 - from the host, which is trusted
        if answer[0] == "value":
            return answer[1]
        raise builtin_exception(answer[1], answer[2])

    helper.__name__ = name
    return helper


def _error(exc: BaseException) -> tuple:
    if isinstance(exc, MemoryError):
        return ("error", "memory", "MemoryError", "the script used more memory than allowed")
    if isinstance(exc, ScriptTimeout):
        return ("error", "timeout", "ScriptTimeout", exc.message)
    if isinstance(exc, ScriptError):
        return ("error", "script", "ScriptError", exc.message)
    return ("error", "exception", type(exc).__name__, str(exc))


def serve(conn: Connection) -> None:
    while True:
        try:
            request = pickle.loads(conn.recv_bytes())  # noqa: S301 - from the host, which is trusted
        except EOFError:
            return
        _, mode, source, context, helper_names, timeout = request
        env_globals = sandbox.environment_globals({name: _proxy(conn, name) for name in helper_names})
        try:
            if mode == "eval":
                result = sandbox.evaluate(source, env_globals, context, timeout)
            else:
                sandbox.execute(source, env_globals, context, timeout)
                result = context
            reply = pickle.dumps(("ok", result), PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - every failure of diagram code is reported
            reply = pickle.dumps(_error(exc), PROTOCOL)
            if isinstance(exc, MemoryError):
                conn.send_bytes(reply)
                return  # a worker that ran out of memory is not reused
        conn.send_bytes(reply)


def main(argv: list[str]) -> int:
    read_fd, write_fd, memory_mb = int(argv[1]), int(argv[2]), int(argv[3])
    reader = Connection(read_fd, writable=False)
    writer = Connection(write_fd, readable=False)
    _limit(memory_mb)

    class _Duplex:  # one object with both directions, as ``serve`` expects
        send_bytes = writer.send_bytes
        recv_bytes = reader.recv_bytes

    serve(_Duplex())  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
