// Bad inputs: settings and options: ranges, choices, types, and the location of every refusal.
// A value in the graph file is refused at its line with exit status 1; the same value given on the
// command line names the option and exits 2 (README: 2 for a bad option).
#include <thread>

#include "bad_input.h"

using namespace ebprop::test;

namespace {

// small_net with `from` replaced by `to` (line numbers: bad_input.h; [run] epochs is line 9).
std::string net_with(const std::string& from, const std::string& to) {
  std::string text = small_net;
  text.replace(text.find(from), from.size(), to);
  return text;
}

// small_net followed by an optimizer section at lines 14 and 15.
std::string net_with_optimizer(const std::string& type, const std::string& setting) {
  return small_net + "[optimizer " + type + "]\n" + setting + "\n";
}

const std::string picky_plugin =
    std::string(EBPROP_BINARY_DIR) + "/tests/bad-plugins/picky_optimizer/libpicky_optimizer.so";

}  // namespace

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(negative_epochs_in_the_graph_file_are_refused_at_their_line) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_with("epochs = 1", "epochs = -3"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":9:", "'epochs'", "in [0, 1000000], found -3"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(epochs_beyond_int_in_the_graph_file_are_refused_not_wrapped) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_with("epochs = 1", "epochs = 2147483648"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1, {graph + ":9:", "found 2147483648"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(negative_epochs_on_the_command_line_exit_2_naming_the_option) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --epochs=-3"), 2,
                     {"command line (--epochs)", "'epochs'", "found -3"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(epochs_beyond_int_on_the_command_line_exit_2) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --epochs 2147483648"), 2,
                     {"command line (--epochs)", "found 2147483648"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_batch_beyond_int_in_the_graph_file_is_refused_not_wrapped_to_1) {
  Scratch s;
  const std::string graph =
      s.file("net.graph", net_with("epochs = 1", "epochs = 1\nbatch = 4294967297"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":10:", "'batch'", "in [1, 2147483647], found 4294967297"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_batch_beyond_int_on_the_command_line_exits_2) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --batch 4294967297"), 2,
                     {"command line (--batch)", "found 4294967297"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_negative_train_limit_in_the_graph_file_does_not_mean_all) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_with("train-limit = 500", "train-limit = -5"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":12:", "'train-limit'", "in [0, 2147483647], found -5"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_negative_train_limit_given_with_set_exits_2) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --set train-limit=-5"), 2,
                     {"command line (--set)", "'train-limit'", "found -5"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_negative_seed_on_the_command_line_exits_2) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --seed=-1"), 2,
                     {"command line (--seed)", "in [0, 9223372036854775807], found -1"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_negative_seed_in_the_graph_file_is_located) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_with("epochs = 1", "epochs = 1\nseed = -1"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1, {graph + ":10:", "'seed'", "found -1"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(more_threads_than_the_machine_has_are_refused_with_its_count) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  const unsigned cores = std::thread::hardware_concurrency();
  const std::string many = std::to_string(std::max(64u, cores + 1));
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --threads " + many), 2,
                     {"command line (--threads)", "in [1, " + std::to_string(cores) + "]",
                      "found " + many, "this machine's " + std::to_string(cores) + " hardware"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(zero_threads_in_the_graph_file_are_located) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_with("epochs = 1", "epochs = 1\nthreads = 0"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1, {graph + ":10:", "'threads'", "found 0"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_misspelt_precision_on_the_command_line_gets_a_suggestion_and_exits_2) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(
      run_tool("ebprop-run", graph + " --set precision=doubel"), 2,
      {"command line (--set)", "one of float, double, found 'doubel'", "did you mean 'double'?"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(an_unknown_precision_in_the_graph_file_is_located) {
  Scratch s;
  const std::string graph =
      s.file("net.graph", net_with("epochs = 1", "epochs = 1\nprecision = half"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":10:", "'precision'", "one of float, double, found 'half'"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(center_median_is_refused_at_its_line_with_the_allowed_words) {
  Scratch s;
  const std::string graph =
      s.file("net.graph", net_with("train-limit = 500", "train-limit = 500\ncenter = median"));
  const Untouched kept{graph};
  BOOST_TEST(
      refused(run_tool("ebprop-run", graph), 1,
              {graph + ":13:", "'center'", "one of none, per-feature, global", "found 'median'"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_misspelt_scale_gets_a_suggestion) {
  Scratch s;
  const std::string graph =
      s.file("net.graph", net_with("train-limit = 500", "train-limit = 500\nscale = per_feature"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":13:", "'scale'", "did you mean 'per-feature'?"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_negative_rate_in_the_optimizer_section_is_located) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_with_optimizer("sgd", "lr = -1"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":15:", "'lr' of optimizer sgd", "> 0, found -1"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_negative_rate_given_with_lr_exits_2_naming_the_option) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --lr=-1"), 2,
                     {"command line (--lr)", "'lr' of optimizer sgd", "found -1"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_momentum_of_1_given_with_opt_exits_2) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --opt momentum=1"), 2,
                     {"command line (--opt)", "'momentum'", "in [0, 1), found 1"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_misspelt_sdlm_estimate_gets_a_suggestion_at_its_line) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_with_optimizer("sdlm", "estimate = runing"));
  const Untouched kept{graph};
  BOOST_TEST(refused(
      run_tool("ebprop-run", graph), 1,
      {graph + ":15:", "'estimate'", "one of sampled, running", "did you mean 'running'?"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_negative_rate_in_an_sdlm_schedule_is_located_with_its_position) {
  Scratch s;
  const std::string graph =
      s.file("net.graph", net_with_optimizer("sdlm", "schedule = 0.001,-0.0005"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":15:", "'schedule'", "found -0.0005 (value 2)"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(an_optimizer_constructor_refusal_is_located_at_its_section) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_with_optimizer("picky", "low = 2"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --plugin-path " + picky_plugin), 1,
                     {graph + ":14:", "optimizer picky", "low must be below high"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(an_optimizer_constructor_refusal_from_the_command_line_exits_2) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --plugin-path " + picky_plugin +
                                                " --optimizer picky --opt low=2"),
                     2, {"command line (--optimizer)", "low must be below high"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(zero_outputs_of_a_linear_layer_are_located) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_with("outputs=20", "outputs=0"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":3:", "'outputs' of linear 'h'", "in [1, 2147483647], found 0"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(outputs_beyond_int_are_refused_not_wrapped) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_with("outputs=20", "outputs=4294967316"));
  const Untouched kept{graph};
  BOOST_TEST(
      refused(run_tool("ebprop-run", graph), 1, {graph + ":3:", "'outputs'", "found 4294967316"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_zero_maxpool_window_is_located) {
  Scratch s;
  const std::string graph =
      s.file("net.graph", net_with("h = linear(image) outputs=20",
                                   "m = reshape(image) shape=28x28\np = maxpool(m) size=0\n"
                                   "h = linear(p) outputs=20"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":4:", "'size' of maxpool 'p'", "in [1, 2147483647], found 0"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(an_unknown_set_key_exits_2_with_a_suggestion) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --set epoch=3"), 2,
                     {"--set: unknown key 'epoch'", "did you mean 'epochs'?"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(an_unknown_optimizer_setting_given_with_opt_exits_2) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --opt lr2=3"), 2,
                     {"command line (--opt)", "unknown setting 'lr2' for optimizer sgd"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(an_unknown_optimizer_on_the_command_line_exits_2) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --optimizer sgdd"), 2,
                     {"--optimizer: unknown optimizer 'sgdd'", "did you mean 'sgd'?"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_negative_hessian_seed_is_refused_not_wrapped) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-hessian", graph + " --seed=-1"), 2,
                     {"command line (--seed)", "found -1"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_misspelt_hessian_hvp_method_exits_2_with_a_suggestion) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-hessian", graph + " --hvp exakt"), 2,
                     {"command line (--hvp)", "one of auto, exact, fd", "did you mean 'exact'?"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_bad_set_value_for_the_hessian_tool_exits_2) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net);
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-hessian", graph + " --set center=median"), 2,
                     {"command line (--set)", "'center'", "found 'median'"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(zero_histogram_bins_exit_2) {
  Scratch s;
  const std::string csv = s.file("values.csv", "v\n1\n2\n3\n"), svg = s.file("out.svg");
  const Untouched kept{csv, svg};
  BOOST_TEST(refused(run_tool("ebprop-plot", csv + " --histogram v --bins 0 -o " + svg), 2,
                     {"command line (--bins)", "in [1, 800], found 0"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_SUITE_END()
