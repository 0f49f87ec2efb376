#!/usr/bin/env bash
# make demo: assemble and run every example program on the simulated chip (DEMO_DEVICE, default
# sim: the Verilator model of lpu_top in process), check its outputs against the golden model,
# and show its outputs, cycle count (checked against the prediction) and MXU utilisation; then
# compile the example language model and generate text with it on the same device.
#
# Examples live in examples/<name>/: every <prog>.s there is one program. Its tensors are bound
# by name from its directives:
#   .input NAME, ...    reads examples/<name>/<prog>_<name>.npy or else <name>.npy (<name> in
#                       lower case) when it exists
#   .output NAME, ...   is written to build/demo/<name>/<prog>_<name>.npy and summarised
#   .predicted_cycles   makes the run fail unless the cycle count equals it (--expect-cycles)
# Optional <prog>.args beside the program: more `lpu run` arguments (whitespace-separated,
# '#' comments; relative paths are relative to the example's directory, where it runs).
# Without examples it says so and exits 0.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LPU_BUILD_DIR:-$ROOT/build}"
LPU="$BUILD/bin/lpu"
OUT="$BUILD/demo"
# The simulated chip (the in-process Verilator model) is the default device; DEMO_DEVICE=golden
# runs the golden model only.
DEVICE="${DEMO_DEVICE:-sim}"
if [[ "$DEVICE" != golden ]] && ! "$LPU" info --device "$DEVICE" >/dev/null 2>&1; then
  echo "demo: device '$DEVICE' is not available in this build; using the golden model"
  DEVICE=golden
fi
echo "demo: device $DEVICE"

shopt -s nullglob
progs=("$ROOT"/examples/*/*.s)
if ((${#progs[@]} == 0)); then
  echo "demo: no example programs yet (examples/<name>/*.s); nothing to run"
  exit 0
fi
if [[ ! -x "$LPU" ]]; then
  echo "demo: $LPU was not built (the CLI lives in host/cli/; run 'make build')" >&2
  exit 1
fi

# Print "NAME: dtype (shape), min .. max, first values" for an output tensor (.npy, v1-3).
npy_summary() {
  python3 - "$@" <<'PY'
import ast, struct, sys
name, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    data = f.read()
if data[:6] != b"\x93NUMPY":
    sys.exit(f"{path}: not a .npy file")
major = data[6]
hlen = struct.unpack("<H", data[8:10])[0] if major == 1 else struct.unpack("<I", data[8:12])[0]
start = 10 if major == 1 else 12
hdr = ast.literal_eval(data[start:start + hlen].decode("latin1"))
body = data[start + hlen:]
codes = {"i1": "b", "u1": "B", "i2": "h", "u2": "H", "i4": "i", "u4": "I", "i8": "q", "u8": "Q"}
kind = hdr["descr"].lstrip("<>|=")
if kind not in codes:
    print(f"   {name}: {hdr['descr']} {tuple(hdr['shape'])}")
    sys.exit(0)
n = len(body) // struct.calcsize(codes[kind])
vals = struct.unpack(f"<{n}{codes[kind]}", body[:n * struct.calcsize(codes[kind])])
first = ", ".join(str(v) for v in vals[:8]) + (", ..." if n > 8 else "")
print(f"   {name}: {kind} {tuple(hdr['shape'])}, min {min(vals)} max {max(vals)}, [{first}]")
PY
}

rm -rf "$OUT"
ok=0
bad=0
for src in "${progs[@]}"; do
  dir="$(dirname "$src")"
  name="$(basename "$dir")"
  prog="$(basename "$src" .s)"
  out="$OUT/$name"
  mkdir -p "$out"
  echo "== examples/$name/$prog.s"

  if ! "$LPU" asm "$src" -o "$out/$prog.lpu" >"$out/$prog.asm.txt" 2>&1; then
    echo "   assembly FAILED:"
    sed 's/^/   /' "$out/$prog.asm.txt"
    bad=$((bad + 1))
    continue
  fi

  args=(run "$out/$prog.lpu" --device "$DEVICE" --perf)
  predicted="$(sed -nE 's/^\s*\.predicted_cycles\s+([0-9]+).*/\1/p' "$src" | head -n 1)"
  [[ -n "$predicted" ]] && args+=(--expect-cycles)
  outputs=()
  while read -r dir_kind tname; do
    lower="$(tr '[:upper:]' '[:lower:]' <<<"$tname")"
    if [[ "$dir_kind" == .input ]]; then
      for cand in "$dir/${prog}_$lower.npy" "$dir/$lower.npy"; do
        if [[ -f "$cand" ]]; then
          args+=(--input "$tname=$cand")
          break
        fi
      done
    else
      args+=(--output "$tname=$out/${prog}_$lower.npy")
      outputs+=("$tname=$out/${prog}_$lower.npy")
    fi
  done < <(sed -nE 's/^\s*(\.input|\.output)\s+([A-Za-z_][A-Za-z0-9_]*)\s*,.*/\1 \2/p' "$src")
  if [[ -f "$dir/$prog.args" ]]; then
    read -r -d '' -a extra < <(sed 's/#.*//' "$dir/$prog.args"; printf '\0') || true
    args+=("${extra[@]}")
  fi

  if (cd "$dir" && "$LPU" "${args[@]}") >"$out/$prog.txt" 2>&1; then
    sed 's/^/   /' "$out/$prog.txt"
    [[ -n "$predicted" ]] && echo "   the cycle count equals the prediction in the program ($predicted)"
    if [[ "$DEVICE" != golden ]]; then
      # The same program on the golden model: outputs must be identical, byte for byte.
      gargs=()
      for a in "${args[@]}"; do
        case "$a" in
          "$DEVICE") gargs+=(golden) ;;
          *="$out"/*) gargs+=("${a%%=*}=$out/golden_${a##*/}") ;;
          *) gargs+=("$a") ;;
        esac
      done
      if (cd "$dir" && "$LPU" "${gargs[@]}") >"$out/$prog.golden.txt" 2>&1; then
        same=1
        for o in "${outputs[@]}"; do
          f="${o#*=}"
          cmp -s "$f" "$out/golden_$(basename "$f")" || same=0
        done
        if ((same)); then
          echo "   outputs match the golden model bit for bit"
        else
          echo "   outputs DIFFER from the golden model"
          bad=$((bad + 1))
        fi
      else
        echo "   golden run FAILED:"
        sed 's/^/   /' "$out/$prog.golden.txt"
        bad=$((bad + 1))
      fi
    fi
    for o in "${outputs[@]}"; do
      npy_summary "${o%%=*}" "${o#*=}" || true
    done
    ok=$((ok + 1))
  else
    echo "   run FAILED:"
    sed 's/^/   /' "$out/$prog.txt"
    bad=$((bad + 1))
  fi
