// Bad inputs: plugin directories and libraries: corrupt, truncated, foreign or throwing.
// The rule (docs/writing-plugins.md): a file named like a shared library that cannot be read as
// one is an error naming it, in any plugin directory; a readable library that is not an ebprop
// plugin is skipped.
#include <ebprop/plugin.h>

#include "bad_input.h"
#include "file_bytes.h"

using namespace ebprop::test;

namespace {

std::string bad_plugin(const std::string& name) {
  return std::string(EBPROP_BINARY_DIR) + "/tests/bad-plugins/" + name + "/lib" + name + ".so";
}

// The first `bytes` bytes of a built-in plugin, or all of it.
std::string plugin_bytes(std::size_t bytes = std::string::npos) {
  return slurp(std::string(EBPROP_BINARY_DIR) + "/lib/ebprop/plugins/libebprop-tanh.so")
      .substr(0, bytes);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plugins)

BOOST_AUTO_TEST_CASE(a_truncated_library_in_a_plugin_directory_is_named_not_skipped) {
  Scratch s;
  const std::string dir = s.file("plugins"), library = dir + "/libcut.so";
  boost::filesystem::create_directories(dir);
  write_bytes(library, plugin_bytes(4096));
  const Untouched kept{library};
  BOOST_TEST(refused(run_tool("ebprop-run", "--list-plugins --plugin-path " + dir), 1,
                     {"plugin directory '" + dir + "'", library,
                      "cannot be read as a shared library", "truncated"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_text_file_named_like_a_library_in_a_plugin_directory_is_named) {
  Scratch s;
  const std::string dir = s.file("plugins"), library = dir + "/libnotes.so.1";
  boost::filesystem::create_directories(dir);
  write_bytes(library, "not a library, just notes\n");
  const Untouched kept{library};
  BOOST_TEST(refused(run_tool("ebprop-run", "--list-plugins --plugin-path " + dir), 1,
                     {library, "it is not an ELF file"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_library_whose_section_table_points_past_its_end_is_named) {
  Scratch s;
  const std::string dir = s.file("plugins"), library = dir + "/libcorrupt.so";
  boost::filesystem::create_directories(dir);
  std::string bytes = plugin_bytes();
  bytes.replace(0x28, 8, std::string(8, '\x7f'));  // e_shoff of the ELF64 header
  write_bytes(library, bytes);
  const Untouched kept{library};
  BOOST_TEST(refused(run_tool("ebprop-run", "--list-plugins --plugin-path " + dir), 1,
                     {library, "its section table lies beyond its end"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_truncated_library_named_with_plugin_path_is_refused) {
  Scratch s;
  const std::string library = s.file("libcut.so");
  write_bytes(library, plugin_bytes(100));
  const Untouched kept{library};
  BOOST_TEST(refused(run_tool("ebprop-run", "--list-plugins --plugin-path " + library), 1,
                     {"'" + library + "' is not an ebprop plugin",
                      "cannot be read as a shared library", "truncated"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_plugin_path_that_is_a_text_file_is_refused) {
  Scratch s;
  const std::string notes = s.file("notes.txt", "some notes\n");
  const Untouched kept{notes};
  BOOST_TEST(refused(run_tool("ebprop-run", "--list-plugins --plugin-path " + notes), 1,
                     {"'" + notes + "' is not an ebprop plugin",
                      "cannot be read as a shared library", "not an ELF file"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_missing_plugin_path_is_named) {
  Scratch s;
  const std::string missing = s.file("no-such-dir");
  const Untouched kept{missing};
  BOOST_TEST(refused(run_tool("ebprop-run", "--list-plugins --plugin-path " + missing), 1,
                     {"plugin directory '" + missing + "' does not exist"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_throwing_registration_names_the_plugin_and_how_far_it_got) {
  const std::string library = bad_plugin("throwing_registration");
  const Untouched kept{library};
  BOOST_TEST(refused(run_tool("ebprop-run", "--list-plugins --plugin-path " + library), 1,
                     {"plugin '", "libthrowing_registration.so",
                      "registration function threw 'the plugin's own set-up failed'",
                      "after registering 'first_identity'"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(another_abi_version_is_refused_naming_the_plugin) {
  const std::string library = bad_plugin("wrong_abi_version");
  const Untouched kept{library};
  BOOST_TEST(refused(
      run_tool("ebprop-run", "--list-plugins --plugin-path " + library), 1,
      {library, "was built for ebprop ABI version " + std::to_string(EBPROP_ABI_VERSION + 1),
       "uses version " + std::to_string(EBPROP_ABI_VERSION)}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(another_abi_tag_is_refused_naming_both_tags) {
  const std::string library = bad_plugin("wrong_abi_tag");
  const Untouched kept{library};
  BOOST_TEST(refused(run_tool("ebprop-run", "--list-plugins --plugin-path " + library), 1,
                     {library, "'other-compiler-1.0'", "same compiler and libraries"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_duplicate_type_names_both_libraries) {
  const std::string library = bad_plugin("duplicate_linear");
  const Untouched kept{library};
  BOOST_TEST(
      refused(run_tool("ebprop-run", "--list-plugins --plugin-path " + library), 1,
              {"libduplicate_linear.so", "registers the type 'linear'", "libebprop-linear.so"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_readable_library_that_is_not_a_plugin_is_skipped_in_a_directory) {
  const std::string dir = std::string(EBPROP_BINARY_DIR) + "/tests/bad-plugins/not_a_plugin";
  const Result r = run_tool("ebprop-run", "--list-plugins --plugin-path " + dir);
  BOOST_TEST(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "linear"), r.output);
}

BOOST_AUTO_TEST_SUITE_END()
