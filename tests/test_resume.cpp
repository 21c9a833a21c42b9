// Checkpoints and --resume end to end: a run killed with SIGKILL in the middle of an epoch and
// resumed ends with the weights, byte for byte, and the metrics records of the uninterrupted run,
// for every optimizer; SIGINT writes a checkpoint at the end of a step; a checkpoint of another
// run, a damaged one or one of another format version is refused with what differs.
#define BOOST_TEST_MODULE resume
#include <ebprop/archive.h>
#include <ebprop/files.h>
#include <signal.h>

#include <boost/filesystem.hpp>
#include <boost/test/unit_test.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "bad_inputs/background.h"
#include "bad_inputs/bad_input.h"
#include "bad_inputs/file_bytes.h"
#include "command.h"

using namespace ebprop::test;

namespace {

const std::string fit = std::string(EBPROP_SOURCE_DIR) + "/graphs/fit-stanh.graph";

// small_net (command.h) with these [run] epochs and [data] train-limit.
std::string net(int epochs, int train_limit) {
  std::string text = small_net;
  text.replace(text.find("epochs = 1\n"), 11, "epochs = " + std::to_string(epochs) + "\n");
  text.replace(text.find("train-limit = 500"), 17, "train-limit = " + std::to_string(train_limit));
  return text;
}

// The metrics records without the two timing fields, which no two runs share.
std::string without_timing(const std::string& metrics) {
  static const std::regex timing(R"(, "seconds": [^,]*, "examples_per_second": [^,]*)");
  return std::regex_replace(metrics, timing, "");
}

struct Outputs {
  std::string weights, metrics, output;
};

// The uninterrupted run.
Outputs straight_run(const Scratch& s, const std::string& graph, const std::string& options) {
  Outputs o{s.file("straight.bin"), s.file("straight.jsonl"), ""};
  const Result r = run_tool(
      "ebprop-run", graph + " -q " + options + " --save " + o.weights + " --metrics " + o.metrics);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  o.output = r.output;
  return o;
}

// The same run with checkpoints every `every`, killed with SIGKILL as soon as a checkpoint is
// on disk, then resumed from it (writing checkpoints to the same file).
Outputs killed_and_resumed(const Scratch& s, const std::string& graph, const std::string& options,
                           const std::string& every) {
  Outputs o{s.file("resumed.bin"), s.file("resumed.jsonl"), ""};
  const std::string checkpoint = s.file("run.ckpt");
  const std::string outputs = " --save " + o.weights + " --metrics " + o.metrics +
                              " --checkpoint " + checkpoint + " --checkpoint-every " + every;
  {
    Background tool("ebprop-run", graph + " -q " + options + outputs);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!boost::filesystem::exists(checkpoint) && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    tool.signal(SIGKILL);
    const Result killed = tool.finish();
    BOOST_TEST_REQUIRE(killed.status == -1,
                       "the run ended before it was killed: " << killed.output);
  }
  const Result r =
      run_tool("ebprop-run", graph + " " + options + outputs + " --resume " + checkpoint);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "resuming '" + checkpoint + "' from "), r.output);
  o.output = r.output;
  return o;
}

// Kills and resumes, and checks the weights and the metrics against the straight run. Returns the
// resumed run's output.
std::string check_exact_resume(const std::string& graph_text, const std::string& options,
                               const std::string& every) {
  Scratch s;
  const std::string graph = graph_text.empty() ? fit : s.file("net.graph", graph_text);
  const Outputs straight = straight_run(s, graph, options);
  const Outputs resumed = killed_and_resumed(s, graph, options, every);
  BOOST_TEST(slurp(straight.weights) == slurp(resumed.weights), "the weights differ");
  const std::string a = without_timing(slurp(straight.metrics));
  const std::string b = without_timing(slurp(resumed.metrics));
  BOOST_TEST(!a.empty());
  BOOST_TEST(a == b, "straight:\n" << a << "resumed:\n" << b);
  return resumed.output;
}

