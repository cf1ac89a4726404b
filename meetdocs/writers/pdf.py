"""HTML → PDF with WeasyPrint, through a URL fetcher that reads only project files.

WeasyPrint's default fetcher opens any local file or URL, and
``<link rel="attachment" href="file:///etc/passwd">`` would embed that file in a
public PDF.  Our fetcher serves ``file:`` URLs under the meeting folder and the
templates folder and refuses everything else; a refusal or a missing file stops the
build instead of being logged and skipped (WeasyPrint only logs a refusal met while
drawing an SVG, so the fetcher's refusals are checked again after rendering).
"""

from __future__ import annotations

import ctypes.util
import logging
import mimetypes
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .. import files, images, limits, stamps
from ..content import read_text, rel
from ..errors import BuildError, Problem
from ..markdown import source_line
from . import copytext, fonts, justify, linesplit, pagefit

PDF_OPTIONS = {"pdf_variant": "pdf/a-3b", "pdf_tags": True, "full_fonts": False,
               "hinting": False, "optimize_images": False}
# The types of the files the fetcher serves, fixed here: the standard library's
# table would be filled from /etc/mime.types, a read outside the project that
# could make two machines label the same file differently.
MIME_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".gif": "image/gif", ".svg": "image/svg+xml", ".css": "text/css",
              ".ttf": "font/ttf", ".otf": "font/otf", ".ttc": "font/collection",
              ".woff": "font/woff", ".woff2": "font/woff2"}


# The URLs WeasyPrint sees for the meeting folder and templates/: the same in every
# checkout, since it names each image in the PDF by a hash of its URL, and the PDF's
# /ID hashes the file's objects.  The fetcher maps them back to the folders.
ROOTS = {"meeting": "/meetdocs/meeting/", "templates": "/meetdocs/templates/"}


def virtual_url(job, path: Path) -> str:
    """``path``, inside the meeting folder or templates/, as WeasyPrint sees it."""
    for name, folder in (("meeting", job.folder), ("templates", job.project / "templates")):
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(folder))
        if not relative.startswith(".."):
            return "file://" + ROOTS[name] + quote(Path(relative).as_posix())
    return path.absolute().as_uri()


def import_weasyprint():
    """Import WeasyPrint without the two reads outside the project its import does.

    It builds a ``mimetypes`` database at import, which reads /etc/mime.types (our
    fetcher names its types itself).  And for each library name it tries that is
    not a Linux soname, cffi asks ``ctypes.util.find_library``, which on Linux runs
    ldconfig, gcc and ld: 86 processes and 0.15 s per build, to find nothing that
    the ``.so.0`` name tried next does not load directly.
    The inter-character justification patch (justify.py), the copy-out text of
    each line (copytext.py) and line splitting in linear time for long Chinese
    text (linesplit.py) are put in place here; each refuses a WeasyPrint version it
    was not written for.
    """
    if not mimetypes.inited:
        mimetypes.knownfiles = []
        mimetypes.init()
    with _no_library_search():
        import weasyprint
    justify.install(weasyprint)
    copytext.install(weasyprint)
    linesplit.install(weasyprint)
    return weasyprint


@contextmanager
def _no_library_search():
    if sys.platform != "linux" or "weasyprint" in sys.modules:
        yield  # elsewhere the search is how WeasyPrint finds its libraries
        return
    saved, ctypes.util.find_library = ctypes.util.find_library, lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = saved


