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
#include <limits>
#include <sstream>

namespace {

using namespace ebprop;

template <typename T>
class Cg final : public Optimizer<T> {
 public:
  explicit Cg(const Settings& s)
      : polak_ribiere_(s.text("beta") == "polak-ribiere"),
        restart_(s.integer("restart")),
        stop_(s) {
    search_.c1 = s.real("c1");
    search_.c2 = s.real("c2");
    search_.max_evaluations = static_cast<int>(s.integer("line-evaluations"));
    if (!(search_.c1 < search_.c2)) {
      std::ostringstream message;
      message << "optimizer cg: the line search needs c1 < c2, not c1 = " << search_.c1
              << " and c2 = " << search_.c2;
      throw SourceError(s.where("c2"), message.str());
    }
  }

  DataUse data_use() const override {
    DataUse use;
    use.kind = DataUse::Kind::full_set;
    return use;
  }

  void attach(ParameterStore<T>& params) override {
    params_ = &params;
    point_ = gradient_ = previous_gradient_ = direction_ = Vector<T>::Zero(params.size());
    loss_ = slope_ = step_ = 0;
    iteration_ = since_restart_ = 0;
    has_point_ = false;
  }

  StepResult step(Objective<T>& objective, const Batch& batch, std::int64_t) override {
    auto& p = objective.parameters();
    StepResult result;
    // E and ∇E where the step starts: the last line search's accepted point when nothing has
    // moved w since (saves one evaluation per iteration), else evaluated.
    if (!(batch.is_all() && has_point_ && p.w() == point_)) {
      loss_ = objective.gradient(batch);
      point_ = p.w();
      gradient_ = p.dw();
      since_restart_ = 0;  // the previous direction belongs to another point
    }
    has_point_ = false;
    const double loss = loss_;
    result.loss = loss;
    const double grad_norm = static_cast<double>(gradient_.norm());
    if (!std::isfinite(loss) || !std::isfinite(grad_norm)) {
      result.stop = "the loss or its gradient is not finite at the start of the iteration";
      return result;
    }
    ++iteration_;
    if (grad_norm < stop_.grad_tol) {
      result.new_loss = loss;
      result.grad_norm = grad_norm;
      result.step = 0;
      result.stop =
          stop_.check(iteration_, loss, loss, grad_norm, objective.counts().evaluations());
      return result;
    }

    // Eq. 41: d = −g + β d_prev, from steepest descent at a restart.
    const std::int64_t period = restart_ > 0 ? restart_ : p.size();
    bool steepest = since_restart_ == 0 || since_restart_ >= period;
    if (!steepest) {
      const double beta = this->beta();
      direction_ = -gradient_ + static_cast<T>(beta) * direction_;
      steepest = !(static_cast<double>(gradient_.dot(direction_)) < 0);
    }
    if (steepest) {
      direction_ = -gradient_;
      since_restart_ = 0;
    }
    const double slope = static_cast<double>(gradient_.dot(direction_));

    // The initial step: 1/‖g‖ from steepest descent at the start; after, the step that repeats
    // the previous first-order change, α_prev·(g_prevᵀd_prev)/(gᵀd), at most 10 times α_prev.
    optimize::LineSearchOptions options = search_;
    options.initial_step = iteration_ == 1 || step_ <= 0
                               ? 1 / grad_norm
                               : std::min(10 * step_, step_ * slope_ / slope);
    const Vector<T> start = point_;
    const optimize::LineSearchResult r =
        optimize::line_search(objective, batch, start, loss, gradient_, direction_, options);

    previous_gradient_ = gradient_;
    slope_ = slope;
    if (r.step > 0) {
      step_ = r.step;
      ++since_restart_;
    } else {
      since_restart_ = 0;  // no progress: start again from steepest descent
    }
    point_ = p.w();
    gradient_ = p.dw();
    loss_ = r.loss;
    has_point_ = true;

    result.new_loss = r.loss;
    result.grad_norm = static_cast<double>(gradient_.norm());
    result.step = r.step * static_cast<double>(direction_.norm());
    if (r.step == 0 && steepest)
      result.stop = "the line search along steepest descent made no progress: " + r.failure;
    else
      result.stop =
          stop_.check(iteration_, loss, r.loss, result.grad_norm, objective.counts().evaluations());
    return result;
  }

  double current_rate() const override { return step_; }

