"""Incremental builds: what a document's outputs were made from, as one hash.

A document is rebuilt when anything its outputs depend on changes: its Markdown,
``meeting.yaml``, the glossary, the meeting's pictures and own templates, its
format's folder and the shared templates, the package's source and pinned
dependencies, and the font files of the format's families.  The hashes go into
the meeting's ``manifest.json`` beside the outputs' SHA-256.

The meeting as a whole has a key too, over all of the above.  When it matches, the
build stops before parsing anything, which keeps a no-op build to the cost of
reading and hashing the files (milliseconds) instead of loading the pipeline.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
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


# A file larger than this is known by its size and modification time instead of
# its bytes: hashing must stay cheap even when someone drops a huge file into a
# meeting, which the content checks then refuse (limits.py).
HASH_WHOLE_BELOW = 8 * 1024 * 1024


def _fingerprint(path: Path) -> bytes:
    # A link is known by where it points, never read through: the build refuses
    # it anyway (files.py), and hashing must not open a file outside the project.
    if path.is_symlink():
        return b"link " + os.fsencode(os.readlink(path))
    if not path.is_file():
        return b""
    stat = path.stat()
    if stat.st_size >= HASH_WHOLE_BELOW:
        return f"size {stat.st_size} mtime {stat.st_mtime_ns}".encode()
    return path.read_bytes()


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
