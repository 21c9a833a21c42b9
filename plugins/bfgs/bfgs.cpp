// BFGS (§6.3, Eq. 44-45): a quasi-Newton method that builds an approximation M of the inverse
// Hessian from the changes of the weights and of the gradient, and searches along −M g with a
// strong-Wolfe line search (c2 = 0.9, initial step 1). M is dense, n × n: for a net of more
// than a few thousand weights use lbfgs. A batch method: one step is one iteration on the whole
// set.
#include <ebprop/memory.h>
#include <ebprop/optimize/line_search.h>
#include <ebprop/plugin.h>

#include <algorithm>
#include <cmath>

namespace {

using namespace ebprop;

template <typename T>
class Bfgs final : public Optimizer<T> {
 public:
  explicit Bfgs(const Settings& s)
      : max_weights_(s.integer("max-weights")),
        stop_(s),
        search_(optimize::line_search_options(s, "bfgs")) {}

  DataUse data_use() const override { return {DataUse::Kind::full_set}; }

  void attach(ParameterStore<T>& params) override {
    const std::int64_t n = params.size();
    const auto n2 = static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n);
    if (n > max_weights_)
      throw Error("optimizer bfgs: the net has " + std::to_string(n) +
                  " weights, more than max-weights " + std::to_string(max_weights_) +
                  ": its dense inverse Hessian would need " + byte_size_str(n2 * sizeof(double)) +
                  " (n² doubles); use lbfgs, or raise " + "max-weights");
    check_allocation(n2, sizeof(double), "optimizer bfgs: the dense inverse Hessian");
    params_ = &params;
    inverse_ = Matrix<double>::Identity(n, n);
    start_.reset(n);
    step_ = 0;
    scaled_ = false;
  }

  StepResult step(Objective<T>& objective, const Batch& batch, std::int64_t) override {
    auto& p = objective.parameters();
    StepResult result;
    start_.begin(objective, batch);
    if (start_.stops(objective, stop_, result)) return result;
    const Vector<T>& gradient = start_.gradient();

    // The quasi-Newton direction −M g; steepest descent when M has lost positive definiteness
    // to rounding.
    Vector<T> direction = (-(inverse_ * gradient.template cast<double>())).template cast<T>();
    bool steepest = !scaled_;
    if (!(static_cast<double>(gradient.dot(direction)) < 0)) {
      reset();
      steepest = true;
    }
    if (steepest) direction = -gradient;
    // Initial step 1, the Newton step of the model; before the first update M = I, and the
    // step starts at length 1.
    optimize::LineSearchOptions options = search_;
    options.initial_step = steepest ? std::min(1.0, 1 / start_.grad_norm()) : 1.0;
    const optimize::LineSearchResult r = optimize::line_search(
        objective, batch, start_.point(), start_.loss(), gradient, direction, options);
    step_ = r.step;
    if (r.step > 0)
      update((p.w() - start_.point()).template cast<double>(),
             (p.dw() - gradient).template cast<double>());
    else if (!steepest)
      reset();  // no progress along −M g: start again from steepest descent
    start_.finish(objective, r, direction, steepest, stop_, result);
    return result;
  }

  double current_rate() const override { return step_; }

  // The inverse is kept column by column, each column by parameter name:
  // "inverse-hessian/BLOCK[i]/BLOCK2" is the part in BLOCK2's rows of the column of BLOCK's
  // i-th weight. Saved in double, as it is kept, so a float run resumes exactly too.
  OptimizerState state() const override {
    OptimizerState state;
    start_.put(state, *params_);
    for (const auto& block : params_->blocks())
      for (std::int64_t i = 0; i < block.size(); ++i)
        put_per_parameter(state, column_name(block, i),
                          Vector<double>(inverse_.col(block.offset + i)), *params_);
    state["step"] = optimize::state_scalar(step_);
    state["scaled"] = optimize::state_scalar(scaled_ ? 1 : 0);
    return state;
  }

  void restore(const OptimizerState& state) override {
    if (!start_.restore_point(state, *params_, "bfgs")) return;
    Vector<double> column;
    for (const auto& block : params_->blocks())
      for (std::int64_t i = 0; i < block.size(); ++i) {
        optimize::require_state(get_per_parameter(state, column_name(block, i), column, *params_),
                                column_name(block, i), "bfgs");
        inverse_.col(block.offset + i) = column;
      }
    start_.restore_scalars(state, "bfgs");
    step_ = optimize::read_state_scalar(state, "step", "bfgs");
    scaled_ = optimize::read_state_scalar(state, "scaled", "bfgs") != 0;
  }

 private:
  void reset() {
    inverse_.setIdentity();
    scaled_ = false;
  }

  // Eq. 44-45 with δ = s = Δw and φ = y = Δg:
  //   M ← M + (1 + yᵀMy/sᵀy) ssᵀ/sᵀy − (s yᵀM + M y sᵀ)/sᵀy.
  void update(const Vector<double>& s, const Vector<double>& y) {
    const double sy = s.dot(y);
    // sᵀy ≤ 0 (possible when the line search stopped short of the Wolfe conditions, or from
    // rounding near the minimum): the update would not keep M positive definite; skip it.
    if (!(sy > 0)) return;
    // Before the first update M = I is rescaled to (sᵀy/yᵀy) I, the size of the inverse Hessian
    // along the step just taken (Nocedal & Wright Eq. 6.20).
    if (!scaled_) {
      inverse_ = (sy / y.squaredNorm()) * Matrix<double>::Identity(s.size(), s.size());
      scaled_ = true;
    }
    const Vector<double> my = inverse_ * y;
    const double ymy = y.dot(my);
    inverse_.noalias() += ((1 + ymy / sy) / sy) * s * s.transpose();
    inverse_.noalias() -= (1 / sy) * (s * my.transpose() + my * s.transpose());
  }

  static std::string column_name(const ParamBlock& block, std::int64_t i) {
    return "inverse-hessian/" + block.name + "[" + std::to_string(i) + "]";
  }

  std::int64_t max_weights_;
  StopRules stop_;
  optimize::LineSearchOptions search_;
  const ParameterStore<T>* params_ = nullptr;  // set by attach()
  Matrix<double> inverse_;                     // M ≈ H⁻¹ (in double whatever T is)
  optimize::StartPoint<T> start_;  // the last accepted point, E and ∇E there; the iterations
  double step_ = 0;                // the last line search's α
  bool scaled_ = false;            // M has been updated since the last reset to I
};

void register_bfgs(Registry& registry) {
  std::vector<SettingSpec> settings = {
      optional("max-weights", SettingType::integer, "5000",
               "refuse a net of more weights (the inverse Hessian takes n² doubles)")
          .at_least(1)};
  for (auto& spec : optimize::line_search_settings("0.9")) settings.push_back(std::move(spec));
  for (auto& spec : StopRules::settings()) settings.push_back(std::move(spec));
  registry.add_optimizer<Bfgs>(
      {"bfgs",
       "BFGS quasi-Newton (§6.3, Eq. 44-45) with a dense inverse Hessian and a strong-Wolfe line "
       "search; a batch method for small nets (see max-weights; lbfgs for large ones).",
       std::move(settings), ebprop::OptimizerInfo::RateKind::none});
}

}  // namespace

EBPROP_PLUGIN(register_bfgs)
