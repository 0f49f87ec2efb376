#!/usr/bin/env bash
# make formal: run every SymbiYosys job of the project (verif/**/*.sby) with the pinned
# YoWASP SymbiYosys from .venv and Debian's z3 as the solver. Work directories go to
# build/formal/<job>/. Fails if any job fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${LPU_BUILD_DIR:-$ROOT/build}/formal"
SBY="$ROOT/.venv/bin/yowasp-sby"

mapfile -t jobs < <(find verif rtl -name '*.sby' -type f 2>/dev/null | sort)
if ((${#jobs[@]} == 0)); then
  echo "formal: not yet available (no verif/**/*.sby jobs)"
  exit 0
fi
[[ -x "$SBY" ]] || { echo "formal: $SBY not found (run scripts/setup.sh)" >&2; exit 1; }
command -v z3 >/dev/null || { echo "formal: z3 not found (run scripts/setup.sh)" >&2; exit 1; }

mkdir -p "$OUT"
fails=0
for j in "${jobs[@]}"; do
  name="$(basename "$j" .sby)"
  # Relative paths: YoWASP tools only see the working directory tree reliably.
  if "$SBY" -f -d "${OUT#"$ROOT"/}/$name" "$j" >"$OUT/$name.log" 2>&1; then
    echo "formal: $name ok"
  else
    fails=$((fails + 1))
    echo "formal: $name FAILED (log $OUT/$name.log):" >&2
    tail -n 25 "$OUT/$name.log" >&2
  fi
done
((fails == 0)) || { echo "formal: FAILED ($fails of ${#jobs[@]} jobs)" >&2; exit 1; }
