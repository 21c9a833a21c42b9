// What ebprop-run prints and writes about training: the epoch lines, the --metrics records and the
// plan of the run.
#pragma once

#include <ebprop/optimizer.h>
#include <ebprop/trainer.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ebprop::run {

// A JSON number with 10 significant digits; "null" for NaN or infinity.
std::string json_number(double v);

// "  3.45%", or dashes for NaN (an evaluation not made).
std::string percent(double v);

// "train loss 0.12345 error  3.45%"; without classes (a regression) the loss alone; dashes for
// an evaluation not made (no test set, or an interrupted epoch).
std::string loss_columns(const std::string& set, const Evaluation& e, bool classes);

// " (xent 0.12345 aux 0.45678)": each loss's mean, without its weight, in the graph file's order,
// when the graph has two or more losses and they were measured; "" otherwise.
std::string per_loss_columns(const std::vector<std::string>& names, const Evaluation& e);

// ‖g‖ and step lengths: three digits, "-" when the optimizer does not know them.
std::string short_number(double v);

// The line of one epoch: of a stochastic optimizer (iteration 0), "epoch N" with the training loss
// measured while training and the speed; of an iterating one, "iteration N" (N counted over the
// run) with the loss at the point reached, ‖g‖ and the step length there, and the evaluations
// made so far. An epoch measured on a validation set (a finite r.validation.loss) has
// "valid loss L error E%" between the training and the test columns.
std::string epoch_line(const EpochReport& r, std::int64_t iteration, bool classes);

// One JSON line of the --metrics file. Errors are null without classes, the validation values
// without a validation set, the test values without a test set, ‖g‖ and the step length when the
// optimizer does not know them. The counts are the training objective's since the run began
// (EvaluationCounts). `losses` and `test_losses` hold each loss's mean by node name (train_loss
// and test_loss are Σ weight · these); test_losses is {} when not measured.
std::string metrics_line(const EpochReport& r);

// The --metrics file holds JSON lines (metrics_line), or CSV when its name ends in ".csv": a
// header line of the same field names in the same order, then one row per epoch, with an empty
// cell where JSON has null.
enum class MetricsFormat { json_lines, csv };
MetricsFormat metrics_format(const std::string& file);

// What the file begins with: the CSV header line, or "" for JSON lines. CSV has no objects: each
// loss's mean gets a column of its own, loss.NAME and test_loss.NAME, after the others.
std::string metrics_header(MetricsFormat format, const std::vector<std::string>& loss_names);

// The epoch's record in the format, ending in a newline.
std::string metrics_record(const EpochReport& r, MetricsFormat format);

// A run whose final training loss exceeds this many times its first epoch's ends with a warning.
constexpr double kLossRiseWarning = 1.5;

// The warnings for the end of a run whose first epoch's training loss was `first_loss` and whose
// last finished epoch is `last` (the same epoch for a one-epoch run): the final training loss
// above kLossRiseWarning times the first (both numbers, and the hint to lower the rate), and, for
// each evaluated set (the training set as seen during the last epoch, the test set after it), a
// single class predicted for every example (the net has collapsed; the class is named). Empty
// when none applies.
std::vector<std::string> end_of_run_warnings(double first_loss, const EpochReport& last);

// What the optimizer's epochs are, for the line before training (`sample`: of a resampling one).
std::string training_plan(const DataUse& use, int epochs, int batch, int sample);

}  // namespace ebprop::run
