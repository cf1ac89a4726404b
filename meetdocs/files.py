"""Reading a file of content or templates: only inside given folders, never through
a symbolic link.

A meeting folder may come from someone else (a shared drive, a colleague), and a
link in it can point anywhere: ``document.html.j2`` → ``/proc/self/environ`` would
print the build's environment into a public PDF.  Checking ``Path.resolve()``
first and opening the path afterwards leaves a gap in which the link can change,
so a file is opened one folder at a time from its root, each step with
``O_NOFOLLOW``: what is opened is exactly what was checked, and a link anywhere
below the root (a file, or a folder on the way) fails the open itself.

The roots themselves (the meeting folder, ``templates/``) are the project's own
choice and are opened as they are; ``content.meeting_folder`` has already refused
a meeting folder that leads outside ``content/``.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import BuildError, Problem

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: a FIFO named like a template must not hang the build on open.
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class Refused(Exception):
    """A file that may not be read; ``str()`` says why, in words for the user."""


class NotRegular(Refused):
    """A folder, device or pipe where a file was expected."""


def open_inside(path: Path | str, roots) -> int:
    """A read-only descriptor of the regular file ``path``, which must lie under one
    of ``roots`` with no symbolic link from that root down.  Raises ``Refused``, or
    ``FileNotFoundError`` when the file is simply not there."""
    root, parts = _split(Path(path), roots)
    if not parts:
        raise NotRegular("not a regular file (a folder, device or pipe)")
    descriptor = os.open(root, _DIRECTORY)
    for part in parts[:-1]:  # each step closes the folder it was given
        descriptor = _step(descriptor, part, _DIRECTORY, "a folder on its way")
    handle = _step(descriptor, parts[-1], _FILE, "the file")
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise NotRegular("not a regular file (a folder, device or pipe)")
    return handle


def _step(folder: int, name: str, flags: int, what: str) -> int:
    # tests/audit.py finds ``folder`` in this frame by these names, to tell which
    # file a relative open is.
    try:
        return os.open(name, flags, dir_fd=folder)
    except OSError as exc:
        # A link met with O_NOFOLLOW is ELOOP; a link to a folder opened with
        # O_DIRECTORY | O_NOFOLLOW is ENOTDIR on some kernels.
        if exc.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(folder, name):
            raise Refused(f"{what} is a symbolic link; links are never followed, "
                          "copy the file in instead") from None
        raise
    finally:
        os.close(folder)


def _is_link(folder: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=folder).st_mode)
    except OSError:
        return False


def _split(path: Path, roots) -> tuple[str, list[str]]:
    """The root that holds ``path`` and the names below it.  Paths are compared as
    written (``..`` folded without asking the file system, which is sound because
    no link is followed below the root) and against each root's real path too, for
    a path built from a resolved base such as a ``file:`` URL."""
    target = os.path.normpath(os.path.abspath(path))
    for root in roots:
        for form in dict.fromkeys((os.path.abspath(root), os.path.realpath(root))):
            if target == form or target.startswith(form.rstrip("/") + "/"):
                rest = target[len(form):].strip("/")
                return form, rest.split("/") if rest else []
    raise Refused("the file is outside the meeting folder and templates/")


def read_inside(path: Path | str, roots, shown, limit: int | None = None) -> bytes:
    """The bytes of ``path`` (at most ``limit + 1`` of them, so that a caller can
    tell "too big" without reading a huge file), or a ``BuildError`` at ``shown``."""
    try:
        handle = open_inside(path, roots)
    except Refused as exc:
        raise BuildError([Problem(shown, None, f"refused: {exc}")]) from None
    except OSError as exc:
        raise BuildError([Problem(shown, None, "cannot be read",
                                  found=exc.strerror)]) from None
    with os.fdopen(handle, "rb") as file:
        return file.read() if limit is None else file.read(limit + 1)


def refusal(path: Path | str, roots, shown) -> Problem | None:
    """Why ``path`` may not be read, or None: a check without reading."""
    try:
        os.close(open_inside(path, roots))
    except Refused as exc:
        return Problem(shown, None, f"refused: {exc}")
    except OSError as exc:
        return Problem(shown, None, "cannot be read", found=exc.strerror)
    return None
