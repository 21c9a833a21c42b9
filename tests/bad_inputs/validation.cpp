// Bad inputs: the validation set (§2): [data] validation and its files, --save-best, [run]
// patience, and the metrics files ebprop-plot draws learning curves from.
#include "bad_input.h"

using namespace ebprop::test;

namespace {

// small_net with `line` added at the end of its [data] section: line 14.
std::string net_and(const std::string& line) { return small_net + line + "\n"; }

// small_net with `line` added to its [run] section: line 10.
std::string net_with_run(const std::string& line) {
  std::string text = small_net;
  text.replace(text.find("epochs = 1\n"), 11, "epochs = 1\n" + line + "\n");
  return text;
}

// A CSV training set of `zeros` examples of class 0 and `ones` of class 1.
std::string two_classes(int zeros, int ones) {
  std::string text;
  for (int i = 0; i < zeros + ones; ++i)
    text += (i < zeros ? "0," : "1,") + std::to_string(i) + "\n";
  return text;
}

std::string csv_net(const std::string& train, const std::string& validation) {
  return "x = input shape=1 source=inputs\nt = input shape=2 source=targets\n"
         "o = linear(x) outputs=2\nloss = mse(o, t)\n[data]\ntrain-csv = " +
         train + "\nvalidation = " + validation + "\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(validation)

BOOST_AUTO_TEST_CASE(a_count_of_the_whole_training_set_is_refused_at_its_line) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_and("validation = 500"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":14:",
                      "validation = 500 holds out 500 of the 500 training "
                      "examples (after train-limit): at least 1 must be held out "
                      "and 1 kept"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_fraction_outside_0_1_is_refused) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_and("validation = 1.5"));
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":14:",
                      "validation = 1.5: a fraction of the training set must be "
                      "above 0 and below 1"}));
  const std::string negative = s.file("neg.graph", net_and("validation = -0.1"));
  BOOST_TEST(refused(run_tool("ebprop-run", negative), 1,
                     {negative + ":14:",
                      "validation = -0.1: expected a count of training "
                      "examples (1000) or a fraction of them (0.1)"}));
}

BOOST_AUTO_TEST_CASE(a_fraction_that_holds_out_nothing_is_refused) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_and("validation = 0.0001"));
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":14:", "validation = 0.0001 holds out 0 of the 500"}));
}

BOOST_AUTO_TEST_CASE(a_word_is_refused_and_the_command_line_exits_2) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_and("validation = some"));
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":14:", "validation = some: expected a count"}));
  const std::string plain = s.file("plain.graph", small_net);
  BOOST_TEST(refused(run_tool("ebprop-run", plain + " --set validation=2.5"), 2,
                     {"command line (--set)", "validation = 2.5: a fraction"}));
}

BOOST_AUTO_TEST_CASE(a_class_too_small_to_give_an_example_is_refused) {
  Scratch s;
  // 9 and 1 with 5 held out: class 1's share, 0.5, loses to class 0's equal remainder.
  const std::string train = s.file("train.csv", two_classes(9, 1));
  const std::string graph = s.file("net.graph", csv_net(train, "5"));
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":7:", "validation = 5: ", train,
                      "class 1 has 1 of the 10 training examples, too few to hold any out: its "
                      "share of the 5 validation examples would be 0; hold out more, or none"}));
}

BOOST_AUTO_TEST_CASE(a_class_that_would_keep_no_example_is_refused) {
  Scratch s;
  const std::string train = s.file("train.csv", two_classes(9, 1));
  const std::string graph = s.file("net.graph", csv_net(train, "0.9"));
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":7:",
                      "class 1 has 1 of the 10 training examples, too few to keep "
                      "any for training: its share of the 9 validation examples "
                      "would be 1; hold out fewer"}));
}

BOOST_AUTO_TEST_CASE(a_holdout_and_validation_files_are_refused_naming_both) {
  Scratch s;
  const std::string valid = s.file("valid.csv", "0,1\n1,2\n");
  const std::string graph =
      s.file("net.graph", net_and("validation = 0.1\nvalidation-csv = " + valid));
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":14:",
                      "validation (a held-out part of the training set) and "
                      "validation-csv (" +
                          graph + ":15:",
                      "exclude each other"}));
}

