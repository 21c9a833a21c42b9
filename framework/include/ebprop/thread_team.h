// ThreadTeam: the engine's own threads, for the parts of a batch that replicas of a graph run at
// once (graph_objective.h), and for the pieces of the passes that modules split (workers.h).
//
// A training step at batch 32 lasts a few hundred microseconds, so waking threads must cost far
// less than that. OpenMP's sleeping threads (OMP_WAIT_POLICY=passive) take tens of microseconds
// per parallel region, and how long its threads spin depends on the environment; a team spins for
// a bounded time after each task (kSpin), then sleeps until the next, whatever the environment.
//
// Matrix products inside a task stay on its thread: every thread of the team, and the calling
// thread while it runs its task, has OpenMP's thread count set to 1, so Eigen does not start a
// parallel region of its own and no core is oversubscribed.
//
// OWNERSHIP: the team owns its threads and joins them when destroyed. One caller at a time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ebprop {

class ThreadTeam {
 public:
  // A team of `threads` (≥ 1): the caller and threads − 1 started here.
  explicit ThreadTeam(int threads);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  int size() const { return static_cast<int>(threads_.size()) + 1; }

  // Runs task(k) for every k in [0, n) at once, task(0) on the calling thread, and returns when
  // all have finished. Requires: 1 ≤ n ≤ size(). An exception from a task is rethrown here (the
  // lowest k's) after every task has finished.
  void run(int n, const std::function<void(int)>& task);

 private:
  void serve(int k);  // the loop of thread k (1 ≤ k < size())
  void run_task(int k);

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<unsigned> generation_{0};  // bumped by run() for each batch of tasks
  std::atomic<int> pending_{0};          // tasks of the current batch not yet finished
  std::atomic<bool> stop_{false};
  int tasks_ = 0;
  const std::function<void(int)>* task_ = nullptr;
  std::vector<std::exception_ptr> failures_;
};

}  // namespace ebprop
