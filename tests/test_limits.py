"""Content too large or too deep to typeset is refused at once, at the line that
passes the limit, before Markdown or WeasyPrint see it; ``meetdocs/limits.py`` has
the measurements behind each limit.  The inputs are generated just past a limit."""

from __future__ import annotations

import os

import pytest

from conftest import DATA
from meetdocs import limits
from meetdocs.errors import BuildError
from meetdocs.markdown import MarkdownJob
from meetdocs.pipeline import build_meeting

SHOWN = "content/minimal/briefing.md"


@pytest.fixture
def briefing(project):
    root = project(minimal=DATA / "valid" / "minimal")
    return root / "content" / "minimal" / "briefing.md"


def append(path, text: str) -> int:
    """Append ``text`` after a blank line; return the line number it starts on."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before + "\n" + text, encoding="utf-8")
    return before.count("\n") + 2


def problems_of(path) -> list[str]:
    root = path.parents[2]
    with pytest.raises(BuildError) as caught:
        build_meeting(root, "minimal", root / "output")
    assert not (root / "output" / "minimal").exists()
    return [str(problem) for problem in caught.value.problems]


@pytest.fixture
def no_markdown(monkeypatch):
    """Refusing at once means Markdown never runs on the oversized text."""
    def convert(job):
        raise AssertionError("Markdown ran on content past a limit")
    monkeypatch.setattr(MarkdownJob, "convert", convert)


def test_a_file_past_the_size_limit_is_refused_at_the_line_that_passes_it(briefing):
    line = "亞太經濟合作會議第二次資深官員會議。\n"
    append(briefing, line * (limits.MAX_FILE_BYTES // len(line.encode()) + 10))
    with open(briefing, "rb") as handle:
        passing = handle.read(limits.MAX_FILE_BYTES).count(b"\n") + 1
    os.truncate(briefing, 20 * 2**20)  # a 20 MB file (sparse: no 20 MB written)
    assert problems_of(briefing) == [
        f"{SHOWN}:{passing}: the file passes the size limit on this line; split it "
        "into several documents; expected at most 1,024 KB, found 20.0 MB"]


def test_more_table_rows_than_the_limit_are_refused_before_markdown(briefing,
                                                                     no_markdown):
    count = limits.MAX_TABLE_ROWS + 4
    first = append(briefing, "| 年 | 會議 |\n|:--|--:|\n" +
                   "".join(f"| {n} | 第{n}次會議 |\n" for n in range(count)))
    # The header is row 1; data row n (from 1) is row n + 1, on line first + 1 + n.
    assert problems_of(briefing) == [
        f"{SHOWN}:{first + 1 + limits.MAX_TABLE_ROWS}: the tables of this document "
        "pass 2,000 rows on this line; split the document or summarise the data; "
        f"expected at most 2,000 table rows in a document, found {count + 1:,} rows"]


def test_a_list_nested_past_the_limit_is_refused_before_markdown(briefing, no_markdown):
    first = append(briefing, "".join("    " * n + f"- 第{n}層\n" for n in range(40)))
    assert problems_of(briefing) == [
        f"{SHOWN}:{first + limits.MAX_NESTING + 1}: this line is nested too deeply "
        "(quotes '>' and 4-space indents inside one another); expected at most "
        f"{limits.MAX_NESTING} levels, found {limits.MAX_NESTING + 1} levels"]


def test_emphasis_nested_past_the_limit_is_refused_before_weasyprint(briefing):
    line = append(briefing, "前文\n\n" + "*" * 100 + "強調" + "*" * 100 + "\n") + 2
    [problem] = problems_of(briefing)
    assert problem.startswith(f"{SHOWN}:{line}: the text is nested too deeply to "
                              "typeset (lists, quotes or emphasis inside one another); "
                              f"expected at most {limits.MAX_DEPTH} levels, found ")


def test_markdown_overflowing_its_stack_is_a_problem_not_a_crash(briefing, monkeypatch):
    first = append(briefing, "> > > 引文\n")
    def overflow(self, text):
        raise RecursionError
    monkeypatch.setattr("markdown.Markdown.convert", overflow)
    assert problems_of(briefing) == [
        f"{SHOWN}:{first}: the text is nested too deeply to typeset (lists, quotes or "
        f"emphasis inside one another); expected at most {limits.MAX_DEPTH} levels, "
        "found more than Markdown can read"]


def test_a_document_at_the_nesting_limits_builds(briefing):
    """The limits stay below what WeasyPrint can lay out (it overflows its stack
    at a hundred nested lists): the deepest list allowed, its last item a loose
    paragraph with a link in emphasis."""
    levels = "".join("    " * n + f"- 第{n}層\n" for n in range(limits.MAX_NESTING))
    last = "    " * limits.MAX_NESTING + "**[網站](https://www.apec.org)**\n"
    append(briefing, levels + "\n" + last)
    root = briefing.parents[2]
    outcome = build_meeting(root, "minimal", root / "output")
    assert outcome.written[0].read_bytes().startswith(b"%PDF")


def test_a_folder_named_like_a_document_is_a_problem_not_a_crash(briefing):
    """A folder, pipe or device named *.md is never opened: a pipe would block the
    build, a device might never end."""
    (briefing.parent / "delegation-report.md").mkdir()
    assert problems_of(briefing) == [
        "content/minimal/delegation-report.md: not a regular file; expected a text "
        "file, found a folder, device or pipe"]