def _fetcher_class():
    import_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SandboxFetcher(URLFetcher):
        def __init__(self, virtual: dict[str, Path]):
            """``virtual``: the URL prefixes WeasyPrint sees (``ROOTS``) and the
            folders they stand for, the only ones read from."""
            super().__init__(fail_on_errors=True, allowed_protocols=("file",))
            self.virtual = virtual
            self.roots = list(virtual.values())
            self.refused: dict[str, images.Refusal | None] = {}

        def fetch(self, url, headers=None):
            path, why = self.resolve(url), None
            # An image named by a stylesheet (a meeting's own templates are content
            # too) or an SVG gets the checks the Markdown's images get.
            if path is not None and path.suffix.lower() in images.KINDS:
                why = images.check(path, path.name)
            if path is None or why:
                self.refused[url] = why
                raise ValueError(f"refused: {url}")
            mime = MIME_TYPES.get(path.suffix.lower(), "application/octet-stream")
            body = (path.read_bytes() if str(path) in fonts.installed_files()
                    else self.read(path))
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

        def read(self, path: Path) -> bytes:
            """Through files.py (no link followed); the bytes hashed for the
            build's key if they were (stamps.snapshot)."""
            try:
                handle = files.open_inside(path, self.roots)
            except (files.Refused, OSError) as exc:
                raise ValueError(f"refused: {path}: {exc}") from None
            with os.fdopen(handle, "rb") as file:
                return stamps.read_through(path, file)

        def resolve(self, url) -> Path | None:
            """The file a ``file:`` URL names, if it may be read: under the roots
            with no symbolic link on the way (files.py), or an installed font."""
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                return None
            wanted = os.path.normpath(unquote(parts.path))
            if wanted in fonts.installed_files():
                return Path(wanted)
            for prefix, root in self.virtual.items():
                if wanted.startswith(prefix):
                    path = Path(os.path.normpath(root / wanted[len(prefix):]))
                    return None if files.refusal(path, self.roots, path.name) else path
            return None

    return SandboxFetcher


def write(job) -> bytes:
    """Render ``job.html`` to PDF bytes; fonts and sources checked first."""
    fonts.require(job.fmt.fonts)
    check_coverage(job)
    import_weasyprint()
    from weasyprint import HTML
    from weasyprint.css.counters import CounterStyle
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _fetcher_class()({ROOTS["meeting"]: job.folder,
                                ROOTS["templates"]: job.project / "templates"})
    # A stylesheet's @counter-style and @font-face rules reach the layout only
    # through these two objects, shared by the CSS and the rendering.
    styles = {"counter_style": CounterStyle(), "font_config": FontConfiguration()}
    sheets = job.fmt.stylesheets(job.folder)
    loaded = [stylesheet(job, sheet, fetcher, styles) for sheet in sheets]
    css = [sheet for sheet, _ in loaded]
    try:
        prepared = pagefit.prepare(job.html)

        def render(html: str):
            return HTML(string=html, base_url="file://" + ROOTS["meeting"],
                        url_fetcher=fetcher).render(stylesheets=css, **styles,
                                                    **PDF_OPTIONS)

        with _quiet() as log, _page_limit(job):
            fits = pagefit.FIT_LAST in "".join(text for _, text in loaded)
            document = adapted(render, prepared, fits)
            check_budget(job, document)
            data = document.write_pdf(**PDF_OPTIONS)
    except FatalURLFetchingError as exc:
        raise BuildError(refused(job, fetcher.refused or {str(exc): None})) from exc
    except (ZeroDivisionError, OverflowError) as exc:
        # A value WeasyPrint cannot compute with; check_lengths catches the usual one.
        raise BuildError([Problem(rel(sheet, job.project), None, "WeasyPrint could not "
                                  f"lay out the document with this stylesheet "
                                  f"({type(exc).__name__}); a value in it is out of "
                                  "range") for sheet in sheets]) from exc
    if fetcher.refused:
        # WeasyPrint catches a refusal met inside an SVG and leaves the picture out.
        raise BuildError(refused(job, fetcher.refused))
    if log.dropped:
        raise BuildError([not_drawn(job, url) for url in dict.fromkeys(log.dropped)])
    return data


def stylesheet(job, sheet: Path, fetcher, styles: dict):
    """A format's or a meeting's stylesheet, read like a template: inside
    templates/ or the meeting folder, never through a link; with its text."""
    from weasyprint import CSS

    from weasyprint.urls import FatalURLFetchingError

    shown = rel(sheet, job.project)
    text, problems = read_text(sheet, shown, fetcher.roots)
    if problems:
        raise BuildError(problems)
    check_lengths(shown, text)
    try:
        return CSS(string=text, base_url=virtual_url(job, sheet), url_fetcher=fetcher,
                   **styles), text
    except FatalURLFetchingError as exc:  # an @import refused
        raise BuildError(refused(job, fetcher.refused or {str(exc): None})) from exc


