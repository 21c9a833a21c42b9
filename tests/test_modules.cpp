// Every module plugin against the derivative-check cases it registers, the checker against broken
// modules, and the Gauss-Newton bookkeeping of a loss (§7.3, Eq. 53-56).
#define BOOST_TEST_MODULE modules
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "ebprop/testing/derivative_check.h"
#include "test_util.h"

namespace {

using namespace ebprop;
using test::make_module;
using test::module_settings;
using test::random_matrix;
using testing::check_module;
using testing::CheckOptions;
using testing::CheckReport;

}  // namespace

BOOST_AUTO_TEST_SUITE(plugins)

// Every module type of this build's plugins, on every case its plugin registered (module.h,
// CHECK CASES), one example and batches of 3 and 7: the derivative checks pass, the R-operator
// passes (§7.5), which every module of the build has, are checked, and the backward passes add
// exactly. A type without cases fails.
BOOST_AUTO_TEST_CASE(every_module_passes_its_derivative_check_cases) {
  const Registry& registry = test::plugins();
  BOOST_TEST(!registry.module_types().empty());
  for (const std::string& type : registry.module_types()) {
    const std::vector<CheckCase>& cases = registry.module_info(type).checks;
    if (cases.empty())
      BOOST_ERROR("module type '" << type << "' (" << registry.origin(type)
                                  << ") registers no derivative-check cases (module.h)");
    for (const CheckCase& c : cases)
      for (int batch : {1, 3, 7}) {
        CheckOptions options;
        options.batch = batch;
        const CheckReport report = check_module(registry, type, c, options);
        BOOST_TEST_MESSAGE(report.summary());
        BOOST_TEST(report.passed(), report.summary());
        BOOST_TEST(report.r_checked, report.what << ": no R-operator passes");
        BOOST_TEST(report.accumulate <= 1e-12, report.summary());
      }
  }
}

// The same cases with threads lent to every module, each split cut as finely as it can be
// (workers.h): the modules that split their passes by units (module.h, SPLITTING A PASS) pass the
// same checks split, on more than one piece.
BOOST_AUTO_TEST_CASE(every_module_passes_its_derivative_check_cases_split) {
  const Registry& registry = test::plugins();
  ThreadTeam team(3);
  for (const std::string& type : registry.module_types())
    for (const CheckCase& c : registry.module_info(type).checks)
      for (int batch : {1, 3}) {
        CheckOptions options;
        options.batch = batch;
        options.threads = &team;
        const CheckReport report = check_module(registry, type, c, options);
        BOOST_TEST(report.passed(), report.summary());
        BOOST_TEST(report.accumulate <= 1e-12, report.summary());
      }
}

// A linear layer under MSE: bbprop's ddw is exactly the Gauss-Newton diagonal diag(Σ_e J_eᵀ J_e)
// (§7.3), J_e = d(output of example e)/dw, because the loss adds its curvature dy · 1.
BOOST_AUTO_TEST_CASE(linear_under_mse_gives_the_gauss_newton_diagonal) {
  const int inputs = 4, outputs = 3, batch = 5;
  auto linear = make_module<double>("linear", {{"outputs", std::to_string(outputs)}});
  auto mse = make_module<double>("mse");

  State<double> x, target, y, loss;
  x.shape = {inputs};
  target.shape = y.shape = linear->output_shape({x.shape});
  loss.shape = mse->output_shape({y.shape, target.shape});
  ParameterStore<double> store;
  std::vector<std::string> names;
  for (const ParamSpec& spec : linear->parameters()) {
    names.push_back("fc." + spec.role);
    store.declare(names.back(), spec);
  }
  store.allocate();
  std::vector<ParamView<double>> views;
  for (const auto& name : names) views.push_back(store.view(*store.find(name)));
  linear->bind(views);

  Rng rng(3);
  store.initialize(rng);
  x.resize(batch);
  target.resize(batch);
  x.x = random_matrix(inputs, batch, rng);
  target.x = random_matrix(outputs, batch, rng);
  x.needs_gradient = target.needs_gradient = false;

  linear->fprop({&x}, y);
  mse->fprop({&y, &target}, loss);
  y.dx.setZero();
  y.ddx.setZero();
  loss.dx.setOnes();  // E = Σ_e E_e: the loss weight 1, and no curvature above the loss
  loss.ddx.setZero();
  mse->bprop({&y, &target}, loss);
  linear->bprop({&x}, y);
  mse->bbprop({&y, &target}, loss);
  linear->bbprop({&x}, y);

  // diag(Σ_e J_eᵀ J_e) with J by central differences of the layer's output.
  const double h = 1e-5;
  Vector<double> reference(store.size());
  for (Eigen::Index k = 0; k < store.size(); ++k) {
    const double w = store.w()(k);
    store.w()(k) = w + h;
    linear->fprop({&x}, y);
    const Matrix<double> plus = y.x;
    store.w()(k) = w - h;
    linear->fprop({&x}, y);
    store.w()(k) = w;
    reference(k) = ((plus - y.x) / (2 * h)).squaredNorm();
  }
  const double error =
      (store.ddw() - reference).cwiseAbs().maxCoeff() / reference.cwiseAbs().maxCoeff();
  BOOST_TEST(error <= 1e-6);
}