// "resuming '...' from epoch 1 after 70 of 2000 examples": the kill came inside an epoch.
bool resumed_mid_epoch(const std::string& output) {
  return std::regex_search(output, std::regex(R"(from epoch \d+ after \d+ of \d+ examples)"));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(exact_resume_after_sigkill)

BOOST_AUTO_TEST_CASE(sgd_with_shuffling_momentum_and_annealing) {
  const std::string out =
      check_exact_resume(net(2, 800), "--threads 1 --opt momentum=0.5 --opt anneal=200", "40steps");
  BOOST_TEST(resumed_mid_epoch(out), out);
}

BOOST_AUTO_TEST_CASE(mini_batch_sgd_in_float_and_double) {
  for (const std::string precision : {"float", "double"}) {
    const std::string out = check_exact_resume(
        net(2, 800), "--threads 1 --batch 7 --opt momentum=0.9 --set precision=" + precision,
        "9steps");
    BOOST_TEST(resumed_mid_epoch(out), out);
  }
}

BOOST_AUTO_TEST_CASE(sdlm_sampled_with_a_schedule_and_reestimates) {
  const std::string out = check_exact_resume(
      net(2, 800),
      "--threads 1 --optimizer sdlm --opt schedule=0.001,0.0005 --opt every=400 --opt samples=50",
      "40steps");
  BOOST_TEST(resumed_mid_epoch(out), out);
}

BOOST_AUTO_TEST_CASE(sdlm_running_with_momentum_and_annealing) {
  const std::string out = check_exact_resume(
      net(2, 800),
      "--threads 1 --optimizer sdlm --opt estimate=running --opt momentum=0.5 --opt anneal=1",
      "40steps");
  BOOST_TEST(resumed_mid_epoch(out), out);
}

BOOST_AUTO_TEST_CASE(adaptive) {
  const std::string out = check_exact_resume(
      net(2, 800), "--threads 1 --optimizer adaptive --opt beta=0.01", "40steps");
  BOOST_TEST(resumed_mid_epoch(out), out);
}

BOOST_AUTO_TEST_CASE(early_stopping_on_a_validation_set_goes_on_counting) {
  const std::string out = check_exact_resume(
      net(12, 800), "--threads 1 --opt lr=0.05 --set validation=0.3 --set patience=2", "40steps");
  BOOST_TEST(resumed_mid_epoch(out), out);
  BOOST_TEST(contains(out, "best epoch "), out);
}

// §4.2: the interleaved order is drawn at the start of each epoch; emphasizing also needs the
// examples' losses measured so far, which decide the next epoch's draws.
BOOST_AUTO_TEST_CASE(interleaved_and_emphasized_orders) {
  for (const std::string options :
       {"--threads 1 --set order=interleave", "--threads 1 --set order=emphasize",
        "--threads 1 --batch 7 --set order=emphasize --set emphasize-cap=3 "
        "--set emphasize-floor=0.5"}) {
    BOOST_TEST_CONTEXT(options) {
      const std::string out = check_exact_resume(net(2, 800), options, "40steps");
      BOOST_TEST(resumed_mid_epoch(out), out);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_batch_optimizer) {
  for (const std::string optimizer :
       {"cg", "bfgs", "lbfgs", "gauss-newton", "levenberg-marquardt", "newton"}) {
    BOOST_TEST_CONTEXT(optimizer) {
      check_exact_resume("", "--threads 1 --epochs 25 --optimizer " + optimizer, "1");
    }
  }
}

BOOST_AUTO_TEST_CASE(batch_optimizers_in_float) {
  for (const std::string optimizer : {"bfgs", "levenberg-marquardt"}) {
    BOOST_TEST_CONTEXT(optimizer) {
      check_exact_resume(
          "", "--threads 1 --epochs 25 --set precision=float --optimizer " + optimizer, "1");
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(checkpoints)

BOOST_AUTO_TEST_CASE(sigint_writes_a_checkpoint_at_the_end_of_a_step_and_the_run_resumes) {
  Scratch s;
  std::string text = net(1, 4000);
  text.replace(text.find("outputs=20"), 10, "outputs=300");  // slow enough to be signalled
  const std::string graph = s.file("net.graph", text);
  const Outputs straight = straight_run(s, graph, "--threads 1");
  const std::string checkpoint = s.file("run.ckpt"), weights = s.file("resumed.bin");
  Background tool("ebprop-run",
                  graph + " --threads 1 --checkpoint " + checkpoint + " --save " + weights);
  BOOST_TEST_REQUIRE(tool.wait_for("training:"));
  std::this_thread::sleep_for(std::chrono::milliseconds(40));  // an epoch takes 0.2 s or more
  tool.signal(SIGINT);
  const Result stopped = tool.finish();
  BOOST_TEST(refused(stopped, 130,
                     {"interrupted by SIGINT in epoch 1", "the checkpoint of epoch 1 after",
                      "is in '" + checkpoint + "' (continue with --resume " + checkpoint + ")"}));
  const Result resumed =
      run_tool("ebprop-run", graph + " --threads 1 --checkpoint " + checkpoint + " --resume " +
                                 checkpoint + " --save " + weights);
  BOOST_TEST_REQUIRE(resumed.status == 0, resumed.output);
  BOOST_TEST(resumed_mid_epoch(resumed.output), resumed.output);
  BOOST_TEST(slurp(weights) == slurp(straight.weights));
}

BOOST_AUTO_TEST_CASE(the_metrics_file_continues_its_records) {
  Scratch s;
  const std::string graph = s.file("net.graph", net(4, 300));
  const std::string checkpoint = s.file("run.ckpt"), metrics = s.file("m.jsonl");
  const Result first = run_tool(
      "ebprop-run", graph + " -q --epochs 2 --checkpoint " + checkpoint + " --metrics " + metrics);
  BOOST_TEST_REQUIRE(first.status == 0, first.output);
  // Two more epochs: --epochs may grow on resume.
  const Result more =
      run_tool("ebprop-run", graph + " --epochs 4 --checkpoint " + checkpoint + " --resume " +
                                 checkpoint + " --metrics " + metrics);
  BOOST_TEST_REQUIRE(more.status == 0, more.output);
  BOOST_TEST(contains(more.output, "from the end of epoch 2"), more.output);
  BOOST_TEST(!contains(more.output, "epoch   1"), more.output);
  const std::string records = slurp(metrics);
  for (int epoch = 1; epoch <= 4; ++epoch)
    BOOST_TEST(contains(records, "{\"epoch\": " + std::to_string(epoch) + ","), records);
  // The run has done its epochs; a third resume says so and changes nothing.
  const Untouched kept{checkpoint, metrics};
  const Result done = run_tool("ebprop-run", graph + " --epochs 4 --resume " + checkpoint);
  BOOST_TEST(done.status == 0, done.output);
  BOOST_TEST(contains(done.output, "the run has done its 4 epochs; give a larger --epochs"),
             done.output);
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(a_diverging_run_keeps_its_last_checkpoint) {
  Scratch s;
  const std::string graph = s.file("net.graph", net(3, 500));
  const std::string checkpoint = s.file("run.ckpt");
  // A rate that is fine in epoch 1 and far too large from epoch 2 on.
  const std::string options = " --optimizer sdlm --opt schedule=0.0005,1000";
  const Result r = run_tool("ebprop-run", graph + options + " --checkpoint " + checkpoint);
  BOOST_TEST(refused(r, 1,
                     {"training diverged in epoch 2",
                      "the last checkpoint in '" + checkpoint + "' is as it was"}));
  const Result again =
      run_tool("ebprop-run", graph + options + " --resume " + checkpoint + " --epochs 1");
  BOOST_TEST(contains(again.output, "resuming '" + checkpoint + "' from the end of epoch 1"),
             again.output);
}

BOOST_AUTO_TEST_CASE(a_finished_run_has_nothing_to_resume) {
  Scratch s;
  const std::string checkpoint = s.file("run.ckpt");
  const Result first = run_tool("ebprop-run", fit +
                                                  " -q --epochs 200 --optimizer lbfgs "
                                                  "--opt grad-tol=1e-2 --checkpoint " +
                                                  checkpoint);
  BOOST_TEST_REQUIRE(first.status == 0, first.output);
  BOOST_TEST_REQUIRE(contains(first.output, "stopped:"), first.output);
  const Result again = run_tool("ebprop-run", fit +
                                                  " --epochs 200 --optimizer lbfgs --opt "
                                                  "grad-tol=1e-2 --resume " +
                                                  checkpoint);
  BOOST_TEST(again.status == 0, again.output);
  BOOST_TEST(contains(again.output, "has finished (stopped: ‖g‖"), again.output);
  BOOST_TEST(contains(again.output, "there is nothing to resume"), again.output);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(refused_checkpoints)

// A checkpoint of small_net after one epoch of 300 examples, in `s`.
std::string checkpoint_of_small_net(const Scratch& s) {
  const std::string graph = s.file("net.graph", net(3, 300));
  const std::string checkpoint = s.file("run.ckpt");
  const Result r = run_tool("ebprop-run", graph + " -q --epochs 1 --checkpoint " + checkpoint);
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  return checkpoint;
}

BOOST_AUTO_TEST_CASE(another_graph_is_refused_with_its_differences) {
  Scratch s;
  const std::string checkpoint = checkpoint_of_small_net(s);
  std::string other = net(3, 300);
  other.replace(other.find("outputs=20"), 10, "outputs=21");
  const std::string graph = s.file("other.graph", other);
  const Untouched kept{checkpoint};
  const Result r = run_tool("ebprop-run", graph + " --resume " + checkpoint);
  BOOST_TEST(
      refused(r, 1,
              {"cannot resume from '" + checkpoint + "': it is the checkpoint of another run",
               "graph: the checkpoint has 'node h: linear <- image outputs=20; output 20'",
               "graph: this graph has 'node h: linear <- image outputs=21; output 21'",
               "graph: the checkpoint has 'parameter h.weight 20x784'"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_CASE(changed_settings_and_data_are_refused_each_named) {
  Scratch s;
  const std::string checkpoint = checkpoint_of_small_net(s);
  const std::string graph = s.file("net.graph");
  const Result r = run_tool("ebprop-run", graph + " --resume " + checkpoint +
                                              " --batch 5 --opt lr=0.5 --set train-limit=299");
  BOOST_TEST(refused(r, 1,
                     {"setting run.batch: '1' in the checkpoint, '5' now",
                      "setting optimizer.lr: '0.01' in the checkpoint, '0.5' now",
                      "setting data.train-limit: '300' in the checkpoint, '299' now",
                      "training data: 300 examples × 784 features, 10 classes, CRC-32 0x",
                      "299 examples × 784 features"}));
  // What a resumed run may change: the epochs, the threads, the test set.
  const Result fine = run_tool("ebprop-run", graph + " -q --resume " + checkpoint +
                                                 " --epochs 2 --threads 2 --set test-limit=50");
  BOOST_TEST(fine.status == 0, fine.output);
}

// An IDX regression's files may move (train-targets says where they are, like train-images) but
// their content is checked: the run resumes from moved files to the weights of the uninterrupted
// run, and is refused with other targets.
BOOST_AUTO_TEST_CASE(an_idx_regression_resumes_from_moved_files_and_not_from_other_targets) {
  Scratch s;
  write_bytes(s.file("x.idx"), idx_floats({4, 2}, {1, 0.5f, -0.5f, 1.5f, 2, -1, 0.25f, 0.75f}));
  write_bytes(s.file("t.idx"), idx_floats({4}, {1, -1, 0.5f, -0.25f}));
  write_bytes(s.file("moved.idx"), slurp(s.file("t.idx")));
  write_bytes(s.file("other.idx"), idx_floats({4}, {1, -1, 0.5f, 0.25f}));
  const std::string graph = s.file("lms.graph",
                                   "x = input shape=2 source=inputs\nt = input shape=1 "
                                   "source=targets\no = linear(x) outputs=1\nloss = mse(o, t)\n"
                                   "[run]\nbatch = 2\n[data]\ntrain-images = x.idx\n"
                                   "train-targets = t.idx\n");
  const std::string straight = s.file("straight.bin"), resumed = s.file("resumed.bin");
  const std::string checkpoint = s.file("run.ckpt");
  BOOST_TEST_REQUIRE(run_tool("ebprop-run", graph + " -q --epochs 3 --save " + straight).status ==
                     0);
  const Result first = run_tool("ebprop-run", graph + " -q --epochs 2 --checkpoint " + checkpoint);
  BOOST_TEST_REQUIRE(first.status == 0, first.output);
  const Untouched kept{checkpoint};
  const Result other = run_tool("ebprop-run", graph + " --epochs 3 --resume " + checkpoint +
                                                  " --set train-targets=" + s.file("other.idx"));
  BOOST_TEST(
      refused(other, 1,
              {"cannot resume from '" + checkpoint + "': it is the checkpoint of another run",
               "training data: 4 examples × 2 features"}));
  BOOST_TEST(kept.changes() == "");
  const Result moved = run_tool("ebprop-run", graph + " -q --epochs 3 --resume " + checkpoint +
                                                  " --set train-targets=" + s.file("moved.idx") +
                                                  " --save " + resumed);
  BOOST_TEST_REQUIRE(moved.status == 0, moved.output);
  BOOST_TEST(slurp(resumed) == slurp(straight));
}

BOOST_AUTO_TEST_CASE(a_damaged_checkpoint_or_another_file_is_refused) {
  Scratch s;
  const std::string checkpoint = checkpoint_of_small_net(s);
  const std::string graph = s.file("net.graph");
  std::string bytes = slurp(checkpoint);
  bytes[bytes.size() / 2] ^= 0x40;
  const std::string damaged = s.file("damaged.ckpt");
  ebprop::write_file_atomically(damaged, bytes);
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --resume " + damaged), 1,
                     {"ebprop checkpoint '" + damaged + "' is corrupt (checksum mismatch)"}));
  const std::string truncated = s.file("truncated.ckpt");
  ebprop::write_file_atomically(truncated, slurp(checkpoint).substr(0, 100));
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --resume " + truncated), 1,
                     {"ebprop checkpoint '" + truncated + "' is"}));
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --resume " + graph), 1,
                     {"'" + graph + "' is not an ebprop checkpoint (no EBPROPA1 header)"}));
  const std::string missing = s.file("missing.ckpt");
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --resume " + missing), 1,
                     {"cannot open an ebprop checkpoint '" + missing + "'"}));
}

BOOST_AUTO_TEST_CASE(another_format_version_or_kind_is_refused) {
  Scratch s;
  const std::string checkpoint = checkpoint_of_small_net(s);
  const std::string graph = s.file("net.graph");
  const ebprop::Archive read =
      ebprop::Archive::read(checkpoint, "checkpoint", "an ebprop checkpoint");
  ebprop::Archive newer("checkpoint", read.version() + 1);
  ebprop::Archive model("model", 1);
  for (const auto& [name, bytes] : read.sections()) {
    newer.put(name, bytes);
    model.put(name, bytes);
  }
  const std::string newer_file = s.file("newer.ckpt"), model_file = s.file("model.bin");
  newer.write(newer_file);
  model.write(model_file);
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --resume " + newer_file), 1,
                     {"checkpoint '" + newer_file +
                      "' is in format version 3; this ebprop "
                      "reads versions 1 to 2"}));
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --resume " + model_file), 1,
                     {"'" + model_file + "' is an ebprop model file, not an ebprop checkpoint"}));
}