def refused(job, refusals: dict) -> list[Problem]:
    """The fetcher's refusals, each at the Markdown line that names the file if one
    does (a stylesheet's or an SVG's references are not in the Markdown)."""
    problems = []
    for url, why in refusals.items():
        name = unquote(urlsplit(url).path).rpartition("/")[2]
        why = why or images.Refusal("the document refers to a file that is missing "
                                    "or outside the meeting and templates folders",
                                    "files inside the meeting folder", url)
        problems.append(Problem(*_named_at(job, url, name), why.message, why.expected,
                                why.found))
    return problems


def _named_at(job, url: str, name: str) -> tuple:
    """Where a refused URL is written: a stylesheet that gives it whole (or its
    absolute path), else the Markdown line naming the file, else a stylesheet
    naming the file."""
    roots = [job.folder, job.project / "templates"]
    sheets = {rel(sheet, job.project): read_text(sheet, sheet.name, roots)[0]
              for sheet in job.fmt.stylesheets(job.folder)}
    path = unquote(urlsplit(url).path)
    searches = [(sheets, url), (sheets, f"({path}"), (sheets, f"'{path}"),
                (sheets, f'"{path}'), ({job.shown: job.source}, name), (sheets, name)]
    for texts, needle in searches:
        for shown, text in texts.items():
            first = job.source_line if shown == job.shown else 1
            if needle and (line := source_line(text, needle, first)):
                return shown, line
    return job.shown, None


def check_lengths(shown, css: str) -> None:
    """A length no page can hold (``font-size: 1e9px``) crashes WeasyPrint's layout
    with a ZeroDivisionError; refused first, at its stylesheet and line."""
    problems = [Problem(shown, line, "a length in this stylesheet is far too large to "
                        "lay out", f"at most {limits.MAX_CSS_LENGTH:,} in any unit", value)
                for line, value in limits.huge_lengths(css)]
    if problems:
        raise BuildError(problems)


@contextmanager
def _page_limit(job):
    """Stop WeasyPrint's layout as soon as it passes the page limit, instead of
    after laying out every page (2,000 pages take about a minute): it asks a
    generator for the pages one by one, and ours counts them."""
    import weasyprint.layout

    limit = limits.MAX_PAGES
    if job.fmt.pages is not None:  # enough past the budget to say how much is over
        limit = min(limit, job.fmt.pages * 2 + 10)
    make_all_pages = weasyprint.layout.make_all_pages

    def counted(*args):
        for number, page in enumerate(make_all_pages(*args), start=1):
            if number > limit:
                raise BuildError([Problem(job.shown, None, too_many_pages(job, limit))])
            yield page

    weasyprint.layout.make_all_pages = counted
    try:
        yield
    finally:
        weasyprint.layout.make_all_pages = make_all_pages


def too_many_pages(job, limit: int) -> str:
    if job.fmt.pages is not None:
        return (f"the {job.fmt.name} runs more than {limit} pages, its budget is "
                f"{job.fmt.pages} (templates/{job.fmt.name}/format.yaml 'pages'); "
                "layout was stopped there")
    return (f"the document runs more than {limit} pages, the limit of a document; "
            "layout was stopped there (a stylesheet that breaks the page too often?)")
# The last page is a leftover below this share of its height used, whatever it
# holds; a last page holding nothing but closing boxes, below the second.
LEFTOVER_USED = 1 / 3
CLOSING_ALONE_USED = 0.5
OVERFLOW_PX = 0.5  # a table past its column by more than this overflows it


