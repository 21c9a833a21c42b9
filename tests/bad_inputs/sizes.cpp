// Bad inputs: sizes that overflow, allocations that an input asks for, values too long for a
// parser, ebprop-plot's inputs.
#include "bad_input.h"
