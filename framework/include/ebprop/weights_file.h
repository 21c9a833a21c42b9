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

// Writes atomically: to "path.tmp", then renamed over `path`, so a crash never leaves a
// half-written file. Throws FileError.
template <typename T>
void save_weights(const ParameterStore<T>& params, const std::string& path);

// Reads `path` into `params`. Throws FileError if the file is not a weights file, is corrupt
// (checksum), or does not match the store: every mismatch (missing, extra, different shape) is
// listed. `params` is unchanged on any error.
template <typename T>
void load_weights(ParameterStore<T>& params, const std::string& path);

}  // namespace ebprop