  OptimizerState state() const override {
    OptimizerState state;
    put_per_parameter(state, "point", point_, *params_);
    put_per_parameter(state, "gradient", gradient_, *params_);
    put_per_parameter(state, "previous-gradient", previous_gradient_, *params_);
    put_per_parameter(state, "direction", direction_, *params_);
    state["loss"] = scalar(loss_);
    state["slope"] = scalar(slope_);
    state["step"] = scalar(step_);
    state["iteration"] = scalar(static_cast<double>(iteration_));
    state["since-restart"] = scalar(static_cast<double>(since_restart_));
    state["has-point"] = scalar(has_point_ ? 1 : 0);
    return state;
  }

  void restore(const OptimizerState& state) override {
    if (!get_per_parameter(state, "point", point_, *params_)) return;
    require(get_per_parameter(state, "gradient", gradient_, *params_), "gradient");
    require(get_per_parameter(state, "previous-gradient", previous_gradient_, *params_),
            "previous-gradient");
    require(get_per_parameter(state, "direction", direction_, *params_), "direction");
    loss_ = read_scalar(state, "loss");
    slope_ = read_scalar(state, "slope");
    step_ = read_scalar(state, "step");
    iteration_ = static_cast<std::int64_t>(read_scalar(state, "iteration"));
    since_restart_ = static_cast<std::int64_t>(read_scalar(state, "since-restart"));
    has_point_ = read_scalar(state, "has-point") != 0;
  }

 private:
  // β of Eq. 42 (Fletcher-Reeves) or Eq. 43 (Polak-Ribière).
  double beta() const {
    const double previous = static_cast<double>(previous_gradient_.squaredNorm());
    if (!polak_ribiere_)
      // Eq. 42: β = gᵀg / g_prevᵀg_prev.
      return static_cast<double>(gradient_.squaredNorm()) / previous;
    // Eq. 43: β = gᵀ(g − g_prev)/g_prevᵀg_prev, restarted (β = 0) when negative.
    return std::max(0.0,
                    static_cast<double>(gradient_.dot(gradient_ - previous_gradient_)) / previous);
  }

  static Vector<double> scalar(double v) { return Vector<double>::Constant(1, v); }
  static void require(bool found, const std::string& name) {
    if (!found) throw Error("cg state has a point but no '" + name + "'");
  }
  static double read_scalar(const OptimizerState& state, const std::string& name) {
    const auto it = state.find(name);
    if (it == state.end() || it->second.size() != 1)
      throw Error("cg state has no scalar '" + name + "'");
    return it->second[0];
  }

  bool polak_ribiere_;
  std::int64_t restart_;
  StopRules stop_;
  optimize::LineSearchOptions search_;
  const ParameterStore<T>* params_ = nullptr;  // set by attach()
  // The point the next step starts from (the last accepted point), E and ∇E there; the previous
  // step's gradient and direction, its α and gᵀd.
  Vector<T> point_, gradient_, previous_gradient_, direction_;
  double loss_ = 0, slope_ = 0, step_ = 0;
  std::int64_t iteration_ = 0, since_restart_ = 0;
  bool has_point_ = false;  // point_, gradient_ and loss_ are the last accepted point's
};

void register_cg(Registry& registry) {
  std::vector<SettingSpec> settings = {
      optional("beta", SettingType::text, "polak-ribiere",
               "fletcher-reeves (Eq. 42) or polak-ribiere (Eq. 43, restarted when negative)")
          .one_of({"fletcher-reeves", "polak-ribiere"}),
      optional("restart", SettingType::integer, "0",
               "restart from steepest descent every this many iterations; 0: n, the number of "
               "weights")
          .at_least(0),
      optional("c1", SettingType::real, "1e-4", "line search: sufficient decrease")
          .above(0)
          .below(1),
      optional("c2", SettingType::real, "0.1", "line search: curvature (strong Wolfe), above c1")
          .above(0)
          .below(1),
      optional("line-evaluations", SettingType::integer, "25",
               "line search: at most this many evaluations")
          .at_least(1)};
  for (auto& spec : StopRules::settings()) settings.push_back(std::move(spec));
  registry.add_optimizer<Cg>(
      {"cg",
       "Nonlinear conjugate gradient (§6.2, Eq. 41-43) with a strong-Wolfe line search; a batch "
       "method: one step is one iteration on the whole training set.",
       std::move(settings)});
}

}  // namespace

EBPROP_PLUGIN(register_cg)
