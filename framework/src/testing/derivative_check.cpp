// Derivative checkers (testing/derivative_check.h): a module's bprop and bbprop against finite
// differences of its own fprop, in double precision, on random inputs, weights and seeds.
#include "ebprop/testing/derivative_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "ebprop/error.h"

namespace ebprop::testing {
namespace {

// ‖computed − reference‖∞ / max(‖reference‖∞, 1e-12), with the norms taken over several blocks
// (every input, or every parameter) as if they were one vector. A NaN anywhere, or a module that
// resized what it should have added into, fails the check.
class RelativeError {
 public:
  void add(const Matrix<double>& computed, const Matrix<double>& reference) {
    if (computed.rows() != reference.rows() || computed.cols() != reference.cols()) {
      diff_ = std::numeric_limits<double>::infinity();
      return;
    }
    if (reference.size() == 0) return;
    const double diff = (computed - reference).cwiseAbs().maxCoeff<Eigen::PropagateNaN>();
    diff_ = std::isnan(diff) ? std::numeric_limits<double>::infinity() : std::max(diff_, diff);
    ref_ = std::max(ref_, reference.cwiseAbs().maxCoeff());
  }
  double value() const { return diff_ / std::max(ref_, 1e-12); }

 private:
  double diff_ = 0, ref_ = 0;
};

// Everything bprop and bbprop write: the inputs' dx and ddx, and the store's dw and ddw.
struct Derivatives {
  std::vector<Matrix<double>> dx, ddx;
  Matrix<double> dw, ddw;
};

// A module wired to inputs, an output and a parameter store, as the engine would wire it.
class Harness {
 public:
  Harness(Module<double>& module, const std::vector<Shape>& input_shapes,
          const CheckOptions& options)
      : module_(module), inputs_(input_shapes.size()), rng_(options.seed) {
    // The lifecycle of module.h: output_shape, parameters, bind.
    out_.shape = module_.output_shape(input_shapes);
    const std::vector<ParamSpec> specs = module_.parameters();
    std::vector<std::string> names;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      names.push_back(std::to_string(i) + "." + specs[i].role);
      store_.declare(names.back(), specs[i]);
    }
    store_.allocate();
    std::vector<ParamView<double>> views;
    for (const auto& name : names) views.push_back(store_.view(*store_.find(name)));
    module_.bind(views);
    workers_.lend(options.threads, true);
    module_.use_workers(workers_);
    for (auto& w : store_.w()) w = uniform(-1, 1);

    for (std::size_t i = 0; i < inputs_.size(); ++i) {
      State<double>& input = inputs_[i];
      input.shape = input_shapes[i];
      input.needs_gradient = true;
      input.resize(options.batch);
      const bool fixed = i < options.fixed_inputs.size() && options.fixed_inputs[i].size() != 0;
      if (fixed && (options.fixed_inputs[i].rows() != input.size() ||
                    options.fixed_inputs[i].cols() != options.batch))
        throw Error("check_module: fixed input " + std::to_string(i) + " must be " +
                    std::to_string(input.size()) + " x " + std::to_string(options.batch));
      input.x =
          fixed ? options.fixed_inputs[i]
                : random(input.size(), options.batch, -options.input_range, options.input_range);
      in_.push_back(&input);
    }
    // Output derivatives: dy of any sign, ddy positive as Gauss-Newton curvatures are.
    dy_ = random(out_.size(), options.batch, -1, 1);
    ddy_ = random(out_.size(), options.batch, 0.1, 1);
  }

  const Matrix<double>& dy() const { return dy_; }
  const Matrix<double>& ddy() const { return ddy_; }
  std::vector<State<double>>& inputs() { return inputs_; }
  Vector<double>& weights() { return store_.w(); }

  // fprop at the current inputs and weights.
  const Matrix<double>& forward() {
    module_.fprop(in_, out_);
    if (out_.x.rows() != out_.size() || out_.x.cols() != dy_.cols())
      throw Error("check_module: fprop produced a " + std::to_string(out_.x.rows()) + " x " +
                  std::to_string(out_.x.cols()) + " output; expected " +
                  std::to_string(out_.size()) + " x " + std::to_string(dy_.cols()));
    return out_.x;
  }

  // bprop then bbprop with the seeds dy and ddy. Requires: forward() at these inputs and weights.
  void backward() {
    out_.dx = dy_;
    out_.ddx = ddy_;
    module_.bprop(in_, out_);
    module_.bbprop(in_, out_);
  }

