#include "table.h"

#include <ebprop/error.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace ebprop::plot {

bool Table::has(const std::string& name) const {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<double> Table::column(const std::string& name) const {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    const std::string hint = did_you_mean(name, names);
    throw Error(file + " has no column '" + name + "'" + (hint.empty() ? "" : "; " + hint) +
                " (columns: " + join(names) + ")");
  }
  std::vector<double> values;
  for (std::size_t row = 0; row < lines.size(); ++row) {
    const std::string& cell = cells[it - names.begin()][row];
    char* end = nullptr;
    const double v = std::strtod(cell.c_str(), &end);
    const bool empty = cell.empty() || cell == "nan" || cell == "null";
    if (!empty && (end == cell.c_str() || *end != '\0'))
      throw FileError(file + ":" + std::to_string(lines[row]) + ": column '" + name +
                      "': expected a number, found '" + cell + "'");
    values.push_back(empty ? std::nan("") : v);
  }
  return values;
}

namespace {

// The cells of one CSV line; "a,,b," has four, the last two empty.
std::vector<std::string> split(std::string line) {
  while (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> cells;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    std::string cell =
        line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!cell.empty() && cell.back() == ' ') cell.pop_back();
    cells.push_back(cell);
    if (comma == std::string::npos) return cells;
    start = comma + 1;
  }
}

// Reads one JSON object from a line; every failure names file:line and the column.
class JsonLine {
 public:
  JsonLine(const std::string& text, std::string where) : text_(text), where_(std::move(where)) {}

  // The object's keys and values, in order.
  std::vector<std::pair<std::string, std::string>> object() {
    std::vector<std::pair<std::string, std::string>> fields;
    expect('{');
    blanks();
    if (peek() == '}') {
      ++at_;
    } else {
      while (true) {
        blanks();
        if (peek() != '"') fail("expected '\"' to begin a key");
        const std::size_t key_start = at_;
        std::string key = string();
        for (const auto& field : fields)
          if (field.first == key) {
            at_ = key_start;
            fail("the key '" + key + "' is given twice");
          }
        expect(':');
        fields.push_back({key, value()});
        blanks();
        if (peek() == ',') {
          ++at_;
          continue;
        }
        if (peek() != '}') fail("expected ',' or '}' after the value of '" + key + "'");
        ++at_;
        break;
      }
    }
    blanks();
    if (at_ < text_.size()) fail("expected the end of the line after the object");
    return fields;
  }

 private:
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  void blanks() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\r'))
      ++at_;
  }
  [[noreturn]] void fail(const std::string& what) const {
    const std::string found = at_ < text_.size() ? "'" + text_.substr(at_, 12) + "'" : "the end";
    throw FileError(where_ + ": column " + std::to_string(at_ + 1) + ": " + what + ", found " +
                    found);
  }
  void expect(char c) {
    blanks();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++at_;
  }
  // A string's content: \n and \t stand for their characters, any other escaped character for
  // itself (\uXXXX is not decoded: a name or a note, never a number).
  std::string string() {
    ++at_;  // the opening quote
    std::string content;
    while (at_ < text_.size() && text_[at_] != '"') {
      if (text_[at_] == '\\') {
        ++at_;
        if (at_ >= text_.size()) break;
        const char c = text_[at_];
        content += c == 'n' ? '\n' : c == 't' ? '\t' : c;
      } else {
        content += text_[at_];
      }
      ++at_;
    }
    if (at_ >= text_.size()) fail("the string has no closing '\"'");
    ++at_;
    return content;
  }
  // A value as a cell: a number's text, null, true, false, a string's content, or the text of a
  // nested object or array.
  std::string value() {
    blanks();
    const char c = peek();
    if (c == '"') return string();
    if (c == '{' || c == '[') return nested();
    for (const char* word : {"null", "true", "false"})
      if (text_.compare(at_, std::string(word).size(), word) == 0) {
        at_ += std::string(word).size();
        return word;
      }
    const std::size_t start = at_;
    while (at_ < text_.size() &&
           std::string("+-.eE0123456789").find(text_[at_]) != std::string::npos)
      ++at_;
    const std::string number = text_.substr(start, at_ - start);
    char* end = nullptr;
    std::strtod(number.c_str(), &end);
    if (number.empty() || *end != '\0') {
      at_ = start;
      fail("expected a value (a number, null, true, false, a string, an object or an array)");
    }
    return number;
  }
  std::string nested() {
    const std::size_t start = at_;
    int depth = 0;
    do {
      const char c = peek();
      if (c == '\0')
        fail("the " + std::string(text_[start] == '{' ? "object" : "array") + " is not closed");
      if (c == '"') {
        string();
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') --depth;
      ++at_;
    } while (depth > 0);
    return text_.substr(start, at_ - start);
  }

  const std::string& text_;
  std::string where_;
  std::size_t at_ = 0;
};

}  // namespace

Table read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw FileError("cannot read '" + path + "'");
  Table table;
  std::string line;
  if (!std::getline(in, line)) throw FileError(path + " is empty");
  table.file = path;
  table.names = split(line);
  table.cells.resize(table.names.size());
  for (long long number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const auto cells = split(line);
    if (cells.size() != table.names.size())
      throw FileError(path + ":" + std::to_string(number) + ": " + std::to_string(cells.size()) +
                      " cells, the header has " + std::to_string(table.names.size()));
    for (std::size_t i = 0; i < cells.size(); ++i) table.cells[i].push_back(cells[i]);
    table.lines.push_back(number);
  }
  return table;
}

Table read_json_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw FileError("cannot read '" + path + "'");
  Table table;
  table.file = path;
  std::map<std::string, std::size_t> column_of;
  std::string line;
  for (long long number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto fields = JsonLine(line, path + ":" + std::to_string(number)).object();
    const std::size_t rows = table.lines.size();
    for (const auto& [key, value] : fields) {
      auto [it, added] = column_of.insert({key, table.names.size()});
      if (added) {
        table.names.push_back(key);
        table.cells.emplace_back(rows);  // empty cells in the rows before
      }
      table.cells[it->second].push_back(value);
    }
    table.lines.push_back(number);
    for (auto& column : table.cells) column.resize(rows + 1);  // keys this line lacks: empty
  }
  if (table.lines.empty()) throw FileError(path + " is empty");
  return table;
}

Table read_table(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw FileError("cannot read '" + path + "'");
  char c = ' ';
  while (in.get(c) && std::isspace(static_cast<unsigned char>(c))) {
  }
  return c == '{' ? read_json_lines(path) : read_csv(path);
}

}  // namespace ebprop::plot
