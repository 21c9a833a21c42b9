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

// The length of the valid UTF-8 character of two to four bytes at text[i], or 0.
static std::size_t utf8_length(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  const std::size_t length = lead >= 0xF0 && lead <= 0xF4   ? 4
                             : lead >= 0xE0                 ? 3
                             : lead >= 0xC2 && lead <= 0xDF ? 2
                                                            : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (std::size_t k = i + 1; k < i + length; ++k)
    if ((byte(k) & 0xC0) != 0x80) return 0;
  return length;
}

std::string printable(const std::string& text, std::size_t limit) {
  static const char hex[] = "0123456789abcdef";
  std::string shown;
  std::size_t characters = 0, i = 0;
  for (; i < text.size() && characters < limit; ++characters) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      shown += text[i++];
    } else if (const std::size_t n = c >= 0x80 ? utf8_length(text, i) : 0; n > 0) {
      shown += text.substr(i, n);
      i += n;
    } else {
      shown += std::string("\\x") + hex[c >> 4] + hex[c & 15];
      ++i;
    }
  }
  return i < text.size() ? shown + "..." : shown;
}

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
