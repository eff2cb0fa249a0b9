#pragma once
// The diagnostic type lives in core/diagnostic.hpp; this header forwards to
// it for the sources that still include it here, and goes once none does.
#include "core/diagnostic.hpp"
