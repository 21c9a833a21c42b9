#include "early_stopping.h"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace ebprop::run {

EarlyStopping::EarlyStopping(int patience, bool classes) : patience_(patience), classes_(classes) {}

EarlyStopping EarlyStopping::from(const tools::RunConfig& config, const std::string& save_best,
                                  bool has_validation, bool classes) {
  const auto patience = static_cast<int>(config.run.integer("patience"));
  if (!has_validation) {
    const std::string give =
        "give [data] validation = N (a count or a fraction of the training set held out), or "
        "validation-images and validation-labels, or validation-csv";
    if (!save_best.empty())
      throw tools::CommandLineError(
          "--save-best keeps the epoch with the best validation error, but the run has no "
          "validation set: " +
          give);
    if (patience > 0)
      tools::refuse(config.run.where("patience"),
                    "patience = " + std::to_string(patience) +
                        " stops on the validation set, but the run has none: " + give);
  }
  return EarlyStopping(patience, classes);
}

bool EarlyStopping::improved(const EpochReport& r) {
  const bool better = best_epoch_ == 0 || (classes_ ? r.validation.error < best_.error
                                                    : r.validation.loss < best_.loss);
  if (!better) {
    ++since_best_;
    return false;
  }
  best_epoch_ = r.epoch;
  best_ = r.validation;
  since_best_ = 0;
  return true;
}

bool EarlyStopping::exhausted() const { return patience_ > 0 && since_best_ >= patience_; }

std::string EarlyStopping::stop_line() const {
  return "stopped: no validation improvement in " + std::to_string(patience_) + " epochs";
}

std::string EarlyStopping::best_line() const {
  std::ostringstream line;
  line << "best epoch " << best_epoch_ << ": validation ";
  if (classes_)
    line << "error " << std::fixed << std::setprecision(2) << best_.error << "% (loss "
         << std::setprecision(5) << best_.loss << ")";
  else
    line << "loss " << std::fixed << std::setprecision(5) << best_.loss;
  return line.str();
}

}  // namespace ebprop::run
