// The single Catch2 main of the RTL testbenches (linked by lpu_verilate_test).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