def adapted(render, html: str, fits: bool):
    """The document rendered from ``html``, with its rows and its last page
    adapted (issue 15).

    The rules chosen, each tried on another render and kept only if it helps
    (but the first, which is always kept):

    0. A table wider than its column or page (``overflowing_tables``: its
       longest words, each whole, do not fit side by side) has its English
       words hyphenated, and if that is not enough, its cells break anywhere
       (``pagefit.squeeze_tables``).  Nothing is drawn outside the page.
    1. A table row taller than a page (or column) splits where it stands
       (``tall_rows``): ``tr { break-inside: avoid }`` first moved it to the next
       column or page, leaving the rest of this one empty; kept if it adds no page.
    2. A leftover last page (``leftover_last_page``: under a third used, or only
       closing boxes on under half of it): the pictures adapt.  The document is
       rendered with ``class="fit-last"`` on its root, for which the format's
       stylesheet makes the pictures smaller; kept if it has fewer pages.  A
       format whose stylesheets never name ``fit-last`` (``fits``) is not
       rendered again.
    3. A closing box split over the columns of the last page, below other
       content (som3-2023's 小百科 box below the text's end and a photo): the
       box starts a column of its own, a sidebar beside the text's end; kept if
       the box is then whole and the document no longer.
    """
    document = render(html)
    for level in range(len(pagefit.SQUEEZE)):
        tables = overflowing_tables(document)
        if not tables:
            break
        html = pagefit.squeeze_tables(html, tables, level)
        document = render(html)
    rows = tall_rows(document)
    if rows:
        split = pagefit.split_rows(html, rows)
        second = render(split)
        if len(second.pages) <= len(document.pages):
            html, document = split, second
    if fits and leftover_last_page(document):
        fitted = pagefit.root_class(html, pagefit.FIT_LAST)
        second = render(fitted)
        if len(second.pages) < len(document.pages):
            html, document = fitted, second
    box = split_closing_box(document)
    sidebar = pagefit.start_column(html, box) if box is not None else None
    if sidebar is not None:
        second = render(sidebar)
        last = second.pages[-1]
        if (len(second.pages) <= len(document.pages)
                and len(_fragments(last, _elements(last, "aside")[box])) == 1):
            document = second
    return document


def tall_rows(document) -> list[int]:
    """The indexes (document order) of the table rows laid out in more than one
    piece: under ``tr { break-inside: avoid }`` only a row taller than a page or
    column is."""
    from weasyprint.formatting_structure.boxes import TableRowBox

    rows = _elements(document.pages[0], "tr")
    if not rows:
        return []
    index = {id(element): number for number, element in enumerate(rows)}
    pieces: dict[int, int] = {}
    for page in document.pages:
        for box in _content_boxes(page):
            if isinstance(box, TableRowBox) and id(box.element) in index:
                pieces[index[id(box.element)]] = pieces.get(index[id(box.element)], 0) + 1
    return sorted(number for number, count in pieces.items() if count > 1)


def overflowing_tables(document) -> list[int]:
    """The indexes (document order) of the tables laid out wider than the block
    that holds them: with every word whole (``overflow-wrap: break-word``), their
    longest words together pass the column or page."""
    tables = _elements(document.pages[0], "table")
    index = {id(element): number for number, element in enumerate(tables)}
    found = set()
    for page in document.pages:
        for parent in _content_boxes(page):
            for wrapper in getattr(parent, "children", []):
                if not getattr(wrapper, "is_table_wrapper", False) or \
                        id(wrapper.element) not in index:
                    continue
                table = wrapper.get_wrapped_table()
                right = table.border_box_x() + table.border_width()
                if right > parent.content_box_x() + parent.width + OVERFLOW_PX:
                    found.add(index[id(wrapper.element)])
    return sorted(found)


def leftover_last_page(document) -> bool:
    """Whether the last page looks left over: under ``LEFTOVER_USED`` of its
    height used, or nothing but closing boxes (``aside.box`` after the article's
    text, markdown.closing_boxes) under ``CLOSING_ALONE_USED``."""
    if len(document.pages) < 2:
        return False
    page = document.pages[-1]
    used = _used_height(page, set()) / page._page_box.height
    leaves = list(_leaves_outside_boxes(page._page_box))
    return used < LEFTOVER_USED or (bool(leaves) and all(leaves)
                                    and used < CLOSING_ALONE_USED)


def split_closing_box(document) -> int | None:
    """The index among the document's ``aside`` elements of a box that the last
    page splits over two columns, below other content of that page; or None."""
    page = document.pages[-1]
    if all(_leaves_outside_boxes(page._page_box)):
        return None  # nothing but boxes: a column of its own would stand empty
    for index, element in enumerate(_elements(page, "aside")):
        if "box" in (element.get("class") or "").split() and \
                len(_fragments(page, element)) > 1:
            return index
    return None


def _fragments(page, element) -> list:
    """The block boxes of ``element`` on ``page``."""
    from weasyprint.formatting_structure.boxes import BlockBox

    return [box for box in _content_boxes(page)
            if type(box) is BlockBox and box.element is element]