  Derivatives derivatives() const {
    Derivatives d{{}, {}, store_.dw(), store_.ddw()};
    for (const auto& input : inputs_) {
      d.dx.push_back(input.dx);
      d.ddx.push_back(input.ddx);
    }
    return d;
  }

  void set_derivatives(const Derivatives& d) {
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
      inputs_[i].dx = d.dx[i];
      inputs_[i].ddx = d.ddx[i];
    }
    store_.dw() = d.dw;
    store_.ddw() = d.ddw;
  }

  void clear_derivatives() {
    for (auto& input : inputs_) {
      input.dx.setZero();
      input.ddx.setZero();
    }
    store_.clear_gradients();
    store_.clear_hessian();
  }

  // --- R-operator passes (§7.5) along a direction: R{in_i} = in_i.rx, v = the store's rw, and
  // R{dy} = rdy ---
  void random_direction() {
    for (auto& input : inputs_) input.rx = random(input.size(), input.batch(), -1, 1);
    for (auto& v : store_.rw()) v = uniform(-1, 1);
    rdy_ = random(out_.size(), dy_.cols(), -1, 1);
  }

  // Moves the inputs and weights by `step` along the direction.
  void move(double step) {
    for (auto& input : inputs_) input.x += step * input.rx;
    store_.w() += step * store_.rw();
  }

  // bprop from zero with output derivative dy + step·rdy: every input's dx, then dw.
  std::vector<Matrix<double>> gradients(double step) {
    forward();
    clear_derivatives();
    out_.dx = dy_ + step * rdy_;
    module_.bprop(in_, out_);
    std::vector<Matrix<double>> g;
    for (const auto& input : inputs_) g.push_back(input.dx);
    g.push_back(store_.dw());
    return g;
  }

  Matrix<double> r_forward() {
    module_.r_fprop(in_, out_);
    return out_.rx;
  }

  // r_bprop from the given prior contents of in.rdx (one per input) and rdw (last).
  std::vector<Matrix<double>> r_backward(const std::vector<Matrix<double>>& prior) {
    for (std::size_t i = 0; i < inputs_.size(); ++i) inputs_[i].rdx = prior[i];
    store_.rdw() = prior.back();
    out_.rdx = rdy_;
    module_.r_bprop(in_, out_);
    std::vector<Matrix<double>> r;
    for (const auto& input : inputs_) r.push_back(input.rdx);
    r.push_back(store_.rdw());
    return r;
  }

  // Derivatives of the same sizes with random contents in [lo, hi).
  Derivatives random_derivatives(double lo, double hi) {
    Derivatives d;
    for (const auto& input : inputs_) {
      d.dx.push_back(random(input.size(), input.batch(), lo, hi));
      d.ddx.push_back(random(input.size(), input.batch(), lo, hi));
    }
    const int weights = static_cast<int>(store_.size());
    d.dw = random(weights, 1, lo, hi);
    d.ddw = random(weights, 1, lo, hi);
    return d;
  }

 private:
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(rng_); }
  Matrix<double> random(int rows, int cols, double lo, double hi) {
    Matrix<double> m(rows, cols);
    for (auto& v : m.reshaped()) v = uniform(lo, hi);
    return m;
  }

  Module<double>& module_;
  Workers workers_;
  std::vector<State<double>> inputs_;
  Inputs<double> in_;
  State<double> out_;
  ParameterStore<double> store_;
  Rng rng_;
  Matrix<double> dy_, ddy_, rdy_;
};

// The R-passes against central differences along the direction: r_fprop against the derivative
// of fprop, r_bprop against the derivative of what bprop computes (with dy moving along R{dy}).
void check_r_passes(Harness& h, const CheckOptions& options, CheckReport& report) {
  h.random_direction();
  const double s = options.step;
  std::vector<Matrix<double>> saved_x;
  for (const auto& input : h.inputs()) saved_x.push_back(input.x);
  const Vector<double> saved_w = h.weights();
  const auto restore = [&] {
    for (std::size_t i = 0; i < saved_x.size(); ++i) h.inputs()[i].x = saved_x[i];
    h.weights() = saved_w;
  };

  h.move(s);
  const Matrix<double> y_plus = h.forward();
  const auto g_plus = h.gradients(s);
  restore();
  h.move(-s);
  const Matrix<double> y_minus = h.forward();
  const auto g_minus = h.gradients(-s);
  restore();

  h.forward();
  h.backward();
  RelativeError r_fprop, r_bprop_input, r_bprop_param, accumulate;
  r_fprop.add(h.r_forward(), (y_plus - y_minus) / (2 * s));

  std::vector<Matrix<double>> zero, prior;
  for (const auto& g : g_plus) {
    zero.push_back(Matrix<double>::Zero(g.rows(), g.cols()));
    prior.push_back(Matrix<double>::Random(g.rows(), g.cols()));
  }
  const auto fresh = h.r_backward(zero);
  for (std::size_t i = 0; i + 1 < fresh.size(); ++i)
    r_bprop_input.add(fresh[i], (g_plus[i] - g_minus[i]) / (2 * s));
  r_bprop_param.add(fresh.back(), (g_plus.back() - g_minus.back()) / (2 * s));
  const auto after = h.r_backward(prior);
  for (std::size_t i = 0; i < after.size(); ++i) accumulate.add(after[i], prior[i] + fresh[i]);

  report.r_checked = true;
  report.r_fprop = r_fprop.value();
  report.r_bprop_input = r_bprop_input.value();
  report.r_bprop_param = r_bprop_param.value();
  report.accumulate = std::max(report.accumulate, accumulate.value());
}

