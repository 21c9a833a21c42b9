// Files the tools write.
#pragma once

#include <string>

namespace ebprop::tools {

// Writes `text` to `path` atomically: to `path`.tmp first, then renamed over `path`, so a reader
// never sees half a file. Throws FileError naming the file that could not be written or renamed.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace ebprop::tools
