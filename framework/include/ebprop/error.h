// Errors that ebprop reports to people.
//
// Every error a user can cause (a graph file, a setting, a plugin, a data file, a diverging run)
// is an ebprop::Error whose what() is a complete, human-readable sentence. Where the error comes
// from a place in a file, the message starts with "file:line:" (and ":column" where it helps).
// The tools print what() and exit non-zero; they never print a stack of exceptions.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace ebprop {

// A place in a text file: used by the graph parser and everything that reports on a graph node.
struct SourceLocation {
  std::string file;  // as the user named it; empty when the text did not come from a file
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when not useful

  // "file:line:column" with the unknown parts left out; empty when nothing is known.
  std::string str() const;
};

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  ~Error() override;  // out of line: one type_info for host and plugins
};

// An error at a place in a text file. what() is "file:line[:col]: message".
class SourceError : public Error {
 public:
  SourceError(SourceLocation where, const std::string& message);
  ~SourceError() override;
  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string message_;
};

// Thrown by Module::output_shape when the input shapes do not fit the module. The engine adds the
// node, its inputs and the graph-file line before the user sees it.
class ShapeError : public Error {
 public:
  using Error::Error;
  ~ShapeError() override;
};

// A value that cannot be used: a NaN in a training run, an empty data set, a zero vector.
class NumericError : public Error {
 public:
  using Error::Error;
  ~NumericError() override;
};

// A plugin library that cannot be used (not a plugin, wrong ABI, duplicate type name).
class PluginError : public Error {
 public:
  using Error::Error;
  ~PluginError() override;
};

// A data or weights file that cannot be read (missing, corrupt, wrong format or size).
class FileError : public Error {
 public:
  using Error::Error;
  ~FileError() override;
};

// "Did you mean 'x'?" for a misspelt name, or "" when no candidate is close (edit distance).
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

// `text` as a message can show it: at most `limit` characters (then "..."), and every byte that
// is not printable ASCII or part of a valid UTF-8 character written as \xHH, so that a NUL, a
// terminal escape or a stray Latin-1 byte from a file shows up in the message as what it is.
std::string printable(const std::string& text, std::size_t limit = 60);

// Joins names with ", " for messages ("known types: linear, mse, stanh").
std::string join(const std::vector<std::string>& names, const std::string& separator = ", ");

}  // namespace ebprop
