#!/usr/bin/env bash
# make coverage: line coverage of the C++ host code (gcc --coverage, gcov) and, when the
# project's CMake offers the option LPU_COVERAGE (Verilator --coverage in the RTL models),
# of the RTL, from one run of the test suite (soak tests excluded) in build/coverage.
#
# Outputs: build/coverage/host.json and host.txt (per file), build/coverage/rtl.info (lcov
# format) and rtl-annotated/ when RTL coverage exists, and summary.txt.
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

if ((rtl_cov)); then
  mapfile -t dats < <(find "$BUILD" -name 'coverage*.dat' -type f)
  if ((${#dats[@]})); then
    verilator_coverage --write-info "$BUILD/rtl.info" "${dats[@]}" >/dev/null
    verilator_coverage --annotate "$BUILD/rtl-annotated" "${dats[@]}" | tail -n 1 \
      | sed 's/^/coverage: RTL /'
  else
    echo "coverage: RTL: LPU_COVERAGE is set but the tests wrote no coverage*.dat"
  fi
else
  echo "coverage: RTL not yet available (no LPU_COVERAGE option in CMake; verif/ adds it)"
fi
