// Limited-memory BFGS (§6.3's BFGS, Eq. 44-45, in O(m n) memory): the inverse-Hessian
// approximation is never formed; its product with the gradient comes from the last m changes of
// the weights and of the gradient by the two-loop recursion (Nocedal & Wright Algorithm 7.4),
// scaled by γ = sᵀy/yᵀy of the latest pair. A strong-Wolfe line search (c2 = 0.9, initial step
// 1) follows. A batch method: one step is one iteration on the whole set.
#include <ebprop/optimize/line_search.h>
#include <ebprop/plugin.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <sstream>

namespace {

using namespace ebprop;

template <typename T>
class Lbfgs final : public Optimizer<T> {
 public:
  explicit Lbfgs(const Settings& s) : memory_(static_cast<int>(s.integer("memory"))), stop_(s) {
    search_.c1 = s.real("c1");
    search_.c2 = s.real("c2");
    search_.max_evaluations = static_cast<int>(s.integer("line-evaluations"));
    if (!(search_.c1 < search_.c2)) {
      std::ostringstream message;
      message << "optimizer lbfgs: the line search needs c1 < c2, not c1 = " << search_.c1
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
    point_ = gradient_ = Vector<T>::Zero(params.size());
    pairs_.clear();
    loss_ = step_ = 0;
    iteration_ = 0;
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
      pairs_.clear();  // the pairs were measured elsewhere
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

    Vector<T> direction = -two_loop(gradient_);
    if (!(static_cast<double>(gradient_.dot(direction)) < 0)) {
      pairs_.clear();  // rounding broke positive definiteness: steepest descent
      direction = -gradient_;
    }
    const bool steepest = pairs_.empty();
    // Initial step 1, the step of the quasi-Newton model; without pairs, a step of length 1.
    optimize::LineSearchOptions options = search_;
    options.initial_step = steepest ? std::min(1.0, 1 / grad_norm) : 1.0;
    const Vector<T> start = point_, start_gradient = gradient_;
    const optimize::LineSearchResult r =
        optimize::line_search(objective, batch, start, loss, start_gradient, direction, options);
    step_ = r.step;
    point_ = p.w();
    gradient_ = p.dw();
    loss_ = r.loss;
    has_point_ = true;
    if (r.step > 0) remember(point_ - start, gradient_ - start_gradient);

    result.new_loss = r.loss;
    result.grad_norm = static_cast<double>(gradient_.norm());
    result.step = r.step * static_cast<double>(direction.norm());
    if (r.step == 0 && steepest)
      result.stop = "the line search along steepest descent made no progress: " + r.failure;
    else if (r.step == 0)
      pairs_.clear();  // no progress along the quasi-Newton direction: steepest descent next
    if (result.stop.empty())
      result.stop =
          stop_.check(iteration_, loss, r.loss, result.grad_norm, objective.counts().evaluations());
    return result;
  }

  double current_rate() const override { return step_; }

  // The pairs as "s.K" and "y.K" by parameter name, K = 0 the oldest, and their count "pairs".
  OptimizerState state() const override {
    OptimizerState state;
    put_per_parameter(state, "point", point_, *params_);
    put_per_parameter(state, "gradient", gradient_, *params_);
    for (std::size_t k = 0; k < pairs_.size(); ++k) {
      put_per_parameter(state, "s." + std::to_string(k), pairs_[k].s, *params_);
      put_per_parameter(state, "y." + std::to_string(k), pairs_[k].y, *params_);
    }
    state["pairs"] = scalar(static_cast<double>(pairs_.size()));
    state["loss"] = scalar(loss_);
    state["step"] = scalar(step_);
    state["iteration"] = scalar(static_cast<double>(iteration_));
    state["has-point"] = scalar(has_point_ ? 1 : 0);
    return state;
  }

  void restore(const OptimizerState& state) override {
    if (!get_per_parameter(state, "point", point_, *params_)) return;
    require(get_per_parameter(state, "gradient", gradient_, *params_), "gradient");
    const auto count = static_cast<std::size_t>(read_scalar(state, "pairs"));
    if (count > static_cast<std::size_t>(memory_))
      throw Error("lbfgs state has " + std::to_string(count) + " pairs, more than memory " +
                  std::to_string(memory_));
    pairs_.assign(count, Pair{});
    for (std::size_t k = 0; k < count; ++k) {
      Pair& pair = pairs_[k];
      require(get_per_parameter(state, "s." + std::to_string(k), pair.s, *params_),
              "s." + std::to_string(k));
      require(get_per_parameter(state, "y." + std::to_string(k), pair.y, *params_),
              "y." + std::to_string(k));
      pair.rho = 1 / static_cast<double>(pair.s.dot(pair.y));
    }
    loss_ = read_scalar(state, "loss");
    step_ = read_scalar(state, "step");
    iteration_ = static_cast<std::int64_t>(read_scalar(state, "iteration"));
    has_point_ = read_scalar(state, "has-point") != 0;
  }

 private:
  struct Pair {
    Vector<T> s, y;  // Δw and Δg of one iteration
    double rho = 0;  // 1/sᵀy
  };

  void remember(Vector<T> s, Vector<T> y) {
    const double sy = static_cast<double>(s.dot(y));
    // sᵀy ≤ 0 (the line search stopped short of the Wolfe conditions, or rounding near the
    // minimum): the pair would make the approximation indefinite; it is not kept.
    if (!(sy > 0)) return;
    if (static_cast<int>(pairs_.size()) == memory_) pairs_.pop_front();
    pairs_.push_back(Pair{std::move(s), std::move(y), 1 / sy});
  }

  // H g by the two-loop recursion, H the L-BFGS inverse-Hessian approximation with
  // H0 = γ I, γ = sᵀy/yᵀy of the latest pair; g itself without pairs.
  Vector<T> two_loop(const Vector<T>& g) const {
    Vector<double> q = g.template cast<double>();
    std::vector<double> alpha(pairs_.size());
    for (std::size_t k = pairs_.size(); k-- > 0;) {
      alpha[k] = pairs_[k].rho * pairs_[k].s.template cast<double>().dot(q);
      q -= alpha[k] * pairs_[k].y.template cast<double>();
    }
    if (!pairs_.empty()) {
      const Pair& last = pairs_.back();
      q *= 1 / (last.rho * static_cast<double>(last.y.squaredNorm()));
    }
    for (std::size_t k = 0; k < pairs_.size(); ++k) {
      const double beta = pairs_[k].rho * pairs_[k].y.template cast<double>().dot(q);
      q += (alpha[k] - beta) * pairs_[k].s.template cast<double>();
    }
    return q.template cast<T>();
  }

  static Vector<double> scalar(double v) { return Vector<double>::Constant(1, v); }
  static void require(bool found, const std::string& name) {
    if (!found) throw Error("lbfgs state has a point but no '" + name + "'");
  }
  static double read_scalar(const OptimizerState& state, const std::string& name) {
    const auto it = state.find(name);
    if (it == state.end() || it->second.size() != 1)
      throw Error("lbfgs state has no scalar '" + name + "'");
    return it->second[0];
  }

  int memory_;
  StopRules stop_;
  optimize::LineSearchOptions search_;
  const ParameterStore<T>* params_ = nullptr;  // set by attach()
  std::deque<Pair> pairs_;                     // the last `memory_` pairs, oldest first
  // The point the next step starts from (the last accepted point), E and ∇E there.
  Vector<T> point_, gradient_;
  double loss_ = 0, step_ = 0;
  std::int64_t iteration_ = 0;
  bool has_point_ = false;  // point_, gradient_ and loss_ are the last accepted point's
};

void register_lbfgs(Registry& registry) {
  std::vector<SettingSpec> settings = {
      optional("memory", SettingType::integer, "10", "m: the pairs (Δw, Δg) kept").at_least(1),
      optional("c1", SettingType::real, "1e-4", "line search: sufficient decrease")
          .above(0)
          .below(1),
      optional("c2", SettingType::real, "0.9", "line search: curvature (strong Wolfe), above c1")
          .above(0)
          .below(1),
      optional("line-evaluations", SettingType::integer, "25",
               "line search: at most this many evaluations")
          .at_least(1)};
  for (auto& spec : StopRules::settings()) settings.push_back(std::move(spec));
  registry.add_optimizer<Lbfgs>(
      {"lbfgs",
       "Limited-memory BFGS (§6.3) by the two-loop recursion, with a strong-Wolfe line search; a "
       "batch method in O(m n) memory.",
       std::move(settings)});
}

}  // namespace

EBPROP_PLUGIN(register_lbfgs)
