#include "report.h"

#include <cmath>
#include <iomanip>
#include <sstream>
#include <utility>
#include <vector>

namespace ebprop::run {

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  std::ostringstream s;
  s << std::setprecision(10) << v;
  return s.str();
}

std::string percent(double v) {
  if (!std::isfinite(v)) return "    -  ";
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << std::setw(6) << v << "%";
  return s.str();
}

// "train loss 0.12345 error  3.45%"; without classes (a regression) the loss alone; dashes for
// an evaluation not made (no test set, or an interrupted epoch).
std::string loss_columns(const std::string& set, const Evaluation& e, bool classes) {
  std::ostringstream s;
  s << set << " loss ";
  if (std::isfinite(e.loss))
    s << std::fixed << std::setprecision(5) << e.loss;
  else
    s << "   -   ";
  if (classes) s << " error " << percent(e.error);
  return s.str();
}

std::string per_loss_columns(const std::vector<std::string>& names, const Evaluation& e) {
  if (names.size() < 2 || e.losses.size() != names.size()) return "";
  std::ostringstream s;
  s << std::fixed << std::setprecision(5);
  for (std::size_t l = 0; l < names.size(); ++l)
    s << (l ? " " : " (") << names[l] << " " << e.losses[l];
  s << ")";
  return s.str();
}

namespace {

// {"xent": 0.123, "aux": 0.456}; {} when not measured.
std::string json_losses(const std::vector<std::string>& names, const Evaluation& e) {
  std::string text = "{";
  if (e.losses.size() == names.size())
    for (std::size_t l = 0; l < names.size(); ++l)
      text += (l ? ", \"" : "\"") + names[l] + "\": " + json_number(e.losses[l]);
  return text + "}";
}

// The class predicted for every example of an evaluation, or −1 (no histogram, or two classes
// or more predicted).
int single_predicted_class(const Evaluation& e) {
  int single = -1, examples = 0;
  for (std::size_t c = 0; c < e.predicted.size(); ++c) {
    if (e.predicted[c] == 0) continue;
    if (single >= 0) return -1;
    single = static_cast<int>(c);
    examples = e.predicted[c];
  }
  return examples > 0 ? single : -1;
}

}  // namespace

// ‖g‖ and step lengths: three digits, "-" when the optimizer does not know them.
std::string short_number(double v) {
  if (!std::isfinite(v)) return "-";
  std::ostringstream s;
  s << std::scientific << std::setprecision(2) << v;
  return s.str();
}

// The line of one epoch: of a stochastic optimizer (iteration 0), "epoch N" with the training loss
// measured while training and the speed; of an iterating one, "iteration N" (N counted over the
// run) with the loss at the point reached, ‖g‖ and the step length there, and the evaluations
// made so far. A validated epoch has "valid loss ... error ..." before the test columns.
std::string epoch_line(const EpochReport& r, std::int64_t iteration, bool classes) {
  std::ostringstream line;
  if (iteration == 0)
    line << "epoch " << std::setw(3) << r.epoch << "  " << loss_columns("train", r.train, classes)
         << per_loss_columns(r.loss_names, r.train);
  else
    line << "iteration " << std::setw(3) << iteration << "  "
         << loss_columns("train", r.train, classes) << per_loss_columns(r.loss_names, r.train)
         << "  ‖g‖ " << short_number(r.last_step.grad_norm) << "  step "
         << short_number(r.last_step.step) << "  evaluations " << r.evaluations.evaluations();
  if (std::isfinite(r.validation.loss))
    line << "  " << loss_columns("valid", r.validation, classes);
  line << "  " << loss_columns("test", r.test, classes) << per_loss_columns(r.loss_names, r.test)
       << "  " << std::fixed << std::setprecision(2) << r.seconds << " s";
  if (iteration == 0) line << "  " << static_cast<long>(r.examples_per_second) << " ex/s";
  return line.str();
}

