#!/usr/bin/env bash
# make fuzz: build the libFuzzer targets (host/fuzz/fuzz_*.cpp) with clang into build/fuzz and
# run each for a while.
#
#   scripts/fuzz.sh [SECONDS]     seconds per target; default FUZZ_SECONDS or 120
#                                 (`make test` runs a 20 s smoke run of each)
#
# Seeds: host/fuzz/corpus/<target>/ when present (read only); new inputs go to
# build/fuzz/corpus/<target>/, crashes to build/fuzz/artifacts/. A dictionary
# host/fuzz/<target>.dict is used when present. UBSan findings stop the run like crashes.
# Without clang, or without targets, it says so and exits 0.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LPU_BUILD_DIR:-$ROOT/build}/fuzz"
SECS="${1:-${FUZZ_SECONDS:-120}}"
JOBS="${JOBS:-2}"

shopt -s nullglob
srcs=("$ROOT"/host/fuzz/fuzz_*.cpp)
if ((${#srcs[@]} == 0)); then
  echo "fuzz: no targets yet (host/fuzz/fuzz_*.cpp); skipped"
  exit 0
fi
if ! command -v clang >/dev/null || ! command -v clang++ >/dev/null; then
  echo "fuzz: clang not installed; skipped (scripts/setup.sh installs it)"
  exit 0
fi

targets=()
for s in "${srcs[@]}"; do targets+=("$(basename "$s" .cpp)"); done

mkdir -p "$BUILD"
if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
  if ! CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DLPU_FUZZ=ON -DLPU_BUILD_RTL=OFF -DLPU_USB=OFF -DBUILD_TESTING=OFF \
      >"$BUILD/configure.log" 2>&1; then
    echo "fuzz: cmake configure FAILED (log $BUILD/configure.log):" >&2
    tail -n 40 "$BUILD/configure.log" >&2
    exit 1
  fi
fi
if ! cmake --build "$BUILD" -j "$JOBS" --target "${targets[@]}" >"$BUILD/build.log" 2>&1; then
  echo "fuzz: build FAILED (log $BUILD/build.log):" >&2
  sed -n '/^FAILED:/,$p' "$BUILD/build.log" | head -n 120 >&2
  exit 1
fi

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="detect_leaks=1"
mkdir -p "$BUILD/artifacts"
fails=0
for t in "${targets[@]}"; do
  exe="$BUILD/bin/$t"
  [[ -x "$exe" ]] || { echo "fuzz: $t: no binary at $exe" >&2; fails=$((fails + 1)); continue; }
  corpus="$BUILD/corpus/$t"
  mkdir -p "$corpus"
  dirs=("$corpus")
  [[ -d "$ROOT/host/fuzz/corpus/$t" ]] && dirs+=("$ROOT/host/fuzz/corpus/$t")
  opts=(-max_total_time="$SECS" -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$t-")
  [[ -f "$ROOT/host/fuzz/$t.dict" ]] && opts+=(-dict="$ROOT/host/fuzz/$t.dict")
  log="$BUILD/$t.log"
  if "$exe" "${opts[@]}" "${dirs[@]}" >"$log" 2>&1; then
    runs="$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -n 1)"
    echo "fuzz: $t ok (${SECS} s, ${runs:-?} runs, corpus $(find "$corpus" -type f | wc -l) inputs)"
  else
    fails=$((fails + 1))
    echo "fuzz: $t FAILED (log $log):" >&2
    grep -E -A25 '^==[0-9]+==ERROR|runtime error:|^SUMMARY|deadly signal|Test unit written' "$log" \
      | head -n 60 >&2 || tail -n 40 "$log" >&2
  fi
done
if ((fails)); then
  echo "fuzz: FAILED ($fails of ${#targets[@]} targets)" >&2
  exit 1
fi
