# LPU: the two commands that matter are `make demo` and `make test`; everything else is a step
# of those or a tool for developers. Each target is a thin call of a script in scripts/, so the
# scripts are the documentation. All outputs go to build/ (or $(BUILD)).
#
# Variables: BUILD=dir (default build; keep it inside the checkout: the YoWASP tools only see
# the working tree), JOBS=n (default 2), FUZZ_SECONDS, SOAK_SECONDS, SYNTH_TIMEOUT.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
BUILD ?= build
JOBS ?= 2
export LPU_BUILD_DIR := $(abspath $(BUILD))
export JOBS

PHONY_TARGETS := help setup build demo test lint synth bench fuzz docs clean distclean gen \
                 gen-check soak coverage formal bitstream flash fpga-smoke
.PHONY: $(PHONY_TARGETS)

help:
	@echo "make demo       set up, build, run every example on the simulated chip and the golden model"
	@echo "make test       everything CI checks (setup, gen-check, docs, build, ctest, lint, synth, fuzz smoke)"
	@echo
	@echo "make setup      install missing Debian packages and the pinned .venv tools (scripts/setup.sh)"
	@echo "make build      CMake + Ninja build into $(BUILD)/"
	@echo "make lint       verilator -Wall on every module as its own top, verible syntax check"
	@echo "make synth      Yosys: ECP5 (base) and iCE40 (tiny) with per-block resource reports"
	@echo "make bench      run $(BUILD)/bin/lpu_bench_* and collect $(BUILD)/bench/results.json"
	@echo "make fuzz       libFuzzer targets, FUZZ_SECONDS (120) each"
	@echo "make soak       long-running tests (ctest label 'soak'), SOAK_SECONDS (600)"
	@echo "make coverage   host C++ (and RTL, when available) line coverage"
	@echo "make formal     SymbiYosys jobs (verif/**/*.sby)"
	@echo "make bitstream BOARD=ulx3s|icebreaker   synthesis, place and route, bitstream and report in $(BUILD)/fpga/"
	@echo "make flash BOARD=ulx3s|icebreaker       load that bitstream with openFPGALoader"
	@echo "make fpga-smoke  iCE40 (tiny) synthesis + place and route + report check (scripts/fpga_smoke.sh)"
	@echo "make docs       regenerate docs/gen/ and check the Markdown links"
	@echo "make gen        regenerate the files made from isa/lpu_isa.toml"
	@echo "make gen-check  fail if those generated files are stale"
	@echo "make clean      remove $(BUILD)/ (make distclean: also .venv/)"

setup:
	@scripts/setup.sh

build: setup
	@scripts/build.sh

demo: build
	@scripts/demo.sh

test:
	@scripts/test.sh

lint: setup
	@scripts/lint.sh

synth: setup
	@scripts/synth.sh

bench: build
	@python3 scripts/bench.py

fuzz: setup
	@scripts/fuzz.sh

soak: build
	@scripts/soak.sh

coverage: setup
	@scripts/coverage.sh

formal: setup
	@scripts/formal.sh

# FPGA flow (docs/boards.md). BOARD=ulx3s (ECP5, base) or BOARD=icebreaker (iCE40, tiny);
# FPGA_MHZ, FPGA_SEED, FPGA_MAPPER, FPGA_STOP=place, ...: see scripts/bitstream.sh.
BOARD ?=
bitstream: setup
	@scripts/bitstream.sh $(BOARD)

flash:
	@scripts/flash.sh $(BOARD)

fpga-smoke: setup
	@scripts/fpga_smoke.sh

gen:
	@python3 scripts/gen_isa.py

gen-check:
	@python3 scripts/gen_isa.py --check

# docs/gen/resources.md is written from the synthesis reports of lpu_core, when there are some.
docs: gen
	@reports=$$(ls "$(LPU_BUILD_DIR)"/synth/{ecp5,ice40}_*.json 2>/dev/null | grep -v -e '\.stat\.json$$' -e '_[a-z]*\.[a-z_0-9]*\.json$$' || true); \
	if [ -n "$$reports" ]; then \
	  python3 scripts/synth_report.py markdown $$reports > docs/gen/resources.md; \
	  echo "docs: wrote docs/gen/resources.md"; \
	else \
	  echo "docs: no lpu_core synthesis reports in $(BUILD)/synth/ (make synth); resources.md not written"; \
	fi
	@python3 scripts/check_links.py

clean:
	rm -rf -- "$(LPU_BUILD_DIR)"

distclean: clean
	rm -rf -- "$(ROOT)/.venv"
