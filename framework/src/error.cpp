#include "ebprop/error.h"

#include <algorithm>

namespace ebprop {

std::string SourceLocation::str() const {
  std::string s = file;
  if (line > 0) {
    s += (s.empty() ? "line " : ":") + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
  }
  return s;
}

Error::Error(const std::string& message) : std::runtime_error(message) {}
Error::~Error() = default;

static std::string located(const SourceLocation& where, const std::string& message) {
  const std::string place = where.str();
  return place.empty() ? message : place + ": " + message;
}

SourceError::SourceError(SourceLocation where, const std::string& message)
    : Error(located(where, message)), where_(std::move(where)), message_(message) {}
SourceError::~SourceError() = default;
ShapeError::~ShapeError() = default;
NumericError::~NumericError() = default;
PluginError::~PluginError() = default;
FileError::~FileError() = default;

// Levenshtein distance, for suggestions.
static std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best.empty() ? "" : "did you mean '" + best + "'?";
}

std::string join(const std::vector<std::string>& names, const std::string& separator) {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) s += (i ? separator : "") + names[i];
  return s;
}

}  // namespace ebprop
