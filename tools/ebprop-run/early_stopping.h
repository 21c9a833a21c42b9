// Early stopping (§2): the validation set, measured after every epoch, tells which epoch
// generalizes best; training past it only fits the training examples' noise. EarlyStopping keeps
// the best epoch so far and counts the epochs since it improved.
#pragma once

#include <ebprop/trainer.h>

#include <string>

#include "run_config.h"

namespace ebprop::run {

class EarlyStopping {
 public:
  // `patience`: stop after this many epochs in a row without an improvement (0: never).
  // `classes`: compare validation errors (ties: the lower loss does not count); otherwise (a
  // regression) validation losses. Requires: patience >= 0.
  EarlyStopping(int patience, bool classes);

  // The [run] key patience and --save-best (`save_best`, may be "") for a run whose data have a
  // validation set or not. Throws CommandLineError for --save-best, and refuses patience at its
  // key (run_config.h refuse), when there is no validation set.
  static EarlyStopping from(const tools::RunConfig& config, const std::string& save_best,
                            bool has_validation, bool classes);

  // Records the epoch's validation result. Returns true when it is better than every earlier
  // epoch's (strictly lower: a tie keeps the earlier epoch), which becomes the best.
  // Requires: r.validation was measured (finite).
  bool improved(const EpochReport& r);

  // Whether `patience` epochs in a row have not improved on the best (never when patience is 0).
  bool exhausted() const;

  // "stopped: no validation improvement in K epochs".
  std::string stop_line() const;

  // "best epoch N: validation error X% (loss Y)", or "best epoch N: validation loss Y" for a
  // regression. Requires: improved() returned true once.
  std::string best_line() const;

  int best_epoch() const { return best_epoch_; }  // 0 before the first epoch

  // What a checkpoint keeps (resume.h), so that a resumed run goes on counting.
  struct State {
    int best_epoch = 0;
    double best_loss = 0, best_error = 0;
    int since_best = 0;
  };
  State state() const { return {best_epoch_, best_.loss, best_.error, since_best_}; }
  void restore(const State& s) {
    best_epoch_ = s.best_epoch;
    best_.loss = s.best_loss;
    best_.error = s.best_error;
    since_best_ = s.since_best;
  }

 private:
  int patience_;
  bool classes_;
  int best_epoch_ = 0;
  Evaluation best_;
  int since_best_ = 0;  // epochs recorded since the best one
};

}  // namespace ebprop::run
