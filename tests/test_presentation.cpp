// The presentation orders of §4.2 (presentation.h) and the trainer's use of them: the interleaved
// order is a permutation with no two successive examples of one class while two classes have
// examples left, and differs between epochs; emphasizing draws in proportion to the examples'
// losses within its floor and cap, from the losses measured when each example was presented;
// every refusal says what it refuses.
#define BOOST_TEST_MODULE presentation
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>

#include "ebprop/graph_objective.h"
#include "ebprop/presentation.h"
#include "ebprop/trainer.h"
#include "test_util.h"

using namespace ebprop;

namespace {

const double unseen = std::numeric_limits<double>::quiet_NaN();

const char* net = R"(
x = input shape=3 source=inputs
t = input shape=4 source=targets
h = linear(x) outputs=5
a = stanh(h)
y = linear(a) outputs=4
e = mse(y, t) weight=3
)";

// `count` random examples of 4 classes with one-of-4 targets (or none: a regression);
// `heavy` examples (the first ones) have targets 20 times larger, so their loss is far larger.
data::Dataset examples(int count, bool classes = true, int heavy = 0) {
  Rng rng(5);
  data::Dataset d;
  d.name = "planted";
  d.input_shape = {3};
  d.inputs.resize(3, count);
  d.targets.resize(4, count);
  for (float& v : d.inputs.reshaped()) v = static_cast<float>(2 * uniform01(rng) - 1);
  for (int e = 0; e < count; ++e) {
    const int c = std::min(3, static_cast<int>(uniform01(rng) * 4));
    d.targets.col(e).setConstant(-1);
    d.targets(c, e) = 1;
    if (e < heavy) d.targets.col(e) *= 20;
    if (classes) d.labels.push_back(c);
  }
  d.classes = classes ? 4 : 0;
  return d;
}

// Steps without moving the weights, so every example's loss stays what it was; records the
// examples presented.
class Frozen final : public Optimizer<double> {
 public:
  void attach(ParameterStore<double>&) override {}
  StepResult step(Objective<double>& objective, const Batch& batch, std::int64_t) override {
    presented.insert(presented.end(), batch.examples().begin(), batch.examples().end());
    StepResult result;
    result.loss = objective.value(batch);
    return result;
  }
  double current_rate() const override { return 0; }
  std::vector<int> presented;
};

// The message of the Error that `f` throws ("" when it throws none).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Whether successive examples of `order` share a class only when no other class is left.
bool interleaved(const std::vector<int>& order, const std::vector<int>& labels) {
  for (std::size_t i = 0; i + 1 < order.size(); ++i) {
    if (labels[order[i]] != labels[order[i + 1]]) continue;
    const std::set<int> left_classes = [&] {
      std::set<int> left;
      for (std::size_t j = i; j < order.size(); ++j) left.insert(labels[order[j]]);
      return left;
    }();
    if (left_classes.size() > 1) return false;
  }
  return true;
}