// The references for one scalar v (an input element or a weight), from fprop alone:
//   first  = dE/dv with E = Σ dy ⊙ y, by central differences;
//   second = Σ_i ddy_i J_i², J = dy/dv by central differences (the Gauss-Newton rule, Eq. 53-56),
//            plus, for a loss module, Σ_i dy_i d²y_i/dv² by second differences (module.h).
void finite_differences(Harness& h, double& v, const Matrix<double>& y0, bool is_loss,
                        const CheckOptions& options, double& first, double& second) {
  const double v0 = v;
  const auto at = [&](double value) -> Matrix<double> {
    v = value;
    Matrix<double> y = h.forward();
    v = v0;
    return y;
  };
  const Matrix<double> jacobian =
      (at(v0 + options.step) - at(v0 - options.step)) / (2 * options.step);
  first = (h.dy().array() * jacobian.array()).sum();
  second = (h.ddy().array() * jacobian.array().square()).sum();
  if (is_loss) {
    const double s = options.second_step;
    second += (h.dy().array() * (at(v0 + s) - 2 * y0 + at(v0 - s)).array()).sum() / (s * s);
  }
}

CheckReport run_checks(Module<double>& module, const ModuleInfo& info, const std::string& label,
                       const std::vector<Shape>& input_shapes, const CheckOptions& options) {
  std::vector<std::string> shapes;
  for (const auto& shape : input_shapes) shapes.push_back(shape_str(shape));
  CheckReport report;
  report.what = label + " on inputs " + join(shapes) + ", batch " + std::to_string(options.batch);
  report.tolerance = options.tolerance;

  Harness h(module, input_shapes, options);

  // The passes from zero: what the module computes.
  h.clear_derivatives();
  const Matrix<double> y0 = h.forward();
  h.backward();
  const Derivatives fresh = h.derivatives();

  // Accumulation: from random prior contents, fprop must leave them alone and give the same y,
  // and bprop/bbprop must add exactly the fresh amount to them.
  const Derivatives prior = h.random_derivatives(-1, 1);
  h.set_derivatives(prior);
  RelativeError accumulate;
  accumulate.add(h.forward(), y0);
  const Derivatives after_fprop = h.derivatives();
  h.backward();
  const Derivatives after = h.derivatives();
  for (std::size_t i = 0; i < prior.dx.size(); ++i) {
    accumulate.add(after_fprop.dx[i], prior.dx[i]);
    accumulate.add(after_fprop.ddx[i], prior.ddx[i]);
    accumulate.add(after.dx[i], prior.dx[i] + fresh.dx[i]);
    accumulate.add(after.ddx[i], prior.ddx[i] + fresh.ddx[i]);
  }
  accumulate.add(after_fprop.dw, prior.dw);
  accumulate.add(after_fprop.ddw, prior.ddw);
  accumulate.add(after.dw, prior.dw + fresh.dw);
  accumulate.add(after.ddw, prior.ddw + fresh.ddw);
  report.accumulate = accumulate.value();

  // Finite differences over every input element and every weight.
  RelativeError bprop_input, bbprop_input, bprop_param, bbprop_param;
  for (std::size_t i = 0; i < h.inputs().size(); ++i) {
    Matrix<double>& x = h.inputs()[i].x;
    Matrix<double> dx_ref(x.rows(), x.cols()), ddx_ref(x.rows(), x.cols());
    for (Eigen::Index k = 0; k < x.size(); ++k)
      finite_differences(h, x(k), y0, info.is_loss, options, dx_ref(k), ddx_ref(k));
    bprop_input.add(fresh.dx[i], dx_ref);
    bbprop_input.add(fresh.ddx[i], ddx_ref);
  }
  Vector<double>& w = h.weights();
  Matrix<double> dw_ref(w.size(), 1), ddw_ref(w.size(), 1);
  for (Eigen::Index k = 0; k < w.size(); ++k)
    finite_differences(h, w(k), y0, info.is_loss, options, dw_ref(k), ddw_ref(k));
  bprop_param.add(fresh.dw, dw_ref);
  bbprop_param.add(fresh.ddw, ddw_ref);

  report.bprop_input = bprop_input.value();
  report.bprop_param = bprop_param.value();
  report.bbprop_input = bbprop_input.value();
  report.bbprop_param = bbprop_param.value();

  if (module.has_r_passes()) check_r_passes(h, options, report);
  return report;
}

