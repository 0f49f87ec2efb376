#!/usr/bin/env bash
# make build: configure (or regenerate) and build the C++ host code, the CLI, the tests and
# the Verilator models into build/ with CMake + Ninja.
#
#   scripts/build.sh [extra cmake -D options for the first configure]
#
# Environment: LPU_BUILD_DIR (default build/), JOBS (default 2: the machine has 2 cores, shared),
# CMAKE_BUILD_TYPE (default RelWithDebInfo). ccache is used when installed.
# Quiet: the full output goes to <build>/configure.log and <build>/build.log; on failure the
# part that explains it is printed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LPU_BUILD_DIR:-$ROOT/build}"
JOBS="${JOBS:-2}"
TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}"

mkdir -p "$BUILD"
cache="$BUILD/CMakeCache.txt"
if [[ -f "$cache" ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$cache"; then
  echo "build: $BUILD was configured with another generator; configuring again"
  rm -rf "$cache" "$BUILD/CMakeFiles"
fi

configure() {  # configure ARGS...: run cmake, print the part of its log that explains a failure
  if ! cmake "$@" >"$BUILD/configure.log" 2>&1; then
    echo "build: cmake configure FAILED (full log: $BUILD/configure.log):" >&2
    grep -E -A8 'CMake (Error|Warning \(dev\))' "$BUILD/configure.log" | head -n 60 >&2 \
      || tail -n 40 "$BUILD/configure.log" >&2
    exit 1
  fi
}

if [[ ! -f "$cache" ]]; then
  args=(-S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE="$TYPE")
  if command -v ccache >/dev/null; then
    args+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  configure "${args[@]}" "$@"
else
  # Regenerate an existing build directory directly (about 2 s). Ninja's own regeneration step
  # first runs Verilator for every model, and that waits for the libraries the model's target
  # links, so a pull that removes or renames one of their sources would fail there.
  configure -S "$ROOT" -B "$BUILD"
fi

start=$SECONDS
# CCACHE_BASEDIR makes cache hits independent of where the checkout lives (CI clones elsewhere).
if ! CCACHE_BASEDIR="$ROOT" cmake --build "$BUILD" -j "$JOBS" >"$BUILD/build.log" 2>&1; then
  echo "build: FAILED (full log: $BUILD/build.log):" >&2
  # Ninja prints "FAILED: <target>" followed by the compiler's messages.
  if grep -q '^FAILED:' "$BUILD/build.log"; then
    sed -n '/^FAILED:/,$p' "$BUILD/build.log" | grep -v '^\[[0-9]*/[0-9]*\]' | head -n 150 >&2
  else
    tail -n 60 "$BUILD/build.log" >&2
  fi
  exit 1
fi
warnings="$(grep -c 'warning:' "$BUILD/build.log" || true)"
if ((warnings)); then
  grep 'warning:' "$BUILD/build.log" | sort -u | head -n 20 | sed 's/^/  /'
fi
echo "build: ok ($((SECONDS - start)) s, $warnings compiler warning(s); log $BUILD/build.log)"
