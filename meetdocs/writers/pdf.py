"""HTML → PDF with WeasyPrint, through a URL fetcher that reads only project files.

WeasyPrint's default fetcher opens any local file or URL, and
``<link rel="attachment" href="file:///etc/passwd">`` would embed that file in a
public PDF.  Our fetcher serves ``file:`` URLs under the meeting folder and the
templates folder and refuses everything else; a refusal or a missing file stops the
build instead of being logged and skipped.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import BuildError, Problem
from . import fonts

PDF_OPTIONS = {"pdf_variant": "pdf/a-3b", "pdf_tags": True, "full_fonts": False,
               "hinting": False, "optimize_images": True}


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SandboxFetcher(URLFetcher):
        def __init__(self, roots: list[Path]):
            super().__init__(fail_on_errors=True, allowed_protocols=("file",))
            self.roots = [root.resolve() for root in roots]
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            path = self.resolve(url)
            if path is None:
                self.refused.append(url)
                raise ValueError(f"refused: {url}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(),
                                      headers={"Content-Type": mime})

        def resolve(self, url) -> Path | None:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                return None
            path = Path(unquote(parts.path)).resolve()
            inside = any(path.is_relative_to(root) for root in self.roots)
            if str(path) in fonts.installed_files():
                return path
            return path if inside and path.is_file() else None

    return SandboxFetcher


def write(job) -> bytes:
    """Render ``job.html`` to PDF bytes; fonts and sources checked first."""
    fonts.require(job.fmt.fonts)
    check_coverage(job)
    from weasyprint import CSS, HTML
    from weasyprint.css.counters import CounterStyle
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _fetcher_class()([job.folder, job.project / "templates"])
    # A stylesheet's @counter-style and @font-face rules reach the layout only
    # through these two objects, shared by the CSS and the rendering.
    styles = {"counter_style": CounterStyle(), "font_config": FontConfiguration()}
    try:
        css = [CSS(filename=str(sheet), url_fetcher=fetcher, **styles)
               for sheet in job.fmt.stylesheets(job.folder)]
        html = HTML(string=job.html, base_url=job.folder.resolve().as_uri() + "/",
                    url_fetcher=fetcher)
        with _quiet():
            return html.write_pdf(stylesheets=css, **styles, **PDF_OPTIONS)
    except FatalURLFetchingError as exc:
        refused = ", ".join(fetcher.refused) or str(exc)
        raise BuildError([Problem(job.shown, None, "the document refers to a file "
                                  "that is missing or outside the meeting and "
                                  "templates folders", found=refused)]) from exc


def check_coverage(job) -> None:
    missing = fonts.uncovered(job.text, job.fmt.fonts)
    if missing:
        raise BuildError([job.locate(char, f"U+{ord(char):04X} '{char}' is in no font "
                                     f"of this format ({', '.join(job.fmt.fonts)}); it "
                                     "would print as an empty box") for char in missing])


class _quiet:
    """WeasyPrint logs CSS it ignores at WARNING; the CLI shows them with --debug."""

    def __enter__(self):
        self.logger = logging.getLogger("weasyprint")
        self.level = self.logger.level
        self.logger.setLevel(logging.ERROR)

    def __exit__(self, *exc):
        self.logger.setLevel(self.level)
