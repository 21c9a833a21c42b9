#include "ebprop/presentation.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ebprop/error.h"

namespace ebprop {

namespace {

const std::vector<std::pair<Order, std::string>>& names() {
  static const std::vector<std::pair<Order, std::string>> table{{Order::none, "none"},
                                                                {Order::shuffle, "shuffle"},
                                                                {Order::interleave, "interleave"},
                                                                {Order::emphasize, "emphasize"}};
  return table;
}

// A uniform index in [0, n), n ≥ 1.
std::size_t uniform_index(std::size_t n, Rng& rng) {
  return std::min(n - 1, static_cast<std::size_t>(uniform01(rng) * static_cast<double>(n)));
}

}  // namespace

std::string order_name(Order order) {
  for (const auto& [o, name] : names())
    if (o == order) return name;
  throw Error("unknown presentation order");
}

Order parse_order(const std::string& name) {
  for (const auto& [o, n] : names())
    if (n == name) return o;
  throw Error("unknown presentation order '" + name +
              "' (known: none, shuffle, interleave, emphasize)");
}

void shuffle_order(std::vector<int>& order, Rng& rng) {
  for (std::size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[uniform_index(i, rng)]);
}

std::vector<int> interleaved_order(const std::vector<int>& labels, Rng& rng) {
  int classes = 0;
  for (int label : labels) classes = std::max(classes, label + 1);
  std::vector<std::vector<int>> members(classes);
  for (std::size_t i = 0; i < labels.size(); ++i) members[labels[i]].push_back(static_cast<int>(i));
  std::vector<int> active;  // the classes with examples left
  for (int c = 0; c < classes; ++c) {
    shuffle_order(members[c], rng);
    if (!members[c].empty()) active.push_back(c);
  }
  std::vector<std::size_t> next(classes, 0);
  std::vector<int> order;
  order.reserve(labels.size());
  int last = -1;  // the class of the example presented last
  while (!active.empty()) {
    // One round: an example of each class left, in a shuffled class order whose first class is
    // not the one the last round ended with (unless it is the only one left).
    shuffle_order(active, rng);
    if (active.size() > 1 && active.front() == last)
      std::swap(active.front(), active[1 + uniform_index(active.size() - 1, rng)]);
    for (int c : active) order.push_back(members[c][next[c]++]);
    last = active.back();
    active.erase(std::remove_if(active.begin(), active.end(),
                                [&](int c) { return next[c] == members[c].size(); }),
                 active.end());
  }
  return order;
}

std::vector<double> emphasis_probabilities(const std::vector<double>& errors, double floor,
                                           double cap) {
  if (errors.empty()) throw Error("emphasizing needs at least one example");
  if (!(floor >= 0 && floor <= 1 && cap >= 1 && std::isfinite(cap))) {
    std::ostringstream message;
    message << "emphasizing needs 0 <= floor <= 1 <= cap (relative to the uniform probability), "
               "not floor "
            << floor << " and cap " << cap;
    throw Error(message.str());
  }
  const auto count = static_cast<double>(errors.size());
  // The examples never presented take the mean error of the others (§4.2 has no rule for them:
  // the mean neither favours nor neglects them).
  double known = 0, sum = 0;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    const double e = errors[i];
    if (std::isnan(e)) continue;
    if (!(e >= 0) || !std::isfinite(e)) {
      std::ostringstream message;
      message << "emphasizing needs a finite error >= 0 for each example, but example " << i
              << " has " << e;
      throw Error(message.str());
    }
    sum += e;
    ++known;
  }
  const double mean = known > 0 ? sum / known : 1;
  std::vector<double> e(errors.size());
  double total = 0, smallest = 0;
  int zeros = 0;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    e[i] = std::isnan(errors[i]) ? mean : errors[i];
    total += e[i];
    zeros += e[i] == 0;
    if (e[i] > 0 && (smallest == 0 || e[i] < smallest)) smallest = e[i];
  }
  if (total == 0) return std::vector<double>(errors.size(), 1 / count);
  const double low = floor / count, high = cap / count;
  std::vector<double> p(errors.size());
  // Σ clamp(c · e_i, low, high) grows with c from `floor` ≤ 1 to this.
  const double most = zeros * low + (count - zeros) * high;
  if (most < 1) {
    for (std::size_t i = 0; i < e.size(); ++i)
      p[i] = e[i] > 0 ? high : (1 - (count - zeros) * high) / zeros;
    return p;
  }
  const auto mass = [&](double c) {
    double m = 0;
    for (double v : e) m += std::clamp(c * v, low, high);
    return m;
  };
  // Bisection for Σ = 1, then c solved exactly for the examples left unclipped.
  double below = 0, above = high / smallest;
  for (int k = 0; k < 200 && below < above; ++k) {
    const double middle = below + (above - below) / 2;
    if (middle <= below || middle >= above) break;
    (mass(middle) < 1 ? below : above) = middle;
  }
  double clipped = 0, free = 0;
  for (double v : e) {
    const double q = above * v;
    if (q <= low)
      clipped += low;
    else if (q >= high)
      clipped += high;
    else
      free += v;
  }
  const double c = free > 0 ? (1 - clipped) / free : above;
  double norm = 0;
  for (std::size_t i = 0; i < e.size(); ++i) norm += p[i] = std::clamp(c * e[i], low, high);
  for (double& q : p) q /= norm;
  return p;
}

std::vector<int> draw_with(const std::vector<double>& probabilities, int count, Rng& rng) {
  std::vector<double> cumulative(probabilities.size());
  double sum = 0;
  for (std::size_t i = 0; i < probabilities.size(); ++i) cumulative[i] = sum += probabilities[i];
  std::vector<int> drawn(count);
  for (int& d : drawn) {
    const auto at = std::upper_bound(cumulative.begin(), cumulative.end(), uniform01(rng) * sum) -
                    cumulative.begin();
    d = static_cast<int>(std::min<std::ptrdiff_t>(at, cumulative.size() - 1));
  }
  return drawn;
}

}  // namespace ebprop
