#!/usr/bin/env python3
"""Benchmark of the build (issue 7): how long, how much memory, how large the PDFs.

    python3 scripts/benchmark.py [--runs N] [--quick]

Measures, each as the median (min, max) of N runs of a fresh process:

1. cold:   python3 build.py som1-2026 --force            (every document, every output)
2. pandoc: the same outputs the way a user would otherwise make them: pandoc with
           --pdf-engine=weasyprint (our .venv's) and pandoc → DOCX
3. no-op:  python3 build.py som1-2026 right after a build
4. --all --force --jobs 1 against --all --force (one worker per core)
5. peak memory of every run, PDF bytes per page of every PDF
6. a briefing ten times as long against the same briefing once
7. what the bytes of a text-only two-page briefing PDF are made of

It is a measurement, not a test: it fails only if a command fails.  Everything runs
in a temporary copy of the project (sharing the project's .venv), so output/ and
content/ of the project are never touched.  Standard library only: it runs under the
same python3 as build.py.  See docs/benchmarks.md for what the numbers mean.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEETING = "som1-2026"
# pandoc for the comparison, poppler-utils (pdfinfo, pdftotext) and qpdf to read the
# PDFs back: the benchmark's own tools, installed the way build.py installs its own.
TOOLS = {"pandoc": "pandoc", "pdfinfo": "poppler-utils", "pdftotext": "poppler-utils",
         "qpdf": "qpdf"}
# Meetings the benchmark generates; they exist only in the temporary copy.
LONG, SHORT, TEXT_ONLY = "bench-x10", "bench-x1", "bench-text"
REPEAT = 10
MIB = 1024


# ---------------------------------------------------------------- running commands

@dataclass
class Run:
    seconds: float
    cpu: float       # user + system of the process and every child it waited for
    rss_kib: int     # largest resident set of any one process of the run


@dataclass
class Series:
    name: str
    runs: list[Run] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    def peak_mib(self) -> float:
        return max(r.rss_kib for r in self.runs) / MIB


def run_once(command: list[str], cwd: Path, env: dict | None = None,
             expect: str | None = None) -> Run:
    """One command in a fresh process.  os.wait4 gives the rusage of exactly this
    child and the children it reaped, which getrusage(RUSAGE_CHILDREN) cannot: its
    ru_maxrss is a high-water mark over every child the benchmark ever had."""
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=log,
                                 stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        text = log.read().decode(errors="replace")
    if child.returncode or (expect and expect not in text):
        sys.exit(f"benchmark: {' '.join(command)} (in {cwd}) failed "
                 f"(exit {child.returncode}):\n{text}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def run_steps(steps: list[tuple], series: Series) -> None:
    """Several commands as one sample (pandoc needs one per output)."""
    runs = [run_once(*step) for step in steps]
    series.runs.append(Run(sum(r.seconds for r in runs), sum(r.cpu for r in runs),
                           max(r.rss_kib for r in runs)))


def interleaved(rounds: int, plan: dict[str, list[tuple]]) -> dict[str, Series]:
    """Runs the series in turn, round by round, so that a change in the machine's
    load (other builds) falls on every series alike instead of on one."""
    results = {name: Series(name) for name in plan}
    for index in range(rounds):
        for name, steps in plan.items():
            run_steps(steps, results[name])
        print(f"  round {index + 1}/{rounds}", file=sys.stderr, flush=True)
    return results


def build(project: Path, *args: str, expect: str | None = None) -> tuple:
    """python3 build.py as a user runs it.  The interpreter is the one running this
    script (a pyenv shim would add ~70 ms of bash to every run), and Python's usual
    bytecode cache is on even where PYTHONDONTWRITEBYTECODE is set (sandboxes set it),
    as on a user's machine; the cache is written into the temporary copy only."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return ([sys.executable, "build.py", *args], project, env, expect)


# ---------------------------------------------------------------- setting up

