"""Incremental builds: what a document's outputs were made from, as one hash.

A document is rebuilt when anything its outputs depend on changes: its Markdown,
``meeting.yaml``, the glossary, the meeting's pictures and own templates, its
format's folder and the shared templates, the package's source and pinned
dependencies, and the font files of the format's families.  The hashes go into
the meeting's ``manifest.json`` beside the outputs' SHA-256.

The meeting as a whole has a key too, over all of the above.  When it matches, the
build stops before parsing anything, which keeps a no-op build to the cost of
reading and hashing the files (milliseconds) instead of loading the pipeline.

An output is current only for the bytes it was made from.  Inside ``snapshot()``
(the whole of a build) each file is read once: its hash and the bytes the build
uses (``read_bytes``: content files, images, stylesheets) come from that one read,
so a file saved in the middle of a build cannot leave an old PDF marked as made
from the new text; the next build sees the new bytes and renders again.  Every file
is hashed whole, whatever its size: a meeting's files are small (1 MB text, 30 MB
images, both refused above that): reading and hashing a 30 MB picture takes
0.08–0.11 s (page cache, 2-core machine at load 9).
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# The pinned dependencies of the code that runs, wherever the content lives.
LOCK_FILE = PACKAGE.parent / "requirements.lock"
LIBREOFFICE_VERSION = Path("/usr/lib/libreoffice/program/versionrc")
# Editors' and systems' litter that never feeds a build.
IGNORED = ("__pycache__", ".DS_Store", ".git")


def files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*")
                  if (p.is_file() or p.is_symlink())
                  and not any(part in IGNORED for part in p.parts))


# Files up to this size are kept in memory for the build after being hashed; a
# larger one (which no check lets into a document: limits.MAX_FILE_BYTES, the
# 30 MB image limit) is hashed in chunks and not kept.
KEEP_BELOW = 32 * 1024 * 1024
_CHUNK = 1024 * 1024
# path -> (bytes or None, SHA-256): the files read by the build under way.
_read: contextvars.ContextVar[dict | None] = contextvars.ContextVar("read", default=None)


@contextmanager
def snapshot():
    """Within it, each file is read once and the build uses the bytes it hashed.
    Render workers forked inside it inherit what was read."""
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


def _key(path) -> str:
    """The cache key: the file's name in its folder's real path (the file itself
    is never followed if it is a link)."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(os.path.realpath(folder), name)


def _entry(path, file=None) -> tuple[bytes | None, bytes]:
    """(bytes, SHA-256) of the file, read from ``file`` if given (a caller's checked
    open, files.py) or opened here without following a link; once per snapshot."""
    key, seen = _key(path), _read.get()
    if seen is not None and key in seen:
        return seen[key]
    if file is None:
        with os.fdopen(os.open(path, _NO_LINK), "rb") as handle:
            entry = _hash(handle)
    else:
        entry = _hash(file)
    if seen is not None:
        seen[key] = entry
    return entry


