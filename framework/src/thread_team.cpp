#include "ebprop/thread_team.h"

#include <omp.h>

#include <chrono>

#include "ebprop/error.h"

namespace ebprop {

namespace {

// How long a thread spins for the next task before it sleeps: longer than the gap between the
// parallel parts of consecutive training steps, short enough not to hold a core when idle.
constexpr auto kSpin = std::chrono::microseconds(500);

}  // namespace

ThreadTeam::ThreadTeam(int threads) {
  if (threads < 1) throw Error("a thread team needs at least one thread");
  failures_.resize(threads);
  for (int k = 1; k < threads; ++k) threads_.emplace_back([this, k] { serve(k); });
}

ThreadTeam::~ThreadTeam() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    ++generation_;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadTeam::run_task(int k) {
  try {
    (*task_)(k);
  } catch (...) {
    failures_[k] = std::current_exception();
  }
}

void ThreadTeam::run(int n, const std::function<void(int)>& task) {
  if (n < 1 || n > size()) throw Error("ThreadTeam::run: " + std::to_string(n) + " tasks");
  for (auto& f : failures_) f = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    if (n > 1) {
      tasks_ = n;
      pending_ = n - 1;
      ++generation_;
    }
  }
  if (n > 1) wake_.notify_all();
  const int outer = omp_get_max_threads();
  omp_set_num_threads(1);
  run_task(0);
  omp_set_num_threads(outer);
  while (pending_.load(std::memory_order_acquire) > 0) std::this_thread::yield();
  for (const auto& f : failures_)
    if (f) std::rethrow_exception(f);
}

void ThreadTeam::serve(int k) {
  omp_set_num_threads(1);  // this thread's products stay on it
  unsigned seen = 0;
  while (true) {
    // Spin for a while, then sleep until run() or the destructor bumps the generation.
    const auto until = std::chrono::steady_clock::now() + kSpin;
    while (generation_.load(std::memory_order_acquire) == seen &&
           std::chrono::steady_clock::now() < until) {
    }
    if (generation_.load(std::memory_order_acquire) == seen) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
    }
    int tasks = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      seen = generation_.load();
      if (stop_) return;
      tasks = tasks_;
    }
    if (k < tasks) {
      run_task(k);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
}

}  // namespace ebprop
