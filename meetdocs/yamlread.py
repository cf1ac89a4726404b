"""Read YAML that people type by hand, keeping line numbers.

PyYAML's own loaders lose line numbers, keep the last of two equal keys, expand
aliases (a "billion laughs" file eats memory) and construct any tag they know.  So we
compose the node tree with the safe loader and convert it ourselves: every mapping
and list remembers the line of each entry, duplicate keys and aliases are problems,
and only the standard scalar tags are constructed.
"""

from __future__ import annotations

import yaml

from .errors import Problem


_SAFE_TAGS = {f"tag:yaml.org,2002:{name}" for name in
              ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
# Lists and mappings inside one another.  PyYAML composes (and we convert) nested
# values by recursion, so 1,000 '[' overflow Python's stack; meeting.yaml nests
# four levels (delegation, members, a member, its fields).
MAX_DEPTH = 20


class _TooDeep(Exception):
    def __init__(self, mark):
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """The safe loader, counting how deep the value being composed is nested."""

    depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.CollectionStartEvent):
            if self.depth >= MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1
        return super().compose_node(parent, index)


class _Invalid:
    """Stands for a value already reported as a problem, so it is not reported twice."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()


class LineDict(dict):
    """A mapping that knows the line of itself, of each key, and each raw scalar."""

    line: int
    lines: dict
    raw: dict


class LineList(list):
    line: int
    lines: list
    raw: list


class _Reader:
    def __init__(self, path, line_offset: int):
        self.path = path
        self.offset = line_offset
        self.problems: list[Problem] = []
        self.seen: set[int] = set()

    def line(self, node) -> int:
        return node.start_mark.line + 1 + self.offset

    def problem(self, node, message, expected=None, found=None):
        self.problems.append(Problem(self.path, self.line(node), message, expected, found))

    def convert(self, node, loader):
        if id(node) in self.seen:
            self.problem(node, "anchors and aliases (& and *) are not supported",
                         "each value written out", "a repeated alias")
            return INVALID
        self.seen.add(id(node))
        if node.tag not in _SAFE_TAGS:
            self.problem(node, f"the tag {node.tag} is not allowed", "plain values")
            return INVALID
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, loader)
        if isinstance(node, yaml.SequenceNode):
            return self.sequence(node, loader)
        return self.scalar(node, loader)

    def mapping(self, node, loader) -> LineDict:
        out = LineDict()
        out.line, out.lines, out.raw = self.line(node), {}, {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, loader)
            if not isinstance(key, str):
                key = str(key_node.value)
            if key in out:
                self.problem(key_node, f"key '{key}' is given twice (first on line "
                             f"{out.lines[key]})", "each key once")
                continue
            out[key] = self.convert(value_node, loader)
            out.lines[key] = self.line(key_node)
            out.raw[key] = value_node
        return out

    def sequence(self, node, loader) -> LineList:
        out = LineList()
        out.line, out.lines, out.raw = self.line(node), [], []
        for item in node.value:
            out.append(self.convert(item, loader))
            out.lines.append(self.line(item))
            out.raw.append(item)
        return out

    def scalar(self, node, loader):
        try:
            return loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            if isinstance(exc, ValueError) and node.tag.endswith(":timestamp"):
                self.problem(node, f"'{node.value}' is not a date that exists",
                             "a real date written YYYY-MM-DD", str(exc))
            else:
                self.problem(node, f"cannot read the value '{node.value}'",
                             "a valid value", str(exc).splitlines()[-1])
            return INVALID


def load(text: str, path, line_offset: int = 0):
    """Parse ``text``; return (data, problems).  ``line_offset`` shifts line numbers
    for YAML that starts below line 1 of its file (front matter)."""
    loader = _Loader(text)
    reader = _Reader(path, line_offset)
    try:
        node = loader.get_single_node()
    except _TooDeep as exc:
        return None, [Problem(path, exc.mark.line + 1 + line_offset, "values are "
                              "nested too deeply (lists and mappings inside one "
                              "another)", f"at most {MAX_DEPTH} levels",
                              f"more than {MAX_DEPTH}")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        col = f", column {mark.column + 1}" if mark else ""
        what = exc.problem or "syntax error"
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            what += (f" ({exc.context} that starts on line "
                     f"{exc.context_mark.line + 1 + line_offset})")
        return None, [Problem(path, line, f"YAML syntax error{col}: {what}")]
    finally:
        loader.dispose()
    if node is None:  # an empty file or front matter: no keys, each missing at its start
        empty = LineDict()
        empty.line, empty.lines, empty.raw = line_offset + 1, {}, {}
        return empty, []
    data = reader.convert(node, loader)
    return data, reader.problems
