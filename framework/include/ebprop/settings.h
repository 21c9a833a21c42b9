// Settings: the key=value pairs a graph file gives a module or an optimizer.
//
// A plugin declares its settings as a schema (name, type, default, one-line doc). The engine
// validates what the user wrote against that schema before the plugin sees anything: unknown keys
// (with a did-you-mean), values of the wrong type, values outside the declared range or choices,
// and missing required settings are errors that name the graph-file line. The plugin then reads
// typed values from a Settings object and checks only what its schema cannot say (relations
// between two settings), throwing SourceError at settings.where(key).
#pragma once

#include <cstdint>
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

// One end of the range of a number.
struct Bound {
  double value;
  bool inclusive;
};

struct SettingSpec {
  std::string name;
  SettingType type;
  std::optional<std::string>
      default_value;  // as it would be written in a graph file; none: required
  std::string doc;    // one line, shown by `ebprop-run --list-plugins`

  // The range of an integer or real, or of each element of a list of reals; none: unbounded.
  // An integer without a declared bound on a side is bounded there by int's range, because
  // plugins and tools keep counts and sizes in an int: a wider integer is refused, not wrapped.
  std::optional<Bound> minimum, maximum;
  // The words a text setting may be; empty: any text.
  std::vector<std::string> choices;

  // Copies with a bound or the choices added, so a schema still reads as a table:
  //   optional("lr", SettingType::real, "0.01", "global rate").above(0)
  //   optional("momentum", SettingType::real, "0", "μ").at_least(0).below(1)
  SettingSpec at_least(double bound) const;  // value >= bound
  SettingSpec above(double bound) const;     // value > bound
  SettingSpec at_most(double bound) const;   // value <= bound
  SettingSpec below(double bound) const;     // value < bound
  SettingSpec one_of(std::vector<std::string> words) const;
};

// Schema helpers, so a plugin's declaration reads like a table:
//   {required("outputs", SettingType::integer, "number of output units").at_least(1),
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
  // throws ebprop::Error naming the key). Ensures: the value is within the spec's range or
  // choices; an integer without a declared range fits an int.
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

  // Every key with its value as text ("0.01", "true", "28x28", "0.1,0.05"), given or default:
  // the effective settings, for a checkpoint to compare with a later run's. Reals are written
  // with 17 significant digits, so equal texts mean equal values.
  std::map<std::string, std::string> texts() const;

 private:
  const Value& get(const std::string& name) const;
  std::map<std::string, Value> values_;
  std::map<std::string, SourceLocation> where_;
  std::map<std::string, bool> given_;
  SourceLocation owner_where_;
};

// Parses one value of a type ("" is the empty list of reals). Throws ebprop::Error (without
// location) saying what was expected.
Settings::Value parse_setting_value(SettingType type, const std::string& text);

// The declared range or choices as --help and --list-plugins show them: "> 0", "[0, 1)",
// "each > 0", "one of sampled, running"; "" when the spec declares none.
std::string setting_constraint(const SettingSpec& spec);

}  // namespace ebprop
