"""The Jinja sandbox: what a template may touch, by allow-list.

A meeting's own templates are content, written by people other than the one who
runs the build.  Jinja's stock sandbox refuses a list of known dangers (``_``
names, a few mutating methods) and allows the rest, so a ``Path`` in the context
gave a template ``read_text`` and ``write_text``.  Here the rule is the other way
round: a template may read the keys of mappings and call the few pure methods
listed below on strings, lists, mappings and dates; every other attribute of every
other type is refused, whatever a later change puts into the context.

Arithmetic that would take minutes or gigabytes in one step (``7 ** 10 ** 9``,
``'a' * 10 ** 9``, a width of a billion spaces) is refused before it runs.  What a
loop could still build up step by step is stopped by the limits of
``limited()``: time, and memory.  docs/templates.md lists all of it for authors.
"""

from __future__ import annotations

import datetime as dt
import re
import resource
import threading
import types
from collections.abc import Mapping
from contextlib import contextmanager
from functools import wraps

from jinja2.defaults import DEFAULT_FILTERS
from jinja2.environment import TemplateModule
from jinja2.runtime import BlockReference, LoopContext, Macro, Undefined
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace

from .limits import time_limit

_STR = {"capitalize", "casefold", "count", "endswith", "find", "isalnum", "isalpha",
        "isdigit", "islower", "isspace", "istitle", "isupper", "join", "lower",
        "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind",
        "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith",
        "strip", "title", "upper"}
# What a template may read or call, per type; nothing else of any type.
ALLOWED = {
    str: _STR,
    dict: {"get", "items", "keys", "values"},
    list: {"count", "index"},
    tuple: {"count", "index"},
    dt.date: {"year", "month", "day", "isoformat", "weekday", "isoweekday"},
    LoopContext: {"index", "index0", "revindex", "revindex0", "first", "last",
                  "length", "depth", "depth0", "previtem", "nextitem", "cycle",
                  "changed"},
    Cycler: {"current", "next", "reset"},
}
# Jinja's globals minus lipsum (text of any length, for nothing a document needs).
GLOBALS = ("range", "dict", "cycler", "joiner", "namespace")

MAX_ITEMS = 1_000_000       # characters of a string, items of a list made at once
MAX_INT_BITS = 4096         # a 1,233-digit number: far past any page or date
MAX_WIDTH = 10_000          # center/indent/batch/slice sizes, % format widths
SECONDS = 30                # one document's template; real ones take < 1 s
MEMORY = 2 * 1024 ** 3      # address space a template may add to the process
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[a-zA-Z%]?")


class TemplateLimit(Exception):
    """A template went past a limit of this module; ``str()`` says which."""


class Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.globals = {name: self.globals[name] for name in GLOBALS}
        self.globals["range"] = bounded_range
        self.filters.update({name: _bounded(DEFAULT_FILTERS[name])
                             for name in ("center", "indent", "batch", "slice")})
        self.filters["format"] = _checked_format

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        if attr.startswith("_"):
            return False
        if isinstance(obj, Namespace):
            return True  # its attributes are values the template set itself
        if isinstance(obj, TemplateModule):  # an imported template's macros
            return attr in vars(obj)
        return any(isinstance(obj, kind) and attr in names
                   for kind, names in ALLOWED.items())

    def is_safe_callable(self, obj) -> bool:
        if isinstance(obj, (Macro, BlockReference, LoopContext, Joiner)):
            return True
        if any(obj is self.globals.get(name) for name in GLOBALS):
            return True
        owner = getattr(obj, "__self__", None)
        return (isinstance(obj, (types.BuiltinMethodType, types.MethodType))
                and owner is not None
                and self.is_safe_attribute(owner, obj.__name__, obj))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's names)
        if isinstance(__obj, Undefined):
            __obj()  # raises what was undefined or refused, rather than "not callable"
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj, attribute: str):
        """A mapping's keys come before its methods: ``priority.items`` is the
        priority's items, not ``dict.items``."""
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            return self._item(obj, attribute)
        if self.is_safe_attribute(obj, attribute, value):
            return value
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj, argument):
        try:
            return obj[argument]
        except (TypeError, LookupError):
            if not isinstance(argument, str):
                return self.undefined(obj=obj, name=argument)
        return self.getattr(obj, argument)

    def _item(self, obj, name):
        try:
            return obj[name]
        except (TypeError, LookupError):
            return self.undefined(obj=obj, name=name)

    def call_binop(self, context, operator: str, left, right):
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)


def check_binop(operator: str, left, right) -> None:
    """Refuse one step of arithmetic whose result would be too big to make."""
    ints = isinstance(left, int) and isinstance(right, int)
    if operator == "**" and ints and right > 0 and abs(left) > 1:
        if right * abs(left).bit_length() > MAX_INT_BITS:
            raise TemplateLimit(f"{left} ** {right} is too large a number")
    elif operator == "*" and ints:
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateLimit("a product too large to compute")
    elif operator == "*" and _count(left, right) > MAX_ITEMS:
        raise TemplateLimit(f"repeating makes more than {MAX_ITEMS:,} items")
    elif operator == "+" and _sized(left) and _sized(right):
        if len(left) + len(right) > MAX_ITEMS:
            raise TemplateLimit(f"joining makes more than {MAX_ITEMS:,} items")
    elif operator == "%" and isinstance(left, str):
        check_percent(left)


def _sized(value) -> bool:
    return isinstance(value, (str, list, tuple))


def _count(left, right) -> int:
    """The length of ``sequence * n`` (either way round), or 0."""
    for seq, times in ((left, right), (right, left)):
        if _sized(seq) and isinstance(times, int):
            return len(seq) * max(times, 0)
    return 0


def check_percent(text: str) -> None:
    for match in _PERCENT.finditer(text):
        for number in match.groups():
            if number == "*" or (number and int(number) > MAX_WIDTH):
                raise TemplateLimit(f"the format '{match[0]}' asks for a width "
                                    f"over {MAX_WIDTH:,}")


def _checked_format(value, *args, **kwargs):
    check_percent(str(value))
    return DEFAULT_FILTERS["format"](value, *args, **kwargs)


def _bounded(function):
    """A filter whose number arguments make sizes: each at most ``MAX_WIDTH``."""
    @wraps(function)
    def checked(*args, **kwargs):
        skip = 2 if getattr(function, "jinja_pass_arg", None) else 1  # context, value
        for value in [*args[skip:], *kwargs.values()]:
            if isinstance(value, int) and value > MAX_WIDTH:
                raise TemplateLimit(f"{function.__name__.removeprefix('do_')}: "
                                    f"{value:,} is over the limit of {MAX_WIDTH:,}")
        return function(*args, **kwargs)
    return checked


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateLimit(f"range() of {len(numbers):,} numbers; at most "
                            f"{MAX_RANGE:,}")
    return numbers


@contextmanager
def limited():
    """Time and memory limits around one rendering.  A signal and a process-wide
    memory limit can only be set safely from the main thread, which is where a
    build renders; the preview renders in its own worker, with its own limit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_memory_cap(soft), hard))
    try:
        with time_limit(SECONDS, _timeout):
            yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _memory_cap(soft: int) -> int:
    try:
        with open("/proc/self/statm") as statm:
            used = int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:  # no /proc: no memory limit, the time limit still holds
        return soft
    cap = used + MEMORY
    return cap if soft == resource.RLIM_INFINITY else min(cap, soft)


def _timeout() -> Exception:
    return TemplateLimit(f"the template ran longer than {SECONDS} s")

