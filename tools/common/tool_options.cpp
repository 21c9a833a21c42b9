#include "tool_options.h"

#include <ebprop/error.h>
#include <ebprop/plugin.h>

namespace ebprop::tools {

namespace po = boost::program_options;

std::string version_text(const std::string& tool) {
  return tool + " " + EBPROP_PROJECT_VERSION + " (plugin ABI " +
         std::to_string(EBPROP_ABI_VERSION) + ")\n";
}

std::string option_error_message(const po::error& error, const po::options_description& options,
                                 const std::string& tool) {
  std::string message = error.what();
  if (const auto* unknown = dynamic_cast<const po::unknown_option*>(&error)) {
    std::vector<std::string> known;
    for (const auto& option : options.options())
      if (!option->long_name().empty()) known.push_back("--" + option->long_name());
    const std::string hint = did_you_mean(unknown->get_option_name(), known);
    if (!hint.empty()) message += "; " + hint;
  }
  return message + " (see " + tool + " --help)";
}

}  // namespace ebprop::tools
