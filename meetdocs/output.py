"""Writing outputs so that a failed or interrupted build loses nothing and never
mixes two builds.

``output/<id>`` is a symbolic link to one complete build folder,
``output/.store/<id>/<build>/``.  A build writes every file of the meeting into a new
folder (documents that did not change are hard-linked from the current one), flushes
it to disk, and then swaps the link with one rename, which is atomic.  A reader, or a
build killed at any point, sees either the whole old set or the whole new set.
Folders of killed builds are removed by the next build of that meeting.

A lock per meeting makes a second build of the same meeting wait for the first.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

STORE = ".store"
MANIFEST = "manifest.json"


@contextmanager
def locked(out_root: Path, meeting_id: str, on_wait=None):
    """Hold the meeting's lock; ``on_wait`` is called once if another build has it."""
    store = out_root / STORE
    store.mkdir(parents=True, exist_ok=True)
    with open(store / f"{meeting_id}.lock", "w") as handle:
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
    """Build folders and links of killed builds; call with the lock held."""
    link = out_root / meeting_id
    live = link.resolve() if link.is_symlink() else None
    for build in (out_root / STORE / meeting_id).glob("*"):
        if build.resolve() != live:
            shutil.rmtree(build, ignore_errors=True)
    for temp in out_root.glob(f".{meeting_id}.link-*"):
        temp.unlink(missing_ok=True)


def publish(out_root: Path, meeting_id: str, files: dict[str, bytes],
            kept: dict[str, Path], record: dict) -> list[Path]:
    """Write a complete build folder and make it current; call with the lock held.
    ``kept``: unchanged files of the current build, linked instead of rewritten."""
    clean_leftovers(out_root, meeting_id)
    build = out_root / STORE / meeting_id / f"{time.time_ns():x}-{os.getpid()}"
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
    swap(out_root, meeting_id, build)
    clean_leftovers(out_root, meeting_id)
    return [out_root / meeting_id / name for name in sorted(files)]


def swap(out_root: Path, meeting_id: str, build: Path) -> None:
    link = out_root / meeting_id
    if link.exists() and not link.is_symlink():
        # An output folder from before builds were kept in .store: move it aside once.
        os.replace(link, out_root / STORE / meeting_id / "previous")
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
