// Communicator: the processes of a data-parallel run (MPI ranks, docs/mpi.md) as the engine sees
// them — a rank, a count, and the two collective exchanges that tree_sum.h builds its reductions
// on. The engine holds no MPI code: ebprop-run passes an MPI implementation when it was started
// by mpirun (or srun), and a GraphObjective without a communicator runs in its one process.
//
// Collective calls: every rank of the communicator makes the same calls in the same order, or the
// run hangs (an MPI implementation cannot tell a slow rank from a lost one). The engine keeps
// this by deciding everything that chooses a collective from values that are identical on every
// rank (the batch, the reduced losses).
//
// OWNERSHIP: the creator owns the communicator and keeps it alive while objectives use it.
#pragma once

#include <vector>

namespace ebprop {

using Bytes = std::vector<char>;

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;  // 0 … size() − 1
  virtual int size() const = 0;  // ≥ 1

  // Collective. Sends to_each[r] to rank r (to_each.size() == size(); a rank's own part goes to
  // itself); returns what each rank sent this one, in rank order.
  virtual std::vector<Bytes> exchange(const std::vector<Bytes>& to_each) = 0;
  // Collective. Returns every rank's `mine`, in rank order (this rank's own included).
  virtual std::vector<Bytes> all_gather(const Bytes& mine) = 0;

  // Collective: true on every rank when `flag` is true on any (a stop request, docs/mpi.md).
  bool any(bool flag) {
    for (const Bytes& b : all_gather(Bytes{static_cast<char>(flag)}))
      if (!b.empty() && b[0] != 0) return true;
    return false;
  }
};

// The communicator of one process alone: size 1, every exchange returns what it was given.
// GraphObjective uses it for [run] reproducible = true, so that one process computes its sums as
// an MPI run does, to the bit.
class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::vector<Bytes> exchange(const std::vector<Bytes>& to_each) override { return to_each; }
  std::vector<Bytes> all_gather(const Bytes& mine) override { return {mine}; }
};

}  // namespace ebprop
