// The weight trace (--trace FILE): every weight of a small net after every optimizer step, the
// trajectories that Fig. 10-14 and 22-23 draw over the error surface. A CSV file: a header
// "step,epoch,NAME.0,NAME.1,..." (each parameter block's values in column-major order, blocks in
// the store's order), a row for the starting weights (step 0, epoch 0), then one row per step.
//
// REQUIRES: the store outlives the trace. ENSURES: write() replaces the file atomically with every
// row recorded so far (files.h), so the file always holds a whole trace of the run up to a step.
// write_if_due() does so only when the rows not yet in the file take at least as many bytes as
// the file: the file is rewritten at doubling sizes, so a run writes less than twice its final
// trace in all, where a rewrite every epoch would write a quadratic amount.
// OWNS: the rows, in memory.
#pragma once

#include <ebprop/parameters.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace ebprop::run {

template <typename T>
class WeightTrace {
 public:
  // The most weights a trace records, and the most values (weights × rows) it holds.
  static constexpr std::int64_t max_weights = 1000;
  static constexpr std::int64_t max_values = 20'000'000;

  // Requires: the store is laid out. Throws CommandLineError naming --trace when the net has more
  // than max_weights weights, or when `steps` (the steps the run is to make) rows would hold more
  // than max_values values. Records the starting weights as step 0.
  WeightTrace(std::string path, const ParameterStore<T>& store, std::int64_t steps);

  // Appends the weights as they are now, after step `step` of epoch `epoch`.
  void record(std::int64_t step, int epoch);

  // Writes every row so far to the file (atomically), unless the file already holds them all.
  // Throws FileError.
  void write();

  // write() when the rows not yet in the file are at least as large as the file.
  void write_if_due();

 private:
  std::string path_;
  const ParameterStore<T>& store_;
  std::string csv_;
  std::size_t written_ = 0;  // bytes of csv_ in the file
};

extern template class WeightTrace<float>;
extern template class WeightTrace<double>;

}  // namespace ebprop::run
