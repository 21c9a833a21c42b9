// Nonlinear conjugate gradient (§6.2, Eq. 41-43): each direction is the negative gradient plus
// β times the previous direction, with a strong-Wolfe line search along it (c2 = 0.1 by default,
// tight enough to keep the directions nearly conjugate). β is Fletcher-Reeves' (Eq. 42) or
// Polak-Ribière's (Eq. 43, restarted when negative); the method restarts from steepest descent
// every `restart` iterations (n, the number of weights, by default) and whenever the direction
// is not a descent direction. A batch method: one step is one iteration on the whole set.
#include <ebprop/optimize/line_search.h>
#include <ebprop/plugin.h>

#include <algorithm>
#include <cmath>

namespace {

using namespace ebprop;

template <typename T>
class Cg final : public Optimizer<T> {
 public:
  explicit Cg(const Settings& s)
      : polak_ribiere_(s.text("beta") == "polak-ribiere"),
        restart_(s.integer("restart")),
        stop_(s),
        search_(optimize::line_search_options(s, "cg")) {}

  DataUse data_use() const override { return {DataUse::Kind::full_set}; }

  void attach(ParameterStore<T>& params) override {
    params_ = &params;
    start_.reset(params.size());
    previous_gradient_ = direction_ = Vector<T>::Zero(params.size());
    slope_ = step_ = 0;
    since_restart_ = 0;
  }

  StepResult step(Objective<T>& objective, const Batch& batch, std::int64_t) override {
    auto& p = objective.parameters();
    StepResult result;
    // The previous direction belongs to another point when the start was evaluated afresh.
    if (start_.begin(objective, batch)) since_restart_ = 0;
    if (start_.stops(objective, stop_, result)) return result;
    const Vector<T>& gradient = start_.gradient();
    const double grad_norm = start_.grad_norm();

    // Eq. 41: d = −g + β d_prev, from steepest descent at a restart.
    const std::int64_t period = restart_ > 0 ? restart_ : p.size();
    bool steepest = since_restart_ == 0 || since_restart_ >= period;
    if (!steepest) {
      const double beta = this->beta(gradient);
      direction_ = -gradient + static_cast<T>(beta) * direction_;
      steepest = !(static_cast<double>(gradient.dot(direction_)) < 0);
    }
    if (steepest) {
      direction_ = -gradient;
      since_restart_ = 0;
    }
    const double slope = static_cast<double>(gradient.dot(direction_));

    // The initial step: 1/‖g‖ from steepest descent at the start; after, the step that repeats
    // the previous first-order change, α_prev·(g_prevᵀd_prev)/(gᵀd), at most 10 times α_prev.
    optimize::LineSearchOptions options = search_;
    options.initial_step = start_.iteration() == 1 || step_ <= 0
                               ? 1 / grad_norm
                               : std::min(10 * step_, step_ * slope_ / slope);
    const optimize::LineSearchResult r = optimize::line_search(
        objective, batch, start_.point(), start_.loss(), gradient, direction_, options);

    previous_gradient_ = gradient;
    slope_ = slope;
    if (r.step > 0) {
      step_ = r.step;
      ++since_restart_;
    } else {
      since_restart_ = 0;  // no progress: start again from steepest descent
    }
    start_.finish(objective, r, direction_, steepest, stop_, result);
    return result;
  }

  double current_rate() const override { return step_; }

  OptimizerState state() const override {
    OptimizerState state;
    start_.put(state, *params_);
    put_per_parameter(state, "previous-gradient", previous_gradient_, *params_);
    put_per_parameter(state, "direction", direction_, *params_);
    state["slope"] = optimize::state_scalar(slope_);
    state["step"] = optimize::state_scalar(step_);
    state["since-restart"] = optimize::state_scalar(static_cast<double>(since_restart_));
    return state;
  }

  void restore(const OptimizerState& state) override {
    if (!start_.restore_point(state, *params_, "cg")) return;
    optimize::require_state(
        get_per_parameter(state, "previous-gradient", previous_gradient_, *params_),
        "previous-gradient", "cg");
    optimize::require_state(get_per_parameter(state, "direction", direction_, *params_),
                            "direction", "cg");
    start_.restore_scalars(state, "cg");
    slope_ = optimize::read_state_scalar(state, "slope", "cg");
    step_ = optimize::read_state_scalar(state, "step", "cg");
    since_restart_ =
        static_cast<std::int64_t>(optimize::read_state_scalar(state, "since-restart", "cg"));
  }

 private:
  // β of Eq. 42 (Fletcher-Reeves) or Eq. 43 (Polak-Ribière) at the gradient g.
  double beta(const Vector<T>& g) const {
    const double previous = static_cast<double>(previous_gradient_.squaredNorm());
    if (!polak_ribiere_)
      // Eq. 42: β = gᵀg / g_prevᵀg_prev.
      return static_cast<double>(g.squaredNorm()) / previous;
    // Eq. 43: β = gᵀ(g − g_prev)/g_prevᵀg_prev, restarted (β = 0) when negative.
    return std::max(0.0, static_cast<double>(g.dot(g - previous_gradient_)) / previous);
  }

  bool polak_ribiere_;
  std::int64_t restart_;
  StopRules stop_;
  optimize::LineSearchOptions search_;
  const ParameterStore<T>* params_ = nullptr;  // set by attach()
  optimize::StartPoint<T> start_;  // the last accepted point, E and ∇E there; the iterations
  // The previous step's gradient and direction, its α (the last α > 0) and gᵀd.
  Vector<T> previous_gradient_, direction_;
  double slope_ = 0, step_ = 0;
  std::int64_t since_restart_ = 0;
};

void register_cg(Registry& registry) {
  std::vector<SettingSpec> settings = {
      optional("beta", SettingType::text, "polak-ribiere",
               "fletcher-reeves (Eq. 42) or polak-ribiere (Eq. 43, restarted when negative)")
          .one_of({"fletcher-reeves", "polak-ribiere"}),
      optional("restart", SettingType::integer, "0",
               "restart from steepest descent every this many iterations; 0: n, the number of "
               "weights")
          .at_least(0)};
  for (auto& spec : optimize::line_search_settings("0.1")) settings.push_back(std::move(spec));
  for (auto& spec : StopRules::settings()) settings.push_back(std::move(spec));
  registry.add_optimizer<Cg>(
      {"cg",
       "Nonlinear conjugate gradient (§6.2, Eq. 41-43) with a strong-Wolfe line search; a batch "
       "method: one step is one iteration on the whole training set.",
       std::move(settings), ebprop::OptimizerInfo::RateKind::none});
}

}  // namespace

EBPROP_PLUGIN(register_cg)
