"""What a build may open: the allow-list shared by the in-process audit (Python's
audit hooks, which see every file Python code opens and every socket it connects)
and the strace audit of a whole build (which also sees Pango, fontconfig and the
dynamic loader).

Outside the project, a build needs its Python environment, shared libraries, the
installed fonts and fontconfig's configuration and caches, locale data, a few
device and /proc files, and the temporary folder (WeasyPrint's font cache).
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

SYSTEM = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/etc/ld.so.cache",
          "/usr/share/fonts", "/usr/local/share/fonts", "/etc/fonts",
          # fonts-texgyre's faces (the report's Latin face), where TeX finds them too.
          "/usr/share/texmf/fonts",
          "/usr/share/fontconfig", "/var/cache/fontconfig",
          "/usr/share/locale", "/usr/share/zoneinfo", "/etc/localtime",
          "/dev/null", "/dev/urandom", "/proc/self", "/proc/filesystems",
          # The pool of render workers: multiprocessing's semaphores live in
          # /dev/shm, and glibc reads the kernel's overcommit setting at fork.
          "/dev/shm/sem.", "/proc/sys/vm/overcommit_memory")
# What the hostile test documents point at: never opened, not even tried.
TARGETS = ("/etc/passwd", "/etc/hosts", "/etc/hostname")


def allowed_roots(project: Path) -> list[str]:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    roots = [project, sys.prefix, sys.base_prefix, tempfile.gettempdir(),
             cache / "fontconfig", *SYSTEM]
    return [os.path.normpath(str(root)) for root in roots]


def outside(paths, roots: list[str]) -> list[str]:
    """The paths that are under none of ``roots``."""
    def under(path: str, root: str) -> bool:
        if root.endswith("."):  # a prefix of file names: /dev/shm/sem.<random>
            return path.startswith(root)
        return path == root or path.startswith(root.rstrip("/") + "/")
    return sorted({p for p in map(os.path.normpath, paths)
                   if not any(under(p, root) for root in roots)})


_recording: list | None = None


def _hook(event: str, args: tuple) -> None:
    if _recording is not None and event in ("open", "socket.connect"):
        if event == "open" and isinstance(args[0], str) and not os.path.isabs(args[0]):
            args = (_beside_folder(args[0]), *args[1:])
        _recording.append((event, args))


def _beside_folder(name: str) -> str:
    """The audit event of ``os.open(name, dir_fd=folder)`` names no folder:
    meetdocs.files opens a file one folder at a time, so the folder is found from
    the descriptor in its ``_step`` frame, while it is still open."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "_step" and "folder" in frame.f_locals:
            folder = os.readlink(f"/proc/self/fd/{frame.f_locals['folder']}")
            return os.path.join(folder, name)
        frame = frame.f_back
    return os.path.abspath(name)


# An audit hook cannot be removed, so one is installed for the session; it keeps
# events only inside ``recording()``.
sys.addaudithook(_hook)


@contextmanager
def recording():
    """Collect ``(opened paths, connect addresses)`` of the code run inside."""
    global _recording
    events: list = []
    _recording = events
    opened, connected = [], []
    try:
        yield opened, connected
    finally:
        _recording = None
        for event, args in events:
            if event == "socket.connect":
                connected.append(args[1])
            elif isinstance(args[0], (str, bytes, os.PathLike)):
                opened.append(os.path.abspath(os.fsdecode(args[0])))
