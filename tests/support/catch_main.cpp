#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>  // Catch2 2.13, as Debian bookworm ships it
