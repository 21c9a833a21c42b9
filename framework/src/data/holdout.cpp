// The stratified, seeded validation split (§2) of holdout.h.
#include "ebprop/data/holdout.h"

#include <algorithm>
#include <map>
#include <random>

#include "ebprop/error.h"
#include "ebprop/parameters.h"

namespace ebprop::data {

namespace {

// The fourth of the run's streams (random_streams.h numbers sampling 3).
Rng holdout_stream(std::uint64_t seed) {
  std::seed_seq sequence{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                         std::uint32_t{4}};
  return Rng(sequence);
}

// Moves `count` uniformly chosen elements of `pool` to its front (a partial Fisher-Yates shuffle)
// and appends them to `chosen`.
void draw(std::vector<int>& pool, std::int64_t count, Rng& rng, std::vector<int>& chosen) {
  const auto n = static_cast<std::int64_t>(pool.size());
  for (std::int64_t i = 0; i < count; ++i) {
    const auto j = i + static_cast<std::int64_t>(uniform01(rng) * static_cast<double>(n - i));
    std::swap(pool[i], pool[std::min(j, n - 1)]);
    chosen.push_back(pool[i]);
  }
}

// The examples `indices` (ascending) of `data`, as a data set of their own.
Dataset subset(const Dataset& data, const std::vector<int>& indices, const std::string& name) {
  Dataset out;
  out.name = name;
  out.targets_name = data.targets_name;
  out.input_shape = data.input_shape;
  out.classes = data.classes;
  out.class_names = data.class_names;
  out.features_from = data.features_from;
  const auto n = static_cast<Eigen::Index>(indices.size());
  out.inputs.resize(data.inputs.rows(), n);
  const bool targets = data.targets.cols() == data.inputs.cols() && data.targets.cols() > 0;
  if (targets) out.targets.resize(data.targets.rows(), n);
  const bool labels = data.labels.size() == static_cast<std::size_t>(data.size());
  for (Eigen::Index k = 0; k < n; ++k) {
    out.inputs.col(k) = data.inputs.col(indices[k]);
    if (targets) out.targets.col(k) = data.targets.col(indices[k]);
    if (labels) out.labels.push_back(data.labels[indices[k]]);
  }
  return out;
}

// Each class's share of `count` by the largest-remainder rule (holdout.h).
std::map<int, std::int64_t> shares(const std::map<int, std::vector<int>>& classes,
                                   std::int64_t count, std::int64_t total) {
  std::map<int, std::int64_t> share;
  std::vector<std::pair<std::int64_t, int>> remainders;  // (remainder, class)
  std::int64_t given = 0;
  for (const auto& [label, members] : classes) {
    const std::int64_t product = count * static_cast<std::int64_t>(members.size());
    share[label] = product / total;
    given += product / total;
    remainders.push_back({product % total, label});
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::int64_t k = 0; given < count; ++k, ++given) ++share[remainders[k].second];
  return share;
}

}  // namespace

Holdout hold_out(const Dataset& data, int count, std::uint64_t seed) {
  const int total = data.size();
  if (count < 1 || count >= total)
    throw Error(data.name + ": cannot hold out " + std::to_string(count) + " of " +
                std::to_string(total) +
                " examples for validation: at least 1 must be held out and 1 kept");
  Rng rng = holdout_stream(seed);
  std::vector<int> chosen;
  if (data.labels.size() == static_cast<std::size_t>(total)) {
    std::map<int, std::vector<int>> classes;  // class -> its examples, ascending
    for (int i = 0; i < total; ++i) classes[data.labels[i]].push_back(i);
    const auto share = shares(classes, count, total);
    for (auto& [label, members] : classes) {
      const std::int64_t n = share.at(label), size = static_cast<std::int64_t>(members.size());
      if (n == 0 || n == size)
        throw Error(data.name + ": class " + std::to_string(label) + " has " +
                    std::to_string(size) + " of the " + std::to_string(total) +
                    " training examples, too few to " +
                    (n == 0 ? "hold any out" : "keep any for training") + ": its share of the " +
                    std::to_string(count) + " validation examples would be " + std::to_string(n) +
                    (n == 0 ? "; hold out more, or none" : "; hold out fewer"));
      draw(members, n, rng, chosen);
    }
  } else {
    std::vector<int> all(total);
    for (int i = 0; i < total; ++i) all[i] = i;
    draw(all, count, rng, chosen);
  }
  std::sort(chosen.begin(), chosen.end());
  std::vector<int> rest;
  rest.reserve(total - chosen.size());
  for (int i = 0, c = 0; i < total; ++i) {
    if (c < static_cast<int>(chosen.size()) && chosen[c] == i)
      ++c;
    else
      rest.push_back(i);
  }
  return {subset(data, rest, data.name),
          subset(data, chosen, data.name + " (held-out validation)")};
}

}  // namespace ebprop::data