bool is_permutation_of(std::vector<int> order, std::size_t n) {
  std::sort(order.begin(), order.end());
  std::vector<int> all(n);
  std::iota(all.begin(), all.end(), 0);
  return order == all;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(interleaving)

BOOST_AUTO_TEST_CASE(successive_examples_differ_in_class_while_two_classes_are_left) {
  // Unequal classes: 40, 25, 9, 3 and 1 examples, in blocks.
  std::vector<int> labels;
  for (const auto& [c, n] :
       std::vector<std::pair<int, int>>{{0, 40}, {1, 25}, {2, 9}, {3, 3}, {4, 1}})
    labels.insert(labels.end(), n, c);
  Rng rng(3);
  std::set<std::vector<int>> seen;
  for (int epoch = 0; epoch < 20; ++epoch) {
    const std::vector<int> order = interleaved_order(labels, rng);
    BOOST_TEST(is_permutation_of(order, labels.size()));
    BOOST_TEST(interleaved(order, labels));
    // The 15 examples of class 0 beyond class 1's 25 come last, one after another.
    for (std::size_t i = order.size() - 15; i < order.size(); ++i)
      BOOST_TEST(labels[order[i]] == 0);
    seen.insert(order);
  }
  BOOST_TEST(seen.size() == 20u);  // a fresh order each time
}

BOOST_AUTO_TEST_CASE(the_trainer_interleaves_every_epoch_anew) {
  const data::Dataset data = examples(60);
  auto graph = test::graph_from<double>(net);
  Frozen frozen;
  TrainerConfig config;
  config.order = Order::interleave;
  Trainer<double> trainer(*graph, frozen, data, config);
  trainer.run_epoch(1, nullptr);
  trainer.run_epoch(2, nullptr);
  const std::vector<int> first(frozen.presented.begin(), frozen.presented.begin() + 60);
  const std::vector<int> second(frozen.presented.begin() + 60, frozen.presented.end());
  for (const auto& epoch : {first, second}) {
    BOOST_TEST(is_permutation_of(epoch, 60));
    BOOST_TEST(interleaved(epoch, data.labels));
  }
  BOOST_TEST(first != second);
  // The planted check can fail: the plain shuffle has runs of one class.
  Rng rng(1);
  std::vector<int> shuffled(60);
  std::iota(shuffled.begin(), shuffled.end(), 0);
  shuffle_order(shuffled, rng);
  BOOST_TEST(!interleaved(shuffled, data.labels));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(emphasizing)

BOOST_AUTO_TEST_CASE(probabilities_follow_the_errors_within_the_floor_and_the_cap) {
  // An outlier, ten ordinary examples, nine nearly learned ones: P = 20, floor 0.2, cap 5.
  std::vector<double> errors{1000};
  errors.insert(errors.end(), 10, 1.0);
  errors.insert(errors.end(), 9, 1e-4);
  const std::vector<double> p = emphasis_probabilities(errors, 0.2, 5);
  const double low = 0.2 / 20, high = 5.0 / 20;
  BOOST_TEST(std::accumulate(p.begin(), p.end(), 0.0) == 1.0, boost::test_tools::tolerance(1e-12));
  for (double q : p) {
    BOOST_TEST(q >= low * (1 - 1e-12));
    BOOST_TEST(q <= high * (1 + 1e-12));
  }
  BOOST_TEST(p[0] == high, boost::test_tools::tolerance(1e-12));  // the outlier is capped
  BOOST_TEST(p[19] == low, boost::test_tools::tolerance(1e-12));  // the learned are floored
  BOOST_TEST(p[1] > 1.0 / 20);                                    // above uniform
  for (int i = 2; i <= 10; ++i) BOOST_TEST(p[i] == p[1], boost::test_tools::tolerance(1e-12));
  // Uncapped, the outlier would take nearly everything.
  const std::vector<double> free = emphasis_probabilities(errors, 0, 1e6);
  BOOST_TEST(free[0] > 0.98);
  BOOST_TEST(free[1] / free[11] == 1e4, boost::test_tools::tolerance(1e-9));  // proportional
  // Floor = cap = 1 is the uniform draw.
  for (double q : emphasis_probabilities(errors, 1, 1))
    BOOST_TEST(q == 1.0 / 20, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(unseen_examples_take_the_mean_and_zeros_share_what_the_cap_leaves) {
  const std::vector<double> p = emphasis_probabilities({1, 3, unseen, unseen}, 0, 10);
  BOOST_TEST(p[2] == 2.0 / 8, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(p[1] == 3.0 / 8, boost::test_tools::tolerance(1e-12));
  for (double q : emphasis_probabilities({unseen, unseen}, 0.2, 5))
    BOOST_TEST(q == 0.5, boost::test_tools::tolerance(1e-12));
  for (double q : emphasis_probabilities({0, 0, 0}, 0.2, 5))
    BOOST_TEST(q == 1.0 / 3, boost::test_tools::tolerance(1e-12));
  // One error of ten: capped at 2/10, the nine zeros share the other 0.8.
  std::vector<double> one(10, 0.0);
  one[4] = 7;
  const std::vector<double> q = emphasis_probabilities(one, 0.1, 2);
  BOOST_TEST(q[4] == 0.2, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(q[0] == 0.8 / 9, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(draws_follow_the_probabilities) {
  Rng rng(11);
  const std::vector<int> drawn = draw_with({0.5, 0.3, 0.2, 0}, 20000, rng);
  std::map<int, int> counts;
  for (int d : drawn) ++counts[d];
  BOOST_TEST(counts[0] / 20000.0 == 0.5, boost::test_tools::tolerance(0.03));
  BOOST_TEST(counts[1] / 20000.0 == 0.3, boost::test_tools::tolerance(0.04));
  BOOST_TEST(counts[2] / 20000.0 == 0.2, boost::test_tools::tolerance(0.06));
  BOOST_TEST(counts[3] == 0);
}

BOOST_AUTO_TEST_CASE(the_trainer_presents_high_loss_examples_more_often_within_the_cap) {
  const int count = 200, heavy = 10;
  const data::Dataset data = examples(count, true, heavy);
  auto graph = test::graph_from<double>(net);
  Frozen frozen;
  TrainerConfig config;
  config.order = Order::emphasize;
  config.batch = 3;
  config.threads = 2;  // the batch's losses come from two graphs at once
  Trainer<double> trainer(*graph, frozen, data, config);
  // Each example's loss, one at a time: what the trainer must have measured.
  Rng sampling(1);
  GraphObjective<double> objective(*graph, data, sampling);
  std::vector<double> loss(count);
  for (int i = 0; i < count; ++i) loss[i] = objective.value(Batch::of({i}));

  trainer.run_epoch(1, nullptr);  // nothing measured yet: uniform draws
  const TrainerState after_one = trainer.state();
  BOOST_TEST(after_one.order.size() == static_cast<std::size_t>(count));
  const std::set<int> presented(frozen.presented.begin(), frozen.presented.end());
  for (int i = 0; i < count; ++i) {
    if (presented.count(i))
      BOOST_TEST(after_one.example_losses[i] == loss[i], boost::test_tools::tolerance(1e-12));
    else
      BOOST_TEST(std::isnan(after_one.example_losses[i]));
  }
  int heavy_first = 0;
  for (int i : frozen.presented) heavy_first += i < heavy;
  frozen.presented.clear();
  for (int epoch = 2; epoch <= 6; ++epoch) trainer.run_epoch(epoch, nullptr);
  std::vector<int> times(count, 0);
  for (int i : frozen.presented) ++times[i];
  int heavy_after = 0;
  for (int i = 0; i < heavy; ++i) heavy_after += times[i];
  // Uniform: 10 of 200 examples get 1/20 of the presentations (50 of 1000); capped at 5/P each
  // they get 5 times that, about 250 (binomial: ±14).
  BOOST_TEST(heavy_first < 30);
  BOOST_TEST(heavy_after > 190);
  BOOST_TEST(heavy_after < 310);
  // The cap: each at most 5/200 of 1000 draws on average (25, ±5); proportional draws would give
  // the heavy examples, with ~400 times the loss of the others, nearly all of them.
  for (int i = 0; i < heavy; ++i) BOOST_TEST(times[i] < 50, "example " << i << ": " << times[i]);
  // The floor: no example goes unpresented over the five epochs for long; at 0.2/P each light
  // example has at least one draw in 1000 with probability 1 − e^−1 or more.
  int never = 0;
  for (int i = heavy; i < count; ++i) never += times[i] == 0;
  BOOST_TEST(never < 100);
}

BOOST_AUTO_TEST_CASE(the_objective_gives_each_examples_weighted_loss) {
  const data::Dataset data = examples(50);
  auto graph = test::graph_from<double>(net);
  for (int threads : {1, 2}) {
    Rng sampling(1);
    GraphObjective<double> objective(*graph, data, sampling, {7, "", threads, 4});
    const Batch batch =
        Batch::of({3, 9, 9, 0, 41, 17, 22, 5, 8, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 1, 2});
    objective.track_errors(batch, true);
    const double e = objective.gradient(batch);
    const std::vector<double> losses = objective.tracked_example_losses();
    BOOST_TEST_REQUIRE(losses.size() == batch.examples().size());
    BOOST_TEST(std::accumulate(losses.begin(), losses.end(), 0.0) / losses.size() == e,
               boost::test_tools::tolerance(1e-12));
    for (std::size_t k = 0; k < losses.size(); ++k)
      BOOST_TEST(losses[k] == objective.value(Batch::of({batch.examples()[k]})),
                 boost::test_tools::tolerance(1e-12));
    objective.track_errors(batch);  // not asked for
    objective.value(batch);
    BOOST_TEST(objective.tracked_example_losses().empty());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(refusals)

BOOST_AUTO_TEST_CASE(orders_that_cannot_apply_are_refused_naming_the_order) {
  auto graph = test::graph_from<double>(net);
  Frozen frozen;
  TrainerConfig config;
  config.order = Order::interleave;
  const data::Dataset regression = examples(20, false);
  BOOST_TEST(error_of([&] { Trainer<double>(*graph, frozen, regression, config); }) ==
             "order = interleave (§4.2) presents successive examples of different classes, but "
             "the training set 'planted' has no labels (a regression); use order = shuffle");
  config.order = Order::shuffle;  // the other orders need no labels
  BOOST_TEST(error_of([&] { Trainer<double>(*graph, frozen, regression, config); }) == "");

  const data::Dataset data = examples(20);
  auto lbfgs = test::optimizer("lbfgs", {});
  for (Order order : {Order::interleave, Order::emphasize}) {
    config.order = order;
    BOOST_TEST(error_of([&] { Trainer<double>(*graph, *lbfgs, data, config); }) ==
               "order = " + order_name(order) +
                   " (§4.2) orders the presentations of an optimizer that steps per mini-batch, "
                   "but this one iterates on the whole training set (§6), where the order "
                   "changes nothing; use order = shuffle");
  }
  config.order = Order::emphasize;
  config.emphasize_floor = 1.5;
  BOOST_TEST(contains(error_of([&] { Trainer<double>(*graph, frozen, data, config); }),
                      "emphasizing needs 0 <= floor <= 1 <= cap (relative to the uniform "
                      "probability), not floor 1.5 and cap 5"));
  BOOST_TEST(contains(error_of([] {
                        emphasis_probabilities({1, -2}, 0, 5);
                      }),
                      "emphasizing needs a finite error >= 0 for each example, but example 1 "
                      "has -2"));
  BOOST_TEST(error_of([] { parse_order("random"); }) ==
             "unknown presentation order 'random' (known: none, shuffle, interleave, emphasize)");
}

BOOST_AUTO_TEST_CASE(a_state_without_the_examples_losses_is_refused) {
  const data::Dataset data = examples(20);
  auto graph = test::graph_from<double>(net);
  Frozen frozen;
  TrainerConfig config;
  Trainer<double> shuffling(*graph, frozen, data, config);
  shuffling.run_epoch(1, nullptr);
  const TrainerState state = shuffling.state();
  BOOST_TEST(state.example_losses.empty());
  config.order = Order::emphasize;
  Trainer<double> emphasizing(*graph, frozen, data, config);
  BOOST_TEST(error_of([&] { emphasizing.restore(state); }) ==
             "the checkpoint holds 0 examples' losses for emphasizing, but order = emphasize on "
             "'planted' keeps 20");
}

BOOST_AUTO_TEST_SUITE_END()
