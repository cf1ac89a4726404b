"""Building many meetings at once, on every core, one broken meeting not stopping
the others.

The parent process loads and checks each meeting and fills its templates (fast:
stages 1–3); the documents' outputs (stage 4, where the time goes) are rendered by a
pool of worker processes (``workers.py``), one per core, each of which loads
WeasyPrint and the fonts once and renders several documents, within a time and a
memory limit; a worker that dies costs only the document it had.  Documents, not meetings, are the unit of work,
largest first, so that two cores stay busy to the end even when one meeting is much
bigger than the rest; a single meeting of several documents uses both cores too.
Importing WeasyPrint twice costs nothing in wall time, since the two workers do it at
once.  ``workers=0`` (``--debug``) renders everything in this process.  A
meeting is published only when all of its documents have rendered, under its lock,
so each meeting's outputs still come from one build.

Progress is reported through ``on_event(kind, meeting_id, detail)``; the CLI prints.
"""

from __future__ import annotations

import os
import time
import traceback
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from . import content, limits, output, stamps, workers as pool
from .errors import BuildError, Problem, SetupError
from .pipeline import Outcome, finish, plan_meeting, render_job

# The queue is ordered by each document's render time in its last build (kept in
# manifest.json): HTML length is a poor guess, since a two-column page costs several
# times a one-column one.  Only for a document never built: seconds per character
# of HTML, per output kind, measured on the formats here.
SECONDS_PER_CHAR = {"pdf": 1.5e-5, "docx": 2e-6}


@dataclass
class Failure:
    meeting_id: str
    problems: list[Problem] = field(default_factory=list)
    message: str = ""   # a machine problem (SetupError) or a crash
    trace: str = ""     # a crash's traceback, shown with --debug


@dataclass
class Rendered:
    format_name: str
    files: dict[str, bytes]
    seconds: float


def workers_for(count: int, asked: int | None = None) -> int:
    """One per core, or as ``--jobs`` asks, but never more than documents to render."""
    cores = len(os.sched_getaffinity(0))
    return max(1, min(count, asked or cores, cores))


def build_many(project: Path, ids: list[str], out_root: Path, force: bool = False,
               workers: int | None = None, on_event=None,
               time_limit: float = limits.TIME_LIMIT,
               strict: bool = False) -> list[Outcome | Failure]:
    """``workers``: None for one per core, 0 to render in this process (--debug).
    ``strict``: a meeting whose documents have review findings fails unwritten."""
    on_event = on_event or (lambda *args: None)
    with ExitStack() as locks, stamps.snapshot():
        plans, results = {}, {}
        # Locks are taken in one order, so two batches cannot wait on each other.
        for meeting_id in sorted(set(ids)):
            on_event("plan", meeting_id, None)
            try:
                content.meeting_folder(project, meeting_id)
                locks.enter_context(output.locked(out_root, meeting_id, lambda m=meeting_id:
                                                  on_event("wait", m, None)))
                plans[meeting_id] = plan_meeting(project, meeting_id, out_root, force,
                                                   strict)
            except Exception as exc:  # noqa: BLE001 - a broken meeting stops only itself
                results[meeting_id] = failure(meeting_id, exc)
                on_event("failed", meeting_id, results[meeting_id])
        rendered = render_everything(plans, workers, on_event, time_limit)
        for meeting_id, plan in plans.items():
            results[meeting_id] = publish(out_root, plan, rendered[meeting_id])
            on_event("done" if isinstance(results[meeting_id], Outcome) else "failed",
                     meeting_id, results[meeting_id])
    return [results[meeting_id] for meeting_id in ids]


def failure(meeting_id: str, exc: Exception) -> Failure:
    if isinstance(exc, BuildError):
        return Failure(meeting_id, exc.problems)
    if isinstance(exc, SetupError):
        return Failure(meeting_id, message=str(exc))
    return Failure(meeting_id, message=f"internal error: {exc!r} (--debug shows where)",
                   trace="".join(traceback.format_exception(exc)))


def publish(out_root: Path, plan, rendered: list) -> Outcome | Failure:
    failures = [r for r in rendered if isinstance(r, Failure)]
    if failures:
        return Failure(plan.meeting_id, [p for f in failures for p in f.problems],
                       "\n".join(f.message for f in failures if f.message),
                       "\n".join(f.trace for f in failures if f.trace))
    files, documents = {}, plan.record.get("documents", {})
    for part in rendered:
        files.update(part.files)
        documents[part.format_name]["seconds"] = round(part.seconds, 2)
    try:
        return finish(out_root, plan, files)
    except (BuildError, SetupError) as exc:  # a full disk, a read-only folder
        return failure(plan.meeting_id, exc)


def render_everything(plans: dict, workers: int | None, on_event,
                      time_limit: float = limits.TIME_LIMIT) -> dict[str, list]:
    work = sorted(((plan.meeting_id, job) for plan in plans.values() for job in plan.jobs),
                  key=lambda item: -cost(plans[item[0]], item[1]))
    rendered = {meeting_id: [] for meeting_id in plans}
    if workers == 0:
        for job, meeting_id in ((job, m) for m, job in work):
            rendered[meeting_id].append(render_safely(job, meeting_id, time_limit))
            on_event("rendered", meeting_id, job.fmt.name)
        return rendered

    def collect(job, meeting_id, result, why):
        rendered[meeting_id].append(result or Failure(
            meeting_id, [Problem(job.shown, None, why)]))
        on_event("rendered", meeting_id, job.fmt.name)

    pool.run([(job, meeting_id) for meeting_id, job in work],
             workers_for(len(work), workers), render_safely, collect, time_limit,
             warm=warm)
    return rendered


def cost(plan, job) -> float:
    if job.fmt.name in plan.seconds:
        return plan.seconds[job.fmt.name]
    return len(job.html) * sum(SECONDS_PER_CHAR.get(k, 1e-5) for k in job.fmt.outputs)


def warm() -> None:
    """Load WeasyPrint and python-docx while the first jobs are being queued."""
    import docx  # noqa: F401

    from .writers.pdf import import_weasyprint

    import_weasyprint()  # the way that does not run gcc to look up library names


def render_safely(job, meeting_id: str, time_limit: float | None = None):
    """A worker's result must survive pickling back to the parent; BuildError's
    problems would not, so they travel as a Failure.  ``time_limit``: for a render
    in this process; a worker's is kept by the parent."""
    try:
        start = time.perf_counter()
        with pool.time_limit(time_limit):
            files = render_job(job, meeting_id)
        return Rendered(job.fmt.name, files, time.perf_counter() - start)
    except BuildError as exc:
        return Failure(meeting_id, exc.problems)
    except SetupError as exc:
        return Failure(meeting_id, message=str(exc))
    except pool.TimeLimit:
        return Failure(meeting_id, [Problem(job.shown, None, f"took more than "
                                            f"{time_limit:g} s and was stopped (the "
                                            "time limit per document)")])
    except MemoryError:
        return Failure(meeting_id, [Problem(job.shown, None, "needs more memory than "
                                            "a document may use "
                                            f"({limits.MAX_WORKER_MEMORY // 2**30} GB); "
                                            "make it shorter or split it")])
    except Exception as exc:  # noqa: BLE001 - one crashing document must not stop the rest
        return Failure(meeting_id, message=f"internal error in {job.shown}: {exc!r}",
                       trace=traceback.format_exc())
