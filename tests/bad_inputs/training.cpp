// Bad inputs: runs that go wrong: divergence with and without NaN, non-finite data, signals.
#include "bad_input.h"
