// The fuzz targets' main where libFuzzer is not linked (the gcc build): runs every file named on
// the command line, or found in a directory named there, once through LLVMFuzzerTestOneInput.
// Arguments that start with '-' are libFuzzer options and are ignored, so CTest runs the same
// command under both drivers. Exit 0 when every input ran; a finding crashes or aborts as under
// libFuzzer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Optional, as under libFuzzer: called once before the first input when the target defines it.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

std::vector<std::filesystem::path> inputs_named_by(const std::filesystem::path& argument) {
  if (!std::filesystem::is_directory(argument)) return {argument};
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(argument))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  int ran = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument.rfind('-', 0) == 0) continue;
    for (const auto& path : inputs_named_by(argument)) {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        std::cerr << "replay: cannot read " << path.string() << "\n";
        return 1;
      }
      const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                    std::istreambuf_iterator<char>()};
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++ran;
    }
  }
  std::cout << "replay: ran " << ran << " inputs\n";
  return ran > 0 ? 0 : 1;
}
