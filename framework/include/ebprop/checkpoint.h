// Checkpoint: a training run's whole state in one file, so that a resumed run continues it bit
// for bit: the model (weights, input transform and task, model_file.h), the optimizer's state by
// parameter name (optimizer.h), the trainer's
// position with its random streams (trainer.h), and the tool's own record of the run (its
// counters and metrics so far, opaque here). With them, what must not change between the two
// runs: the graph's structure, the settings that shape the trajectory and a fingerprint of the
// training data, each compared on resume and every difference listed.
//
// The file is an Archive (archive.h) of kind "checkpoint", format version 2, with the model's own
// sections (put_model: parameters, transform, decorrelation, task) and identity, optimizer,
// trainer, presentation (the examples' losses of emphasizing, §4.2) and run; version 1, without
// presentation, is read too (RunIdentity then lacks the settings added since: upgrade_identity in
// the tool). It is written atomically (a crash or SIGKILL leaves the previous checkpoint whole) and
// checksummed.
//
// OWNERSHIP: plain values; nothing refers to a graph or a trainer.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ebprop/archive.h"
#include "ebprop/data/dataset.h"
#include "ebprop/graph.h"
#include "ebprop/graph_spec.h"
#include "ebprop/model_file.h"
#include "ebprop/optimizer.h"
#include "ebprop/trainer.h"

namespace ebprop {

// What a resumed run must share with the run that wrote the checkpoint.
struct RunIdentity {
  // One line per node of the graph file (in the file's order: name, type, inputs, settings as
  // written, output shape) and per parameter block (name, shape, sharing): graph_structure().
  std::vector<std::string> graph;
  // "run.batch" → "32", "optimizer" → "sgd", "optimizer.lr" → "0.01", ...: the effective
  // settings that shape training (Settings::texts()), without those a run may change on resume
  // (epochs, threads, the test set's files).
  std::map<std::string, std::string> settings;
  std::string data;  // data_fingerprint() of the training set
};

// The lines of RunIdentity::graph.
template <typename T>
std::vector<std::string> graph_structure(const GraphSpec& spec, const Graph<T>& graph);

// "10000 examples × 784 features, 10 classes, CRC-32 0x1234abcd": the training set's size and a
// checksum of its inputs, targets and labels as they are fed (after normalization).
std::string data_fingerprint(const data::Dataset& train);

// Every difference between the identity a checkpoint holds and the current run's, one line each
// ("setting run.batch: 32 in the checkpoint, 64 now"; "graph: the checkpoint has 'node fc2: ...',
// this run does not"); empty when they match.
std::vector<std::string> identity_differences(const RunIdentity& saved, const RunIdentity& now);

// What a checkpoint holds besides the model.
struct Checkpoint {
  RunIdentity identity;
  OptimizerState optimizer;
  TrainerState trainer;
  std::string run;  // the tool's own bytes
};

// Writes `checkpoint` with the model of `params` and `model` (put_model: exact for float and
// double), atomically (files.h). Throws what put_model throws (a non-finite weight, an incomplete
// info), and FileError naming `path`.
template <typename T>
void write_checkpoint(const std::string& path, const Checkpoint& checkpoint,
                      const ParameterStore<T>& params, const ModelInfo& model);

// A checkpoint read from its file: what it holds besides the model, and the file's archive,
// from which get_model (model_file.h) reads the model, its messages naming the checkpoint and
// the section.
struct CheckpointFile {
  Checkpoint checkpoint;
  Archive archive;
};

// Reads `path` (format version 1 or 2; archive.version() says which). Throws FileError naming
// the file when it is not a checkpoint, is truncated or corrupt, or was written in another format
// version (the versions named).
CheckpointFile read_checkpoint(const std::string& path);

}  // namespace ebprop
