// What every tool's command line shares: --version and the parsing rules of Boost.Program_options.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <string>

namespace ebprop::tools {

// The style every tool parses with: Boost's default without allow_guessing, so that a prefix such
// as --epoch is an unknown option (answered with a did-you-mean) rather than silently --epochs.
inline constexpr int option_style = boost::program_options::command_line_style::default_style &
                                    ~boost::program_options::command_line_style::allow_guessing;

// "ebprop-run 0.1.0 (plugin ABI 6)\n": the project's version (CMake's PROJECT_VERSION) and the
// plugin ABI version (EBPROP_ABI_VERSION, plugin.h) a plugin must be built with.
std::string version_text(const std::string& tool);

// The message of a usage error from Boost.Program_options: its own text, then for an unknown
// option the closest option of `options` ("did you mean '--epochs'?") when one is close, then
// "(see TOOL --help)". Requires: `options` holds every option the tool accepts.
std::string option_error_message(const boost::program_options::error& error,
                                 const boost::program_options::options_description& options,
                                 const std::string& tool);

// Parses argv by `all` (every option the tool takes, hidden ones included) and `positional`, in
// option_style, and notifies. Throws CommandLineError with option_error_message, whose
// did-you-mean proposes options of `visible` only.
boost::program_options::variables_map parse_options(
    int argc, char** argv, const boost::program_options::options_description& all,
    const boost::program_options::positional_options_description& positional,
    const boost::program_options::options_description& visible, const std::string& tool);

// The main of every tool: runs `body` and returns its exit status; what it throws is reported as
// the README says, after stdout is flushed: a usage error (CommandLineError) as "TOOL: message"
// with status 2, any other exception as "TOOL: error: message" with status 1.
int tool_main(const std::string& tool, const std::function<int()>& body);

}  // namespace ebprop::tools
