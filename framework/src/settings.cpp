#include "ebprop/settings.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <limits>
#include <sstream>

namespace ebprop {

std::string setting_type_name(SettingType type) {
  switch (type) {
    case SettingType::integer:
      return "integer";
    case SettingType::real:
      return "real";
    case SettingType::boolean:
      return "boolean";
    case SettingType::text:
      return "text";
    case SettingType::shape:
      return "shape";
    case SettingType::real_list:
      return "list of reals";
  }
  return "?";
}

SettingSpec required(std::string name, SettingType type, std::string doc) {
  return {std::move(name), type, std::nullopt, std::move(doc), std::nullopt, std::nullopt, {}};
}

SettingSpec optional(std::string name, SettingType type, std::string default_value,
                     std::string doc) {
  return {std::move(name), type, std::move(default_value), std::move(doc), std::nullopt,
          std::nullopt,    {}};
}

SettingSpec SettingSpec::at_least(double bound) const {
  SettingSpec spec = *this;
  spec.minimum = Bound{bound, true};
  return spec;
}

SettingSpec SettingSpec::above(double bound) const {
  SettingSpec spec = *this;
  spec.minimum = Bound{bound, false};
  return spec;
}

SettingSpec SettingSpec::at_most(double bound) const {
  SettingSpec spec = *this;
  spec.maximum = Bound{bound, true};
  return spec;
}

SettingSpec SettingSpec::below(double bound) const {
  SettingSpec spec = *this;
  spec.maximum = Bound{bound, false};
  return spec;
}

SettingSpec SettingSpec::one_of(std::vector<std::string> words) const {
  SettingSpec spec = *this;
  spec.choices = std::move(words);
  return spec;
}

static bool parse_real(const std::string& text, double& value) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno == 0 && std::isfinite(value);
}

Settings::Value parse_setting_value(SettingType type, const std::string& text) {
  switch (type) {
    case SettingType::integer: {
      char* end = nullptr;
      errno = 0;
      const long long v = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || end != text.c_str() + text.size() || errno != 0)
        throw Error("expected an integer, found '" + printable(text) + "'");
      return static_cast<std::int64_t>(v);
    }
    case SettingType::real: {
      double v = 0;
      if (!parse_real(text, v))
        throw Error("expected a finite real number, found '" + printable(text) + "'");
      return v;
    }
    case SettingType::boolean:
      if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
      if (text == "false" || text == "no" || text == "off" || text == "0") return false;
      throw Error("expected true or false, found '" + printable(text) + "'");
    case SettingType::text:
      return text;
    case SettingType::shape:
      return parse_shape(text);
    case SettingType::real_list: {
      std::vector<double> list;
      if (text.empty()) return list;
      std::size_t start = 0;
      while (start <= text.size()) {
        const std::size_t end = std::min(text.find(',', start), text.size());
        double v = 0;
        if (!parse_real(text.substr(start, end - start), v))
          throw Error("expected comma-separated real numbers such as 0.1,0.05, found '" +
                      printable(text) + "'");
        list.push_back(v);
        start = end + 1;
      }
      return list;
    }
  }
  throw Error("unknown setting type");
}

// A real as messages show it: 15 significant digits.
static std::string number_text(double value) {
  std::ostringstream text;
  text << std::setprecision(15) << value;
  return text.str();
}

// A bound as a message shows it: integers' bounds as integers (int64's maximum is 2^63 as a
// double, which would print one too high), reals' as number_text.
static std::string bound_text(const SettingSpec& spec, double bound) {
  if (spec.type != SettingType::integer) return number_text(bound);
  const auto largest = std::numeric_limits<std::int64_t>::max();
  return std::to_string(bound >= static_cast<double>(largest) ? largest
                                                              : static_cast<std::int64_t>(bound));
}

// The range that applies, with int's range on the sides an integer setting leaves open.
static std::pair<std::optional<Bound>, std::optional<Bound>> effective_range(
    const SettingSpec& spec) {
  if (spec.type != SettingType::integer) return {spec.minimum, spec.maximum};
  const Bound int_min{static_cast<double>(std::numeric_limits<int>::min()), true};
  const Bound int_max{static_cast<double>(std::numeric_limits<int>::max()), true};
  return {spec.minimum.value_or(int_min), spec.maximum.value_or(int_max)};
}

// "[0, 1)", "> 0", "<= 8"; "" when unbounded.
static std::string range_text(const SettingSpec& spec, const std::optional<Bound>& minimum,
                              const std::optional<Bound>& maximum) {
  if (minimum && maximum)
    return (minimum->inclusive ? "[" : "(") + bound_text(spec, minimum->value) + ", " +
           bound_text(spec, maximum->value) + (maximum->inclusive ? "]" : ")");
  if (minimum) return (minimum->inclusive ? ">= " : "> ") + bound_text(spec, minimum->value);
  if (maximum) return (maximum->inclusive ? "<= " : "< ") + bound_text(spec, maximum->value);
  return "";
}

std::string setting_constraint(const SettingSpec& spec) {
  if (!spec.choices.empty()) return "one of " + join(spec.choices);
  const std::string range = range_text(spec, spec.minimum, spec.maximum);
  return spec.type == SettingType::real_list && !range.empty() ? "each " + range : range;
}

// Long double holds every int64 and every double exactly, so one comparison serves both types.
static bool within(long double value, const std::optional<Bound>& minimum,
                   const std::optional<Bound>& maximum) {
  const auto bound = [](const Bound& b) { return static_cast<long double>(b.value); };
  if (minimum && (minimum->inclusive ? value < bound(*minimum) : value <= bound(*minimum)))
    return false;
  if (maximum && (maximum->inclusive ? value > bound(*maximum) : value >= bound(*maximum)))
    return false;
  return true;
}

