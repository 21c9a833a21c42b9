#include "files.h"

#include <ebprop/files.h>

namespace ebprop::tools {

OutputError::~OutputError() = default;

void check_outputs(const std::vector<RunFile>& inputs, const std::vector<RunFile>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const RunFile& out = outputs[i];
    if (out.path.empty()) continue;
    for (const RunFile& in : inputs)
      if (!in.path.empty() && same_file(out.path, in.path))
        throw OutputError(out.role + " '" + out.path + "' is " + in.role + " '" + in.path +
                          "': writing it would destroy an input of the run; name another file");
    for (std::size_t j = 0; j < i; ++j)
      if (!outputs[j].path.empty() && same_file(out.path, outputs[j].path))
        throw OutputError(outputs[j].role + " '" + outputs[j].path + "' and " + out.role + " '" +
                          out.path + "' are the same file: one would overwrite the other");
    try {
      check_can_write(out.path);
    } catch (const FileError& e) {
      throw OutputError(out.role + ": " + e.what());
    }
  }
}

}  // namespace ebprop::tools
