// Ranks: ebprop-run's side of an MPI run (docs/mpi.md) — who prints and writes, how the ranks
// agree to start, and how they stop together.
//
// Every rank runs the whole program on the same files: it reads the graph, the data and any
// --load or --resume file itself, builds the same weights from the same seed and trains the same
// trainer, whose sums are reduced across the ranks (GraphObjective's reproducible sums). Rank 0
// (primary()) prints and writes --save, --metrics, --checkpoint and --trace; the others print
// nothing.
//
// Starting: once, before the first collective evaluation, every rank calls agree() with the
// facts that must be equal everywhere (the graph, settings, data and weights, as lines). A rank
// whose run ends before that (an error, or an early normal end) calls end_before_agreement()
// instead, which takes part in the same collective, so that no rank waits for one that has gone.
// Rank 0 then reports, once, what went wrong on which ranks, and every rank ends.
// After agreement a failure on one rank ends every rank at once (MpiWorld::abort), the failing
// rank naming itself; a rank killed from outside is the launcher's to notice (mpirun ends the
// others and names the rank).
#pragma once

#include <mpi_world.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace ebprop::run {

// Thrown on every rank by agree() when the ranks may not start; rank 0 has printed why.
class RanksStopped : public std::runtime_error {
 public:
  explicit RanksStopped(int status);
  ~RanksStopped() override;
  int status() const { return status_; }

 private:
  int status_;
};

class Ranks {
 public:
  explicit Ranks(tools::MpiWorld& world) : world_(world) {}
  tools::MpiWorld& world() { return world_; }
  bool primary() const { return world_.rank() == 0; }

  // Collective (see above). Throws RanksStopped when a rank ended before, or when a rank's facts
  // differ from rank 0's (rank 0 prints the first differences, naming the ranks).
  void agree(const std::vector<std::string>& facts);
  bool agreed() const { return agreed_; }
  // Collective, for a rank whose run ended before agree() with `status` and `message` (the
  // error as the tool prints it, "" for a normal end). Returns the status the rank exits with.
  int end_before_agreement(int status, const std::string& message);
  // Collective after agreement: a stop request (a signal) on any rank stops every rank.
  bool any_stop(bool requested) { return world_.any(requested); }

 private:
  // The start collective: this rank's message, every rank's back.
  std::vector<std::string> gather(const std::string& message);
  tools::MpiWorld& world_;
  bool agreed_ = false;
};

}  // namespace ebprop::run