// A checkpoint of format version 1 (before the §4.2 orders): no presentation section, and an
// identity without order, emphasize-floor and emphasize-cap. It resumes with those at their
// defaults, and is refused as another run with another order.
// `checkpoint` rewritten as the format `version` with its identity's settings lacking the keys
// `dropped`, as a build before them wrote it (version 1: without the presentation section too), in
// `path`.
void write_older_checkpoint(const std::string& checkpoint, std::uint32_t version,
                            const std::set<std::string>& dropped, const std::string& path) {
  const ebprop::Archive read =
      ebprop::Archive::read(checkpoint, "checkpoint", "an ebprop checkpoint");
  BOOST_TEST_REQUIRE(read.version() == 2u);
  ebprop::Archive old("checkpoint", version);
  for (const auto& [name, bytes] : read.sections()) {
    if (name == "presentation" && version < 2) continue;
    if (name != "identity") {
      old.put(name, bytes);
      continue;
    }
    // The identity's layout (checkpoint.cpp): the graph's lines, the settings, the data.
    ebprop::ByteReader in(bytes, "identity");
    ebprop::ByteWriter out;
    const std::uint64_t lines = in.u64();
    out.u64(lines);
    for (std::uint64_t i = 0; i < lines; ++i) out.text(in.text());
    std::vector<std::pair<std::string, std::string>> settings;
    const std::uint64_t count = in.u64();
    for (std::uint64_t i = 0; i < count; ++i) {
      std::string key = in.text();
      std::string value = in.text();
      if (dropped.count(key) == 0) settings.emplace_back(key, value);
    }
    BOOST_TEST_REQUIRE(settings.size() + dropped.size() == count);
    out.u64(settings.size());
    for (const auto& [key, value] : settings) {
      out.text(key);
      out.text(value);
    }
    out.text(in.text());
    in.expect_done();
    old.put(name, out.bytes());
  }
  old.write(path);
}