def install_tools() -> None:
    missing = sorted({package for tool, package in TOOLS.items()
                      if shutil.which(tool) is None})
    if not missing:
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit(f"benchmark: missing {' '.join(missing)}; as root: "
                 f"apt-get update && {' '.join(command)}")
    print(f"benchmark: installing {' '.join(missing)} (apt-get)", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(command + ["-qq"], check=True, env=env)


def prepare_venv() -> None:
    """build.py's first run installs the system packages and .venv; `list` writes
    nothing, so the project's output/ stays as it is."""
    subprocess.run([sys.executable, "build.py", "list"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def copy_project(into: Path) -> Path:
    """The project without its outputs, tests and history.  .venv is a link to the
    project's: build.py compares resolved paths, so it runs in it unchanged."""
    project = into / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(
        ".git", ".venv", "output", "tests", "__pycache__", ".pytest_cache"))
    (project / ".venv").symlink_to(ROOT / ".venv")
    return project


def split_front_matter(text: str) -> tuple[str, str]:
    end = text.index("\n---\n", 4) + len("\n---\n")
    return text[:end], text[end:]


def add_meeting(project: Path, meeting_id: str, body) -> None:
    """A copy of som1-2026 with only its briefing, the body replaced by body(old)."""
    source = project / "content" / MEETING
    folder = project / "content" / meeting_id
    shutil.copytree(source, folder)
    for other in folder.glob("*.md"):
        if other.name != "briefing.md":
            other.unlink()
    head, text = split_front_matter((source / "briefing.md").read_text(encoding="utf-8"))
    (folder / "briefing.md").write_text(head + body(text), encoding="utf-8")


def repeated(text: str) -> str:
    return "\n\n".join([text.strip()] * REPEAT) + "\n"


def without_images(text: str) -> str:
    return re.sub(r"(?m)^!\[[^\n]*\]\([^)\n]*\)[ \t]*\n", "", text)


# ---------------------------------------------------------------- pandoc

def formats_of(project: Path) -> dict[str, dict]:
    """Each document of the meeting: its format's outputs, stylesheet, reference.
    format.yaml's one-line `outputs: [...]` is read with a regular expression, as the
    script has no YAML parser (it runs before and outside .venv)."""
    found = {}
    for source in sorted((project / "content" / MEETING).glob("*.md")):
        folder = project / "templates" / source.stem
        spec = (folder / "format.yaml").read_text(encoding="utf-8")
        outputs = re.search(r"(?m)^outputs:\s*\[([^\]]*)\]", spec).group(1)
        found[source.name] = {"outputs": [o.strip() for o in outputs.split(",")],
                              "css": folder / "style.css",
                              "reference": folder / "reference.docx"}
    return found


def pandoc_steps(project: Path, out: Path) -> list[tuple]:
    """The outputs our build makes, made by pandoc from the same Markdown.  pandoc
    reads our YAML front matter as its metadata; it runs in the meeting folder so
    that the images' relative paths resolve."""
    venv_bin = ROOT / ".venv" / "bin"
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}"}
    folder = project / "content" / MEETING
    steps = []
    for name, fmt in formats_of(project).items():
        for kind in fmt["outputs"]:
            target = out / f"pandoc-{Path(name).stem}.{kind}"
            command = ["pandoc", name, "-f", "markdown", "-s", "-o", str(target),
                       "-V", "lang=zh-Hant"]
            if kind == "pdf":
                command += ["--pdf-engine=weasyprint", "--css", str(fmt["css"])]
            elif fmt["reference"].exists():
                command += ["--reference-doc", str(fmt["reference"])]
            steps.append((command, folder, env))
    return steps


# ---------------------------------------------------------------- PDFs

def tool_output(*command: str, cwd: Path | None = None) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True,
                          cwd=cwd).stdout


def pages(pdf: Path) -> int:
    return int(re.search(r"(?m)^Pages:\s+(\d+)", tool_output("pdfinfo", str(pdf))).group(1))