// The bug this guards against: a loss bbprop that multiplied by the ddy the trainer had seeded
// with 0, so no curvature ever entered the network. With ddy = 0, dy = 1/B: ddx = 1/B exactly.
BOOST_AUTO_TEST_CASE(mse_curvature_survives_a_zero_ddy_seed) {
  const int batch = 4;
  auto mse = make_module<float>("mse");
  State<float> output, target, loss;
  output.shape = target.shape = {3};
  loss.shape = mse->output_shape({output.shape, target.shape});
  output.resize(batch);
  target.resize(batch);
  output.x = Matrix<float>::Random(3, batch);
  target.x = Matrix<float>::Random(3, batch);
  output.ddx.setZero();
  target.ddx.setZero();

  mse->fprop({&output, &target}, loss);
  loss.dx.setConstant(1.0f / batch);
  loss.ddx.setZero();
  mse->bbprop({&output, &target}, loss);
  BOOST_TEST((output.ddx.array() == 1.0f / batch).all(), "ddx_o =\n" << output.ddx);
  BOOST_TEST((target.ddx.array() == 1.0f / batch).all(), "ddx_t =\n" << target.ddx);
}

BOOST_AUTO_TEST_CASE(linear_without_outputs_is_a_settings_error) {
  BOOST_CHECK_EXCEPTION(module_settings("linear", {}), SourceError, [](const SourceError& e) {
    return std::string(e.what()).find("'outputs'") != std::string::npos;
  });
  BOOST_CHECK_EXCEPTION(
      make_module<double>("linear", {{"outputs", "0"}}), Error,
      [](const Error& e) { return std::string(e.what()).find("'outputs'") != std::string::npos; });
}

BOOST_AUTO_TEST_CASE(mse_rejects_output_and_target_of_different_sizes) {
  BOOST_CHECK_EXCEPTION(
      make_module<double>("mse")->output_shape({{10}, {9}}), ShapeError, [](const ShapeError& e) {
        return std::string(e.what()) == "output has shape 10 but target has shape 9";
      });
}

BOOST_AUTO_TEST_SUITE_END()

// ---- The checker must catch broken modules ----

namespace {

// y = w ∘ x, one weight per element: ∂y/∂x = w, ∂y/∂w = x. `Bug` plants one classic mistake.
enum class Bug {
  none,
  input_curvature_not_squared,
  weight_curvature_not_squared,
  overwrites_gradient,
  r_fprop_forgets_the_weight_direction,
  r_bprop_forgets_the_weight_direction
};

class Scale final : public Module<double> {
 public:
  explicit Scale(Bug bug) : bug_(bug) {}
  Shape output_shape(const std::vector<Shape>& inputs) override {
    size_ = shape_size(inputs[0]);
    return inputs[0];
  }
  std::vector<ParamSpec> parameters() const override {
    return {{"weight", size_, 1, 1, Init::one}};
  }
  void bind(const std::vector<ParamView<double>>& views) override { w_ = views[0]; }

  void fprop(const Inputs<double>& in, State<double>& out) override {
    out.resize(in[0]->batch());
    out.x = in[0]->x.array().colwise() * w();
  }
  void bprop(const Inputs<double>& in, const State<double>& out) override {
    if (bug_ == Bug::overwrites_gradient)
      in[0]->dx = out.dx.array().colwise() * w();
    else
      in[0]->dx.array() += out.dx.array().colwise() * w();
    w_.grad() += (out.dx.array() * in[0]->x.array()).rowwise().sum().matrix();
  }
  void bbprop(const Inputs<double>& in, const State<double>& out) override {
    const auto ddy = out.ddx.array();
    if (bug_ == Bug::input_curvature_not_squared)
      in[0]->ddx.array() += ddy.colwise() * w();
    else
      in[0]->ddx.array() += ddy.colwise() * w().square();
    if (bug_ == Bug::weight_curvature_not_squared)
      w_.hess() += (ddy * in[0]->x.array()).rowwise().sum().matrix();
    else
      w_.hess() += (ddy * in[0]->x.array().square()).rowwise().sum().matrix();
  }

