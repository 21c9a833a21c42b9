#include "stop_signals.h"

#include <csignal>

namespace ebprop::run {

namespace {

volatile std::sig_atomic_t received = 0;

extern "C" void record_signal(int signal) { received = signal; }

}  // namespace

void catch_stop_signals() {
  struct sigaction action = {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int stop_signal() { return received; }

std::string stop_signal_name() { return received == SIGINT ? "SIGINT" : "SIGTERM"; }

}  // namespace ebprop::run
