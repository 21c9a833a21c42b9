#include "ebprop/settings.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

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
  return {std::move(name), type, std::nullopt, std::move(doc)};
}

SettingSpec optional(std::string name, SettingType type, std::string default_value,
                     std::string doc) {
  return {std::move(name), type, std::move(default_value), std::move(doc)};
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
        throw Error("expected an integer, found '" + text + "'");
      return static_cast<std::int64_t>(v);
    }
    case SettingType::real: {
      double v = 0;
      if (!parse_real(text, v)) throw Error("expected a finite real number, found '" + text + "'");
      return v;
    }
    case SettingType::boolean:
      if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
      if (text == "false" || text == "no" || text == "off" || text == "0") return false;
      throw Error("expected true or false, found '" + text + "'");
    case SettingType::text:
      return text;
    case SettingType::shape:
      return parse_shape(text);
    case SettingType::real_list: {
      std::vector<double> list;
      std::size_t start = 0;
      while (start <= text.size()) {
        const std::size_t end = std::min(text.find(',', start), text.size());
        double v = 0;
        if (!parse_real(text.substr(start, end - start), v))
          throw Error("expected comma-separated real numbers such as 0.1,0.05, found '" + text +
                      "'");
        list.push_back(v);
        start = end + 1;
      }
      return list;
    }
  }
  throw Error("unknown setting type");
}

Settings Settings::validate(const std::vector<SettingSpec>& schema, const RawSettings& raw,
                            const std::string& owner, const SourceLocation& owner_where) {
  std::vector<std::string> known;
  for (const auto& spec : schema) known.push_back(spec.name);

  for (const auto& [key, setting] : raw) {
    bool found = false;
    for (const auto& spec : schema) found = found || spec.name == key;
    if (!found) {
      std::string message = "unknown setting '" + key + "' for " + owner;
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

bool Settings::given(const std::string& name) const {
  const auto it = given_.find(name);
  return it != given_.end() && it->second;
}

const SourceLocation& Settings::where(const std::string& name) const {
  const auto it = where_.find(name);
  return it != where_.end() ? it->second : owner_where_;
}

int int_setting(const Settings& settings, const std::string& name, const std::string& type,
                int minimum, int maximum) {
  const std::int64_t value = settings.integer(name);
  if (value < minimum || value > maximum)
    throw SourceError(settings.where(name), "setting '" + name + "' of " + type + " must be " +
                                                (minimum > 0 ? "a positive" : "a non-negative") +
                                                " integer, not " + std::to_string(value));
  return static_cast<int>(value);
}

}  // namespace ebprop
