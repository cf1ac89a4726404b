"""Writing outputs so that a failed or interrupted build loses nothing and never
mixes two builds.

``output/<id>`` is a symbolic link to one complete build folder,
``output/.store/<id>/<build>/``.  A build writes every file of the meeting into a new
folder (documents that did not change are hard-linked from the current one), flushes
it to disk, and then swaps the link with one rename, which is atomic.  A reader, or a
build killed at any point, sees either the whole old set or the whole new set.
Folders of killed builds are removed by the next build of that meeting.

Nothing the build did not write is deleted: only folders named the way ``publish``
names them are cleaned, never through a link; a real folder (or file) found at
``output/<id>``, which a user may have saved things into, is moved to
``output/<id>.saved-<time>`` and the build says so.  A write that fails (a full
disk, a read-only folder) removes its own half-written folder and leaves the
current build in place.

A lock per meeting makes a second build of the same meeting wait for the first.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import SetupError

STORE = ".store"
MANIFEST = "manifest.json"
# The names publish() gives build folders: the only ones clean_leftovers removes.
_BUILD_NAME = re.compile(r"^[0-9a-f]+-[0-9]+$")
# Faults of the output folder's disk, explained instead of shown as a traceback.
_DISK_FAULTS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
                errno.EROFS: "the output folder is on a read-only file system",
                errno.EACCES: "the output folder is not writable",
                errno.EPERM: "the output folder is not writable"}


@contextmanager
def locked(out_root: Path, meeting_id: str, on_wait=None):
    """Hold the meeting's lock; ``on_wait`` is called once if another build has it."""
    store = out_root / STORE
    try:
        store.mkdir(parents=True, exist_ok=True)
        handle = open(store / f"{meeting_id}.lock", "a")
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise disk_fault(exc, out_root) from exc
        # Nobody may write here, so nothing can change under a build that only
        # checks that its outputs are current; one that has to write says why not.
        yield
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current(out_root: Path, meeting_id: str) -> tuple[Path | None, dict]:
    """The folder the meeting's link points to and its manifest ({} if none)."""
    folder = out_root / meeting_id
    try:
        return folder, json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return (folder if folder.is_dir() else None), {}


def intact(folder: Path | None, files: dict[str, str]) -> bool:
    """Every listed file is there with the recorded SHA-256."""
    if folder is None:
        return False
    for name, sha in files.items():
        path = folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != sha:
            return False
    return True


def built_from(live: Path | None, manifest: dict, format_name: str, key: str) -> bool:
    """The format's outputs in the current build were made from inputs whose hash
    is ``key`` (``stamps.document_key``) and are still as they were written."""
    before = manifest.get("documents", {}).get(format_name, {})
    files = manifest.get("files", {})
    return before.get("key") == key and intact(
        live, {name: files.get(name) for name in before.get("outputs", [])})


def clean_leftovers(out_root: Path, meeting_id: str) -> None:
    """Build folders and links of killed builds; call with the lock held.  Only
    what publish() names is removed, and never through a symbolic link."""
    link = out_root / meeting_id
    live = link.resolve() if link.is_symlink() else None
    store = _own_store(out_root, meeting_id)
    for build in store.iterdir() if store.is_dir() else ():
        if (_BUILD_NAME.match(build.name) and not build.is_symlink()
                and build.is_dir() and build.resolve() != live):
            shutil.rmtree(build, ignore_errors=True)
    for temp in out_root.glob(f".{meeting_id}.link-*"):
        if temp.is_symlink():
            temp.unlink(missing_ok=True)


def _own_store(out_root: Path, meeting_id: str) -> Path:
    store = out_root / STORE / meeting_id
    if store.is_symlink() or (store.exists() and not store.is_dir()):
        shown = f"{out_root.name}/{STORE}/{meeting_id}"
        raise SetupError(f"{shown} is a link or a file, not a folder the build made; "
                         "the build does not clean through links",
                         f"move {shown} away (it is only the build's store), then "
                         "build again")
    return store


def set_aside(out_root: Path, meeting_id: str) -> Path | None:
    """A folder or file at ``output/<id>`` that is not the build's link: moved to
    ``output/<id>.saved-<time>`` (returned), never deleted.  Lock held."""
    place = out_root / meeting_id
    if place.is_symlink() or not place.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    saved = out_root / f"{meeting_id}.saved-{stamp}"
    number = 1
    while saved.exists() or saved.is_symlink():
        number += 1
        saved = out_root / f"{meeting_id}.saved-{stamp}-{number}"
    os.rename(place, saved)
    return saved


def disk_fault(exc: OSError, out_root: Path) -> SetupError:
    """An OSError of the output folder as a message, not a traceback."""
    what = _DISK_FAULTS.get(exc.errno, exc.strerror or type(exc).__name__)
    where = exc.filename or out_root
    return SetupError(f"cannot write {where}: {what}; the previous outputs are "
                      "unchanged", "free some space or choose another folder with "
                      "--output DIR" if exc.errno in (errno.ENOSPC, errno.EDQUOT)
                      else "make the output folder writable, or build into another "
                      "with --output DIR")


def publish(out_root: Path, meeting_id: str, files: dict[str, bytes],
            kept: dict[str, Path], record: dict) -> list[Path]:
    """Write a complete build folder and make it current; call with the lock held.
    ``kept``: unchanged files of the current build, linked instead of rewritten."""
    clean_leftovers(out_root, meeting_id)
    build = _own_store(out_root, meeting_id) / f"{time.time_ns():x}-{os.getpid()}"
    try:
        _fill(build, files, kept, record)
        swap(out_root, meeting_id, build)
    except OSError as exc:
        if build.is_dir() and (out_root / meeting_id).resolve() != build.resolve():
            shutil.rmtree(build, ignore_errors=True)  # our half-written folder
        raise disk_fault(exc, out_root) from exc
    clean_leftovers(out_root, meeting_id)
    return [out_root / meeting_id / name for name in sorted(files)]


def _fill(build: Path, files: dict[str, bytes], kept: dict[str, Path],
          record: dict) -> None:
    build.mkdir(parents=True)
    for name, data in files.items():
        _write(build / name, data)
    for name, source in kept.items():
        _link_or_copy(source, build / name)
    sums = {name: hashlib.sha256((build / name).read_bytes()).hexdigest()
            for name in sorted([*files, *kept])}
    manifest = {**record, "files": sums}
    _write(build / MANIFEST, (json.dumps(manifest, indent=2, ensure_ascii=False)
                              + "\n").encode())
    _sync(build)


def swap(out_root: Path, meeting_id: str, build: Path) -> None:
    """Make ``build`` current; whatever else is at ``output/<id>`` was set aside
    before (``set_aside``), and os.replace would refuse a folder anyway."""
    link = out_root / meeting_id
    temp = out_root / f".{meeting_id}.link-{os.getpid()}"
    temp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(build, out_root), temp)
    os.replace(temp, link)
    _sync(out_root)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source.resolve(), target)
    except OSError:
        shutil.copy2(source, target)


def _sync(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
