"""Render workers: forked processes that each render one document at a time, with
a limit on time and memory, so that one document that hangs, eats memory or is
killed costs only its own meeting.

A ``concurrent.futures`` pool breaks as a whole when one of its workers dies (every
queued document then fails), and it cannot stop a document that runs too long.
Here the parent hands each worker one document over its own pipe, so it knows which
document a dead worker had: that document fails with a message naming it, a new
worker takes the place of the dead one, and the other documents still finish.  A
document that passes the time limit has its worker killed the same way.

Each worker limits its own address space (``RLIMIT_AS``); an allocation past it
raises MemoryError inside the render, which becomes a message.

A worker dies with its parent (``PR_SET_PDEATHSIG``): a forked worker shares the
parent's open files, the meeting's lock among them, and one left behind by a killed
build would hold that lock, and block on a pipe nobody reads, for ever.  For the
same reason each worker closes the parent's ends of every worker's pipe.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import signal
import time
from multiprocessing.connection import wait

from . import limits
# A render in this process (--debug, the library's build_meeting) is timed by
# the same alarm as a template; batch.py and pipeline.py reach it from here.
from .limits import TimeLimit, time_limit  # noqa: F401


_PR_SET_PDEATHSIG = 1
# The parent's ends of the workers' pipes: a new worker closes its copies.
_parent_ends: list = []


def run(work: list, count: int, render, on_result, seconds: float,
        memory: int = limits.MAX_WORKER_MEMORY, warm=None) -> None:
    """Render each ``(meeting_id, job)`` of ``work`` in ``count`` workers; each result
    (or the failure ``render`` would have made: ``on_result(meeting_id, job, None,
    why)``) goes to ``on_result`` as it comes."""
    context = multiprocessing.get_context("fork")  # the workers inherit the package
    queue, busy, idle = list(work), {}, []
    while queue or busy:
        while queue and len(busy) + len(idle) < count:
            idle.append(_Worker(context, render, memory, warm))
        while queue and idle:
            worker = idle.pop()
            worker.give(queue.pop(0), seconds)
            busy[worker.connection] = worker
        for ready in wait(list(busy), timeout=_next_deadline(busy.values())) or ():
            worker = busy.pop(ready)
            result, why = worker.take()
            on_result(*worker.item, result, why)
            if result is not None:
                idle.append(worker)
        for worker in [w for w in busy.values() if w.overdue()]:
            del busy[worker.connection]
            worker.stop()
            on_result(*worker.item, None, f"took more than {seconds:g} s and was "
                      "stopped (the time limit per document; --time-limit SECONDS "
                      "sets another)")
    for worker in idle:
        worker.close()


def _next_deadline(workers) -> float:
    now = time.monotonic()
    return max(0.0, min((w.deadline - now for w in workers), default=1.0)) + 0.05


class _Worker:
    def __init__(self, context, render, memory: int, warm):
        self.connection, child = context.Pipe()
        _parent_ends.append(self.connection)
        self.process = context.Process(target=_serve, daemon=True, args=(
            child, render, memory, warm, os.getpid()))
        self.process.start()
        child.close()
        self.item, self.deadline = None, 0.0

    def give(self, item, seconds: float) -> None:
        self.item, self.deadline = item, time.monotonic() + seconds
        try:
            self.connection.send(item)
        except OSError:
            pass  # died while idle: take() reports it at once, on this document

    def take(self):
        """The result, or None and why the worker died without one."""
        try:
            return self.connection.recv(), None
        except (EOFError, OSError):
            self.process.join(5)
            return None, died(self.process.exitcode)

    def overdue(self) -> bool:
        return time.monotonic() > self.deadline

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self._forget()

    def _forget(self) -> None:
        self.connection.close()
        if self.connection in _parent_ends:
            _parent_ends.remove(self.connection)

    def close(self) -> None:
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(5)
        if self.process.is_alive():
            self.stop()
        self._forget()


def died(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        cause = (" (out of memory, or stopped by a user)" if name == "SIGKILL" else "")
        return f"its render worker was killed by {name}{cause}; nothing was written"
    return f"its render worker ended unexpectedly (exit code {exitcode}); nothing " \
           "was written"


def _serve(connection, render, memory: int, warm, parent: int) -> None:
    die_with_parent(parent)
    for end in _parent_ends:
        end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent answers Ctrl-C
    limit_memory(memory)
    if warm:
        warm()
    try:
        while (item := connection.recv()) is not None:
            connection.send(render(*item))
    except (EOFError, OSError):
        os._exit(1)  # the parent is gone: nobody to answer


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when the parent dies (Linux); exit now if it has."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the closed pipe ends still end the worker at its next send
    if os.getppid() != parent:
        os._exit(1)


def limit_memory(memory: int) -> None:
    """Cap this process's address space (the soft limit; the hard one stays)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or memory < hard:
        resource.setrlimit(resource.RLIMIT_AS, (memory, hard))
