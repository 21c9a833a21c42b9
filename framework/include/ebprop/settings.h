// Settings: the key=value pairs a graph file gives a module or an optimizer.
//
// A plugin declares its settings as a schema (name, type, default, one-line doc). The engine
// validates what the user wrote against that schema before the plugin sees anything: unknown keys
// (with a did-you-mean), values of the wrong type and missing required settings are errors that
// name the graph-file line. The plugin then reads typed values from a Settings object.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ebprop/error.h"
#include "ebprop/shape.h"

namespace ebprop {

enum class SettingType { integer, real, boolean, text, shape, real_list };

// "integer", "real", "boolean", "text", "shape", "list of reals".
std::string setting_type_name(SettingType type);

struct SettingSpec {
  std::string name;
  SettingType type;
  std::optional<std::string>
      default_value;  // as it would be written in a graph file; none: required
  std::string doc;    // one line, shown by `ebprop-run --list-plugins`
};

// Schema helpers, so a plugin's declaration reads like a table:
//   {required("outputs", SettingType::integer, "number of output units"),
//    optional("bias", SettingType::boolean, "true", "add a trainable bias per output")}
SettingSpec required(std::string name, SettingType type, std::string doc);
SettingSpec optional(std::string name, SettingType type, std::string default_value,
                     std::string doc);

// What the user wrote for one key, and where.
struct RawSetting {
  std::string value;
  SourceLocation where;
};
using RawSettings = std::map<std::string, RawSetting>;

// Validated, typed values: every key of the schema has a value (given or default).
class Settings {
 public:
  using Value = std::variant<std::int64_t, double, bool, std::string, Shape, std::vector<double>>;

  // Validates `raw` against `schema`. `owner` names what the settings are for in messages
  // ("linear 'fc1'", "optimizer sgd"); `owner_where` is used for missing required settings.
  // Throws SourceError at the offending key's location.
  static Settings validate(const std::vector<SettingSpec>& schema, const RawSettings& raw,
                           const std::string& owner, const SourceLocation& owner_where);

  // Typed access. Requires: `name` is in the schema with that type (a plugin bug otherwise:
  // throws ebprop::Error naming the key).
  std::int64_t integer(const std::string& name) const;
  double real(const std::string& name) const;
  bool boolean(const std::string& name) const;
  const std::string& text(const std::string& name) const;
  const Shape& shape(const std::string& name) const;
  const std::vector<double>& reals(const std::string& name) const;

  // Whether the user wrote this key (rather than taking the default).
  bool given(const std::string& name) const;

  // Where the user wrote this key, or the owner's location when it took the default.
  const SourceLocation& where(const std::string& name) const;

 private:
  const Value& get(const std::string& name) const;
  std::map<std::string, Value> values_;
  std::map<std::string, SourceLocation> where_;
  std::map<std::string, bool> given_;
  SourceLocation owner_where_;
};

// Parses one value of a type. Throws ebprop::Error (without location) saying what was expected.
Settings::Value parse_setting_value(SettingType type, const std::string& text);

// The integer setting `name` of a module of type `type` as an int, for a count or a size: at least
// `minimum` (0 or 1) and at most `maximum`. Throws SourceError at the key otherwise, e.g.
// "setting 'size' of pad must be a non-negative integer, not -1".
int int_setting(const Settings& settings, const std::string& name, const std::string& type,
                int minimum, int maximum = std::numeric_limits<int>::max());

}  // namespace ebprop
