// Bad inputs: settings and options: ranges, choices, types, and the location of every refusal.
#include "bad_input.h"