BOOST_AUTO_TEST_CASE(a_version_1_checkpoint_resumes) {
  Scratch s;
  const std::string checkpoint = checkpoint_of_small_net(s);
  const std::string graph = s.file("net.graph");
  const std::string old_file = s.file("old.ckpt");
  write_older_checkpoint(
      checkpoint, 1,
      {"run.order", "run.emphasize-floor", "run.emphasize-cap", "data.validation-targets"},
      old_file);
  const Result r = run_tool("ebprop-run", graph + " --epochs 2 --resume " + old_file);
  BOOST_TEST(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "resuming '" + old_file + "' from the end of epoch 1"), r.output);
  BOOST_TEST(refused(
      run_tool("ebprop-run", graph + " --epochs 2 --set order=interleave --resume " + old_file), 1,
      {"setting run.order: 'shuffle' in the checkpoint, 'interleave' now"}));
}

// [data] validation-targets came within format version 2: a checkpoint without it had none.
BOOST_AUTO_TEST_CASE(a_checkpoint_from_before_validation_targets_resumes) {
  Scratch s;
  const std::string checkpoint = checkpoint_of_small_net(s);
  const std::string graph = s.file("net.graph");
  const std::string old_file = s.file("old.ckpt");
  write_older_checkpoint(checkpoint, 2, {"data.validation-targets"}, old_file);
  const Result r = run_tool("ebprop-run", graph + " --epochs 2 --resume " + old_file);
  BOOST_TEST(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "resuming '" + old_file + "' from the end of epoch 1"), r.output);
}

