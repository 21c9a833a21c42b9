// Bad inputs: weights files: truncated, corrupt, foreign, mismatched, non-finite.
#include "bad_input.h"
