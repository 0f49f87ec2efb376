// The driver tests' Catch2 main (the host tests have their own in host/tests/main.cpp).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
