// Bad inputs: output files: clobbering an input or another output, unwritable places, disk full,
// temporaries.
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "background.h"
#include "bad_input.h"

using namespace ebprop::test;
namespace fs = boost::filesystem;

namespace {

// A run's files in one scratch directory: the graph (small_net) and where its outputs go.
struct Run {
  Scratch s;
  std::string graph = s.file("net.graph", small_net);
  std::string weights = s.file("w.bin"), metrics = s.file("m.jsonl");
};

// Whether `output` shows a run that got as far as training: the refusals come before it.
bool trained(const Result& r) { return contains(r.output, "epoch   1"); }

// A small tmpfs mounted on a new directory of `s` (as root; otherwise not mounted, with why),
// unmounted at the end of the case.
class SmallDisk {
 public:
  SmallDisk(const Scratch& s, const std::string& size) : dir_(s.file("disk")) {
    fs::create_directories(dir_);
    if (mount("tmpfs", dir_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0)
      mounted_ = true;
    else
      why_ = std::strerror(errno);
  }
  ~SmallDisk() {
    if (mounted_) umount(dir_.c_str());
  }
  bool mounted() const { return mounted_; }
  const std::string& why_not() const { return why_; }
  std::string file(const std::string& name) const { return dir_ + "/" + name; }
  // Fills what is left of the disk with the file `name`.
  void fill(const std::string& name) const {
    std::ofstream filler(file(name), std::ios::binary);
    const std::string block(4096, 'x');
    while (filler.write(block.data(), block.size())) {
    }
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, why_;
  bool mounted_ = false;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(outputs)

BOOST_AUTO_TEST_CASE(save_onto_the_graph_file_is_refused_before_training) {
  Run run;
  const Untouched kept{run.graph};
  const Result r = run_tool("ebprop-run", run.graph + " --save " + run.graph);
  BOOST_TEST(refused(r, 2, {"--save '" + run.graph + "' is the graph file", "destroy an input"}));
  BOOST_TEST(!trained(r));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(metrics_onto_the_load_file_is_refused) {
  Run run;
  BOOST_TEST_REQUIRE(
      run_tool("ebprop-run", run.graph + " -q --epochs 0 --save " + run.weights).status == 0);
  const Untouched kept{run.graph, run.weights};
  const Result r =
      run_tool("ebprop-run", run.graph + " --load " + run.weights + " --metrics " + run.weights);
  BOOST_TEST(refused(r, 2, {"--metrics '" + run.weights + "' is the --load weights file"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(save_and_metrics_naming_one_file_are_refused_even_spelt_differently) {
  Run run;
  const std::string here = run.s.dir.string() + "/./w.bin";
  const Untouched kept{run.graph, run.weights};
  const Result r =
      run_tool("ebprop-run", run.graph + " --save " + run.weights + " --metrics " + here);
  BOOST_TEST(refused(
      r, 2, {"--save '" + run.weights + "' and --metrics '" + here + "' are the same file"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(save_onto_a_data_file_is_refused) {
  Run run;
  // A copy of the training labels, named with --set: the run reads it, so --save may not write it.
  const std::string labels =
      run.s.file("labels.gz", slurp(digits_dir + "/train-labels-idx1-ubyte.gz"));
  const Untouched kept{run.graph, labels};
  const Result r =
      run_tool("ebprop-run", run.graph + " --set train-labels=" + labels + " --save " + labels);
  BOOST_TEST(refused(r, 2, {"--save '" + labels + "' is the training labels"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_hard_link_to_the_graph_file_is_refused_as_an_output) {
  Run run;
  const std::string link = run.s.file("link.graph");
  fs::create_hard_link(run.graph, link);
  const Untouched kept{run.graph, link};
  const Result r = run_tool("ebprop-run", run.graph + " --metrics " + link);
  BOOST_TEST(refused(r, 2, {"--metrics '" + link + "' is the graph file '" + run.graph + "'"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_directory_as_an_output_is_refused) {
  Run run;
  const std::string dir = run.s.file("a-directory");
  fs::create_directories(dir);
  const Untouched kept{run.graph};
  const Result r = run_tool("ebprop-run", run.graph + " --save " + dir);
  BOOST_TEST(refused(r, 2, {"--save: cannot write '" + dir + "': it is a directory"}));
  BOOST_TEST(!trained(r));
  BOOST_TEST(fs::is_directory(dir));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(an_output_in_a_missing_directory_is_refused_before_training) {
  Run run;
  const std::string missing = run.s.file("no-such-dir") + "/m.jsonl";
  const Untouched kept{run.graph};
  const Result r = run_tool("ebprop-run", run.graph + " --metrics " + missing);
  BOOST_TEST(refused(r, 2, {"--metrics: cannot write '" + missing + "'", "does not exist"}));
  BOOST_TEST(!trained(r));  // not after the first epoch
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(an_output_under_a_regular_file_is_refused_with_the_reason) {
  Run run;
  const std::string under = run.graph + "/w.bin";
  const Untouched kept{run.graph};
  const Result r = run_tool("ebprop-run", run.graph + " --save " + under);
  BOOST_TEST(refused(r, 2, {"--save: cannot write '" + under + "'", "Not a directory"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(an_output_in_an_unwritable_directory_is_refused_with_the_reason) {
  Run run;
  // /sys refuses new files even to root, who passes every permission check elsewhere.
  const Untouched kept{run.graph};
  const Result r = run_tool("ebprop-run", run.graph + " --save /sys/ebprop-w.bin");
  BOOST_TEST(refused(r, 2, {"--save: cannot write '/sys/ebprop-w.bin'", "Permission denied"}));
  BOOST_TEST(!trained(r));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(save_onto_a_full_disk_names_enospc_and_keeps_the_previous_file) {
  Run run;
  const SmallDisk disk(run.s, "256k");
  if (!disk.mounted()) {
    BOOST_TEST_MESSAGE("skipped: cannot mount a tmpfs to fill (" + disk.why_not() + ")");
    return;
  }
  const std::string w = disk.file("w.bin");  // 127 kB: one fits, a second copy does not
  BOOST_TEST_REQUIRE(run_tool("ebprop-run", run.graph + " -q --save " + w).status == 0);
  disk.fill("filler");
  const Untouched kept{run.graph, w};
  const Result r = run_tool("ebprop-run", run.graph + " --seed 2 --save " + w);
  BOOST_TEST(refused(r, 1, {"cannot write '" + w + "'", "No space left on device"}));
  BOOST_TEST(unexpected_files(disk.dir(), {"w.bin", "filler"}).empty());  // no temporary
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(metrics_onto_a_full_disk_names_enospc_and_keeps_the_previous_file) {
  Run run;
  const SmallDisk disk(run.s, "64k");
  if (!disk.mounted()) {
    BOOST_TEST_MESSAGE("skipped: cannot mount a tmpfs to fill (" + disk.why_not() + ")");
    return;
  }
  const std::string m = disk.file("m.jsonl");
  BOOST_TEST_REQUIRE(run_tool("ebprop-run", run.graph + " -q --metrics " + m).status == 0);
  disk.fill("filler");
  const Untouched kept{run.graph, m};
  const Result r = run_tool("ebprop-run", run.graph + " --epochs 2 --metrics " + m);
  BOOST_TEST(refused(r, 1, {"cannot write '" + m + "'", "No space left on device"}));
  BOOST_TEST(unexpected_files(disk.dir(), {"m.jsonl", "filler"}).empty());
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(two_runs_sharing_a_save_path_both_finish_and_leave_a_whole_file) {
  Run run;
  // Short epochs, so that the writes come close together (and a slow build is not slowed more).
  std::string text = small_net;
  text.replace(text.find("epochs = 1"), 10, "epochs = 150");
  text.replace(text.find("train-limit = 500"), 17, "train-limit = 50");
  const std::string graph = run.s.file("net.graph", text);
  const Untouched kept{graph};
  // Each writes the file 150 times; with one shared temporary name they broke each other's writes.
  Background first("ebprop-run", graph + " -q --seed 1 --save " + run.weights);
  Background second("ebprop-run", graph + " -q --seed 2 --save " + run.weights);
  const Result a = first.finish(), b = second.finish();
  BOOST_TEST(a.status == 0, a.output);
  BOOST_TEST(b.status == 0, b.output);
  const Result check = run_tool("ebprop-run", graph + " -q --test-only --load " + run.weights);
  BOOST_TEST(check.status == 0, check.output);
  BOOST_TEST(unexpected_files(run.s.dir.string(), {"net.graph", "w.bin"}).empty());
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_finished_run_leaves_its_outputs_and_no_temporary) {
  Run run;
  const Result r = run_tool("ebprop-run", run.graph + " -q --epochs 2 --save " + run.weights +
                                              " --metrics " + run.metrics);
  BOOST_TEST(r.status == 0, r.output);
  BOOST_TEST(unexpected_files(run.s.dir.string(), {"net.graph", "w.bin", "m.jsonl"}).empty());
  // Readable like any file the user makes (mkstemp alone would leave it 0600).
  BOOST_TEST((fs::status(run.weights).permissions() & fs::others_read) != 0);
}

BOOST_AUTO_TEST_CASE(hessian_out_onto_the_graph_file_is_refused) {
  Run run;
  const Untouched kept{run.graph};
  const Result r = run_tool("ebprop-hessian", run.graph + " --samples 10 --out " + run.graph);
  BOOST_TEST(refused(r, 2, {"--out '" + run.graph + "' cannot be made a directory"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(hessian_out_files_may_not_be_an_input) {
  Run run;
  // --load names a file inside --out: summary.json there would replace the weights being read.
  const std::string out = run.s.file("out");
  fs::create_directories(out);
  const std::string weights = out + "/summary.json";
  BOOST_TEST_REQUIRE(
      run_tool("ebprop-run", run.graph + " -q --epochs 0 --save " + weights).status == 0);
  const Untouched kept{run.graph, weights};
  const Result r =
      run_tool("ebprop-hessian", run.graph + " --samples 10 --load " + weights + " --out " + out);
  BOOST_TEST(refused(r, 2, {"--out '" + weights + "' is the --load weights file"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(plot_output_onto_its_input_is_refused) {
  Scratch s;
  const std::string csv = s.file("data.csv", "x,y\n1,2\n2,3\n");
  const Untouched kept{csv};
  const Result r = run_tool("ebprop-plot", csv + " --x x --y y -o " + csv);
  BOOST_TEST(refused(r, 2, {"--output '" + csv + "' is the input '" + csv + "'"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_SUITE_END()
