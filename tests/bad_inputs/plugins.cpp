// Bad inputs: plugin directories and libraries: corrupt, truncated, foreign or throwing.
#include "bad_input.h"