  // R{y} = w R{x} + v x;  R{dx} = v dy + w R{dy};  R{dw} = Σ (R{dy} x + dy R{x}).
  bool has_r_passes() const override { return true; }
  void r_fprop(const Inputs<double>& in, State<double>& out) override {
    out.rx = in[0]->rx.array().colwise() * w();
    if (bug_ != Bug::r_fprop_forgets_the_weight_direction)
      out.rx.array() += in[0]->x.array().colwise() * v();
  }
  void r_bprop(const Inputs<double>& in, const State<double>& out) override {
    in[0]->rdx.array() += out.rdx.array().colwise() * w();
    if (bug_ != Bug::r_bprop_forgets_the_weight_direction)
      in[0]->rdx.array() += out.dx.array().colwise() * v();
    w_.r_grad() += (out.rdx.array() * in[0]->x.array() + out.dx.array() * in[0]->rx.array())
                       .rowwise()
                       .sum()
                       .matrix();
  }

 private:
  Eigen::ArrayXd w() const { return w_.value().col(0).array(); }
  Eigen::ArrayXd v() const { return w_.direction().col(0).array(); }
  Bug bug_;
  int size_ = 0;
  ParamView<double> w_;
};

// The loss E = ½ Σ x² whose bbprop forgets its own curvature dy · 1 (module.h).
class LossWithoutCurvature final : public Module<double> {
 public:
  Shape output_shape(const std::vector<Shape>&) override { return {1}; }
  void fprop(const Inputs<double>& in, State<double>& out) override {
    out.resize(in[0]->batch());
    out.x = 0.5 * in[0]->x.colwise().squaredNorm();
  }
  void bprop(const Inputs<double>& in, const State<double>& out) override {
    in[0]->dx.array() += in[0]->x.array().rowwise() * out.dx.row(0).array();
  }
  void bbprop(const Inputs<double>& in, const State<double>& out) override {
    in[0]->ddx.array() += in[0]->x.array().square().rowwise() * out.ddx.row(0).array();
  }
};

const ModuleInfo scale_info{"scale", "y = w x, elementwise", {"x"}, {}, false};

}  // namespace

BOOST_AUTO_TEST_SUITE(the_checker_can_fail)

BOOST_AUTO_TEST_CASE(a_correct_module_passes) {
  Scale module(Bug::none);
  const CheckReport report = check_module(module, scale_info, {{5}});
  BOOST_TEST(report.passed(), report.summary());
  BOOST_TEST(report.r_checked);
}

BOOST_AUTO_TEST_CASE(an_r_fprop_that_forgets_the_weight_direction) {
  Scale module(Bug::r_fprop_forgets_the_weight_direction);
  const CheckReport report = check_module(module, scale_info, {{5}});
  BOOST_TEST(!report.passed());
  BOOST_TEST(report.r_fprop > 1e-2, report.summary());
}

BOOST_AUTO_TEST_CASE(an_r_bprop_that_forgets_the_weight_direction) {
  Scale module(Bug::r_bprop_forgets_the_weight_direction);
  const CheckReport report = check_module(module, scale_info, {{5}});
  BOOST_TEST(!report.passed());
  BOOST_TEST(report.r_bprop_input > 1e-2, report.summary());
  BOOST_TEST(report.r_fprop <= 1e-6, report.summary());
}

BOOST_AUTO_TEST_CASE(curvature_with_f_prime_instead_of_its_square) {
  Scale module(Bug::input_curvature_not_squared);
  const CheckReport report = check_module(module, scale_info, {{5}});
  BOOST_TEST(!report.passed());
  BOOST_TEST(report.bbprop_input > 1e-2, report.summary());
  BOOST_TEST(report.bprop_input <= 1e-6, report.summary());
  BOOST_TEST(report.bbprop_param <= 1e-6, report.summary());
}

BOOST_AUTO_TEST_CASE(weight_curvature_with_x_instead_of_x_squared) {
  Scale module(Bug::weight_curvature_not_squared);
  const CheckReport report = check_module(module, scale_info, {{5}});
  BOOST_TEST(!report.passed());
  BOOST_TEST(report.bbprop_param > 1e-2, report.summary());
  BOOST_TEST(report.bbprop_input <= 1e-6, report.summary());
}

BOOST_AUTO_TEST_CASE(a_bprop_that_overwrites) {
  Scale module(Bug::overwrites_gradient);
  const CheckReport report = check_module(module, scale_info, {{5}});
  BOOST_TEST(!report.passed());
  BOOST_TEST(report.accumulate > 1e-2, report.summary());
  BOOST_TEST(report.bprop_input <= 1e-6, report.summary());  // right from zero, wrong on top
}

BOOST_AUTO_TEST_CASE(a_loss_that_forgets_its_own_curvature) {
  LossWithoutCurvature module;
  const ModuleInfo info{"half_square", "E = ½ Σ x²", {"x"}, {}, true};
  const CheckReport report = check_module(module, info, {{4}});
  BOOST_TEST(!report.passed());
  BOOST_TEST(report.bbprop_input > 1e-2, report.summary());
  BOOST_TEST(report.bprop_input <= 1e-6, report.summary());
}

BOOST_AUTO_TEST_SUITE_END()
