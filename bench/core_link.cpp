// core-link: how far apart the machine's first two cores are, printed beside the bench results.
//
// On a virtual machine the host places the two vCPUs where it likes, and the placement changes
// while a bench runs: sometimes on cores that share a cache, sometimes not. Data-parallel training
// (GraphObjectiveOptions::threads) moves every weight between the cores at each step, so a
// two-thread figure means little without this. Measures, with thread A on CPU 0 and B on CPU 1:
//   round trip: A writes a flag, B answers, A sees the answer (median of 5 runs of 20,000);
//   handoff:    A reads 1 MiB of floats that B has just written, against A reading its own
//               (median of 21 each).
// Prints one line: "core link: round trip N ns; 1 MiB handoff M us (own: K us)".
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

bool pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

double round_trip_ns() {
  constexpr int kTrips = 20000;
  alignas(64) std::atomic<int> flag{0};
  std::thread answer([&] {
    pin(1);
    for (int i = 0; i < kTrips; ++i) {
      while (flag.load(std::memory_order_acquire) != 2 * i + 1) {
      }
      flag.store(2 * i + 2, std::memory_order_release);
    }
  });
  const auto start = Clock::now();
  for (int i = 0; i < kTrips; ++i) {
    flag.store(2 * i + 1, std::memory_order_release);
    while (flag.load(std::memory_order_acquire) != 2 * i + 2) {
    }
  }
  const auto end = Clock::now();
  answer.join();
  return std::chrono::duration<double, std::nano>(end - start).count() / kTrips;
}

// Microseconds for this thread to sum `data` (vectorized: 8 independent partial sums); the sum
// goes to `sink` so that the reads are not optimized away.
double read_us(const std::vector<float>& data, volatile float& sink) {
  const auto start = Clock::now();
  float s[8] = {};
  for (std::size_t i = 0; i + 8 <= data.size(); i += 8)
    for (int k = 0; k < 8; ++k) s[k] += data[i + k];
  const auto end = Clock::now();
  for (float v : s) sink = sink + v;
  return std::chrono::duration<double, std::micro>(end - start).count();
}

}  // namespace

int main() {
  if (std::thread::hardware_concurrency() < 2 || !pin(0)) {
    std::printf("core link: not measured (fewer than two CPUs to pin)\n");
    return 0;
  }
  std::vector<double> trips;
  for (int r = 0; r < 5; ++r) trips.push_back(round_trip_ns());
  std::sort(trips.begin(), trips.end());

  std::vector<float> data(1 << 18);  // 1 MiB
  volatile float sink = 0;
  std::vector<double> handoff, own;
  for (int r = 0; r < 21; ++r) {
    std::thread writer([&] {
      pin(1);
      for (float& v : data) v += 1;
    });
    writer.join();
    handoff.push_back(read_us(data, sink));
    for (float& v : data) v += 1;
    own.push_back(read_us(data, sink));
  }
  std::sort(handoff.begin(), handoff.end());
  std::sort(own.begin(), own.end());
  std::printf("core link: round trip %.0f ns; 1 MiB handoff %.0f us (own: %.0f us)\n", trips[2],
              handoff[10], own[10]);
  return 0;
}
