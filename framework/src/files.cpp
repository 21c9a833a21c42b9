#include "ebprop/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

#include "ebprop/error.h"

namespace ebprop {

namespace {

namespace fs = boost::filesystem;

std::string reason() { return std::strerror(errno); }

// The directory a file of `path` goes in ("." for a bare name).
std::string directory_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

// A temporary in the directory of `path`, created and opened for writing (mkstemp: the name is
// unique, so concurrent writers of one path never share a temporary). Sets `name`; returns the
// descriptor, or -1 with errno set.
int create_temporary(const std::string& path, std::string& name) {
  std::vector<char> pattern(path.begin(), path.end());
  for (const char c : std::string(".tmp.XXXXXX")) pattern.push_back(c);
  pattern.push_back('\0');
  const int fd = mkstemp(pattern.data());
  name = pattern.data();
  return fd;
}

// The mode the written file gets: that of the file it replaces, else 0666 less the umask (what
// an ordinary open(O_CREAT) would give; mkstemp's 0600 would hide the file from other users).
mode_t mode_for(const std::string& path) {
  struct stat existing;
  if (stat(path.c_str(), &existing) == 0) return existing.st_mode & 07777;
  const mode_t mask = umask(0);
  umask(mask);
  return 0666 & ~mask;
}

bool write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// The absolute path with "." and ".." and the symbolic links of its existing part resolved.
fs::path canonical_form(const std::string& path) {
  boost::system::error_code failed;
  const fs::path absolute = fs::absolute(path);
  const fs::path resolved = fs::weakly_canonical(absolute, failed);
  return failed ? absolute.lexically_normal() : resolved;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  std::string temporary;
  const int fd = create_temporary(path, temporary);
  if (fd < 0)
    throw FileError("cannot write '" + path + "': cannot create a temporary file in '" +
                    directory_of(path) + "': " + reason());
  // Each step keeps errno for the message; the temporary goes on any failure.
  const auto fail = [&](const std::string& what) {
    const std::string why = reason();
    close(fd);
    unlink(temporary.c_str());
    throw FileError("cannot write '" + path + "': " + what + ": " + why);
  };
  if (!write_all(fd, bytes)) fail("writing");
  if (fchmod(fd, mode_for(path)) != 0) fail("setting its mode");
  if (fsync(fd) != 0) fail("flushing it to the disk");
  if (close(fd) != 0) {
    const std::string why = reason();
    unlink(temporary.c_str());
    throw FileError("cannot write '" + path + "': closing it: " + why);
  }
  if (rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = reason();
    unlink(temporary.c_str());
    throw FileError("cannot write '" + path + "': renaming the temporary over it: " + why);
  }
}

void check_can_write(const std::string& path) {
  boost::system::error_code ignored;
  if (fs::is_directory(path, ignored))
    throw FileError("cannot write '" + path + "': it is a directory");
  const std::string directory = directory_of(path);
  if (!fs::exists(directory, ignored))
    throw FileError("cannot write '" + path + "': the directory '" + directory +
                    "' does not exist");
  std::string temporary;
  const int fd = create_temporary(path, temporary);
  if (fd < 0)
    throw FileError("cannot write '" + path + "': cannot create a file in '" + directory +
                    "': " + reason());
  close(fd);
  unlink(temporary.c_str());
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  const bool a_exists = stat(a.c_str(), &sa) == 0, b_exists = stat(b.c_str(), &sb) == 0;
  if (a_exists && b_exists) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  if (a_exists || b_exists) return false;
  return canonical_form(a) == canonical_form(b);
}

}  // namespace ebprop
