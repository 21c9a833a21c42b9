// The plugin loader: discovery, ABI checks, duplicate names, lifetimes.
#define BOOST_TEST_MODULE plugins
#include <ebprop/plugin.h>

#include <boost/filesystem.hpp>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>

#include "test_util.h"

using namespace ebprop;

namespace {

std::string bad(const std::string& name) {
  return std::string(BAD_PLUGIN_DIR) + "/" + name + "/lib" + name + ".so";
}

std::string load_error(Registry& registry, const std::string& path) {
  try {
    load_plugin(registry, path);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_build_plugins_provide_the_first_types) {
  Registry registry;
  load_plugins(registry);
  for (const char* type : {"linear", "stanh", "tanh", "logistic", "mse"})
    BOOST_TEST(registry.has_module(type), type);
  BOOST_TEST(registry.has_optimizer("sgd"));
  BOOST_TEST(registry.module_info("mse").is_loss);
  BOOST_TEST(contains(registry.origin("linear"), "libebprop-linear.so"));
}

BOOST_AUTO_TEST_CASE(the_framework_links_no_plugin) {
  // Even the built-in layers are plugins: an empty registry knows nothing.
  Registry registry;
  BOOST_TEST(registry.module_types().empty());
  BOOST_CHECK_EXCEPTION(registry.module_info("linear"), Error,
                        [](const Error& e) { return contains(e.what(), "no plugins are loaded"); });
}

BOOST_AUTO_TEST_CASE(plugins_are_recognised_without_running_them) {
  BOOST_TEST(is_plugin_file(default_plugin_dir() + "/libebprop-linear.so"));
  BOOST_TEST(!is_plugin_file(bad("not_a_plugin")));
  BOOST_TEST(!is_plugin_file(std::string(EBPROP_SOURCE_DIR) + "/CMakeLists.txt"));
}

BOOST_AUTO_TEST_CASE(a_library_that_is_not_a_plugin_is_named) {
  Registry registry;
  const std::string message = load_error(registry, bad("not_a_plugin"));
  BOOST_TEST(contains(message, bad("not_a_plugin")), message);
  BOOST_TEST(contains(message, "is not an ebprop plugin"), message);
}

BOOST_AUTO_TEST_CASE(a_text_file_is_not_a_plugin) {
  Registry registry;
  const std::string readme = std::string(EBPROP_SOURCE_DIR) + "/CMakeLists.txt";
  BOOST_TEST(contains(load_error(registry, readme), "is not an ebprop plugin"));
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_named) {
  Registry registry;
  const std::string message = load_error(registry, "/nonexistent/libx.so");
  BOOST_TEST(contains(message, "cannot open plugin '/nonexistent/libx.so'"), message);
}

BOOST_AUTO_TEST_CASE(another_abi_version_is_refused_before_registration) {
  Registry registry;
  const std::string message = load_error(registry, bad("wrong_abi_version"));
  BOOST_TEST(
      contains(message, "built for ebprop ABI version " + std::to_string(EBPROP_ABI_VERSION + 1)),
      message);
  BOOST_TEST(contains(message, "rebuild the plugin"), message);
  BOOST_TEST(registry.module_types().empty());
}

BOOST_AUTO_TEST_CASE(another_compiler_is_refused) {
  Registry registry;
  const std::string message = load_error(registry, bad("wrong_abi_tag"));
  BOOST_TEST(contains(message, "other-compiler-1.0"), message);
  BOOST_TEST(contains(message, EBPROP_ABI_TAG), message);
}

BOOST_AUTO_TEST_CASE(two_plugins_registering_one_type_name_both_named) {
  Registry registry;
  load_plugins(registry);
  const std::string message = load_error(registry, bad("duplicate_linear"));
  BOOST_TEST(contains(message, "registers the type 'linear'"), message);
  BOOST_TEST(contains(message, "duplicate_linear.so"), message);
  BOOST_TEST(contains(message, "libebprop-linear.so"), message);
}

BOOST_AUTO_TEST_CASE(a_plugin_found_twice_is_loaded_once) {
  Registry registry;
  load_plugins(registry, {default_plugin_dir()});
  BOOST_TEST(registry.has_module("linear"));
}

BOOST_AUTO_TEST_CASE(the_environment_path_is_searched) {
  Registry registry;
  setenv("EBPROP_PLUGIN_PATH", (std::string(BAD_PLUGIN_DIR) + "/duplicate_linear").c_str(), 1);
  BOOST_CHECK_EXCEPTION(load_plugins(registry), PluginError, [](const PluginError& e) {
    return contains(e.what(), "duplicate_linear.so");
  });
  setenv("EBPROP_PLUGIN_PATH", "/nonexistent-plugin-dir", 1);
  Registry other;
  BOOST_CHECK_EXCEPTION(load_plugins(other), PluginError, [](const PluginError& e) {
    return contains(e.what(), "plugin directory '/nonexistent-plugin-dir' does not exist");
  });
  unsetenv("EBPROP_PLUGIN_PATH");
}

BOOST_AUTO_TEST_CASE(a_module_keeps_its_plugin_loaded_after_the_registry_is_gone) {
  ModulePtr<double> module;
  {
    Registry registry;
    load_plugins(registry);
    module = registry.make_module<double>(
        "stanh", Settings::validate(registry.module_info("stanh").settings, {}, "stanh", {}));
  }
  // The registry (and its handle on the library) is gone; the module's code must still be there.
  State<double> in, out;
  in.shape = {2};
  in.x = Matrix<double>::Ones(2, 1);
  out.shape = module->output_shape({in.shape});
  module->fprop({&in}, out);
  BOOST_TEST(std::abs(out.x(0, 0) - 1.7159 * std::tanh(2.0 / 3)) < 1e-12);
}
