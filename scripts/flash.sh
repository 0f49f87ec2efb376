#!/usr/bin/env bash
# make flash BOARD=...: load the bitstream that `make bitstream BOARD=...` built onto the board
# through openFPGALoader (docs/boards.md "Flashing").
#
#   scripts/flash.sh ulx3s|icebreaker [FILE]
#
# FILE defaults to $LPU_BUILD_DIR/fpga/<board>/<board>.bit|.bin. Configures the FPGA's SRAM
# (lost at power-off); FPGA_FLASH=1 writes the board's SPI flash instead. When the CLI is
# built ($LPU_BUILD_DIR/bin/lpu), `lpu flash` does the work (it also checks that the file is a
# bitstream for that board's FPGA); otherwise openFPGALoader is called directly. Either way a
# missing board, missing permissions or a failed programming end with a message saying so and
# a non-zero exit status.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${LPU_BUILD_DIR:-$ROOT/build}"

die() { echo "flash: $*" >&2; exit 1; }

BOARD="${1:-}"
case "$BOARD" in
  ulx3s)      ext=bit; ofl_board=ulx3s;         bridge="FT231X, USB ID 0403:6015" ;;
  icebreaker) ext=bin; ofl_board=ice40_generic; bridge="FT2232H, USB ID 0403:6010" ;;
  *) echo "usage: scripts/flash.sh ulx3s|icebreaker [FILE]   (or: make flash BOARD=...)" >&2; exit 2 ;;
esac
FILE="${2:-$BUILD/fpga/$BOARD/$BOARD.$ext}"
[[ -f "$FILE" ]] || die "no bitstream $FILE: build it first with \`make bitstream BOARD=$BOARD\`"

if [[ -x "$BUILD/bin/lpu" ]]; then
  args=(flash --board "$BOARD" "$FILE")
  [[ "${FPGA_FLASH:-0}" == 1 ]] && args+=(--flash)
  exec "$BUILD/bin/lpu" "${args[@]}"
fi

OFL="${LPU_OPENFPGALOADER:-openFPGALoader}"
command -v "$OFL" >/dev/null || die "openFPGALoader not found (install it: apt-get install openfpgaloader)"

# Is the board's USB bridge there at all? (openFPGALoader's own message for a missing cable
# varies between versions.)
vidpid="${bridge##*USB ID }"
if command -v lsusb >/dev/null && ! lsusb -d "$vidpid" >/dev/null 2>&1; then
  die "no $BOARD board connected (no $bridge on USB); plug it in and try again"
fi

args=(-b "$ofl_board")
if [[ "${FPGA_FLASH:-0}" == 1 ]]; then args+=(--write-flash); else args+=(--write-sram); fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
"$OFL" "${args[@]}" "$FILE" 2>&1 | tee "$log"
rc="${PIPESTATUS[0]}"
set -e
if ((rc != 0)) || grep -qiE '^error|unable to open|cannot find|not found|JTAG init failed' "$log"; then
  if grep -qiE 'unable to open ftdi device|no (device|cable) found|cannot find|device not found|-4' "$log"; then
    die "no $BOARD board found ($bridge): plug it in; if it is plugged in, check the udev rules in docs/boards.md"
  fi
  if grep -qiE 'permission|access denied|LIBUSB_ERROR_ACCESS' "$log"; then
    die "no permission to open the $bridge: install driver/99-lpu.rules (docs/boards.md \"udev rules\")"
  fi
  die "openFPGALoader failed on $BOARD (exit $rc); see its output above"
fi
echo "flash: $FILE loaded into the $BOARD ($([[ "${FPGA_FLASH:-0}" == 1 ]] && echo SPI flash || echo SRAM))"
