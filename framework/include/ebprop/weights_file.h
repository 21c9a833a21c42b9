// Weights files: the parameter store with names and shapes, so a file can only be loaded into a
// graph whose parameters match.
//
// Format (little-endian): "EBPROPW1", u32 block count, then per block: u32 name length, the name,
// u32 rows, u32 cols, rows·cols float64 values; then a u32 CRC-32 (zlib) of everything before it.
// Values are stored in double whatever the training precision, so float runs lose nothing.
#pragma once

#include <string>

#include "ebprop/parameters.h"

namespace ebprop {

// Writes atomically (write_file_atomically of files.h: a unique temporary renamed over `path`), so
// a crash never leaves a half-written file. Throws FileError naming the file and errno's text, and
// NumericError naming the parameter when a weight is NaN or infinite (nothing is written then).
template <typename T>
void save_weights(const ParameterStore<T>& params, const std::string& path);

// Reads `path` into `params`. Throws FileError if the file is not a weights file, is corrupt
// (checksum), or does not match the store: every mismatch (missing, extra, different shape) is
// listed; NumericError naming the file and the parameter when a stored value is NaN, infinite,
// or too large for T (1e300 in a float run).
// `params` is unchanged on any error.
template <typename T>
void load_weights(ParameterStore<T>& params, const std::string& path);

}  // namespace ebprop
