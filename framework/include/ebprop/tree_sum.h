// Sums over the blocks of a batch that come out the same, to the bit, however the blocks are
// shared out among MPI ranks and threads (docs/mpi.md).
//
// Floating-point addition is not associative: an MPI reduction, whose order follows the number
// of processes, gives replicas that agree with each other but not with a run on another number
// of ranks. Here a batch is cut into K blocks of a fixed number of examples (the leaves), each
// block's sum is formed by one graph, and the leaves are added in one fixed pairwise tree over
// 0 … K − 1: node (level l, index j) covers leaves [j·2^l, (j+1)·2^l) ∩ [0, K) and is
// (l−1, 2j) + (l−1, 2j+1), or (l−1, 2j) alone when the right half lies past the last leaf. A
// worker that owns a run of consecutive leaves adds them as far as the tree allows (TreeSum); any
// set of nodes that partitions the leaves then yields the root by the same additions
// (tree_total), and reduce() does this across ranks.
#pragma once

#include <vector>

#include "ebprop/communicator.h"
#include "ebprop/state.h"

namespace ebprop {

// A node of the tree and its sums: `values` (derivatives, in the run's precision) and `scalars`
// (losses and counts, in double).
template <typename T>
struct PartialSum {
  int level = 0;
  int index = 0;
  Vector<T> values;
  std::vector<double> scalars;
};

// The nodes of a run of consecutive leaves of a tree of `leaves` leaves, added as far as the tree
// allows: after the leaves a … b − 1, the fewest nodes that cover them, left to right. The nodes'
// storage is kept from one reset() to the next, so that a step allocates nothing.
template <typename T>
class TreeSum {
 public:
  // Forgets the leaves added; the next add() starts a tree of `leaves` leaves. Requires: ≥ 1.
  void reset(int leaves);
  // Adds leaf `leaf`. Requires: 0 ≤ leaf < leaves, and leaf is the one after the last one added
  // (any leaf first); the same sizes of values and of scalars for every leaf. Throws Error
  // otherwise.
  void add(int leaf, const Vector<T>& values, const std::vector<double>& scalars);
  // The nodes held, left to right (those past count() are spare storage).
  std::vector<PartialSum<T>>& nodes() { return nodes_; }
  std::size_t count() const { return used_; }

 private:
  int leaves_ = 0;
  int next_ = -1;  // the leaf add() expects; −1 before the first
  std::vector<PartialSum<T>> nodes_;
  std::size_t used_ = 0;
};

// The root of the tree of `leaves` leaves from `nodes`, which must partition the leaves (in any
// order): each node a node of the tree, together covering every leaf once. Returns one of the
// nodes, into which the others have been added (their values are spent). Throws Error naming the
// first leaf covered twice or not at all.
template <typename T>
PartialSum<T>& tree_total(int leaves, const std::vector<PartialSum<T>*>& nodes);

// Collective: tree_total of every rank's nodes (together a partition of the leaves), the same on
// every rank; the nodes' values are spent. Each rank adds up one segment of the values (a
// reduce-scatter: it receives that segment of every node) and the segments are then gathered, so
// a rank sends and receives about (its nodes + 1) vectors rather than every rank's nodes. The
// scalars ride with segment 0. `values` is the size of the nodes' values (known to a rank that
// holds none). Returns `out`, which receives the total, or with one rank the root among `mine`
// (valid until those nodes are next written).
template <typename T>
const PartialSum<T>& reduce(Communicator& communicator, int leaves,
                            const std::vector<PartialSum<T>*>& mine, Eigen::Index values,
                            PartialSum<T>& out);

extern template class TreeSum<float>;
extern template class TreeSum<double>;

}  // namespace ebprop
