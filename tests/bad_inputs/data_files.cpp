// Bad inputs: data files: IDX (plain and gzip) and CSV.
#include "bad_input.h"
