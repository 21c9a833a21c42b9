// Workers: the threads over which a module's pass may split its own work (module.h, SPLITTING A
// PASS).
//
// A small batch on several threads runs fastest on one graph whose large modules split each pass
// by output units, so that every core keeps its own rows of W (model parallelism): copies of the
// graph working on parts of the batch (data parallelism, graph_objective.h) would each make a
// full-size dW and read all of W, moving the weights between the cores at every step. The engine
// lends a graph's Workers a thread team for such evaluations (Graph::lend_threads); at all other
// times count() is 1 and split() runs the whole range on the calling thread.
//
// Piece k of a split always runs on thread k of the team, so a module that cuts its weights the
// same way in every pass keeps each piece in the cache of one core.
//
// OWNERSHIP: the graph owns its Workers and hands modules a reference that lives as long as the
// module; the threads belong to the team that is lent (ThreadTeam), which outlives the lending.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>

#include "ebprop/thread_team.h"

namespace ebprop {

class Workers {
 public:
  // Workers that are never lent threads: what a module holds until use_workers (module.h).
  static const Workers& alone() {
    static const Workers none;
    return none;
  }

  // Threads a split may use now: the lent team's size, or 1.
  int count() const { return team_ ? team_->size() : 1; }

  // How many pieces split(n, grain, ·) cuts [0, n) into: n / grain (those of at least `grain` ≥ 1
  // indices), at least 1 and at most count().
  int pieces(std::int64_t n, std::int64_t grain) const {
    return static_cast<int>(std::clamp<std::int64_t>(finest_ ? n : n / grain, 1, count()));
  }

  // Runs task(k, begin, end) for the pieces k of [0, n) at once, piece k = [n·k/pieces,
  // n·(k+1)/pieces) on thread k of the team, piece 0 on the calling thread; returns when all have
  // finished. Requires: the pieces write disjoint memory; a task does not split again. An
  // exception from a piece is rethrown after every piece has finished.
  template <typename Task>
  void split(std::int64_t n, std::int64_t grain, Task&& task) const {
    const int p = pieces(n, grain);
    if (p == 1) {
      task(0, std::int64_t{0}, n);
      return;
    }
    team_->run(p, [&](int k) { task(k, n * k / p, n * (k + 1) / p); });
  }

  // Lends `team` (null: no threads) to the splits that follow: the engine's call (Graph::
  // lend_threads). `finest`, for the tests of splitting modules: every split then cuts as many
  // pieces as it can, whatever its grain.
  void lend(ThreadTeam* team, bool finest = false) {
    team_ = team;
    finest_ = finest;
  }

 private:
  ThreadTeam* team_ = nullptr;
  bool finest_ = false;
};

}  // namespace ebprop
