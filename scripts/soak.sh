#!/usr/bin/env bash
# make soak: the long-running tests, excluded from `make test`.
#
# A soak test is a ctest test with the label "soak" (set_tests_properties(... LABELS soak)),
# or a binary build/bin/lpu_soak_*. SOAK_SECONDS (default 600) is passed to both through the
# environment as LPU_SOAK_SECONDS; each test decides how to spend it. The co-simulation soak
# tests (soak:cosim:*, docs/verification.md "Soak") each run for that long, side by side;
# LPU_SOAK_SEED picks their first seed (default 1000000).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LPU_BUILD_DIR:-$ROOT/build}"
export LPU_SOAK_SECONDS="${SOAK_SECONDS:-600}"

shopt -s nullglob
bins=("$BUILD"/bin/lpu_soak_*)
nlabelled="$(ctest --test-dir "$BUILD" -N -L soak 2>/dev/null | sed -nE 's/^Total Tests: ([0-9]+)/\1/p')"
if [[ "${nlabelled:-0}" == 0 && ${#bins[@]} -eq 0 ]]; then
  echo "soak: not yet available (no ctest test labelled 'soak', no build/bin/lpu_soak_*)"
  exit 0
fi
rc=0
if [[ "${nlabelled:-0}" != 0 ]]; then
  echo "soak: $nlabelled ctest test(s), ${LPU_SOAK_SECONDS} s each, seed ${LPU_SOAK_SEED:-default}"
  ctest --test-dir "$BUILD" -L soak --output-on-failure -j "${JOBS:-2}" || rc=1
fi
for b in "${bins[@]}"; do
  echo "soak: $(basename "$b") (${LPU_SOAK_SECONDS} s)"
  "$b" || { echo "soak: $(basename "$b") FAILED" >&2; rc=1; }
done
exit "$rc"
