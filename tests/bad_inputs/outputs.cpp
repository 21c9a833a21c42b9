// Bad inputs: output files: clobbering an input or another output, unwritable places, disk full,
// temporaries.
#include "bad_input.h"
