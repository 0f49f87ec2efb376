#!/usr/bin/env bash
# make coverage: line coverage of the C++ host code (gcc --coverage, gcov) and, when the
# project's CMake offers the option LPU_COVERAGE (Verilator --coverage in the RTL models),
# of the RTL, from one run of the test suite (soak tests excluded) in build/coverage.
#
# RTL: every model owner writes its counts at exit (verif/common/rtl_coverage.hpp) to
# build/coverage/coverage-rtl/coverage-<model>-<pid>-<n>.dat; they are merged here with
# verilator_coverage into rtl.dat. A point counts as covered when it was hit at least once.
#
# Outputs in build/coverage/: host.json and host.txt (per file); rtl.txt and rtl.json (per
# RTL file and per block directory: line and toggle points covered/total and %), rtl.dat
# (merged), rtl.info (lcov format) and rtl-annotated/ (sources with counts) when RTL coverage
# exists; summary.txt (the totals).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LPU_BUILD_DIR:-$ROOT/build}/coverage"
JOBS="${JOBS:-2}"

rtl_cov=0
if grep -qs 'LPU_COVERAGE' "$ROOT/CMakeLists.txt" "$ROOT/verif/CMakeLists.txt"; then
  rtl_cov=1
fi

mkdir -p "$BUILD"
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
  args=(-S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug
        "-DCMAKE_CXX_FLAGS=--coverage -O0" "-DCMAKE_C_FLAGS=--coverage -O0"
        -DCMAKE_EXE_LINKER_FLAGS=--coverage -DLPU_USB=OFF)
  if ((rtl_cov)); then
    args+=(-DLPU_BUILD_RTL=ON -DLPU_COVERAGE=ON)
  else
    args+=(-DLPU_BUILD_RTL=OFF)
  fi
  cmake "${args[@]}" >"$BUILD/configure.log" 2>&1 \
    || { echo "coverage: configure FAILED (log $BUILD/configure.log)" >&2; tail -n 30 "$BUILD/configure.log" >&2; exit 1; }
fi
cmake --build "$BUILD" -j "$JOBS" >"$BUILD/build.log" 2>&1 \
  || { echo "coverage: build FAILED (log $BUILD/build.log)" >&2; sed -n '/^FAILED:/,$p' "$BUILD/build.log" | head -n 80 >&2; exit 1; }

# Fresh counters for this run.
find "$BUILD" -name '*.gcda' -delete
find "$BUILD" -name 'coverage*.dat' -delete
export LPU_COVERAGE_DIR="$BUILD/coverage-rtl"
rm -rf "$BUILD/rtl-annotated" "$BUILD/rtl.dat" "$BUILD/rtl.info" "$BUILD/rtl.txt" "$BUILD/rtl.json"
if ! ctest --test-dir "$BUILD" -LE soak -j "$JOBS" --no-tests=error >"$BUILD/ctest.log" 2>&1; then
  echo "coverage: note: some tests failed (log $BUILD/ctest.log); coverage is of the run as it was"
fi

python3 - "$ROOT" "$BUILD" <<'PY'
import json, pathlib, subprocess, sys
root, build = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
lines = {}  # source file -> {line: hit?}
for gcda in build.rglob("*.gcda"):
    proc = subprocess.run(["gcov", "--json-format", "--stdout", "-o", str(gcda.parent), str(gcda)],
                          capture_output=True, text=True, cwd=str(build))
    for chunk in proc.stdout.splitlines():
        try:
            doc = json.loads(chunk)
        except json.JSONDecodeError:
            continue
        for f in doc.get("files", []):
            p = pathlib.Path(f["file"])
            p = (pathlib.Path(doc.get("current_working_directory", build)) / p).resolve()
            try:
                rel = p.relative_to(root)
            except ValueError:
                continue
            if rel.parts[0] != "host" or rel.parts[1] in ("tests", "fuzz"):
                continue
            d = lines.setdefault(str(rel), {})
            for ln in f.get("lines", []):
                d[ln["line_number"]] = d.get(ln["line_number"], False) or ln["count"] > 0
rows = []
for f in sorted(lines):
    hit = sum(lines[f].values()); tot = len(lines[f])
    rows.append({"file": f, "lines": tot, "hit": hit, "percent": round(100.0 * hit / tot, 1) if tot else 100.0})
hit = sum(r["hit"] for r in rows); tot = sum(r["lines"] for r in rows)
total = round(100.0 * hit / tot, 1) if tot else 0.0
(build / "host.json").write_text(json.dumps({"files": rows, "lines": tot, "hit": hit, "percent": total}, indent=1) + "\n")
w = max([len("file")] + [len(r["file"]) for r in rows])
with open(build / "host.txt", "w") as out:
    out.write(f"{'file'.ljust(w)}  lines    hit      %\n")
    for r in rows:
        out.write(f"{r['file'].ljust(w)}  {r['lines']:5d}  {r['hit']:5d}  {r['percent']:5.1f}\n")
    out.write(f"{'total'.ljust(w)}  {tot:5d}  {hit:5d}  {total:5.1f}\n")
print(f"coverage: host C++ {total}% of {tot} lines ({len(rows)} files; build/coverage/host.txt)")
PY