def _elements(page, tag: str) -> list:
    """The document's elements of ``tag``, in document order (the tree the layout
    of ``page`` was made from)."""
    root = next(child for child in page._page_box.children
                if child.element is not None and child.element_tag == "html").element
    return [element for element in root.iter() if _local(element.tag) == tag]


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _leaves_outside_boxes(page_box):
    """For each line and picture of the page area: True inside an ``aside.box``,
    False outside one."""
    from weasyprint.formatting_structure.boxes import (LineBox, MarginBox,
                                                       ReplacedBox)

    def walk(box, inside):
        inside = inside or (box.element_tag == "aside" and "box" in
                            (box.element.get("class") or "").split()
                            if box.element is not None else False)
        if isinstance(box, (LineBox, ReplacedBox)):
            yield inside
        else:
            for child in getattr(box, "children", []):
                yield from walk(child, inside)

    for child in page_box.children:
        if not isinstance(child, MarginBox):
            yield from walk(child, False)


def check_budget(job, document) -> None:
    """A format with a page budget (format.yaml ``pages``) fails rather than spill
    onto a page nobody planned, and says how much has to go."""
    budget, pages = job.fmt.pages, document.pages
    if budget is None or len(pages) <= budget:
        return
    raise BuildError([Problem(
        job.shown, None, f"the {job.fmt.name} runs {len(pages)} pages, its budget is "
        f"{budget}: about {max(1, round(_overflow_mm(pages, budget)))} mm too long",
        f"shorter content, or a larger 'pages' in templates/{job.fmt.name}/format.yaml")])


def _overflow_mm(pages, budget: int) -> float:
    """What runs past the budget's pages, less what those pages leave blank (a block
    that may not break moves whole to the next page): roughly what has to be cut."""
    continued = [{id(box.element) for box in _content_boxes(page)} for page in pages[1:]]
    used = [_used_height(page, later) for page, later in zip(pages, continued + [set()])]
    blank = sum(page._page_box.height - height
                for page, height in zip(pages[:budget], used))
    return (sum(used[budget:]) - blank) * 25.4 / 96


def _content_boxes(page):
    """The boxes of the page area; not the running headers and footers."""
    from weasyprint.formatting_structure.boxes import MarginBox

    for child in page._page_box.children:
        if not isinstance(child, MarginBox):
            yield from child.descendants()


def _used_height(page, continued: set) -> float:
    """CSS px from the top of the page area to the foot of its lowest box.  A block
    that goes on to the next page (``continued``) is stretched to this page's foot,
    so of such a block only the lines count."""
    from weasyprint.formatting_structure.boxes import LineBox

    top = page._page_box.content_box_y()
    bottoms = [box.border_box_y() + box.border_height() for box in _content_boxes(page)
               if isinstance(box, LineBox) or id(box.element) not in continued]
    return max(bottoms, default=top) - top


def not_drawn(job, url: str) -> Problem:
    """An image WeasyPrint could not load or draw, at the Markdown line naming it."""
    path = unquote(urlsplit(url).path)
    shown = path[len(ROOTS["meeting"]):] if path.startswith(ROOTS["meeting"]) else url
    return Problem(job.shown, source_line(job.source, shown, job.source_line),
                   f"the image {shown} could not be drawn; the PDF would be missing "
                   "it", "an image file WeasyPrint can read", shown)


def check_coverage(job) -> None:
    missing = fonts.uncovered(job.text, job.fmt.fonts)
    if missing:
        raise BuildError([job.locate(char, f"U+{ord(char):04X} '{char}' is in no font "
                                     f"of this format ({', '.join(job.fmt.fonts)}); it "
                                     "would print as an empty box") for char in missing])


class _quiet(logging.Handler):
    """WeasyPrint logs CSS it ignores at WARNING (the CLI shows them with --debug),
    and an image it cannot load or draw at ERROR, going on without it: those are
    kept, so that no PDF is written with a picture missing."""

    DROPPED = ("Failed to load image", "Failed to render SVG image")

    def __init__(self):
        super().__init__(logging.ERROR)
        self.dropped: list[str] = []

    def emit(self, record):
        if str(record.msg).startswith(self.DROPPED) and record.args:
            self.dropped.append(str(record.args[0]))

    def __enter__(self):
        self.logger = logging.getLogger("weasyprint")
        self.level = self.logger.level
        self.logger.setLevel(logging.ERROR)
        self.logger.addHandler(self)
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level)