def pdf_sizes(pdfs: list[Path]) -> list[tuple[str, int, int]]:
    return [(pdf.name, pdf.stat().st_size, pages(pdf)) for pdf in pdfs]


def xref(pdf: Path) -> dict[int, tuple]:
    """Object number → ("at", offset) or ("in", object stream, index)."""
    table = {}
    for line in tool_output("qpdf", "--show-xref", str(pdf)).splitlines():
        number = int(line.split("/")[0])
        if match := re.search(r"uncompressed; offset = (\d+)", line):
            table[number] = ("at", int(match.group(1)))
        elif match := re.search(r"compressed; stream = (\d+), index = (\d+)", line):
            table[number] = ("in", int(match.group(1)), int(match.group(2)))
    return table


def object_sizes(pdf: Path, table: dict[int, tuple]) -> dict[int, float]:
    """Bytes of the file each object accounts for.  An object written on its own
    owns the bytes up to the next one; the bytes of an object stream (compressed as
    one) are shared among its members in proportion to their uncompressed text."""
    total = pdf.stat().st_size
    placed = sorted((where[1], number) for number, where in table.items()
                    if where[0] == "at")
    ends = [offset for offset, _ in placed[1:]] + [total]
    sizes = {number: end - offset for (offset, number), end in zip(placed, ends)}
    for stream in {where[1] for where in table.values() if where[0] == "in"}:
        shares = member_lengths(pdf, stream)
        whole = sizes.pop(stream)
        for number, length in shares.items():
            sizes[number] = whole * length / sum(shares.values())
    sizes[0] = placed[0][0] if placed else total  # the header before the first object
    return sizes


def member_lengths(pdf: Path, stream: int) -> dict[int, int]:
    data = subprocess.run(["qpdf", f"--show-object={stream}", "--filtered-stream-data",
                           str(pdf)], capture_output=True, check=True).stdout
    first = objects(pdf)[stream]["/First"]
    numbers = [int(n) for n in data[:first].split()]
    pairs = list(zip(numbers[0::2], numbers[1::2]))
    starts = [offset for _, offset in pairs[1:]] + [len(data) - first]
    return {number: end - offset for (number, offset), end in zip(pairs, starts)}


@functools.lru_cache(maxsize=None)
def objects(pdf: Path) -> dict[int, dict]:
    """qpdf's JSON (version 2) of every object, keyed by number (a stream by its
    dictionary); the trailer is -1."""
    found = json.loads(tool_output("qpdf", "--json", "--json-key=qpdf", str(pdf)))
    table = {}
    for key, value in found["qpdf"][1].items():
        if key == "trailer":
            table[-1] = value.get("value", {})
        else:
            number = int(key.split(":")[1].split()[0])
            table[number] = value["stream"]["dict"] if "stream" in value else value["value"]
    return table


def refs(value) -> set[int]:
    """Object numbers that value refers to, at any depth ("12 0 R" in qpdf's JSON)."""
    if isinstance(value, str):
        match = re.fullmatch(r"(\d+) 0 R", value)
        return {int(match.group(1))} if match else set()
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, list):
        return set()
    return set().union(*(refs(item) for item in value))


def reach(table: dict, starts: set[int], label: str, kinds: dict[int, str]) -> None:
    """Every object reachable from starts and not yet labelled gets label."""
    todo = [n for n in starts if n in table]
    while todo:
        number = todo.pop()
        if number in kinds:
            continue
        kinds[number] = label
        todo.extend(n for n in refs(table[number]) if n in table and n not in kinds)