BOOST_AUTO_TEST_CASE(options_that_contradict_resume_are_usage_errors) {
  Scratch s;
  const std::string checkpoint = checkpoint_of_small_net(s);
  const std::string graph = s.file("net.graph");
  const Untouched kept{checkpoint};
  BOOST_TEST(
      refused(run_tool("ebprop-run", graph + " --resume " + checkpoint + " --load " + checkpoint),
              2, {"--resume and --load exclude each other"}));
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --resume " + checkpoint + " --test-only"), 2,
                     {"--resume and --test-only exclude each other"}));
  BOOST_TEST(
      refused(run_tool("ebprop-run", graph + " --resume " + checkpoint + " --save " + checkpoint),
              2, {"--save", checkpoint, "the --resume checkpoint"}));
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --checkpoint " + graph), 2,
                     {"--checkpoint", "the graph file"}));
  BOOST_TEST(refused(run_tool("ebprop-run", graph + " --checkpoint-every 2"), 2,
                     {"--checkpoint-every needs --checkpoint FILE"}));
  for (const std::string every : {"0", "x", "3days", "-2steps", "2 steps"})
    BOOST_TEST(refused(run_tool("ebprop-run", graph + " --checkpoint " + s.file("c.ckpt") +
                                                  " --checkpoint-every '" + every + "'"),
                       2,
                       {"--checkpoint-every takes a count of epochs (2, 2epochs) or of optimizer "
                        "steps (500steps), at least 1; found '" +
                        every + "'"}));
  BOOST_TEST(kept.changes() == "");
}

BOOST_AUTO_TEST_SUITE_END()
