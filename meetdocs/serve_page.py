"""The pages of the live preview (``build.py serve``): HTML only, no server.

A document page is ``job.html``, the very HTML the writers get, with four things
added: the format's stylesheets as links (the PDF writer passes them to WeasyPrint
instead), the preview stylesheet that draws an A4 sheet (browsers ignore ``@page``),
the reload script (``preview.js``, a file: the preview's Content-Security-Policy
runs no inline script), and a small bar linking the index and the PDF.  Every page,
the error page included, carries the reload script, so fixing a file brings the
document back without touching the browser.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import quote

from .errors import BuildError, SetupError
from .writers import pagefit

PREVIEW_CSS = Path(__file__).resolve().parent / "preview.css"
PREVIEW_JS = Path(__file__).resolve().parent / "preview.js"
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)

def reload_script(token: str) -> str:
    """preview.js, told the token of the version the page shows."""
    return f'<script src="/__preview.js" data-token="{html.escape(token)}"></script>'


def document_page(job, token: str, urls: list[str], sheet_margin: str | None) -> str:
    """``job.html`` with stylesheets, the A4 sheet, the reload script and the bar.
    The HTML is the PDF writer's (``pagefit.prepare``): wide tables span the
    columns, long strings break, paragraph ends are kept, as in the PDF."""
    links = "".join(f'<link rel="stylesheet" href="{html.escape(url)}">\n' for url in urls)
    margin = (f"<style>:root {{ --meetdocs-sheet-margin: {sheet_margin}; }}</style>\n"
              if sheet_margin else "")
    head = (f'{links}<link rel="stylesheet" href="/__preview.css">\n{margin}'
            f"{reload_script(token)}\n")
    name = quote(job.fmt.name)
    bar = (f'<nav class="meetdocs-preview-bar"><a href="/">all documents</a> '
           f'<a href="/{name}.pdf">PDF</a></nav>\n')
    page = _insert(_HEAD_END, pagefit.prepare(job.html), head, at_start=True)
    return _insert(_BODY_END, page, bar, at_start=False)


def _insert(pattern: re.Pattern, page: str, text: str, at_start: bool) -> str:
    match = pattern.search(page)
    if match is None:  # a template without </head> or </body>: the browser copes
        return text + page if at_start else page + text
    return page[:match.start()] + text + page[match.start():]


def index_page(meeting_id: str, jobs: list, token: str) -> str:
    rows = "".join(
        f'<li><a href="/{quote(job.fmt.name)}.html">{html.escape(job.title or job.fmt.name)}'
        f'</a> <span class="format">{html.escape(job.fmt.title)} · {html.escape(str(job.shown))}'
        f'</span> <a class="pdf" href="/{quote(job.fmt.name)}.pdf">PDF</a></li>\n'
        for job in jobs)
    body = (f"<h1>{html.escape(meeting_id)}</h1>\n<ul class=\"documents\">\n{rows}</ul>\n"
            "<p>Pages reload by themselves when a file in the meeting folder, "
            "content/glossary.yaml or templates/ is saved.</p>")
    return _plain_page(f"{meeting_id} — preview", body, token, "meetdocs-index")


def error_page(exc: BaseException, token: str) -> str:
    """The problems of a failed render; the page reloads when a file changes."""
    heading, items = describe(exc)
    lines = "".join(f"<li>{item}</li>\n" for item in items)
    body = (f'<section class="meetdocs-error" role="alert"><h1>{html.escape(heading)}'
            f"</h1>\n<ul>\n{lines}</ul>\n<p>This page reloads by itself when a file "
            "is saved.</p></section>")
    return _plain_page("Problems — preview", body, token, "meetdocs-error-page")


def describe(exc: BaseException) -> tuple[str, list[str]]:
    """A heading and one escaped HTML line per problem."""
    if isinstance(exc, BuildError):
        count = len(exc.problems)
        return (f"{count} problem{'s' * (count > 1)}, nothing to show",
                [problem_html(p) for p in exc.problems])
    if isinstance(exc, SetupError):
        fix = [f"fix: {html.escape(exc.fix)}"] if exc.fix else []
        return "This machine cannot render the documents", [html.escape(exc.message), *fix]
    from .serve_worker import crash_text

    return ("Unexpected error (a bug in meetdocs, please report it)",
            [html.escape(crash_text(exc))])


def problem_html(problem) -> str:
    where = problem.where()
    rest = str(problem)[len(where) + 2:]
    return f'<code class="where">{html.escape(where)}</code>: {html.escape(rest)}'


def not_found_page(path: str, token: str) -> str:
    body = (f"<h1>Not found</h1><p><code>{html.escape(path)}</code> is not a document "
            "of this meeting nor a file of its folder or of templates/.</p>"
            '<p><a href="/">all documents</a></p>')
    return _plain_page("Not found — preview", body, token, "meetdocs-index")


def too_large_page(path: str, size: int, limit: int, token: str) -> str:
    body = (f"<h1>Too large</h1><p><code>{html.escape(path)}</code> has "
            f"{size / 2**20:,.1f} MB; the preview serves at most {limit // 2**20} MB "
            "of a file of this kind, the limit of the build.</p>"
            '<p><a href="/">all documents</a></p>')
    return _plain_page("Too large — preview", body, token, "meetdocs-index")


def _plain_page(title: str, body: str, token: str, css_class: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n"
            f'<link rel="stylesheet" href="/__preview.css">\n{reload_script(token)}\n'
            f'</head>\n<body class="{css_class}">\n{body}\n</body>\n</html>\n')


def sheet_margin(stylesheets: list[Path], roots: list[Path]) -> str | None:
    """The ``margin`` of the last plain ``@page`` rule, so the sheet in the browser
    has the print margins; None if no stylesheet says.  Read like the build reads
    them: inside ``roots`` and never through a link."""
    import tinycss2

    from .files import read_inside

    found = None
    for sheet in stylesheets:
        try:
            text = read_inside(sheet, roots, sheet).decode("utf-8")
            rules = tinycss2.parse_stylesheet(text, skip_comments=True,
                                              skip_whitespace=True)
        except (BuildError, UnicodeDecodeError):
            continue  # the render reports unreadable files; the preview just goes on
        for rule in rules:
            found = _page_margin(rule) or found
    return found


def _page_margin(rule) -> str | None:
    import tinycss2

    if (rule.type != "at-rule" or rule.lower_at_keyword != "page" or rule.content is None
            or tinycss2.serialize(rule.prelude).strip()):
        return None  # named and :first pages do not set the sheet of the preview
    margin = None
    for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                               skip_whitespace=True):
        if item.type == "declaration" and item.lower_name == "margin":
            value = tinycss2.serialize(item.value).strip()
            margin = value if re.fullmatch(r"[\w.%\s-]+", value) else margin
    return margin
