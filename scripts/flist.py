#!/usr/bin/env python3
"""Read RTL file lists (rtl/*.f) for lint, synthesis and the Verilator builds.

Usage:
  flist.py files    LIST.f...   source files, absolute, in list order, each once
  flist.py incdirs  LIST.f...   +incdir+ directories, absolute
  flist.py defines  LIST.f...   +define+ macros (NAME or NAME=VALUE)
  flist.py modules  LIST.f...   "module<TAB>file" for every module the files declare

List syntax (a subset of the Verilator/EDA -f format): one entry per line; `//` and `#` start
comments; paths are relative to the repository root; `+incdir+DIR`, `+define+NAME[=VALUE]`,
and `-f OTHER.f` (nested list) are understood. Anything else is an error naming file and line,
and so is a listed file that does not exist.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

_MODULE_RE = re.compile(r"^\s*module\s+(?:automatic\s+|static\s+)?([A-Za-z_][A-Za-z0-9_$]*)",
                        re.MULTILINE)


def fail(msg):
    print(f"flist.py: {msg}", file=sys.stderr)
    sys.exit(2)


def strip_comment(line):
    for marker in ("//", "#"):
        cut = line.find(marker)
        if cut >= 0:
            line = line[:cut]
    return line.strip()


def parse(flist, out, seen_lists):
    path = (ROOT / flist).resolve() if not pathlib.Path(flist).is_absolute() else pathlib.Path(flist)
    if not path.is_file():
        fail(f"{flist}: no such file list")
    if path in seen_lists:
        return  # already read (a list included twice, or a -f cycle)
    seen_lists.add(path)
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        lineno = i + 1
        entry = strip_comment(lines[i])
        i += 1
        if not entry:
            continue
        where = f"{rel}:{lineno}"
        if entry.startswith("+incdir+"):
            for d in entry[len("+incdir+"):].split("+"):
                if d:
                    p = (ROOT / d).resolve()
                    if not p.is_dir():
                        fail(f"{where}: no such include directory '{d}'")
                    out["incdirs"].append(p)
        elif entry.startswith("+define+"):
            out["defines"].extend(d for d in entry[len("+define+"):].split("+") if d)
        elif entry.startswith("-f ") or entry.startswith("-F "):
            parse(entry[3:].strip(), out, seen_lists)
        elif entry.startswith("-") or entry.startswith("+"):
            fail(f"{where}: unsupported option '{entry}'")
        else:
            p = (ROOT / entry).resolve()
            if not p.is_file():
                fail(f"{where}: no such file '{entry}'")
            if p not in out["files"]:
                out["files"].append(p)


def declared_modules(path):
    text = path.read_text()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    text = re.sub(r"//[^\n]*", "", text)
    return _MODULE_RE.findall(text)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("files", "incdirs", "defines", "modules"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    what, lists = sys.argv[1], sys.argv[2:]
    out = {"files": [], "incdirs": [], "defines": []}
    seen = set()
    for fl in lists:
        parse(fl, out, seen)
    if what == "modules":
        for f in out["files"]:
            for m in declared_modules(f):
                print(f"{m}\t{f}")
    else:
        for item in dict.fromkeys(out[what]):
            print(item)


if __name__ == "__main__":
    main()