// Throws Error (the caller adds the location) when `value` is outside the spec's range or
// choices, saying what is allowed and what was found.
static void check_allowed(const SettingSpec& spec, const Settings::Value& value) {
  const auto [minimum, maximum] = effective_range(spec);
  const std::string allowed =
      (minimum && maximum ? "in " : "") + range_text(spec, minimum, maximum);
  const auto refuse = [&](const std::string& found) {
    throw Error("must be " + allowed + ", found " + found);
  };
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    if (!within(static_cast<long double>(*integer), minimum, maximum))
      refuse(std::to_string(*integer));
  } else if (const auto* real = std::get_if<double>(&value)) {
    if (!within(*real, minimum, maximum)) refuse(number_text(*real));
  } else if (const auto* list = std::get_if<std::vector<double>>(&value)) {
    for (std::size_t i = 0; i < list->size(); ++i)
      if (!within((*list)[i], minimum, maximum))
        throw Error("each value must be " + allowed + ", found " + number_text((*list)[i]) +
                    " (value " + std::to_string(i + 1) + ")");
  } else if (const auto* text = std::get_if<std::string>(&value)) {
    if (spec.choices.empty() ||
        std::find(spec.choices.begin(), spec.choices.end(), *text) != spec.choices.end())
      return;
    const std::string hint = did_you_mean(*text, spec.choices);
    throw Error("must be one of " + join(spec.choices) + ", found '" + printable(*text) + "'" +
                (hint.empty() ? "" : "; " + hint));
  }
}

Settings Settings::validate(const std::vector<SettingSpec>& schema, const RawSettings& raw,
                            const std::string& owner, const SourceLocation& owner_where) {
  std::vector<std::string> known;
  for (const auto& spec : schema) known.push_back(spec.name);

  for (const auto& [key, setting] : raw) {
    bool found = false;
    for (const auto& spec : schema) found = found || spec.name == key;
    if (!found) {
      std::string message = "unknown setting '" + printable(key) + "' for " + owner;
      const std::string hint = did_you_mean(key, known);
      message += hint.empty() ? "" : "; " + hint;
      message += known.empty() ? " (it takes no settings)" : " (known: " + join(known) + ")";
      throw SourceError(setting.where, message);
    }
  }

  Settings settings;
  settings.owner_where_ = owner_where;
  for (const auto& spec : schema) {
    const auto it = raw.find(spec.name);
    if (it == raw.end() && !spec.default_value)
      throw SourceError(owner_where, owner + " needs the setting '" + spec.name + "' (" +
                                         setting_type_name(spec.type) + ": " + spec.doc + ")");
    const std::string& text = it != raw.end() ? it->second.value : *spec.default_value;
    const SourceLocation& where = it != raw.end() ? it->second.where : owner_where;
    try {
      settings.values_[spec.name] = parse_setting_value(spec.type, text);
    } catch (const SourceError&) {
      throw;
    } catch (const Error& e) {
      throw SourceError(where, "setting '" + spec.name + "' of " + owner + ": " + e.what());
    }
    try {
      check_allowed(spec, settings.values_[spec.name]);
    } catch (const Error& e) {  // the doc says what the bounds are for (threads: this machine's)
      throw SourceError(where, "setting '" + spec.name + "' of " + owner + " " + e.what() + " (" +
                                   spec.doc + ")");
    }
    settings.where_[spec.name] = where;
    settings.given_[spec.name] = it != raw.end();
  }
  return settings;
}

const Settings::Value& Settings::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end())
    throw Error("setting '" + name + "' is not in the schema (a plugin bug)");
  return it->second;
}

template <typename V>
static const V& typed(const Settings::Value& value, const std::string& name) {
  if (const V* v = std::get_if<V>(&value)) return *v;
  throw Error("setting '" + name + "' read with the wrong type (a plugin bug)");
}

std::int64_t Settings::integer(const std::string& name) const {
  return typed<std::int64_t>(get(name), name);
}
double Settings::real(const std::string& name) const { return typed<double>(get(name), name); }
bool Settings::boolean(const std::string& name) const { return typed<bool>(get(name), name); }
const std::string& Settings::text(const std::string& name) const {
  return typed<std::string>(get(name), name);
}
const Shape& Settings::shape(const std::string& name) const {
  return typed<Shape>(get(name), name);
}
const std::vector<double>& Settings::reals(const std::string& name) const {
  return typed<std::vector<double>>(get(name), name);
}

namespace {

std::string real_text(double v) {
  std::ostringstream s;
  s << std::setprecision(17) << v;
  return s.str();
}

struct ValueText {
  std::string operator()(std::int64_t v) const { return std::to_string(v); }
  std::string operator()(double v) const { return real_text(v); }
  std::string operator()(bool v) const { return v ? "true" : "false"; }
  std::string operator()(const std::string& v) const { return v; }
  std::string operator()(const Shape& v) const { return shape_str(v); }
  std::string operator()(const std::vector<double>& v) const {
    std::string text;
    for (double x : v) text += (text.empty() ? "" : ",") + real_text(x);
    return text;
  }
};

}  // namespace

std::map<std::string, std::string> Settings::texts() const {
  std::map<std::string, std::string> texts;
  for (const auto& [name, value] : values_) texts[name] = std::visit(ValueText{}, value);
  return texts;
}

bool Settings::given(const std::string& name) const {
  const auto it = given_.find(name);
  return it != given_.end() && it->second;
}

const SourceLocation& Settings::where(const std::string& name) const {
  const auto it = where_.find(name);
  return it != where_.end() ? it->second : owner_where_;
}

}  // namespace ebprop
