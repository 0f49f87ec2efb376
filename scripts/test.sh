#!/usr/bin/env bash
# make test: everything CI checks, in order, on a fresh Debian 12 machine.
#
#   1 setup      scripts/setup.sh (instant when .venv/.setup-stamp is fresh)
#   2 gen-check  generated files are fresh (scripts/gen_isa.py --check)
#   3 docs       relative links in the Markdown resolve (scripts/check_links.py)
#   4 build      CMake + Ninja into build/ (scripts/build.sh)
#   5 ctest      every unit, golden-model and RTL test (not label "soak"), -j2
#   6 lint       Verilator -Wall, each module as its own top (scripts/lint.sh)
#   7 synth      Yosys for ECP5 and iCE40 (scripts/synth.sh)
#   8 fuzz       each libFuzzer target for FUZZ_SMOKE_SECONDS (20) s (scripts/fuzz.sh)
#
# Every step runs even when an earlier one failed (except those that need the build), so one
# run shows every problem. Each passing ctest test counts as one pass, each other step as one;
# the last line is "test: N passed, M failed" and the exit status is non-zero on any failure.
# For local iterations, TEST_SKIP="synth fuzz" (step names) leaves steps out; CI skips none.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
BUILD="${LPU_BUILD_DIR:-$ROOT/build}"
export LPU_BUILD_DIR="$BUILD"
JOBS="${JOBS:-2}"
FUZZ_SMOKE_SECONDS="${FUZZ_SMOKE_SECONDS:-20}"

passed=0
failed=0
failures=()
t_all=$SECONDS

step() {  # step NAME COMMAND...: run, time and count one step
  local name="$1"; shift
  local t0=$SECONDS
  if [[ " ${TEST_SKIP:-} " == *" $name "* ]]; then
    echo "== $name: skipped (TEST_SKIP)"
    return 0
  fi
  echo "== $name"
  if "$@"; then
    passed=$((passed + 1))
    echo "   $name: ok ($((SECONDS - t0)) s)"
    return 0
  fi
  failed=$((failed + 1))
  failures+=("$name")
  echo "   $name: FAILED ($((SECONDS - t0)) s)"
  return 1
}

run_ctest() {
  local log="$BUILD/ctest.log"
  local rc=0
  ctest --test-dir "$BUILD" -LE soak --output-on-failure --no-tests=error -j "$JOBS" --timeout 900 \
    >"$log" 2>&1 || rc=$?
  # Quiet on success: drop the per-test "Passed" lines, keep failures, their output and the
  # summary.
  grep -vE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed +[0-9.]+ sec$|^Test project |^Internal ctest changing into directory|^ *Start +[0-9]+: ' \
    "$log" | sed '/^$/N;/^\n$/D'
  local total npass nfail
  total="$(sed -nE 's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\2/p' "$log" | tail -n 1)"
  nfail="$(sed -nE 's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\1/p' "$log" | tail -n 1)"
  if [[ -n "$total" ]]; then
    npass=$((total - nfail))
    # ctest's tests count individually; the step itself is counted by the caller.
    passed=$((passed + npass - (nfail == 0 ? 1 : 0)))
    failed=$((failed + nfail - (nfail > 0 ? 1 : 0)))
  fi
  return "$rc"
}

step setup scripts/setup.sh
step gen-check python3 scripts/gen_isa.py --check
step docs python3 scripts/check_links.py
if step build scripts/build.sh; then
  step ctest run_ctest
else
  echo "   ctest: skipped (the build failed)"
fi
step lint scripts/lint.sh
step synth scripts/synth.sh
step fuzz scripts/fuzz.sh "$FUZZ_SMOKE_SECONDS"

echo
echo "make test: $((SECONDS - t_all)) s"
if ((failed)); then
  echo "failed steps: ${failures[*]}"
fi
echo "test: $passed passed, $failed failed"
((failed == 0))