def classify(table: dict[int, dict]) -> dict[int, str]:
    """Each object's part of the PDF, the most specific part first: a structure
    element points at its page, so pages are labelled before the structure tree."""
    kinds: dict[int, str] = {}

    def of_type(key: str, value: str) -> set[int]:
        return {n for n, v in table.items() if isinstance(v, dict) and v.get(key) == value}

    for number, value in table.items():
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            if isinstance(value, dict) and key in value:
                name = value.get("/FontName", "?").lstrip("/")
                reach(table, refs(value[key]), f"font program {name}", kinds)
    reach(table, of_type("/Type", "/Font"), "font dictionaries, widths, ToUnicode", kinds)
    reach(table, of_type("/Subtype", "/Image"), "images", kinds)
    contents = set().union(set(), *(refs(table[n].get("/Contents", []))
                                    for n in of_type("/Type", "/Page")))
    reach(table, contents | of_type("/Subtype", "/Form"), "page content streams", kinds)
    catalog = table[int(table[-1]["/Root"].split()[0])]
    reach(table, refs(catalog.get("/Metadata", "")) | refs(table[-1].get("/Info", "")),
          "metadata (XMP, Info)", kinds)
    reach(table, refs(catalog.get("/OutputIntents", [])), "PDF/A output intent (ICC)",
          kinds)
    reach(table, refs(catalog.get("/Pages", "")), "page tree, resources, links", kinds)
    reach(table, refs(catalog.get("/StructTreeRoot", "")), "structure tree (tagging)",
          kinds)
    reach(table, refs(catalog.get("/Outlines", "")), "outlines (bookmarks)", kinds)
    return kinds


def byte_breakdown(pdf: Path) -> list[tuple[str, float]]:
    table = objects(pdf)
    kinds = classify(table)
    parts: dict[str, float] = {}
    for number, size in object_sizes(pdf, xref(pdf)).items():
        label = kinds.get(number, "other (catalog, xref, header)")
        parts[label] = parts.get(label, 0) + size
    return sorted(parts.items(), key=lambda item: -item[1])


def text_check(pdf: Path, markdown: Path) -> tuple[int, int, int]:
    """How many of the Markdown's paragraphs, list items and headings pdftotext finds
    again (first 30 characters, white space ignored), of how many; and the number of
    distinct characters in the extracted text."""
    extracted = re.sub(r"\s+", "", tool_output("pdftotext", str(pdf), "-"))
    _, body = split_front_matter(markdown.read_text(encoding="utf-8"))
    blocks = []
    for line in body.splitlines():
        line = re.sub(r"^(#+|[-*]|\d+\.)\s+|\s*\{[^}]*\}$", "", line.strip())
        if line and not line.startswith(("![", "!!!", "|", "[^")):
            blocks.append(re.sub(r"\s+", "", line)[:30])
    found = sum(block in extracted for block in blocks)
    return found, len(blocks), len(set(extracted))


def font_file_sizes(parts: list[tuple[str, float]]) -> list[tuple[str, int]]:
    """Each embedded font beside the size of its installed file: what full_fonts
    would embed instead of the subset."""
    installed = {}
    for line in tool_output("fc-list", "--format",
                            "%{postscriptname}\t%{file}\n").splitlines():
        name, _, path = line.partition("\t")
        if name and os.path.exists(path):
            installed[_plain(name)] = os.path.getsize(path)
    found = []
    for label, _ in parts:
        name = _plain(label.split("+", 1)[-1])
        size = installed.get(name) or installed.get(name + "regular")
        if label.startswith("font program") and size:
            found.append((label, size))
    return found


