// The graph-file parser: syntax only (docs/graph-files.md).
//
// A file is read statement by statement. A statement is one physical line, joined with the next
// one whenever it ends in a continuation '\'. Before the first [section] every statement defines
// a node; after it, every statement is a header or a `key = value` of the current section.
// Everything that needs the plugins (types, settings, inputs, shapes) is checked later, when a
// Graph is built from the spec.
#include "ebprop/graph_parser.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

namespace ebprop {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
// Names, types and setting keys are all read as runs of these characters, then checked.
bool is_word_char(char c) { return is_name_char(c) || c == '.' || c == '-'; }

// Node names, types and input names: [A-Za-z_][A-Za-z0-9_]*
bool is_name(const std::string& word) {
  if (word.empty() || !is_name_start(word[0])) return false;
  for (char c : word) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

// Optimizer types: [A-Za-z_][A-Za-z0-9_-]* ("levenberg-marquardt").
bool is_optimizer_type(const std::string& word) {
  if (word.empty() || !is_name_start(word[0])) return false;
  for (char c : word) {
    if (!is_name_char(c) && c != '-') return false;
  }
  return true;
}

// Setting keys: [A-Za-z_][A-Za-z0-9_.-]* (a word that starts like a name).
bool is_key(const std::string& word) { return !word.empty() && is_name_start(word[0]); }

// The physical lines of the text, without their line ends ("\n" or "\r\n") or a leading UTF-8
// byte-order mark. A final line end does not start another line.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

void trim_right(std::string& text) { text.erase(text.find_last_not_of(" \t") + 1); }

// Reads one statement, starting at a physical line. Blanks are spaces and tabs; a '#' ends the
// statement unless it is inside a quoted string. Locations are those of the physical lines.
class Cursor {
 public:
  Cursor(const std::vector<std::string>& lines, const std::string& file, std::size_t line)
      : lines_(lines), file_(file), line_(line) {}

  bool at_end() const { return pos_ >= text().size() || text()[pos_] == '#'; }
  char peek() const { return at_end() ? '\0' : text()[pos_]; }
  void advance() { ++pos_; }

  std::size_t line() const { return line_; }  // 0-based index of the current physical line

  // Columns count characters, not bytes: UTF-8 continuation bytes do not start a column.
  SourceLocation where() const {
    int column = 1;
    for (std::size_t i = 0; i < pos_; ++i) {
      if ((static_cast<unsigned char>(text()[i]) & 0xC0) != 0x80) ++column;
    }
    return {file_, static_cast<int>(line_) + 1, column};
  }

  // A '\' with nothing but blanks or a comment after it on its line.
  bool at_continuation() const {
    if (peek() != '\\') return false;
    const std::size_t next = text().find_first_not_of(" \t", pos_ + 1);
    return next == std::string::npos || text()[next] == '#';
  }

  // Whether a value written as a run of non-blank characters ends here.
  bool at_token_end() const { return at_end() || is_blank(peek()) || at_continuation(); }

  // Skips blanks and continuations.
  void skip_blanks() {
    while (true) {
      if (is_blank(peek())) {
        advance();
      } else if (at_continuation()) {
        continue_line();
      } else {
        return;
      }
    }
  }

  std::string take_word() {
    std::string word;
    for (; is_word_char(peek()); advance()) word += peek();
    return word;
  }

  // The rest of the statement; each continuation reads as one space. No trailing blanks.
  std::string take_rest() {
    std::string rest;
    while (!at_end()) {
      if (at_continuation()) {
        trim_right(rest);
        continue_line();
        skip_blanks();
        rest += ' ';
      } else {
        rest += peek();
        advance();
      }
    }
    trim_right(rest);
    return rest;
  }

  // A double-quoted string starting here, without its quotes; \" and \\ stand for " and \.
  // A string does not continue on the next line.
  std::string take_quoted() {
    const SourceLocation open = where();
    std::string value;
    for (advance(); pos_ < text().size(); advance()) {
      char c = text()[pos_];
      if (c == '"') {
        advance();
        return value;
      }
      if (c == '\\' && pos_ + 1 < text().size()) {
        const char escaped = text()[pos_ + 1];
        if (escaped != '"' && escaped != '\\') {
          throw SourceError(where(),
                            std::string("unknown escape '\\") + escaped +
                                "' in a string: write \\\\ for a backslash and \\\" for a quote");
        }
        advance();
        c = escaped;
      }
      value += c;
    }
    throw SourceError(open, "unterminated string");
  }

  // What is here, for messages: "'outputs'" (a whole word), "','" or "the end of the line".
  std::string found() const {
    if (at_end()) return "the end of the line";
    std::size_t end = pos_ + 1;
    if (is_word_char(text()[pos_])) {
      while (end < text().size() && is_word_char(text()[end])) ++end;
    } else {  // a whole UTF-8 character, where there is one
      while (end < text().size() && (static_cast<unsigned char>(text()[end]) & 0xC0) == 0x80) ++end;
    }
    return "'" + printable(text().substr(pos_, end - pos_)) + "'";
  }

  // The run of non-blank characters here, up to a comment, for messages.
  std::string token() const {
    std::size_t end = pos_;
    while (end < text().size() && !is_blank(text()[end]) && text()[end] != '#') ++end;
    return printable(text().substr(pos_, end - pos_));
  }

 private:
  const std::string& text() const { return lines_[line_]; }

  void continue_line() {
    if (line_ + 1 >= lines_.size()) {
      throw SourceError(where(), "a line continuation '\\' at the end of the file");
    }
    ++line_;
    pos_ = 0;
  }

  const std::vector<std::string>& lines_;
  const std::string& file_;
  std::size_t line_;
  std::size_t pos_ = 0;
};

std::string header(const SectionSpec& section) {
  return "[" + section.name + (section.argument.empty() ? "" : " " + section.argument) + "]";
}

// Whether a section value reads like the right-hand side of a node definition, `TYPE(...` or
// `TYPE KEY=...`: then the user most likely put a node after the sections.
// A scan in one pass, not a std::regex: libstdc++'s regex recurses once per character and
// overflows the stack on a long value.
bool looks_like_node(const std::string& value) {
  const auto is_space = [](char c) {
    return is_blank(c) || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  std::size_t i = 0;
  const auto skip = [&](auto is_wanted) {
    const std::size_t start = i;
    while (i < value.size() && is_wanted(value[i])) ++i;
    return i - start;
  };
  if (value.empty() || !is_name_start(value[0])) return false;
  skip(is_name_char);
  const std::size_t blanks = skip(is_space);
  if (i < value.size() && value[i] == '(') return true;  // TYPE(
  if (blanks == 0 || i == value.size() || !is_name_start(value[i])) return false;
  skip(is_word_char);
  return i < value.size() && value[i] == '=';  // TYPE KEY=
}

void add_setting(RawSettings& settings, const std::string& key, std::string value,
                 const SourceLocation& where) {
  const auto first = settings.find(key);
  if (first != settings.end()) {
    throw SourceError(where, "setting '" + key + "' is already given at line " +
                                 std::to_string(first->second.where.line));
  }
  settings.emplace(key, RawSetting{std::move(value), where});
}

class Parser {
 public:
  Parser(const std::string& text, const std::string& file) : lines_(split_lines(text)) {
    spec_.file = file;
  }

  GraphSpec parse() {
    for (std::size_t line = 0; line < lines_.size(); ++line) {
      Cursor in(lines_, spec_.file, line);
      in.skip_blanks();
      if (in.at_end()) {
        // a blank or comment line
      } else if (in.peek() == '[') {
        parse_section_header(in);
      } else if (section_ != nullptr) {
        parse_section_setting(in);
      } else {
        parse_node(in);
      }
      line = in.line();  // the statement's last physical line
    }
    return std::move(spec_);
  }

 private:
  // NAME = TYPE [ '(' [INPUT {',' INPUT}] ')' ] {KEY=VALUE}
  void parse_node(Cursor& in) {
    NodeSpec node;
    node.where = in.where();
    node.name = take_name(in, "node name", "expected a node name");
    in.skip_blanks();
    if (in.peek() != '=') {
      throw SourceError(in.where(),
                        "expected '=' after node name '" + node.name + "', found " + in.found());
    }
    in.advance();
    in.skip_blanks();
    node.type_where = in.where();
    node.type = take_name(in, "type name", "expected a type name after '='");
    in.skip_blanks();
    if (in.peek() == '(') parse_inputs(in, node);
    parse_node_settings(in, node.settings);

    if (const NodeSpec* first = spec_.find(node.name)) {
      throw SourceError(node.where, "node '" + node.name + "' is already defined at line " +
                                        std::to_string(first->where.line));
    }
    spec_.nodes.push_back(std::move(node));
  }

  // A node, type or input name. `expected` says what should be here, for the message.
  static std::string take_name(Cursor& in, const std::string& what, const std::string& expected) {
    const SourceLocation where = in.where();
    const std::string found = in.found();
    const std::string name = in.take_word();
    if (name.empty()) throw SourceError(where, expected + ", found " + found);
    if (!is_name(name)) {
      throw SourceError(where, "'" + name + "' is not a valid " + what +
                                   ": use letters, digits and '_', starting with a letter or '_'");
    }
    return name;
  }

  // The argument of [optimizer TYPE]: a name that may also hold '-'.
  static std::string take_optimizer_type(Cursor& in) {
    const SourceLocation where = in.where();
    const std::string found = in.found();
    const std::string type = in.take_word();
    if (type.empty())
      throw SourceError(where, "expected the optimizer's type after 'optimizer', found " + found);
    if (!is_optimizer_type(type)) {
      throw SourceError(where, "'" + type +
                                   "' is not a valid optimizer type: use letters, "
                                   "digits, '_' and '-', starting with a letter or '_'");
    }
    return type;
  }

  // '(' [INPUT {',' INPUT}] ')', starting at the '('.
  static void parse_inputs(Cursor& in, NodeSpec& node) {
    const SourceLocation open = in.where();
    in.advance();
    in.skip_blanks();
    if (in.peek() == ')') {
      in.advance();
      return;
    }
    while (true) {
      if (in.at_end()) throw unclosed(in, open);
      node.input_where.push_back(in.where());
      node.inputs.push_back(take_name(in, "input name",
                                      node.inputs.empty() ? "expected an input name after '('"
                                                          : "expected an input name after ','"));
      in.skip_blanks();
      if (in.peek() == ')') {
        in.advance();
        return;
      }
      if (in.at_end()) throw unclosed(in, open);
      if (in.peek() != ',') {
        throw SourceError(in.where(), "expected ')' or ',' after input '" + node.inputs.back() +
                                          "', found " + in.found());
      }
      in.advance();
      in.skip_blanks();
    }
  }

  static SourceError unclosed(const Cursor& in, const SourceLocation& open) {
    const SourceLocation here = in.where();
    const std::string line =
        open.line == here.line ? "" : "line " + std::to_string(open.line) + ", ";
    return SourceError(here,
                       "unclosed '(' opened at " + line + "column " + std::to_string(open.column));
  }

  // KEY=VALUE tokens, without blanks around '=', up to the end of the statement.
  static void parse_node_settings(Cursor& in, RawSettings& settings) {
    for (in.skip_blanks(); !in.at_end(); in.skip_blanks()) {
      const SourceLocation where = in.where();
      const std::string token = in.token();
      const std::string key = in.take_word();
      if (!is_key(key) || (in.peek() != '=' && !in.at_token_end())) {
        throw SourceError(where, "expected KEY=VALUE, found '" + token + "'");
      }
      if (in.peek() != '=') {
        in.skip_blanks();
        const std::string hint =
            in.peek() == '=' ? " (a node's settings are written without blanks around '=')" : "";
        throw SourceError(where, "expected KEY=VALUE, found '" + key + "'" + hint);
      }
      in.advance();
      if (in.at_token_end()) {
        throw SourceError(in.where(), "expected a value after '" + key + "='");
      }
      add_setting(settings, key, take_node_value(in, key), where);
    }
  }

  // A quoted string or a run of non-blank characters without '=' or '"'.
  static std::string take_node_value(Cursor& in, const std::string& key) {
    if (in.peek() == '"') {
      std::string value = in.take_quoted();
      if (!in.at_token_end()) {
        throw SourceError(in.where(), "expected a blank after the closing quote of '" + key +
                                          "', found " + in.found());
      }
      return value;
    }
    std::string value;
    for (; !in.at_token_end(); in.advance()) {
      if (in.peek() == '=' || in.peek() == '"') {
        throw SourceError(in.where(), std::string("unexpected '") + in.peek() +
                                          "' in the value of '" + key +
                                          "': write a value that contains '=' or '\"' in quotes");
      }
      value += in.peek();
    }
    return value;
  }

  // '[' NAME ']' or '[optimizer' TYPE ']'
  void parse_section_header(Cursor& in) {
    const SourceLocation where = in.where();
    in.advance();
    in.skip_blanks();
    const SourceLocation name_where = in.where();
    const std::string name = take_name(in, "section name", "expected a section name after '['");
    SectionSpec* section = name == "run"         ? &spec_.run
                           : name == "data"      ? &spec_.data
                           : name == "optimizer" ? &spec_.optimizer
                                                 : nullptr;
    if (section == nullptr) {
      const std::string hint = did_you_mean(name, {"run", "data", "optimizer"});
      throw SourceError(name_where, "unknown section [" + name + "]" +
                                        (hint.empty() ? "" : "; " + hint) +
                                        " (the sections are [run], [data] and [optimizer TYPE])");
    }
    in.skip_blanks();
    std::string argument;
    if (section == &spec_.optimizer) {
      if (in.peek() == ']') {
        throw SourceError(in.where(),
                          "[optimizer] needs the optimizer's type, e.g. [optimizer sgd]");
      }
      argument = take_optimizer_type(in);
      in.skip_blanks();
    }
    if (in.peek() != ']') {
      throw SourceError(in.where(), "expected ']' after '" + (argument.empty() ? name : argument) +
                                        "', found " + in.found());
    }
    in.advance();
    in.skip_blanks();
    if (!in.at_end()) {
      throw SourceError(in.where(), "expected the end of the line after ']', found " + in.found());
    }
    if (section->present) {
      throw SourceError(where, "section " + header(*section) + " is already given at line " +
                                   std::to_string(section->where.line));
    }
    section->name = name;
    section->argument = argument;
    section->where = where;
    section->present = true;
    if (section_ == nullptr) first_section_line_ = where.line;
    section_ = section;
  }

  // KEY = VALUE, where VALUE is the rest of the statement or one quoted string.
  void parse_section_setting(Cursor& in) {
    const SourceLocation where = in.where();
    const std::string found = in.found();
    const std::string key = in.take_word();
    if (!is_key(key)) {
      throw SourceError(where, "expected KEY = VALUE in " + header(*section_) + ", found " + found);
    }
    in.skip_blanks();
    if (in.peek() != '=') {
      throw SourceError(in.where(), "expected '=' after '" + key + "', found " + in.found());
    }
    in.advance();
    in.skip_blanks();
    if (in.at_end()) throw SourceError(in.where(), "expected a value after '" + key + " ='");
    std::string value;
    if (in.peek() == '"') {
      value = in.take_quoted();
      in.skip_blanks();
      if (!in.at_end()) {
        throw SourceError(
            in.where(),
            "expected the end of the line after the closing quote, found " + in.found());
      }
    } else {
      value = in.take_rest();
      if (looks_like_node(value)) {
        throw SourceError(where, "node definitions must come before the first [section] (line " +
                                     std::to_string(first_section_line_) + ")");
      }
    }
    add_setting(section_->settings, key, std::move(value), where);
  }

  std::vector<std::string> lines_;
  GraphSpec spec_;
  SectionSpec* section_ = nullptr;  // the section being read; null before the first header
  int first_section_line_ = 0;
};

}  // namespace

GraphSpec parse_graph(const std::string& text, const std::string& file) {
  return Parser(text, file).parse();
}

GraphSpec parse_graph_file(const std::string& path) {
  const std::string failed = "cannot read graph file '" + path + "': ";
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) throw FileError(failed + std::strerror(EISDIR));
  std::ifstream file(path, std::ios::binary);
  if (!file) throw FileError(failed + std::strerror(errno));
  std::ostringstream text;
  text << file.rdbuf();
  return parse_graph(text.str(), path);
}

}  // namespace ebprop