# O_NONBLOCK: a FIFO must not hang the build.
_NO_LINK = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def _hash(handle) -> tuple[bytes | None, bytes]:
    data = handle.read(KEEP_BELOW + 1)
    digest = hashlib.sha256(data)
    if len(data) > KEEP_BELOW:  # hashed on in chunks, not kept
        data = None
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return data, digest.digest()


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes (at most ``limit``), the same bytes its hash was made of."""
    data = _entry(path)[0]
    if data is None:  # too large to keep: only ever read to be refused
        with os.fdopen(os.open(path, _NO_LINK), "rb") as handle:
            return handle.read(limit if limit is not None else -1)
    return data if limit is None else data[:limit]


def read_through(path: Path, file, limit: int | None = None) -> bytes:
    """The bytes of ``file``, which a caller opened as ``path`` with its checks:
    those hashed already if the build hashed the file, else read now and kept, so
    that a hash made later is of these same bytes."""
    data = _entry(path, file)[0]
    if data is None:
        file.seek(0)
        return file.read(limit if limit is not None else -1)
    return data if limit is None else data[:limit]


def _fingerprint(path: Path) -> bytes:
    # A link is known by where it points, never read through: the build refuses
    # it anyway (files.py), and hashing must not open a file outside the project.
    if path.is_symlink():
        return b"link " + os.fsencode(os.readlink(path))
    if not path.is_file():
        return b""
    return _entry(path)[1]


def _feed(digest, paths, root: Path) -> None:
    for path in paths:
        name = os.path.relpath(path, root).encode()
        data = _fingerprint(path)
        digest.update(len(name).to_bytes(4, "big") + name)
        digest.update(len(data).to_bytes(8, "big") + data)


@functools.lru_cache(maxsize=None)
def toolchain() -> str:
    """The package's source (its fontconfig file too) and its pinned dependencies,
    and LibreOffice's version, which lays out the DOCX and writes the ODT: a new
    version rebuilds."""
    digest = hashlib.sha256()
    _feed(digest, [p for p in files_under(PACKAGE) if p.suffix in (".py", ".conf")],
          PACKAGE)
    _feed(digest, [LOCK_FILE] if LOCK_FILE.is_file() else [], PACKAGE.parent)
    _feed(digest, [LIBREOFFICE_VERSION], LIBREOFFICE_VERSION.parent)
    return digest.hexdigest()


@functools.lru_cache(maxsize=None)
def fonts(families: tuple[str, ...] | None = None) -> str:
    """The font files behind ``families`` (all fonts if None), by path, size and
    modification time: an updated font package rebuilds the PDFs that use it."""
    if shutil.which("fc-list") is None:
        return ""
    patterns = [""]
    if families:
        # Imported here: the no-op build asks for all fonts and must not load the
        # writers package (python-docx) just for this.
        from .writers.fonts import _pattern
        patterns = [_pattern(family) for family in families]
    files = set()
    for pattern in patterns:
        result = subprocess.run(["fc-list", "--format", "%{file}\n", *([pattern] if
                                 pattern else [])], capture_output=True, text=True)
        files.update(line for line in result.stdout.splitlines() if line)
    digest = hashlib.sha256()
    for name in sorted(files):
        stat = os.stat(name) if os.path.exists(name) else None
        digest.update(f"{name}\0{stat and stat.st_size}\0{stat and stat.st_mtime_ns}\n"
                      .encode())
    return digest.hexdigest()


def shared_templates(templates: Path) -> list[Path]:
    """Files of templates/ that belong to no single format: base.html.j2, macros,
    shared stylesheets."""
    shared = [p for p in templates.glob("*") if p.is_file()]
    for folder in templates.glob("*/"):
        if not (folder / "format.yaml").exists():
            shared += files_under(folder)
    return sorted(shared)


def meeting_key(project: Path, folder: Path) -> str:
    """Everything any document of the meeting could depend on."""
    digest = hashlib.sha256(f"{toolchain()}\0{fonts()}\n".encode())
    _feed(digest, files_under(folder), project)
    _feed(digest, [project / "content" / "glossary.yaml"], project)
    _feed(digest, files_under(project / "templates"), project)
    return digest.hexdigest()


def document_key(project: Path, folder: Path, source: Path, fmt) -> str:
    """What one document's outputs depend on.  Other documents of the meeting are
    left out, so editing the briefing does not rebuild the report."""
    digest = hashlib.sha256(f"{toolchain()}\0{fonts(tuple(fmt.fonts))}\0"
                            f"{fmt.name}\0{','.join(fmt.outputs)}\n".encode())
    own = [p for p in files_under(folder) if p.suffix != ".md" or p == source]
    _feed(digest, own, project)
    _feed(digest, [project / "content" / "glossary.yaml"], project)
    _feed(digest, files_under(fmt.folder), project)
    _feed(digest, shared_templates(project / "templates"), project)
    return digest.hexdigest()