def _plain(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# ---------------------------------------------------------------- the machine

def first_match(path: str, pattern: str) -> str:
    try:
        match = re.search(pattern, Path(path).read_text(), re.M)
    except OSError:
        return "?"
    return match.group(1).strip() if match else "?"


def machine(project: Path) -> dict[str, str]:
    venv_python = str(ROOT / ".venv" / "bin" / "python")
    ram = int(first_match("/proc/meminfo", r"^MemTotal:\s+(\d+)")) / MIB / MIB
    system = first_match("/etc/os-release", r'^PRETTY_NAME="?([^"\n]*)')
    return {
        "CPU": first_match("/proc/cpuinfo", r"^model name\s*:\s*(.*)$"),
        "cores": f"{len(os.sched_getaffinity(0))} usable of {os.cpu_count()}",
        "RAM": f"{ram:.1f} GiB",
        "OS": f"{system}, Linux {platform.release()}",
        "Python": tool_output(venv_python, "--version").strip(),
        "WeasyPrint": tool_output(str(ROOT / ".venv" / "bin" / "weasyprint"),
                                  "--version").strip(),
        "pandoc": tool_output("pandoc", "--version").splitlines()[0],
        "qpdf": tool_output("qpdf", "--version").splitlines()[0],
        "poppler": subprocess.run(["pdfinfo", "-v"], capture_output=True, text=True,
                                  ).stderr.splitlines()[0],
        "full_fonts": tool_output(venv_python, "-c", "from meetdocs.writers.pdf import "
                                  "PDF_OPTIONS; print(PDF_OPTIONS['full_fonts'])",
                                  cwd=project).strip(),
    }


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---------------------------------------------------------------- the report

def table(header: list[str], rows: list[list]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    print()


def time_rows(series: list[Series]) -> list[list]:
    return [[s.name, f"{s.median():.2f}", f"{min(r.seconds for r in s.runs):.2f}",
             f"{max(r.seconds for r in s.runs):.2f}",
             f"{statistics.median(r.cpu for r in s.runs):.2f}", f"{s.peak_mib():.0f}"]
            for s in series]


def verdict(value: float, target: float, below: bool) -> str:
    met = value < target if below else value >= target
    return "met" if met else "MISSED"


RATIOS = [("cold / pandoc", "cold", "pandoc", "< 0.8", 0.8, True),
          ("no-op / cold", "no-op", "cold", "< 0.1", 0.1, True),
          ("serial / parallel", "all --jobs 1", "all (parallel)", "≥ 1.7", 1.7, False),
          ("10× / 1× time", "briefing 10×", "briefing 1×", "≤ 10", 10.0001, True)]


def ratio_rows(s: dict[str, Series]) -> list[list]:
    """The verdict is on the medians; the ratio of the fastest runs (least disturbed
    by other load) and of CPU seconds (hardly disturbed, but blind to parallelism)
    are there to tell noise from a real miss."""
    rows = []
    for name, a, b, target, limit, below in RATIOS:
        value = s[a].median() / s[b].median()
        fastest = min(r.seconds for r in s[a].runs) / min(r.seconds for r in s[b].runs)
        cpu = statistics.median(r.cpu for r in s[a].runs) / statistics.median(
            r.cpu for r in s[b].runs)
        rows.append([name, f"{value:.2f}", f"{fastest:.2f}", f"{cpu:.2f}", target,
                     verdict(value, limit, below)])
    peak = s["briefing 10×"].peak_mib()
    rows.append(["10× peak RSS (MiB)", f"{peak:.0f}", "", "", "< 300",
                 verdict(peak, 300, True)])
    return rows


def report(info: dict, series: dict[str, Series], sizes, breakdown, fonts, text,
           loads: list[tuple[str, str]], runs: int) -> None:
    print(f"\n## Results, {datetime.date.today().isoformat()}, median of {runs} runs\n")
    table(["machine", ""], [[k, v] for k, v in info.items()])
    print("load average (1, 5, 15 min): "
          + "; ".join(f"{when} {load}" for when, load in loads) + "\n")
    table(["run", "median s", "min s", "max s", "CPU s", "peak RSS MiB"],
          time_rows(list(series.values())))
    table(["ratio", "median", "fastest", "CPU", "target", ""], ratio_rows(series))
    table(["PDF", "KiB", "pages", "KiB/page"],
          [[name, f"{size / 1024:.0f}", count, f"{size / 1024 / count:.0f}"]
           for name, size, count in sizes])
    print_breakdown(breakdown, fonts, text)


def print_breakdown(breakdown, fonts, text) -> None:
    name, count, parts = breakdown
    total = sum(size for _, size in parts)
    print(f"Bytes of {name} ({count} pages, {total / 1024:.0f} KiB):\n")
    rows = [[label, f"{size / 1024:.1f}", f"{100 * size / total:.1f} %"]
            for label, size in parts]
    table(["part", "KiB", "share"], rows)
    for label, installed in fonts:
        print(f"{label}: the installed font file is {installed / MIB / MIB:.1f} MiB")
    found, paragraphs, distinct = text
    print(f"pdftotext finds {found} of {paragraphs} paragraphs of the Markdown; "
          f"{distinct} distinct characters in the text")


# ---------------------------------------------------------------- the benchmark

def measure_one(project: Path, out: Path, runs: int) -> dict[str, Series]:
    run_once(*build(project, MEETING, "--force"))  # bytecode and page cache warm
    return interleaved(runs, {
        "cold": [build(project, MEETING, "--force")],
        "no-op": [build(project, MEETING, expect="up to date")],
        "pandoc": pandoc_steps(project, out)})


def measure_all(project: Path, out: Path, runs: int) -> dict[str, Series]:
    run_once(*build(project, "--all", "--force"))
    return interleaved(runs, {
        "all --jobs 1": [build(project, "--all", "--force", "--jobs", "1")],
        "all (parallel)": [build(project, "--all", "--force")]})


def measure_long(project: Path, out: Path, runs: int) -> dict[str, Series]:
    add_meeting(project, SHORT, lambda text: text)
    add_meeting(project, LONG, repeated)
    for meeting_id in (SHORT, LONG):
        run_once(*build(project, meeting_id))
    return interleaved(runs, {"briefing 1×": [build(project, SHORT, "--force")],
                              "briefing 10×": [build(project, LONG, "--force")]})


def measure_check(project: Path, out: Path, runs: int) -> dict[str, Series]:
    """build.py check: the reviews of one meeting, nothing rendered (the target is
    well under a second)."""
    return interleaved(runs, {"check som1-2026": [
        build(project, "check", MEETING, "--strict", expect="0 findings")]})


def inspect_text_only(project: Path):
    add_meeting(project, TEXT_ONLY, without_images)
    run_once(*build(project, TEXT_ONLY))
    pdf = project / "output" / TEXT_ONLY / f"{TEXT_ONLY}-briefing.pdf"
    parts = byte_breakdown(pdf)
    fonts = font_file_sizes(parts)
    text = text_check(pdf, project / "content" / TEXT_ONLY / "briefing.md")
    return (pdf.name, pages(pdf), parts), fonts, text


def all_pdfs(project: Path, out: Path) -> list[Path]:
    return sorted((project / "output").glob("*/*.pdf")) + sorted(out.glob("*.pdf"))


PHASES = {"som1-2026 cold, no-op, pandoc": measure_one,
          "--all serial and parallel": measure_all,
          "briefing 1× and 10×": measure_long,
          "check som1-2026": measure_check}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="one run of each: checks the script, not the build")
    args = parser.parse_args()
    runs = 1 if args.quick else max(1, args.runs)
    install_tools()
    prepare_venv()
    with tempfile.TemporaryDirectory(prefix="meetdocs-bench-") as temp:
        project, out = copy_project(Path(temp)), Path(temp) / "pandoc"
        out.mkdir()
        info, series, loads = machine(project), {}, []
        for phase, measure in PHASES.items():
            loads.append((f"before {phase}", loadavg()))
            print(f"benchmark: {phase}", file=sys.stderr, flush=True)
            series.update(measure(project, out, runs))
        loads.append(("after", loadavg()))
        breakdown, fonts, text = inspect_text_only(project)
        sizes = pdf_sizes(all_pdfs(project, out))
        report(info, series, sizes, breakdown, fonts, text, loads, runs)
    if runs < 5:
        print("\n(fewer than 5 runs: for trying the script, not for quoting)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