BOOST_AUTO_TEST_CASE(validation_csv_and_idx_files_are_refused_naming_both) {
  Scratch s;
  const std::string valid = s.file("valid.csv", "0,1\n1,2\n");
  const std::string graph = s.file(
      "net.graph", net_and("validation-csv = " + valid + "\nvalidation-labels = " + digits_dir +
                           "/t10k-labels-idx1-ubyte.gz"));
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":15:", "validation-labels and validation-csv (" + graph + ":14:",
                      "exclude each other: give one validation set"}));
}

BOOST_AUTO_TEST_CASE(validation_images_without_labels_are_refused) {
  Scratch s;
  const std::string graph = s.file(
      "net.graph", net_and("validation-images = " + digits_dir + "/t10k-images-idx3-ubyte.gz"));
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":14:", "validation-images needs validation-labels too"}));
  const std::string labels = s.file(
      "l.graph", net_and("validation-labels = " + digits_dir + "/t10k-labels-idx1-ubyte.gz"));
  BOOST_TEST(refused(run_tool("ebprop-run", labels), 1,
                     {labels + ":14:", "validation-labels needs validation-images too"}));
}

BOOST_AUTO_TEST_CASE(a_missing_validation_file_is_refused_naming_it) {
  Scratch s;
  const std::string missing = s.file("none.csv");
  const std::string graph = s.file("net.graph", net_and("validation-csv = " + missing));
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1, {missing}));
}

