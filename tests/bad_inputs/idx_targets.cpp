// Bad inputs: a regression's IDX targets files ([data] train-targets, test-targets,
// validation-targets) and the keys they exclude or need, and models of another task.
#include <cmath>
#include <vector>

#include "bad_input.h"
#include "file_bytes.h"

using namespace ebprop::test;

namespace {

// A scratch directory holding a regression's IDX files: x.idx (4 examples of 2 floats), t.idx
// (a target each), t2.idx (two each), t3.idx (the targets of 3 examples), nan.idx (a NaN target),
// l.idx (labels 0, 1, 0, 1), c.csv (x1,x2,y), and the directories mnist/ (the standard names of
// training and test images and labels) and images-only/ (training images alone).
struct Targets {
  Scratch s;
  Targets() {
    write_bytes(s.file("x.idx"), idx_floats({4, 2}, {1, 0.5f, -0.5f, 1.5f, 2, -1, 0.25f, 0.75f}));
    write_bytes(s.file("t.idx"), idx_floats({4}, {1, -1, 0.5f, -0.25f}));
    write_bytes(s.file("t2.idx"), idx_floats({4, 2}, {1, 0.5f, -1, 2, 0.5f, -1, -0.25f, 0.75f}));
    write_bytes(s.file("t3.idx"), idx_floats({3}, {1, -1, 0.5f}));
    write_bytes(s.file("nan.idx"), idx_floats({4}, {1, -1, std::nanf(""), -0.25f}));
    write_bytes(s.file("l.idx"), idx_ubytes({4}, {0, 1, 0, 1}));
    s.file("c.csv", "1,0.5,1\n-0.5,1.5,-1\n2,-1,0.5\n0.25,0.75,-0.25\n");
    for (const char* dir : {"mnist", "images-only"}) {
      boost::filesystem::create_directory(s.dir / dir);
      write_bytes(s.file(dir + std::string("/train-images-idx3-ubyte")), slurp(file("x.idx")));
    }
    write_bytes(s.file("mnist/train-labels-idx1-ubyte"), slurp(file("l.idx")));
    write_bytes(s.file("mnist/t10k-images-idx3-ubyte"), slurp(file("x.idx")));
    write_bytes(s.file("mnist/t10k-labels-idx1-ubyte"), slurp(file("l.idx")));
  }
  std::string file(const std::string& name) const { return s.file(name); }
  // net.graph: a linear net of 2 inputs and `outputs` outputs under MSE, reading `data_lines`
  // in its [data] section.
  std::string graph(const std::string& data_lines, int outputs = 1) const {
    const std::string n = std::to_string(outputs);
    return s.file("net.graph", "x = input shape=2 source=inputs\nt = input shape=" + n +
                                   " source=targets\no = linear(x) outputs=" + n +
                                   "\nloss = mse(o, t)\n[run]\nepochs = 1\ndiverge-factor = "
                                   "off\n[data]\n" +
                                   data_lines);
  }
  // "net.graph:LINE:1", the place of the k-th line of the [data] section (from 1).
  std::string where(int k) const { return file("net.graph") + ":" + std::to_string(8 + k) + ":1"; }
  // Where a refusal at the key of that line starts.
  std::string at(int k) const { return where(k) + ": "; }
};

const std::string images = "train-images = x.idx\n", targets = "train-targets = t.idx\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(idx_targets)

BOOST_AUTO_TEST_CASE(good_targets_files_train) {  // the baseline that every case below breaks
  const Targets t;
  const Result r = run_tool("ebprop-run", t.graph(images + targets));
  BOOST_TEST(r.status == 0, r.output);
}

// Each refusal at its key's line, with what it says.
BOOST_AUTO_TEST_CASE(every_refusal_of_the_targets_keys_names_its_line) {
  const Targets t;
  struct Case {
    std::string data, expected;
  };
  const std::string x = t.file("x.idx"), l = t.file("l.idx");
  const std::string labels_instead =
      "' holds labels of classes, but train-targets makes this a regression: give the ";
  const std::vector<Case> cases{
      // A set's labels and targets, or its IDX files and CSV file, exclude each other.
      {images + "train-labels = l.idx\n" + targets,
       t.at(3) + "train-targets and train-labels (" + t.where(2) +
           ") exclude each other: the training examples have real-valued targets (a "
           "regression) "
           "or labels of classes"},
      {"train-csv = c.csv\n" + targets, t.at(2) + "train-targets and train-csv (" + t.where(1) +
                                            ") exclude each other: give one training set"},
      {images + targets + "test-images = x.idx\ntest-labels = l.idx\ntest-targets = t.idx\n",
       t.at(5) + "test-targets and test-labels (" + t.where(4) +
           ") exclude each other: the test examples have real-valued targets"},
      {images + targets +
           "validation-images = x.idx\nvalidation-labels = l.idx\nvalidation-targets = t.idx\n",
       t.at(5) + "validation-targets and validation-labels (" + t.where(4) +
           ") exclude each other: the validation examples have real-valued targets"},
      {images + targets + "test-csv = c.csv\ntest-targets = t.idx\n",
       t.at(4) + "test-targets and test-csv (" + t.where(3) +
           ") exclude each other: give one test set"},
      {images + targets + "validation-csv = c.csv\nvalidation-targets = t.idx\n",
       t.at(4) + "validation-targets and validation-csv (" + t.where(3) +
           ") exclude each other: give one validation set"},
      // Targets need their images.
      {targets, t.at(1) + "train-targets needs train-images too (or dir): the training examples "
                          "whose targets it holds"},
      {images + targets + "test-targets = t.idx\n",
       t.at(3) + "test-targets needs test-images too (or dir): the test examples whose targets "
                 "it holds"},
      {images + targets + "validation-targets = t.idx\n",
       t.at(3) + "validation-targets needs validation-images too: the validation examples whose "
                 "targets it holds"},
      // Targets are for a regression.
      {images + "train-labels = l.idx\ntest-images = x.idx\ntest-targets = t.idx\n",
       t.at(4) + "test-targets is for a regression (train-targets, or train-csv with "
                 "target-columns), but the training data have labels: give test-labels"},
      {images + "train-labels = l.idx\nvalidation-images = x.idx\nvalidation-targets = t.idx\n",
       t.at(4) + "validation-targets is for a regression (train-targets, or train-csv with "
                 "target-columns), but the training data have labels: give validation-labels"},
      // A regression's test and validation images need targets: not labels, given or found.
      {images + targets + "test-images = x.idx\ntest-labels = l.idx\n",
       t.at(4) + "test-labels '" + l + labels_instead +
           "test examples' real-valued targets with test-targets instead"},
      {"dir = mnist\n" + targets,
       t.at(1) + "the test labels file found by dir '" + t.file("mnist/t10k-labels-idx1-ubyte") +
           labels_instead + "test examples' real-valued targets with test-targets instead"},
      {images + targets + "test-images = x.idx\n",
       t.at(3) + "test-images '" + x +
           "' has no targets, but train-targets makes this a regression: give test-targets too"},
      {images + targets + "validation-images = x.idx\nvalidation-labels = l.idx\n",
       t.at(4) + "validation-labels '" + l + labels_instead +
           "validation examples' real-valued targets with validation-targets instead"},
      {images + targets + "validation-images = x.idx\n",
       t.at(3) + "validation-images '" + x +
           "' has no targets, but train-targets makes this a regression: give validation-targets "
           "too"},
      {"train-csv = c.csv\ntarget-columns = 1\ntest-images = x.idx\ntest-labels = l.idx\n",
       t.at(4) + "test-labels '" + l +
           "' holds labels of classes, but target-columns makes this a regression: give the test "
           "examples' real-valued targets with test-targets instead"},
      // As many targets per example everywhere, and as target-columns says.
      {images + targets + "target-columns = 2\n",
       t.at(3) + "target-columns = 2, but train-targets '" + t.file("t.idx") +
           "' has 1 target per example (with an IDX targets file target-columns may be left "
           "out)"},
      {images + targets + "test-images = x.idx\ntest-targets = t2.idx\n",
       t.at(4) + "test-targets '" + t.file("t2.idx") +
           "' has 2 targets per example, but the training set ('" + t.file("t.idx") +
           "') has 1 target"},
      {images + targets + "validation-images = x.idx\nvalidation-targets = t2.idx\n",
       t.at(4) + "validation-targets '" + t.file("t2.idx") +
           "' has 2 targets per example, but the training set ('" + t.file("t.idx") +
           "') has 1 target"},
      // The keys of classes.
      {images + targets + "target-coding = single\n",
       t.at(3) + "target-coding is for classes, but train-targets makes this a regression"},
      {images + targets + "target-low = 0\n",
       t.at(3) + "target-low is for classes, but train-targets makes this a regression"},
      {images + targets + "target-high = 2\n",
       t.at(3) + "target-high is for classes, but train-targets makes this a regression"},
      {images + targets + "label-column = 1\n",
       t.at(3) + "label-column is for classes, but train-targets makes this a regression"},
      {"train-csv = c.csv\ntarget-columns = 1\ntarget-low = 0\n",
       t.at(3) + "target-low is for classes, but target-columns makes this a regression"},
      // The files themselves.
      {images + "train-targets = t3.idx\n",
       x + " has 4 images but " + t.file("t3.idx") + " has the targets of 3 examples"},
      {"train-images = t.idx\n" + targets,
       t.file("t.idx") + ": expected images (N x rows x columns ...), found a 1-dimensional IDX "
                         "array of 4 values"},
      {images + "train-targets = nan.idx\n",
       "'" + t.file("nan.idx") + "': example 2 (counted from 0), target 0, is NaN"},
      {"dir = images-only\n" + targets,
       t.at(1) + t.file("images-only") +
           ": missing IDX files: looked for train-images-idx3-ubyte[.gz] and t10k-* or test-* "
           "images (no labels: the targets are files of their own); not found: "
           "t10k-images-idx3-ubyte[.gz] or test-images-idx3-ubyte[.gz]"},
  };
  for (const auto& c : cases) {
    const Result r = run_tool("ebprop-run", t.graph(c.data));
    BOOST_TEST(refused(r, 1, {"ebprop-run: error: " + c.expected}), c.data);
  }
  // On the command line: exit status 2, named by the option.
  const Result cli = run_tool("ebprop-run", t.graph(images + "train-labels = l.idx\n") +
                                                " --set test-images=" + x +
                                                " --set test-targets=" + t.file("t.idx"));
  BOOST_TEST(refused(cli, 2, {"command line (--set): test-targets is for a regression"}));
}

// A model's task is checked against an IDX targets file once it is read: a classifier, or a
// regression on another number of targets, is refused at the key that says the data's.
BOOST_AUTO_TEST_CASE(a_model_of_another_task_than_the_targets_file_is_refused) {
  const Targets t;
  const std::string classifier = t.file("classes.model"), regression = t.file("values.model");
  const Result classes = run_tool(
      "ebprop-run", t.graph(images + "train-labels = l.idx\n", 2) + " -q --save " + classifier);
  BOOST_TEST_REQUIRE(classes.status == 0, classes.output);
  const Result values =
      run_tool("ebprop-run", t.graph(images + targets) + " -q --save " + regression);
  BOOST_TEST_REQUIRE(values.status == 0, values.output);
  const std::string two = "train-targets = t2.idx\n";

  BOOST_TEST(refused(
      run_tool("ebprop-run", t.graph(images + two, 2) + " --test-only --load " + classifier), 1,
      {t.at(2) + "the model '" + classifier +
       "' is a classifier of 2 classes, but the data have 2 targets per example (train-targets '" +
       t.file("t2.idx") + "')"}));
  BOOST_TEST(refused(
      run_tool("ebprop-run", t.graph(images + two) + " --test-only --load " + regression), 1,
      {t.at(2) + "the model '" + regression +
       "' is a regression on 1 target columns, but the data have 2 targets per example"}));
  BOOST_TEST(refused(run_tool("ebprop-run", t.graph(images + two) + " --test-only --load " +
                                                regression + " --set target-columns=2"),
                     2,
                     {"command line (--set): the model '" + regression +
                      "' is a regression on 1 target columns, but the data have 2 targets"}));
  BOOST_TEST(refused(run_tool("ebprop-run", t.graph(images + "train-labels = l.idx\n") +
                                                " --test-only --load " + regression),
                     1,
                     {"the model '" + regression +
                      "' is a regression on 1 target columns, but the data have labels (give "
                      "train-targets)"}));
}

BOOST_AUTO_TEST_SUITE_END()
