// memory.h: whether an allocation that an input asks for is sensible, checked before it is made.
//
// A few bytes of input can ask for any amount of memory (`outputs=2000000000`, a label of
// 16777215 in a file of 200 examples). Everything that allocates what an input asks for (the
// engine's parameters and values, the data readers, the tools) asks check_allocation first, so
// the user gets a message naming what asked instead of a bare std::bad_alloc or a process killed
// by the kernel.
#pragma once

#include <cstdint>
#include <string>

namespace ebprop {

// The memory one allocation may take: the machine's physical memory (sysconf), or the process's
// address-space limit (RLIMIT_AS, `ulimit -v`) when that is smaller.
std::uint64_t memory_limit();

// "512 B", "1.5 kB", "15.7 GB": decimal units, three significant digits.
std::string byte_size_str(std::uint64_t bytes);

// Throws ebprop::Error when `count` values of `value_bytes` bytes each do not fit in
// memory_limit(): "<what>: needs 13421772800 bytes (13.4 GB), more than this machine's memory
// (8.3 GB)". The product is computed without overflow. `what` names what asked for the memory,
// with its file and line or node where known.
void check_allocation(std::uint64_t count, std::uint64_t value_bytes, const std::string& what);

// The message for an allocation that failed anyway (a std::bad_alloc, caught where it is known
// what was being allocated): "<what>: out of memory (this process may use 8.3 GB)".
std::string out_of_memory(const std::string& what);

}  // namespace ebprop
