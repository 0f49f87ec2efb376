// The Catch2 main of every test binary (library lpu_catch_main, host/CMakeLists.txt).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
