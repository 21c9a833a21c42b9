// Newton's method (§6.1, Eq. 40): Δw = −η H⁻¹ ∇E with the full Hessian H, built from n exact
// Hessian-vector products (objective.hessian(), §7.5's R-operator). A Cholesky factorization
// tests that H is positive definite; where it is not, Newton's step would climb towards a saddle
// point or a maximum, so H + μI is used instead, with μ found as in Nocedal & Wright's Alg. 3.3
// (below), and the step says so in its notice. A damped step is a descent direction, but far from
// a minimum even it may raise the loss: the step factor is then halved until the loss decreases
// enough (Armijo's rule, optimize/backtracking.h).
//
// The step factor η is in (0, 1]: η = 1 is the Newton step proper, which minimizes a quadratic in
// one step; η < 1 is the paper's safer fraction of it, and the first factor tried.
#include <ebprop/memory.h>
#include <ebprop/optimize/backtracking.h>
#include <ebprop/optimize/evaluated_point.h>
#include <ebprop/optimize/scalar_state.h>
#include <ebprop/plugin.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>

namespace {

using namespace ebprop;
using optimize::EvaluatedPoint;

template <typename T>
class Newton final : public Optimizer<T> {
 public:
  explicit Newton(const Settings& s)
      : rules_(s), eta_(s.real("eta")), max_weights_(s.integer("max-weights")) {}

  DataUse data_use() const override { return {DataUse::Kind::full_set}; }

  // A net above max-weights is refused here, before any work: each iteration forms the n × n
  // Hessian from n Hessian-vector products (each about three passes over the data).
  void attach(ParameterStore<T>& params) override {
    params_ = &params;
    const std::int64_t n = params.size();
    if (n > max_weights_)
      throw Error("optimizer newton: the net has " + std::to_string(n) +
                  " weights, more than max-weights " + std::to_string(max_weights_) +
                  ": each iteration would form its " + std::to_string(n) + " × " +
                  std::to_string(n) + " Hessian (" +
                  byte_size_str(static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n) *
                                sizeof(double)) +
                  ") from " + std::to_string(n) +
                  " Hessian-vector products; use lbfgs or levenberg-marquardt, or raise "
                  "max-weights");
    iteration_ = 0;
    here_.forget();
  }

  StepResult step(Objective<T>& objective, const Batch& batch, std::int64_t) override {
    StepResult result;
    result.loss = here_.at(objective, batch);
    const Vector<double>& g = here_.gradient();
    const std::int64_t n = objective.dimension();
    check_allocation(static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n) * 2,
                     sizeof(double),
                     "newton: the Hessian of " + objective.name() + " and its Cholesky factor");
    Matrix<double> hessian = objective.hessian(batch);
    if (!hessian.allFinite()) return optimize::no_step(result, g, "the Hessian is not finite");
    Matrix<double> factor = hessian;
    Eigen::LLT<Eigen::Ref<Matrix<double>>> llt(factor);  // in place: `factor` becomes L
    if (llt.info() != Eigen::Success) {
      // Nocedal & Wright's Alg. 3.3: μ from max(0, −min H_kk) + β, β = 10⁻³·max|H_kk|, doubled
      // until H + μI has a Cholesky factor, so the damped diagonal is positive by a margin.
      const double scale = hessian.diagonal().cwiseAbs().maxCoeff();
      const double beta = 1e-3 * (scale > 0 ? scale : 1);
      double mu = std::max(0.0, -hessian.diagonal().minCoeff()) + beta;
      for (;; mu *= 2) {
        factor = hessian;
        factor.diagonal().array() += mu;
        if (llt.compute(factor).info() == Eigen::Success) break;
      }
      if (!damped_before_)
        result.notice = "newton: the Hessian is not positive definite at iteration " +
                        std::to_string(iteration_ + 1) +
                        "; damped to H + μI, μ = " + short_number(mu) +
                        " (and wherever it is not, without another notice)";
      damped_before_ = true;
    }
    // Eq. 40: Δw = −η H⁻¹ ∂E/∂w, η halved while the loss does not decrease enough.
    const Vector<double> delta = -llt.solve(g);
    last_rate_ = optimize::backtracked_step(objective, batch, delta, eta_, here_, trial_, rules_,
                                            iteration_, "Newton", result);
    return result;
  }

  // The step factor of the last step: η, or η·2^-k after k halvings.
  double current_rate() const override { return last_rate_; }

  // The iteration count, and the loss and gradient
  // evaluated at w (so that a resumed run evaluates no more than an uninterrupted one).
  OptimizerState state() const override {
    OptimizerState state;
    optimize::put_scalar(state, "iteration", static_cast<double>(iteration_));
    here_.put(state, "here", *params_);
    return state;
  }

  void restore(const OptimizerState& state) override {
    iteration_ = static_cast<std::int64_t>(optimize::get_scalar(state, "iteration", "newton"));
    here_.restore(state, "here", *params_);
  }

 private:
  StopRules rules_;
  double eta_;
  std::int64_t max_weights_;
  std::int64_t iteration_ = 0;
  double last_rate_ = std::numeric_limits<double>::quiet_NaN();
  bool damped_before_ = false;                 // the notice is given once
  const ParameterStore<T>* params_ = nullptr;  // set by attach()
  EvaluatedPoint<T> here_, trial_;             // the loss and gradient at w, and at the trial point
};

void register_newton(Registry& registry) {
  std::vector<SettingSpec> settings = {
      optional("eta", SettingType::real, "1",
               "step factor η of Eq. 40: Δw = −η H⁻¹∇E, the first tried; 1 is the full Newton step")
          .above(0)
          .at_most(1),
      optional("max-weights", SettingType::integer, "3000",
               "refuse a net with more weights: each iteration forms the dense n × n Hessian "
               "from n Hessian-vector products")
          .at_least(1)};
  for (auto& spec : StopRules::settings()) settings.push_back(std::move(spec));
  registry.add_optimizer<Newton>(
      {"newton",
       "Newton's method (§6.1, Eq. 40): Δw = −η H⁻¹∇E with the full Hessian from exact "
       "Hessian-vector products; H + μI where H is not positive definite; η halved until the "
       "loss decreases (Armijo). Dense: for small nets. A batch method: one step per epoch.",
       std::move(settings), ebprop::OptimizerInfo::RateKind::none});
}

}  // namespace

EBPROP_PLUGIN(register_newton)
