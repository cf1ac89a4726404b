"""Write meetdocs/review/both_scripts.txt: the characters OpenCC converts from
Simplified to Traditional although they are Traditional characters too (后 in 皇后,
干 in 干涉, 里 in 公里).  The review must not flag them, and OpenCC's Python binding
returns only the first candidate of a conversion, so the list is read from OpenCC's
own dictionary (STCharacters: a character whose candidates include itself) with the
opencc_dict tool that comes in the wheel.  Run after changing the pinned OpenCC:

    .venv/bin/python scripts/opencc_shared.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import opencc

OUT = Path(__file__).resolve().parent.parent / "meetdocs" / "review" / "both_scripts.txt"


def shared_characters() -> list[str]:
    clib = Path(opencc.__file__).parent / "clib"
    with tempfile.TemporaryDirectory() as temp:
        text = Path(temp) / "st.txt"
        subprocess.run([str(clib / "bin" / "opencc_dict"), "-i",
                        str(clib / "share" / "opencc" / "STCharacters.ocd2"),
                        "-o", str(text), "-f", "ocd2", "-t", "text"], check=True)
        rows = [row.split("\t") for row in text.read_text("utf-8").splitlines()]
    return sorted(key for key, values in rows if key in values.split())


def main() -> int:
    chars = shared_characters()
    OUT.write_text(f"# OpenCC {opencc.__version__} STCharacters: characters that are "
                   "their own Traditional form too (scripts/opencc_shared.py)\n"
                   + "".join(chars) + "\n", encoding="utf-8")
    print(f"wrote {len(chars)} characters to {OUT.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
