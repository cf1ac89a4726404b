"""The share of the conformance corpus's units that arrive intact in each output.

    .venv/bin/python scripts/conformance.py [CHECKOUT]

builds every case of tests/data/corpus/good/ with the code and templates of
CHECKOUT (default: this one; e.g. a second worktree of main, to compare) and prints,
per output, how many marked units are the kind of element their manifest says
(tests/conformance.py), and which are not.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE / "tests"))

import conformance  # noqa: E402


def main() -> None:
    checkout = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE
    cases = conformance.cases("good")
    totals = {"html": [0, 0], "pdf": [0, 0], "docx": [0, 0], "odt": [0, 0]}
    with tempfile.TemporaryDirectory() as tmp:
        built = conformance.build(checkout, Path(tmp), cases)
        for case in cases:
            _, expected = conformance.manifest(case)
            if "error" in built[case]:
                print(f"{case.stem}: did not build: {built[case]['error'][:200]}")
            for output, failed in conformance.check(built[case], expected).items():
                totals[output][0] += len(expected) - len(failed)
                totals[output][1] += len(expected)
                if failed:
                    print(f"{case.stem} {output}: {' '.join(failed)}")
    for output, (intact, units) in totals.items():
        print(f"{output}: {intact}/{units} units intact ({100 * intact / units:.1f} %)")


if __name__ == "__main__":
    main()
