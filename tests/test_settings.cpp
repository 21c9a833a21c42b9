// Settings schemas: validation, types, defaults, and the messages users see.
#define BOOST_TEST_MODULE settings
#include <ebprop/settings.h>

#include <boost/test/unit_test.hpp>

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
