"""Writing outputs so that a failed or interrupted build loses nothing.

Everything is rendered in memory first; then each file goes to a temporary name in
the same folder, is flushed to disk, and is renamed over the old one (a rename is
atomic on one file system).  A lock on the meeting's output folder makes a second
build of the same meeting wait for the first.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path

TEMP_PREFIX = ".tmp-"


@contextmanager
def locked(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def clean_leftovers(folder: Path) -> None:
    """Temporary files of a build that was killed before it could rename them."""
    for leftover in folder.glob(TEMP_PREFIX + "*"):
        leftover.unlink(missing_ok=True)


def _write_temp(folder: Path, name: str, data: bytes) -> Path:
    temp = folder / f"{TEMP_PREFIX}{os.getpid()}-{name}"
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return temp


def manifest(files: dict[str, bytes]) -> bytes:
    sums = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}
    return (json.dumps({"files": sums}, indent=2, ensure_ascii=False) + "\n").encode()


def publish(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write all files of one build; temporaries first, then the renames."""
    with locked(folder):
        clean_leftovers(folder)
        files = {**files, "manifest.json": manifest(files)}
        temps = {name: _write_temp(folder, name, data) for name, data in files.items()}
        for name, temp in temps.items():
            os.replace(temp, folder / name)
    return [folder / name for name in files]
