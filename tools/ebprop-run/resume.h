// What ebprop-run puts in a checkpoint besides the engine's state (checkpoint.h), and what it
// compares when resuming: the run's own record (epochs done, the iteration count, the notices
// printed, the metrics records so far, why it finished) and the identity of the run.
#pragma once

#include <ebprop/checkpoint.h>

#include <cstdint>
#include <set>
#include <string>

#include "early_stopping.h"
#include "report.h"
#include "run_config.h"

namespace ebprop::run {

// The runner's part of a checkpoint.
struct RunRecord {
  int epochs_done = 0;            // epochs whose metrics records (and --save) are written
  std::int64_t iteration = 0;     // an iterating optimizer's iterations over the run
  std::set<std::string> notices;  // printed once per run
  // The --metrics records of epochs 1 to epochs_done, in both formats (CSV with its header), so
  // a resumed run may write either.
  std::string metrics_json, metrics_csv;
  double first_train_loss = 0;  // epoch 1's, for the warning of a run that got worse
  EarlyStopping::State early;   // the best validation epoch so far
  std::string finished;         // why the run ended ("stopped: ..."), "" while it goes on

  void add_metrics(const EpochReport& r);           // the epoch's records
  std::string metrics(MetricsFormat format) const;  // the --metrics file's text

  std::string encode() const;
  // Throws FileError naming `what` when the bytes are not a record.
  static RunRecord decode(const std::string& bytes, const std::string& what);
};

// The identity of this run (RunIdentity): the graph's structure; the settings that shape
// training, which are every [run], [data] and optimizer setting except those a resumed run may
// change (free_on_resume: the number of epochs, the threads, the test set's files and limit, and
// where the training files are, whose content the fingerprint covers); and the training data's
// fingerprint.
bool free_on_resume(const std::string& key);  // "run.epochs", "data.test-csv", ...
template <typename T>
RunIdentity run_identity(const GraphSpec& spec, const Graph<T>& graph,
                         const tools::RunConfig& config, const data::Dataset& train);

// A checkpoint of format `version` (checkpoint.h) written before [run] had the keys of the §4.2
// presentation orders (version 1: order, emphasize-floor, emphasize-cap) ran with their
// defaults (its order was `shuffle`'s): `saved` gets them, so that it matches a run that leaves
// them at their defaults. So does one of any version written before [data] had
// validation-targets (no validation targets: "").
void add_keys_added_since(RunIdentity& saved, std::uint32_t version);

}  // namespace ebprop::run