// The fields of a --metrics record, in order, each with its value as JSON ("null" for a value not
// measured).
static std::vector<std::pair<std::string, std::string>> metrics_fields(const EpochReport& r) {
  return {{"epoch", std::to_string(r.epoch)},
          {"train_loss", json_number(r.train.loss)},
          {"train_error", json_number(r.train.error)},
          {"validation_loss", json_number(r.validation.loss)},
          {"validation_error", json_number(r.validation.error)},
          {"test_loss", json_number(r.test.loss)},
          {"test_error", json_number(r.test.error)},
          {"seconds", json_number(r.seconds)},
          {"examples_per_second", json_number(r.examples_per_second)},
          {"rate", json_number(r.rate)},
          {"grad_norm", json_number(r.last_step.grad_norm)},
          {"step", json_number(r.last_step.step)},
          {"evaluations", std::to_string(r.evaluations.evaluations())},
          {"examples", std::to_string(r.evaluations.examples)},
          {"gauss_newton_vectors", std::to_string(r.evaluations.gauss_newton_vectors)},
          {"hessian_vectors", std::to_string(r.evaluations.hessian_vectors)}};
}

// One JSON line of the --metrics file. Errors are null without classes, ‖g‖ and the step length
// when the optimizer does not know them. The counts are the training objective's since the run
// began (EvaluationCounts).
std::string metrics_line(const EpochReport& r) {
  std::string line;
  for (const auto& [name, value] : metrics_fields(r))
    line += (line.empty() ? "{\"" : ", \"") + name + "\": " + value;
  return line + ", \"losses\": " + json_losses(r.loss_names, r.train) +
         ", \"test_losses\": " + json_losses(r.loss_names, r.test) + "}\n";
}

MetricsFormat metrics_format(const std::string& file) {
  const std::string csv = ".csv";
  return file.size() >= csv.size() && file.compare(file.size() - csv.size(), csv.size(), csv) == 0
             ? MetricsFormat::csv
             : MetricsFormat::json_lines;
}

std::string metrics_header(MetricsFormat format, const std::vector<std::string>& loss_names) {
  if (format == MetricsFormat::json_lines) return "";
  std::string header;
  for (const auto& field : metrics_fields(EpochReport{}))
    header += (header.empty() ? "" : ",") + field.first;
  for (const std::string set : {"loss.", "test_loss."})
    for (const auto& name : loss_names) header += "," + set + name;
  return header + "\n";
}

std::string metrics_record(const EpochReport& r, MetricsFormat format) {
  if (format == MetricsFormat::json_lines) return metrics_line(r);
  std::string row;
  bool first = true;
  for (const auto& field : metrics_fields(r)) {
    row += (first ? "" : ",") + (field.second == "null" ? std::string() : field.second);
    first = false;
  }
  for (const Evaluation* e : {&r.train, &r.test})
    for (std::size_t l = 0; l < r.loss_names.size(); ++l) {
      const double v = l < e->losses.size() ? e->losses[l] : StepResult::unknown;
      row += "," + (std::isfinite(v) ? json_number(v) : std::string());
    }
  return row + "\n";
}

// What the optimizer's epochs are, for the line before training (`sample`: of a resampling one).
std::string training_plan(const DataUse& use, int epochs, int batch, int sample) {
  switch (use.kind) {
    case DataUse::Kind::full_set:
      return "up to " + std::to_string(epochs) + " iterations on the whole training set";
    case DataUse::Kind::resampled:
      return std::to_string(epochs) + " epochs of iterations on samples of " +
             std::to_string(sample) + " examples, drawn anew every " +
             (use.every > 1 ? std::to_string(use.every) + " iterations" : "iteration");
    case DataUse::Kind::mini_batches:
      break;
  }
  return std::to_string(epochs) + " epochs, batch " + std::to_string(batch);
}

std::vector<std::string> end_of_run_warnings(double first_loss, const EpochReport& last) {
  std::vector<std::string> warnings;
  if (last.train.loss > kLossRiseWarning * first_loss) {
    std::ostringstream w;
    w << std::setprecision(5) << "the final training loss, " << last.train.loss << " (epoch "
      << last.epoch << "), is more than " << kLossRiseWarning << " times the first epoch's, "
      << first_loss << ": the run made the net worse; lower the learning rate";
    warnings.push_back(w.str());
  }
  const auto collapsed = [&](const Evaluation& e, const std::string& set) {
    const int c = single_predicted_class(e);
    if (c >= 0)
      warnings.push_back(
          "the net predicted class " + std::to_string(c) + " for every example of " + set +
          " in epoch " + std::to_string(last.epoch) +
          ": it has collapsed to one class; check the learning rate, whether the inputs tell "
          "the classes apart, and the predict node");
  };
  collapsed(last.train, "the training set");
  collapsed(last.test, "the test set");
  return warnings;
}

}  // namespace ebprop::run
