// Files the engine and the tools write: every output goes through write_file_atomically, so no
// reader, crash or concurrent run ever sees half a file, and an output is checked before the work
// that produces it starts.
//
// REQUIRES: paths name files in existing directories (a relative path is relative to the current
// directory).
// ENSURES: write_file_atomically leaves `path` either as it was or holding all of `bytes`, and no
// temporary behind when it throws; check_can_write leaves nothing behind.
// OWNS: nothing; each call opens and closes what it uses.
#pragma once

#include <string>

namespace ebprop {

// Writes `bytes` to `path`: to a temporary with a unique name in the same directory
// ("NAME.tmp.XXXXXX", so two processes writing one path never share it), flushed to the disk
// (fsync), then renamed over `path`. The file gets the mode of the file it replaces, or the usual
// 0666 less the umask. Throws FileError naming `path` and errno's text (ENOSPC, EACCES, ...).
void write_file_atomically(const std::string& path, const std::string& bytes);

// Checks that write_file_atomically(path, ...) can work: `path` is not a directory, its
// directory exists, and a temporary can be created there (it is removed at once). Throws
// FileError naming `path` and, where the system said why, errno's text.
void check_can_write(const std::string& path);

// Whether `a` and `b` name one file: the same device and inode when both exist (hard links,
// symbolic links and "./x" against "x" all count), the same canonical path when neither does.
bool same_file(const std::string& a, const std::string& b);

}  // namespace ebprop