done

# The language model (examples/lm, docs/lm.md): compiled from its graph by `lpu compile`, one
# decode step per run on the device, the next character sampled on the host. --check runs the
# golden model in lockstep and fails on any difference in logits or cycles, and any step whose
# cycle count is not the compiler's prediction fails too.
total=${#progs[@]}
if [[ -f "$ROOT/examples/lm/model.json" ]]; then
  total=$((total + 1))
  echo "== examples/lm: a character-level transformer generating text on device $DEVICE"
  mkdir -p "$OUT/lm"
  if "$LPU" compile "$ROOT/examples/lm/model.json" -o "$OUT/lm/lm.lpu" >"$OUT/lm/compile.txt" 2>&1; then
    sed -nE 's/^.*(instructions,|predicted cycles|MXU utilisation|SRAM|compile time).*$/   &/p' "$OUT/lm/compile.txt"
    echo
    # Tokens/s at the measured FPGA clock of `base` on the ULX3S: from this machine's own
    # board flow run (scripts/bitstream.sh writes build/fpga/ulx3s/report.json) or else from
    # the flow's committed results (docs/gen/fpga_results.json); otherwise at the target clock.
    fmax_args=()
    fmax="$(python3 "$ROOT/scripts/fpga_report.py" measured-fmax ulx3s base \
      "$BUILD/fpga/ulx3s/report.json" "$ROOT/docs/gen/fpga_results.json" 2>/dev/null || true)"
    if [[ -n "$fmax" ]]; then
      read -r fmax report fdate <<<"$fmax"
      echo "   tokens/s below at the measured ULX3S Fmax, $fmax MHz (${report#"$ROOT"/}, flow run of $fdate)"
      fmax_args=(--fmax-mhz "$fmax")
    else
      echo "   no measured ULX3S Fmax for base yet (docs/boards.md \"Fitting\"): tokens/s below at the target clock"
    fi
    if (cd "$ROOT" && "$LPU" generate "$OUT/lm/lm.lpu" --device "$DEVICE" --check --chars "${DEMO_LM_CHARS:-200}" "${fmax_args[@]}"); then
      ok=$((ok + 1))
    else
      echo "   generation FAILED"
      bad=$((bad + 1))
    fi
  else
    echo "   compile FAILED:"
    sed 's/^/   /' "$OUT/lm/compile.txt"
    bad=$((bad + 1))
  fi
fi
echo "demo: $ok of $total example(s) ran on device $DEVICE and matched the golden model; outputs in ${OUT#"$ROOT"/}/"
((bad == 0))
