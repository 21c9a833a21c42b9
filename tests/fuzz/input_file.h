// A fuzz input as a file, for the readers that take a path (IDX, CSV, weights files).
//
// Each process writes its inputs to one temporary file of its own (libFuzzer's -jobs/-fork run
// several processes), overwritten for every input and removed when the process exits.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

namespace ebprop::fuzz {

class InputFile {
 public:
  // `suffix` ends the file's name (".csv"); the readers recognise formats by content, not name.
  explicit InputFile(const std::string& suffix) {
    const char* tmpdir = std::getenv("TMPDIR");
    path_ = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/ebprop-fuzz-" +
            std::to_string(::getpid()) + suffix;
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile() { std::remove(path_.c_str()); }

  // Replaces the file's content with `size` bytes; returns its path.
  const std::string& write(const std::uint8_t* data, std::size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    // Not a finding: the harness itself failed (disk full, TMPDIR not writable).
    if (!out) throw std::runtime_error("cannot write the fuzz input to " + path_);
    return path_;
  }

 private:
  std::string path_;
};

}  // namespace ebprop::fuzz
