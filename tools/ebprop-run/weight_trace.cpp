#include "weight_trace.h"

#include <ebprop/files.h>

#include <cstdio>
#include <utility>

#include "command_line_error.h"

namespace ebprop::run {

template <typename T>
WeightTrace<T>::WeightTrace(std::string path, const ParameterStore<T>& store, std::int64_t steps)
    : path_(std::move(path)), store_(store) {
  const std::int64_t weights = store.w().size();
  if (weights > max_weights)
    throw tools::CommandLineError("--trace records nets of at most " + std::to_string(max_weights) +
                                  " weights; this one has " + std::to_string(weights));
  if (weights * (steps + 1) > max_values)
    throw tools::CommandLineError("--trace: " + std::to_string(steps) + " steps of " +
                                  std::to_string(weights) + " weights make more than " +
                                  std::to_string(max_values) +
                                  " values; trace fewer epochs or larger batches");
  csv_ = "step,epoch";
  for (const ParamBlock& block : store.blocks())
    for (std::int64_t i = 0; i < block.size(); ++i)
      csv_ += "," + block.name + "." + std::to_string(i);
  csv_ += "\n";
  record(0, 0);
}

template <typename T>
void WeightTrace<T>::record(std::int64_t step, int epoch) {
  csv_ += std::to_string(step) + "," + std::to_string(epoch);
  char number[32];
  for (Eigen::Index i = 0; i < store_.w().size(); ++i) {
    // %.9g and %.17g keep a float's and a double's value exactly.
    std::snprintf(number, sizeof number, sizeof(T) == sizeof(float) ? ",%.9g" : ",%.17g",
                  static_cast<double>(store_.w()[i]));
    csv_ += number;
  }
  csv_ += "\n";
}

template <typename T>
void WeightTrace<T>::write() {
  if (written_ == csv_.size()) return;
  write_file_atomically(path_, csv_);
  written_ = csv_.size();
}

template <typename T>
void WeightTrace<T>::write_if_due() {
  if (csv_.size() - written_ >= written_) write();
}

template class WeightTrace<float>;
template class WeightTrace<double>;

}  // namespace ebprop::run
