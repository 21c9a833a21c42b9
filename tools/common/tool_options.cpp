#include "tool_options.h"

#include <ebprop/error.h>
#include <ebprop/plugin.h>

#include <iostream>

#include "command_line_error.h"

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

po::variables_map parse_options(int argc, char** argv, const po::options_description& all,
                                const po::positional_options_description& positional,
                                const po::options_description& visible, const std::string& tool) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv)
                  .options(all)
                  .positional(positional)
                  .style(option_style)
                  .run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw CommandLineError(option_error_message(e, visible, tool));
  }
  return vm;
}

int tool_main(const std::string& tool, const std::function<int()>& body) {
  try {
    return body();
  } catch (const CommandLineError& e) {
    std::cout.flush();
    std::cerr << tool << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << tool << ": error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace ebprop::tools
