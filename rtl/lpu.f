// The chip, in dependency order: the one list of what lpu_core is made of.
// Used by lint, synthesis and the Verilator builds.
rtl/gen/lpu_isa_pkg.sv
