#include "ebprop/tree_sum.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <utility>

#include "ebprop/error.h"

namespace ebprop {

namespace {

// The first leaf of node (level, index), and one past its last (clipped to the tree).
std::int64_t first_leaf(int level, int index) { return std::int64_t{index} << level; }
std::int64_t end_leaf(int level, int index, int leaves) {
  return std::min<std::int64_t>(std::int64_t{index + 1} << level, leaves);
}

template <typename T>
void add_into(PartialSum<T>& into, const PartialSum<T>& right) {
  into.values += right.values;
  for (std::size_t i = 0; i < into.scalars.size(); ++i) into.scalars[i] += right.scalars[i];
}

int levels_of(int leaves) {
  int levels = 0;
  while ((std::int64_t{1} << levels) < leaves) ++levels;
  return levels;
}

template <typename T>
using NodeMap = std::map<std::pair<int, int>, PartialSum<T>*>;

// Node (level, index): a known node, or its children added by the tree's rule into the left one.
template <typename T>
PartialSum<T>& evaluate(const NodeMap<T>& known, int level, int index, int leaves) {
  if (const auto it = known.find({level, index}); it != known.end()) return *it->second;
  if (level == 0)  // tree_total checked the partition: unreachable for a partition
    throw Error("tree_total: leaf " + std::to_string(index) + " is missing");
  PartialSum<T>& node = evaluate(known, level - 1, 2 * index, leaves);
  if (first_leaf(level - 1, 2 * index + 1) < leaves)
    add_into(node, evaluate(known, level - 1, 2 * index + 1, leaves));
  node.level = level;
  node.index = index;
  return node;
}

// Serialization of nodes for reduce(): level, index, value count, scalar count, values, scalars.
template <typename POD>
void put(Bytes& out, const POD* data, std::size_t count) {
  const auto* bytes = reinterpret_cast<const char*>(data);
  out.insert(out.end(), bytes, bytes + count * sizeof(POD));
}

template <typename POD>
void get(const Bytes& in, std::size_t& at, POD* data, std::size_t count) {
  const std::size_t bytes = count * sizeof(POD);
  if (at + bytes > in.size()) throw Error("reduce: a rank sent a truncated message");
  if (bytes == 0) return;  // an empty vector's data() may be null, which memcpy must not get
  std::memcpy(data, in.data() + at, bytes);
  at += bytes;
}

template <typename T>
void put_node(Bytes& out, const PartialSum<T>& node, Eigen::Index begin, Eigen::Index end,
              bool scalars) {
  const std::int64_t header[4] = {node.level, node.index, end - begin,
                                  scalars ? static_cast<std::int64_t>(node.scalars.size()) : 0};
  put(out, header, 4);
  put(out, node.values.data() + begin, static_cast<std::size_t>(end - begin));
  if (scalars) put(out, node.scalars.data(), node.scalars.size());
}

template <typename T>
std::vector<PartialSum<T>> get_nodes(const Bytes& in) {
  std::vector<PartialSum<T>> nodes;
  for (std::size_t at = 0; at < in.size();) {
    std::int64_t header[4];
    get(in, at, header, 4);
    PartialSum<T> node;
    node.level = static_cast<int>(header[0]);
    node.index = static_cast<int>(header[1]);
    node.values.resize(header[2]);
    get(in, at, node.values.data(), static_cast<std::size_t>(header[2]));
    node.scalars.resize(static_cast<std::size_t>(header[3]));
    get(in, at, node.scalars.data(), node.scalars.size());
    nodes.push_back(std::move(node));
  }
  return nodes;
}

}  // namespace

template <typename T>
void TreeSum<T>::reset(int leaves) {
  if (leaves < 1) throw Error("a tree sum needs at least one leaf");
  leaves_ = leaves;
  next_ = -1;
  used_ = 0;
}

template <typename T>
void TreeSum<T>::add(int leaf, const Vector<T>& values, const std::vector<double>& scalars) {
  if (leaf < 0 || leaf >= leaves_ || (next_ >= 0 && leaf != next_))
    throw Error("TreeSum::add: leaf " + std::to_string(leaf) + " of " + std::to_string(leaves_) +
                (next_ >= 0 ? ", but leaf " + std::to_string(next_) + " comes next" : ""));
  if (used_ > 0 && (values.size() != nodes_.front().values.size() ||
                    scalars.size() != nodes_.front().scalars.size()))
    throw Error("TreeSum::add: leaf " + std::to_string(leaf) + " has other sizes than the first");
  next_ = leaf + 1;
  if (used_ == nodes_.size()) nodes_.emplace_back();
  PartialSum<T>& node = nodes_[used_++];
  node.level = 0;
  node.index = leaf;
  node.values = values;  // into the storage kept from earlier steps
  node.scalars.assign(scalars.begin(), scalars.end());
  // Two siblings on top: their parent replaces them (the tree's rule, both children present).
  while (used_ >= 2) {
    PartialSum<T>& left = nodes_[used_ - 2];
    const PartialSum<T>& right = nodes_[used_ - 1];
    if (left.level != right.level || left.index % 2 != 0 || right.index != left.index + 1) break;
    add_into(left, right);
    ++left.level;
    left.index /= 2;
    --used_;
  }
}

template <typename T>
PartialSum<T>& tree_total(int leaves, const std::vector<PartialSum<T>*>& nodes) {
  std::vector<PartialSum<T>*> sorted = nodes;
  std::sort(sorted.begin(), sorted.end(), [](const PartialSum<T>* a, const PartialSum<T>* b) {
    return first_leaf(a->level, a->index) < first_leaf(b->level, b->index);
  });
  NodeMap<T> known;
  std::int64_t covered = 0;
  for (PartialSum<T>* node : sorted) {
    const std::int64_t first = first_leaf(node->level, node->index);
    if (first != covered || first >= leaves)
      throw Error("tree_total: the nodes do not partition the " + std::to_string(leaves) +
                  " leaves: leaf " + std::to_string(std::min<std::int64_t>(first, covered)) +
                  (first < covered ? " is covered twice" : " is not covered"));
    covered = end_leaf(node->level, node->index, leaves);
    known[{node->level, node->index}] = node;
  }
  if (covered != leaves)
    throw Error("tree_total: the nodes do not partition the " + std::to_string(leaves) +
                " leaves: leaf " + std::to_string(covered) + " is not covered");
  return evaluate(known, levels_of(leaves), 0, leaves);
}

template <typename T>
const PartialSum<T>& reduce(Communicator& communicator, int leaves,
                            const std::vector<PartialSum<T>*>& mine, Eigen::Index values,
                            PartialSum<T>& out) {
  const int ranks = communicator.size();
  if (ranks == 1) return tree_total(leaves, mine);
  const std::int64_t n = values;
  const auto segment = [&](int r) { return std::pair{n * r / ranks, n * (r + 1) / ranks}; };

  // Reduce-scatter: segment r of every node to rank r, the scalars to rank 0.
  std::vector<Bytes> to_each(ranks);
  for (int r = 0; r < ranks; ++r)
    for (const PartialSum<T>* node : mine)
      put_node(to_each[r], *node, segment(r).first, segment(r).second, r == 0);
  std::vector<PartialSum<T>> received;
  for (const Bytes& from : communicator.exchange(to_each))
    for (auto& node : get_nodes<T>(from)) received.push_back(std::move(node));
  std::vector<PartialSum<T>*> parts;
  for (auto& node : received) parts.push_back(&node);
  const PartialSum<T>& part = tree_total(leaves, parts);

  // All-gather of the segments' totals (rank 0's with the scalars).
  Bytes message;
  put_node(message, part, 0, part.values.size(), communicator.rank() == 0);
  out.level = part.level;
  out.index = part.index;
  out.values.resize(n);
  int r = 0;
  for (const Bytes& from : communicator.all_gather(message)) {
    std::vector<PartialSum<T>> got = get_nodes<T>(from);
    if (got.size() != 1 || got.front().values.size() != segment(r).second - segment(r).first)
      throw Error("reduce: rank " + std::to_string(r) + " sent a segment of the wrong size");
    out.values.segment(segment(r).first, got.front().values.size()) = got.front().values;
    if (r == 0) out.scalars = std::move(got.front().scalars);
    ++r;
  }
  return out;
}

template class TreeSum<float>;
template class TreeSum<double>;
template PartialSum<float>& tree_total(int, const std::vector<PartialSum<float>*>&);
template PartialSum<double>& tree_total(int, const std::vector<PartialSum<double>*>&);
template const PartialSum<float>& reduce(Communicator&, int, const std::vector<PartialSum<float>*>&,
                                         Eigen::Index, PartialSum<float>&);
template const PartialSum<double>& reduce(Communicator&, int,
                                          const std::vector<PartialSum<double>*>&, Eigen::Index,
                                          PartialSum<double>&);

}  // namespace ebprop
