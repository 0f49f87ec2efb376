#!/usr/bin/env bash
# make demo: assemble and run every example program on the golden model and show its outputs,
# cycle count and MXU utilisation.
#
# Examples live in examples/<name>/: every <prog>.s there is one program. Optional beside it:
#   <prog>.args   extra arguments for `lpu run` (inputs, options), whitespace-separated, may
#                 span lines, '#' starts a comment; relative paths are relative to the
#                 example's directory (the program runs there).
# The assembled container goes to build/demo/<name>/<prog>.lpu, the run's output to
# build/demo/<name>/<prog>.txt. Without examples it says so and exits 0.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LPU_BUILD_DIR:-$ROOT/build}"
LPU="$BUILD/bin/lpu"
OUT="$BUILD/demo"

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

# Assemble separately when the CLI has an `asm` command; otherwise `run` takes the source.
has_asm=0
"$LPU" asm --help >/dev/null 2>&1 && has_asm=1

rm -rf "$OUT"
ok=0
bad=0
for src in "${progs[@]}"; do
  dir="$(dirname "$src")"
  name="$(basename "$dir")"
  prog="$(basename "$src" .s)"
  mkdir -p "$OUT/$name"
  echo "== examples/$name/$prog.s"
  extra=()
  if [[ -f "$dir/$prog.args" ]]; then
    read -r -d '' -a extra < <(sed 's/#.*//' "$dir/$prog.args"; printf '\0') || true
  fi
  image="$src"
  if ((has_asm)); then
    image="$OUT/$name/$prog.lpu"
    if ! (cd "$dir" && "$LPU" asm "$src" -o "$image") >"$OUT/$name/$prog.asm.txt" 2>&1; then
      echo "   assembly FAILED:"
      sed 's/^/   /' "$OUT/$name/$prog.asm.txt"
      bad=$((bad + 1))
      continue
    fi
  fi
  if (cd "$dir" && "$LPU" run "$image" --device golden --perf "${extra[@]}") \
      >"$OUT/$name/$prog.txt" 2>&1; then
    sed 's/^/   /' "$OUT/$name/$prog.txt"
    ok=$((ok + 1))
  else
    echo "   run FAILED:"
    sed 's/^/   /' "$OUT/$name/$prog.txt"
    bad=$((bad + 1))
  fi
done
echo "demo: ${ok} of ${#progs[@]} program(s) ran on the golden model; outputs in ${OUT#"$ROOT"/}/"
((bad == 0))