// rows x cols values from the set `values` names (module.h), one column per example.
Matrix<double> values_from(CheckValues values, int rows, int cols, Rng& rng) {
  Matrix<double> m = Matrix<double>::Constant(rows, cols, -1.0);
  if (values == CheckValues::plus_minus_one)
    for (auto& v : m.reshaped()) v = uniform01(rng) < 0.5 ? -1.0 : 1.0;
  else if (values == CheckValues::one_of_n)
    for (int col = 0; col < cols; ++col) m(static_cast<int>(uniform01(rng) * rows), col) = 1.0;
  return m;
}

}  // namespace

bool CheckReport::passed() const {
  // Written so that a NaN fails.
  for (double error : {bprop_input, bprop_param, bbprop_input, bbprop_param, accumulate, r_fprop,
                       r_bprop_input, r_bprop_param})
    if (!(error <= tolerance)) return false;
  return true;
}

std::string CheckReport::summary() const {
  std::ostringstream text;
  text << what << '\n';
  const std::pair<const char*, double> checks[] = {
      {"bprop  dE/dx", bprop_input},    {"bprop  dE/dw", bprop_param},
      {"bbprop d2E/dx2", bbprop_input}, {"bbprop d2E/dw2", bbprop_param},
      {"accumulate", accumulate},       {"r_fprop R{y}", r_fprop},
      {"r_bprop R{dx}", r_bprop_input}, {"r_bprop R{dw}", r_bprop_param}};
  for (const auto& [name, error] : checks) {
    if (!r_checked && name[0] == 'r') {
      text << "  " << name << "  (the module has no R-operator passes)\n";
      continue;
    }
    char line[128];
    std::snprintf(line, sizeof line, "  %-16s error %9.2e  tolerance %8.1e  %s\n", name, error,
                  tolerance, error <= tolerance ? "PASS" : "FAIL");
    text << line;
  }
  return text.str();
}

CheckReport check_module(Module<double>& module, const ModuleInfo& info,
                         const std::vector<Shape>& input_shapes, const CheckOptions& options) {
  return run_checks(module, info, info.type, input_shapes, options);
}

CheckReport check_module(const Registry& registry, const std::string& type,
                         const std::map<std::string, std::string>& settings,
                         const std::vector<Shape>& input_shapes, const CheckOptions& options) {
  const ModuleInfo& info = registry.module_info(type);
  RawSettings raw;
  std::vector<std::string> given;
  for (const auto& [key, value] : settings) {
    raw[key] = RawSetting{value, SourceLocation{}};
    given.push_back(key + "=" + value);
  }
  const Settings validated = Settings::validate(info.settings, raw, type, SourceLocation{});
  const ModulePtr<double> module = registry.make_module<double>(type, validated);
  const std::string label = given.empty() ? type : type + " {" + join(given) + "}";
  return run_checks(*module, info, label, input_shapes, options);
}

CheckReport check_module(const Registry& registry, const std::string& type, const CheckCase& check,
                         CheckOptions options) {
  if (check.values.size() > check.inputs.size())
    throw Error("check_module: a case of " + type + " gives values for " +
                std::to_string(check.values.size()) + " inputs but has " +
                std::to_string(check.inputs.size()));
  Rng rng(options.seed);
  options.fixed_inputs.resize(check.inputs.size());
  for (std::size_t i = 0; i < check.values.size(); ++i)
    if (check.values[i] != CheckValues::any)
      options.fixed_inputs[i] =
          values_from(check.values[i], shape_size(check.inputs[i]), options.batch, rng);
  return check_module(registry, type, check.settings, check.inputs, options);
}

}  // namespace ebprop::testing
