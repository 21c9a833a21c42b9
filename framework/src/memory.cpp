#include "ebprop/memory.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <limits>

#include "ebprop/error.h"

namespace ebprop {
namespace {

constexpr std::uint64_t unlimited = std::numeric_limits<std::uint64_t>::max();

std::uint64_t physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES), page_bytes = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_bytes <= 0) return unlimited;  // unknown: only the limit applies
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_bytes);
}

std::uint64_t address_space_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return unlimited;
  return limit.rlim_cur;
}

}  // namespace

std::uint64_t memory_limit() { return std::min(physical_memory(), address_space_limit()); }

std::string byte_size_str(std::uint64_t bytes) {
  const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 999.95 && unit < 6) {
    value /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

void check_allocation(std::uint64_t count, std::uint64_t value_bytes, const std::string& what) {
  const std::uint64_t limit = memory_limit();
  const bool overflows = value_bytes != 0 && count > unlimited / value_bytes;
  const std::uint64_t bytes = overflows ? unlimited : count * value_bytes;
  if (bytes <= limit) return;
  const std::string needed = overflows
                                 ? "more than 2^64 bytes"
                                 : std::to_string(bytes) + " bytes (" + byte_size_str(bytes) + ")";
  const std::string available =
      limit == physical_memory()
          ? "this machine's memory (" + byte_size_str(limit) + ")"
          : "this process's address-space limit (" + byte_size_str(limit) + ", ulimit -v)";
  throw Error(what + ": needs " + needed + ", more than " + available);
}

std::string out_of_memory(const std::string& what) {
  return what + ": out of memory (this process may use " + byte_size_str(memory_limit()) + ")";
}

}  // namespace ebprop
