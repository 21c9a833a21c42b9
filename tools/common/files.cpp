#include "files.h"

#include <ebprop/error.h>

#include <cstdio>
#include <fstream>

namespace ebprop::tools {

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << text;
    if (!file.flush()) throw FileError("cannot write '" + temporary + "'");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    throw FileError("cannot rename '" + temporary + "' to '" + path + "'");
}

}  // namespace ebprop::tools