host_line="$(tail -n 1 "$BUILD/host.txt" | awk '{printf "host C++: %s of %s lines hit (%s%%)", $3, $2, $4}')"
rtl_line="RTL: not measured"
if ((rtl_cov)); then
  mapfile -t dats < <(find "$BUILD" -name 'coverage*.dat' -type f -size +30c | sort)
  if ((${#dats[@]})); then
    # Merge in batches (the argument list of a full run is long), then report.
    merged=()
    for ((i = 0; i < ${#dats[@]}; i += 200)); do
      part="$BUILD/rtl-part$((i / 200)).dat"
      verilator_coverage --write "$part" "${dats[@]:i:200}" >/dev/null
      merged+=("$part")
    done
    verilator_coverage --write "$BUILD/rtl.dat" "${merged[@]}" >/dev/null
    rm -f "${merged[@]}"
    verilator_coverage --write-info "$BUILD/rtl.info" "$BUILD/rtl.dat" >/dev/null
    verilator_coverage --annotate "$BUILD/rtl-annotated" --annotate-all --annotate-min 1 "$BUILD/rtl.dat" >/dev/null
    rtl_line="$(python3 - "$ROOT" "$BUILD" "${#dats[@]}" <<'PY'
import json, os, pathlib, re, sys
root, build, nfiles = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
# One point per line: C '<\x01key\x02value>...' count. Keys: f file, l line, page
# v_line/<module>, v_branch/<module> or v_toggle/<module>, o signal or kind, h hierarchy.
kinds = {"v_line": "line", "v_branch": "line", "v_toggle": "toggle"}
files = {}  # rtl file -> kind -> [covered, total]
point = re.compile(r"^C '(.*)' (\d+)$")
for raw in (build / "rtl.dat").read_text(errors="replace").splitlines():
    m = point.match(raw)
    if not m:
        continue
    keys = {}
    for field in m.group(1).split("\x01"):
        if "\x02" in field:
            k, v = field.split("\x02", 1)
            keys[k] = v
    kind = kinds.get(keys.get("page", "").split("/")[0])
    if kind is None or "f" not in keys:
        continue
    p = pathlib.Path(os.path.normpath(keys["f"]))
    try:
        rel = p.relative_to(root) if p.is_absolute() else p
    except ValueError:
        continue
    if rel.parts[0] != "rtl":
        continue  # test wrappers (verif/...) are not the design
    c = files.setdefault(str(rel), {"line": [0, 0], "toggle": [0, 0]})[kind]
    c[1] += 1
    c[0] += int(m.group(2)) > 0

def pct(c):
    return round(100.0 * c[0] / c[1], 1) if c[1] else None

def add(a, b):
    for k in a:
        a[k][0] += b[k][0]; a[k][1] += b[k][1]

blocks, total = {}, {"line": [0, 0], "toggle": [0, 0]}
for f, c in files.items():
    parts = pathlib.Path(f).parts
    block = parts[1] if len(parts) > 2 else "."
    add(blocks.setdefault(block, {"line": [0, 0], "toggle": [0, 0]}), c)
    add(total, c)

def row(c):
    return {k: {"covered": c[k][0], "total": c[k][1], "percent": pct(c[k])} for k in c}

doc = {"threshold": 1, "dat_files": nfiles, "total": row(total),
       "blocks": {b: row(c) for b, c in sorted(blocks.items())},
       "files": {f: row(c) for f, c in sorted(files.items())}}

def cell(c):
    return f"{c[0]:7d}/{c[1]:<7d} {pct(c) if c[1] else '-':>5}" + ("%" if c[1] else " ")

w = max([len("rtl/<block> total")] + [len(f) for f in files]) + 2
with open(build / "rtl.txt", "w") as out:
    out.write("RTL coverage (Verilator --coverage-line --coverage-toggle; a point is covered when hit\n"
              "at least once; line = statement blocks and branches, toggle = signal bits)\n\n")
    out.write(f"{'file'.ljust(w)}{'line covered/total':>22}   {'toggle covered/total':>22}\n")
    for b in sorted(blocks):
        for f in sorted(x for x in files if (pathlib.Path(x).parts[1] if len(pathlib.Path(x).parts) > 2 else ".") == b):
            out.write(f"{f.ljust(w)}{cell(files[f]['line']):>22}   {cell(files[f]['toggle']):>22}\n")
        out.write(f"{('rtl/' + b + ' total').ljust(w)}{cell(blocks[b]['line']):>22}   {cell(blocks[b]['toggle']):>22}\n\n")
    out.write(f"{'total'.ljust(w)}{cell(total['line']):>22}   {cell(total['toggle']):>22}\n")
    missing = sorted(str(p.relative_to(root)) for p in (root / "rtl").rglob("*.sv")
                     if str(p.relative_to(root)) not in files and "gen" not in p.relative_to(root).parts)
    if missing:
        out.write(f"\nnot measured (no test ran them in a model built with coverage): {len(missing)} files\n")
        for f in missing:
            out.write(f"  {f}\n")
doc["not_measured"] = missing
(build / "rtl.json").write_text(json.dumps(doc, indent=1) + "\n")
lp, tp = pct(total["line"]), pct(total["toggle"])
print(f"RTL: line {total['line'][0]}/{total['line'][1]} ({lp}%), toggle {total['toggle'][0]}/{total['toggle'][1]} ({tp}%) "
      f"in {len(files)} files from {nfiles} runs; {len(missing)} RTL files not measured")
PY
)"
    echo "coverage: $rtl_line (build/coverage/rtl.txt, rtl-annotated/)"
  else
    rtl_line="RTL: LPU_COVERAGE is set but the tests wrote no coverage*.dat"
    echo "coverage: $rtl_line"
  fi
else
  echo "coverage: RTL not yet available (no LPU_COVERAGE option in CMake; verif/ adds it)"
fi
{
  echo "$host_line"
  echo "$rtl_line"
  if [[ -f "$BUILD/rtl.txt" ]]; then
    echo
    grep -E '^(rtl/[a-z_]+ total|total) ' "$BUILD/rtl.txt" || true
  fi
} >"$BUILD/summary.txt"