BOOST_AUTO_TEST_CASE(an_output_onto_a_validation_file_is_refused) {
  Scratch s;
  const std::string valid = s.file("valid.csv", "0,1\n1,2\n");
  const std::string graph = s.file("net.graph", net_and("validation-csv = " + valid));
  const Untouched kept{graph, valid};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --metrics " + valid), 2,
                     {"--metrics", "the validation CSV file"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(save_best_without_a_validation_set_is_refused) {
  Scratch s;
  const std::string graph = s.file("net.graph", small_net), best = s.file("best.w");
  const Untouched kept{graph, best};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --save-best " + best), 2,
                     {"--save-best keeps the epoch with the best validation error, but the run "
                      "has no validation set: give [data] validation = N"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(save_best_onto_an_input_is_refused) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_and("validation = 50"));
  const Untouched kept{graph};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --save-best " + graph), 2,
                     {"--save-best", "the graph file"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_run_diverging_in_epoch_1_says_no_best_weights_were_saved) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_and("validation = 100"));
  const std::string best = s.file("best.w");
  const Untouched kept{graph, best};
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --lr 1e3 --save-best " + best), 1,
                     {"training diverged in epoch 1",
                      "no best weights were saved ('" + best + "' is as it was)"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_run_diverging_later_keeps_the_best_weights_so_far) {
  Scratch s;
  // SDLM with a schedule: a sane rate in epoch 1, a ruinous one in epoch 2.
  std::string text = net_and("validation = 100");
  text.replace(text.find("epochs = 1"), 10, "epochs = 2");
  const std::string graph = s.file("net.graph", text);
  const std::string best = s.file("best.w"), good = s.file("good.w");
  BOOST_TEST_REQUIRE(
      run_tool("ebprop-run",
               graph + " -q --epochs 1 --optimizer sdlm --opt schedule=1e-3 --save " + good)
          .status == 0);
  const Result r = run_tool(
      "ebprop-run", graph + " --optimizer sdlm --opt schedule=1e-3,1e4 --save-best " + best);
  BOOST_TEST(refused(
      r, 1,
      {"training diverged in epoch 2",
       "the weights of the best epoch so far on the validation set are in '" + best + "'"}));
  BOOST_TEST((slurp(best) == slurp(good)));
}

BOOST_AUTO_TEST_CASE(patience_without_a_validation_set_is_refused_at_its_line) {
  Scratch s;
  const std::string graph = s.file("net.graph", net_with_run("patience = 3"));
  BOOST_TEST(refused(run_tool("ebprop-run", graph), 1,
                     {graph + ":10:",
                      "patience = 3 stops on the validation set, but the run has "
                      "none: give [data] validation = N"}));
  const std::string plain = s.file("plain.graph", small_net);
  BOOST_TEST(refused(run_tool("ebprop-run", plain + " --set patience=2"), 2,
                     {"command line (--set)", "patience = 2 stops on the validation set"}));
  BOOST_TEST(refused(run_tool("ebprop-run", plain + " --set patience=-1"), 2,
                     {"command line (--set)", "'patience'", "found -1"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(learning_curves)

BOOST_AUTO_TEST_CASE(a_bad_metrics_line_is_refused_at_its_line) {
  Scratch s;
  const std::string svg = s.file("c.svg");
  const std::string json = s.file("m.jsonl",
                                  "{\"epoch\": 1, \"train_loss\": 0.5}\n"
                                  "{\"epoch\": 2, \"train_loss\" 0.4}\n");
  BOOST_TEST(refused(run_tool("ebprop-plot", json + " --curves -o " + svg), 1,
                     {json + ":2: column 27: expected ':', found '0.4}'"}));
  const std::string twice = s.file("t.jsonl", "{\"epoch\": 1, \"epoch\": 2}\n");
  BOOST_TEST(refused(run_tool("ebprop-plot", twice + " --curves -o " + svg), 1,
                     {twice + ":1: column 14: the key 'epoch' is given twice"}));
  const std::string word = s.file("w.jsonl", "{\"epoch\": 1, \"train_loss\": 0.5x}\n");
  BOOST_TEST(refused(
      run_tool("ebprop-plot", word + " --curves -o " + svg), 1,
      {word + ":1: column 31: expected ',' or '}' after the value of 'train_loss', found 'x}'"}));
  const std::string value = s.file("v.jsonl", "{\"epoch\": 1, \"train_loss\": low}\n");
  BOOST_TEST(refused(run_tool("ebprop-plot", value + " --curves -o " + svg), 1,
                     {value + ":1: column 28: expected a value (a number, null, true, false, a "
                              "string, an object or an array), found 'low}'"}));
  const std::string text = s.file("x.jsonl", "{\"epoch\": 1, \"train_loss\": \"low\"}\n");
  BOOST_TEST(refused(run_tool("ebprop-plot", text + " --curves -o " + svg), 1,
                     {text + ":1: column 'train_loss': expected a number, found 'low'"}));
  const std::string open = s.file("o.jsonl", "{\"epoch\": 1, \"more\": {\"a\": 1}\n");
  BOOST_TEST(refused(
      run_tool("ebprop-plot", open + " --curves -o " + svg), 1,
      {open + ":1: column 30: expected ',' or '}' after the value of 'more', found the end"}));
  // Each way a line can fail to be one object.
  const std::vector<std::pair<std::string, std::string>> lines{
      {"{epoch: 1}", ":1: column 2: expected '\"' to begin a key, found 'epoch: 1}'"},
      {"{\"epoch\": 1} 2",
       ":1: column 14: expected the end of the line after the object, found '2'"},
      {"{\"epoch\": \"1}", ":1: column 14: the string has no closing '\"', found the end"},
      {"{\"epoch\": 1, \"a\": [1, {\"b\": 2}", ":1: column 31: the array is not closed"},
      {"{\"epoch\": 1}\n[1, 2]", ":2: column 1: expected '{', found '[1, 2]'"}};
  for (const auto& [line, message] : lines) {
    const std::string file = s.file("bad.jsonl", line + "\n");
    BOOST_TEST(refused(run_tool("ebprop-plot", file + " --curves -o " + svg), 1, {file + message}));
  }
  BOOST_TEST(!boost::filesystem::exists(svg));
}

BOOST_AUTO_TEST_CASE(a_metrics_file_without_epochs_or_losses_is_refused) {
  Scratch s;
  const std::string svg = s.file("c.svg");
  const std::string no_epoch = s.file("n.csv", "train_loss,test_loss\n0.5,0.6\n");
  BOOST_TEST(refused(run_tool("ebprop-plot", no_epoch + " --curves -o " + svg), 1,
                     {no_epoch + " has no column 'epoch'"}));
  const std::string no_loss = s.file("l.csv", "epoch,rate\n1,0.1\n");
  BOOST_TEST(refused(run_tool("ebprop-plot", no_loss + " --curves -o " + svg), 1,
                     {no_loss + " has no train_loss, validation_loss or test_loss with a number "
                                "to draw"}));
  BOOST_TEST(refused(run_tool("ebprop-plot", no_loss + " --curves --x epoch -o " + svg), 2,
                     {"--curves draws the metrics file's own columns with their own labels: give "
                      "it without --x, --y, --histogram, --xlabel or --ylabel"}));
  BOOST_TEST(refused(run_tool("ebprop-plot", no_loss + " --curves --ylabel loss -o " + svg), 2,
                     {"--curves draws the metrics file's own columns"}));
  BOOST_TEST(!boost::filesystem::exists(svg));
}

BOOST_AUTO_TEST_SUITE_END()
