#pragma once
// The worker pool lives in core/parallel.hpp; this header forwards to it for
// the sources that still include it here, and goes once none does.
#include "core/parallel.hpp"
