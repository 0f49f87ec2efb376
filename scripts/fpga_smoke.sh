#!/usr/bin/env bash
# make fpga-smoke: the FPGA flow end to end on the quick target: iCE40UP5K, configuration tiny
# (scripts/bitstream.sh icebreaker: synthesis, resource check, place and route, timing at the
# configuration's target, packing), then a check of the report (scripts/fpga_report.py check).
# Outputs in $LPU_BUILD_DIR/fpga-smoke/icebreaker/; docs/gen/fpga_results.md and the bench
# figures are left alone (those come from `make bitstream`).
# Exit status non-zero when the design does not fit, misses its clock or a tool fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${LPU_BUILD_DIR:-$ROOT/build}"
OUT="$BUILD/fpga-smoke/icebreaker"

t0=$SECONDS
rc=0
FPGA_OUT="$OUT" FPGA_DOCS=0 FPGA_BENCH=0 scripts/bitstream.sh icebreaker || rc=$?
if [[ ! -f "$OUT/report.json" ]]; then
  echo "fpga-smoke: FAILED: the flow wrote no report ($OUT/report.json)" >&2
  exit 1
fi
if ! python3 scripts/fpga_report.py check "$OUT/report.json"; then
  echo "fpga-smoke: FAILED after $((SECONDS - t0)) s (report $OUT/report.txt)" >&2
  exit 1
fi
((rc == 0)) || { echo "fpga-smoke: FAILED: bitstream.sh exited $rc" >&2; exit 1; }
[[ -s "$OUT/icebreaker.bin" ]] || { echo "fpga-smoke: FAILED: no bitstream" >&2; exit 1; }
echo "fpga-smoke: ok ($((SECONDS - t0)) s)"
