// SIGINT and SIGTERM as a request to stop training at the end of the current step, so that no
// output is left half-done and the run can say what it kept.
#pragma once

#include <string>

namespace ebprop::run {

// Installs the handlers. The first SIGINT or SIGTERM only records its number (async-signal-safe);
// the handlers are installed with SA_RESETHAND, so a second signal ends the process at once.
void catch_stop_signals();

// The signal that asked to stop (SIGINT or SIGTERM), or 0 when none came.
int stop_signal();

// "SIGINT" or "SIGTERM".
std::string stop_signal_name();

}  // namespace ebprop::run
