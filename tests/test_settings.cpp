// Settings schemas: validation, types, defaults, and the messages users see.
#define BOOST_TEST_MODULE settings
#include <ebprop/settings.h>

#include <boost/test/unit_test.hpp>
#include <limits>

using namespace ebprop;

namespace {

const std::vector<SettingSpec> schema{
    required("outputs", SettingType::integer, "number of outputs"),
    optional("bias", SettingType::boolean, "true", "add a bias"),
    optional("rate", SettingType::real, "0.5", "a rate"),
    optional("shape", SettingType::shape, "1x28x28", "a shape"),
    optional("schedule", SettingType::real_list, "0.1,0.05", "rates per epoch"),
    optional("name", SettingType::text, "", "a name")};

RawSettings raw(std::initializer_list<std::pair<std::string, std::string>> items) {
  RawSettings r;
  int column = 1;
  for (const auto& [k, v] : items) r[k] = {v, {"f.graph", 3, column += 10}};
  return r;
}

std::string failure(const RawSettings& r) {
  try {
    Settings::validate(schema, r, "linear 'fc'", {"f.graph", 3, 1});
  } catch (const SourceError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

BOOST_AUTO_TEST_CASE(values_and_defaults_are_typed) {
  const Settings s = Settings::validate(schema, raw({{"outputs", "30"}, {"bias", "no"}}), "x", {});
  BOOST_TEST(s.integer("outputs") == 30);
  BOOST_TEST(!s.boolean("bias"));
  BOOST_TEST(s.real("rate") == 0.5);
  BOOST_TEST((s.shape("shape") == Shape{1, 28, 28}));
  BOOST_TEST((s.reals("schedule") == std::vector<double>{0.1, 0.05}));
  BOOST_TEST(s.text("name").empty());
  BOOST_TEST(s.given("outputs"));
  BOOST_TEST(!s.given("rate"));
}

BOOST_AUTO_TEST_CASE(an_unknown_key_is_located_with_a_suggestion) {
  const std::string m = failure(raw({{"outputs", "3"}, {"bais", "true"}}));
  BOOST_TEST(m.find("f.graph:3:") == 0, m);
  BOOST_TEST(
      m.find("unknown setting 'bais' for linear 'fc'; did you mean 'bias'?") != std::string::npos,
      m);
  BOOST_TEST(m.find("(known: outputs, bias, rate, shape, schedule, name)") != std::string::npos, m);
}

BOOST_AUTO_TEST_CASE(each_type_refuses_what_it_cannot_read) {
  BOOST_TEST(failure(raw({{"outputs", "3.5"}})).find("expected an integer, found '3.5'") !=
             std::string::npos);
  BOOST_TEST(
      failure(raw({{"outputs", "3"}, {"rate", "fast"}})).find("expected a finite real number") !=
      std::string::npos);
  BOOST_TEST(
      failure(raw({{"outputs", "3"}, {"rate", "nan"}})).find("expected a finite real number") !=
      std::string::npos);
  BOOST_TEST(failure(raw({{"outputs", "3"}, {"bias", "maybe"}})).find("expected true or false") !=
             std::string::npos);
  BOOST_TEST(failure(raw({{"outputs", "3"}, {"shape", "28x0"}})).find("expected a shape") !=
             std::string::npos);
  BOOST_TEST(failure(raw({{"outputs", "3"}, {"shape", "28xx28"}})).find("expected a shape") !=
             std::string::npos);
  BOOST_TEST(failure(raw({{"outputs", "3"}, {"schedule", "0.1,,0.2"}})).find("comma-separated") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_missing_required_setting_is_explained) {
  const std::string m = failure(raw({}));
  BOOST_TEST(
      m.find("f.graph:3:1: linear 'fc' needs the setting 'outputs' (integer: number of outputs)") ==
          0,
      m);
}

BOOST_AUTO_TEST_CASE(shapes_print_and_parse) {
  BOOST_TEST(shape_str({1, 28, 28}) == "1x28x28");
  BOOST_TEST(shape_size({1, 28, 28}) == 784);
  BOOST_TEST((parse_shape("784") == Shape{784}));
  BOOST_CHECK_THROW(parse_shape("99999x99999"), Error);
}

BOOST_AUTO_TEST_CASE(did_you_mean_only_suggests_close_names) {
  BOOST_TEST(did_you_mean("lineer", {"linear", "stanh"}) == "did you mean 'linear'?");
  BOOST_TEST(did_you_mean("convolution", {"linear", "stanh"}).empty());
}

namespace {

// Validates one key of a one-spec schema; the message of the refusal, or "accepted".
std::string verdict(const SettingSpec& spec, const std::string& value) {
  try {
    Settings::validate({spec}, {{spec.name, {value, {"f.graph", 7, 3}}}}, "optimizer sgd",
                       {"f.graph", 6, 1});
  } catch (const SourceError& e) {
    return e.what();
  }
  return "accepted";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_exclusive_minimum_refuses_its_bound_and_says_so_at_the_key) {
  const SettingSpec lr = optional("lr", SettingType::real, "0.01", "global rate").above(0);
  BOOST_TEST(verdict(lr, "0.5") == "accepted");
  const std::string m = verdict(lr, "-1");
  BOOST_TEST(m.find("f.graph:7:3: setting 'lr' of optimizer sgd must be > 0, found -1") == 0, m);
  BOOST_TEST(has(verdict(lr, "0"), "must be > 0, found 0"));
}

BOOST_AUTO_TEST_CASE(a_half_open_range_keeps_one_end_and_refuses_the_other) {
  const SettingSpec momentum =
      optional("momentum", SettingType::real, "0", "momentum").at_least(0).below(1);
  BOOST_TEST(verdict(momentum, "0") == "accepted");
  BOOST_TEST(verdict(momentum, "0.999") == "accepted");
  const std::string m = verdict(momentum, "1");
  BOOST_TEST(has(m, "must be in [0, 1), found 1 (momentum)"), m);
  BOOST_TEST(has(verdict(momentum, "-0.1"), "found -0.1"));
}

BOOST_AUTO_TEST_CASE(an_integer_wider_than_int_is_refused_not_wrapped) {
  const SettingSpec batch = optional("batch", SettingType::integer, "1", "examples").at_least(1);
  const std::string m = verdict(batch, "4294967297");
  BOOST_TEST(has(m, "must be in [1, 2147483647], found 4294967297"), m);
  const SettingSpec any = optional("n", SettingType::integer, "0", "a count");
  BOOST_TEST(has(verdict(any, "-2147483649"), "in [-2147483648, 2147483647]"));
  BOOST_TEST(verdict(any, "-2147483648") == "accepted");
}

BOOST_AUTO_TEST_CASE(a_declared_wide_range_reads_64_bit_integers) {
  const SettingSpec seed =
      optional("seed", SettingType::integer, "1", "seed")
          .at_least(0)
          .at_most(static_cast<double>(std::numeric_limits<std::int64_t>::max()));
  BOOST_TEST(verdict(seed, "9223372036854775807") == "accepted");
  BOOST_TEST(has(verdict(seed, "-1"), "must be in [0, 9223372036854775807], found -1"));
  BOOST_TEST(has(verdict(seed, "9223372036854775808"), "expected an integer"));
}

BOOST_AUTO_TEST_CASE(a_word_outside_the_choices_gets_the_list_and_a_suggestion) {
  const SettingSpec center = optional("center", SettingType::text, "global", "§4.3")
                                 .one_of({"none", "per-feature", "global"});
  BOOST_TEST(verdict(center, "per-feature") == "accepted");
  const std::string m = verdict(center, "per_feature");
  BOOST_TEST(has(m,
                 "f.graph:7:3: setting 'center' of optimizer sgd must be one of none, "
                 "per-feature, global, found 'per_feature'; did you mean 'per-feature'?"),
             m);
  BOOST_TEST(!has(verdict(center, "median"), "did you mean"));
}

BOOST_AUTO_TEST_CASE(each_element_of_a_list_is_checked_and_the_empty_list_is_allowed) {
  const SettingSpec schedule = optional("schedule", SettingType::real_list, "", "rates").above(0);
  BOOST_TEST(verdict(schedule, "") == "accepted");
  BOOST_TEST(verdict(schedule, "0.1,0.05") == "accepted");
  const std::string m = verdict(schedule, "0.1,-0.05");
  BOOST_TEST(has(m, "each value must be > 0, found -0.05 (value 2)"), m);
}

BOOST_AUTO_TEST_CASE(a_default_outside_the_range_is_refused_at_the_owner) {
  const SettingSpec bad = optional("size", SettingType::integer, "0", "k").at_least(1);
  try {
    Settings::validate({bad}, {}, "maxpool 'p'", {"f.graph", 6, 1});
    BOOST_FAIL("a default of 0 passed at_least(1)");
  } catch (const SourceError& e) {
    BOOST_TEST(
        has(e.what(),
            "f.graph:6:1: setting 'size' of maxpool 'p' must be in [1, 2147483647], found 0"),
        e.what());
  }
}

BOOST_AUTO_TEST_CASE(constraints_print_as_help_shows_them) {
  BOOST_TEST(setting_constraint(optional("a", SettingType::real, "1", "").above(0)) == "> 0");
  BOOST_TEST(setting_constraint(optional("a", SettingType::real, "0", "").at_least(0).below(1)) ==
             "[0, 1)");
  BOOST_TEST(setting_constraint(optional("a", SettingType::integer, "1", "").at_most(8)) == "<= 8");
  BOOST_TEST(setting_constraint(optional("a", SettingType::real_list, "", "").above(0)) ==
             "each > 0");
  BOOST_TEST(setting_constraint(optional("a", SettingType::text, "x", "").one_of({"x", "y"})) ==
             "one of x, y");
  BOOST_TEST(setting_constraint(optional("a", SettingType::integer, "1", "")).empty());
}
