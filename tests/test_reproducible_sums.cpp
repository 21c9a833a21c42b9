// Reproducible sums (tree_sum.h, GraphObjectiveOptions::communicator): any split of the blocks
// among workers gives the same tree's total to the bit, that total is the pairwise sum computed
// here independently, and a graph objective's reproducible values, gradients, bbprop diagonals,
// Hessian- and Gauss-Newton-vector products and tracked counts are those of its plain
// evaluations (to rounding), and the same bits for 1, 2 and 3 threads and any batch.
#define BOOST_TEST_MODULE reproducible_sums
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "ebprop/graph_objective.h"
#include "ebprop/tree_sum.h"
#include "test_util.h"

using namespace ebprop;

namespace {

// The pairwise sum of leaves [first, end) by the tree's rule, written from its definition: a
// node of 2^level leaves is its left half plus its right half, when the right half has leaves.
Vector<float> pairwise(const std::vector<Vector<float>>& leaves, int level, int index) {
  const long first = long{index} << level;
  if (level == 0) return leaves[first];
  Vector<float> left = pairwise(leaves, level - 1, 2 * index);
  if (((2L * index + 1) << (level - 1)) < static_cast<long>(leaves.size()))
    left += pairwise(leaves, level - 1, 2 * index + 1);
  return left;
}

std::vector<Vector<float>> random_leaves(int count, int size, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<Vector<float>> leaves(count, Vector<float>(size));
  // Magnitudes over six decades: the order of the additions shows in the last bits.
  for (auto& leaf : leaves)
    for (float& v : leaf)
      v = static_cast<float>((uniform01(rng) - 0.5) * std::pow(10.0, 6 * uniform01(rng)));
  return leaves;
}

// The total when leaves are split at `cuts` (each part a TreeSum of its own).
PartialSum<float> split_total(const std::vector<Vector<float>>& leaves, std::vector<int> cuts) {
  const int count = static_cast<int>(leaves.size());
  cuts.insert(cuts.begin(), 0);
  cuts.push_back(count);
  std::vector<TreeSum<float>> parts(cuts.size() - 1);
  for (std::size_t p = 0; p + 1 < cuts.size(); ++p) {
    parts[p].reset(count);
    for (int k = cuts[p]; k < cuts[p + 1]; ++k) parts[p].add(k, leaves[k], {double(k)});
  }
  std::vector<PartialSum<float>*> nodes;
  for (auto& part : parts)
    for (std::size_t i = 0; i < part.count(); ++i) nodes.push_back(&part.nodes()[i]);
  return tree_total(count, nodes);
}

bool same_bits(const Vector<float>& a, const Vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(any_split_gives_the_pairwise_sum_to_the_bit) {
  for (int count : {1, 2, 3, 5, 8, 13, 32, 37}) {
    const auto leaves = random_leaves(count, 50, 7 + count);
    int levels = 0;
    while ((1 << levels) < count) ++levels;
    const Vector<float> reference = pairwise(leaves, levels, 0);
    // Every split into one, two and three runs of leaves (the ranks and threads of a run).
    std::vector<std::vector<int>> splits = {{}};
    for (int a = 1; a < count; ++a) {
      splits.push_back({a});
      for (int b = a + 1; b < count; ++b) splits.push_back({a, b});
    }
    for (const auto& cuts : splits) {
      const PartialSum<float> total = split_total(leaves, cuts);
      BOOST_TEST_REQUIRE(same_bits(total.values, reference), count << " leaves");
      BOOST_TEST(total.scalars[0] == count * (count - 1) / 2.0);
    }
  }
  // The test can fail: adding left to right gives other bits for these leaves.
  const auto leaves = random_leaves(37, 50, 44);
  Vector<float> sequential = leaves[0];
  for (std::size_t k = 1; k < leaves.size(); ++k) sequential += leaves[k];
  BOOST_TEST(!same_bits(sequential, split_total(leaves, {}).values));
}

BOOST_AUTO_TEST_CASE(nodes_that_do_not_partition_the_leaves_are_refused) {
  const auto leaves = random_leaves(4, 3, 1);
  TreeSum<float> a, b;
  a.reset(4);
  b.reset(4);
  for (int k = 0; k < 3; ++k) a.add(k, leaves[k], {});
  b.add(2, leaves[2], {});
  b.add(3, leaves[3], {});
  const auto message = [&](std::vector<PartialSum<float>*> nodes) {
    try {
      tree_total(4, nodes);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::vector<PartialSum<float>*> twice, missing;
  for (std::size_t i = 0; i < a.count(); ++i) twice.push_back(&a.nodes()[i]);
  for (std::size_t i = 0; i < b.count(); ++i) twice.push_back(&b.nodes()[i]);
  BOOST_TEST(message(twice) ==
             "tree_total: the nodes do not partition the 4 leaves: leaf 2 is "
             "covered twice");
  missing.push_back(&a.nodes().front());  // leaves 0 and 1
  BOOST_TEST(message(missing) ==
             "tree_total: the nodes do not partition the 4 leaves: leaf 2 is "
             "not covered");
  BOOST_CHECK_THROW(a.add(0, leaves[0], {}), Error);  // not the next leaf
}

namespace {

const char* net = R"(
x  = input shape=5 source=inputs
t  = input shape=3 source=targets
h  = linear(x) outputs=6
a  = stanh(h)
y  = linear(a) outputs=3
e  = mse(y, t)
)";

template <typename T>
struct Run {
  std::unique_ptr<Graph<T>> graph;
  Rng sampling{5};
  SingleProcess alone;
  std::unique_ptr<GraphObjective<T>> objective;
  Run(const data::Dataset& data, int threads, bool reproducible, int block = 8) {
    graph = test::graph_from<T>(net, 3);
    GraphObjectiveOptions options;
    options.threads = threads;
    options.min_part = 4;
    options.block = block;
    if (reproducible) options.communicator = &alone;
    objective = std::make_unique<GraphObjective<T>>(*graph, data, sampling, options);
  }
  ParameterStore<T>& p() { return graph->parameters(); }
};

// Everything a reproducible evaluation gives, as one vector of doubles.
template <typename T>
std::vector<double> results(Run<T>& run, const Batch& batch) {
  std::vector<double> out;
  const auto append = [&](const Vector<T>& v) {
    out.insert(out.end(), v.data(), v.data() + v.size());
  };
  run.objective->track_errors(batch);
  out.push_back(run.objective->curvature(batch));
  out.push_back(run.objective->tracked_errors());
  for (int c : run.objective->tracked_predictions()) out.push_back(c);
  append(run.p().dw());
  append(run.p().ddw());
  out.push_back(run.objective->value(batch));
  Vector<T> v = Vector<T>::LinSpaced(run.p().size(), -1, 1), hv, gv;
  run.objective->hessian_vector(batch, v, hv);
  run.objective->gauss_newton_vector(batch, v, gv);
  append(hv);
  append(gv);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(reproducible_evaluations_are_the_plain_ones_and_the_same_for_any_threads) {
  const data::Dataset data = test::three_class_examples(203, 11);
  std::vector<int> some;
  for (int i = 0; i < 40; ++i) some.push_back((i * 37) % 203);
  for (const Batch& batch : {Batch::of({3, 9, 1}), Batch::of(some), Batch::all()}) {
    Run<double> plain(data, 1, false), one(data, 1, true);
    const auto reference = results(plain, batch), first = results(one, batch);
    BOOST_TEST_REQUIRE(reference.size() == first.size());
    for (std::size_t i = 0; i < reference.size(); ++i)
      BOOST_TEST(first[i] == reference[i], boost::test_tools::tolerance(1e-12));
    for (int threads : {2, 3}) {
      Run<float> a(data, 1, true), b(data, threads, true);
      BOOST_TEST((results(a, batch) == results(b, batch)), threads << " threads");
    }
  }
}
