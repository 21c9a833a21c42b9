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

namespace {

using namespace ebprop;

template <typename T>
class Lbfgs final : public Optimizer<T> {
 public:
  explicit Lbfgs(const Settings& s)
      : memory_(static_cast<int>(s.integer("memory"))),
        stop_(s),
        search_(optimize::line_search_options(s, "lbfgs")) {}

  DataUse data_use() const override { return {DataUse::Kind::full_set}; }

  void attach(ParameterStore<T>& params) override {
    params_ = &params;
    start_.reset(params.size());
    pairs_.clear();
    step_ = 0;
  }

  StepResult step(Objective<T>& objective, const Batch& batch, std::int64_t) override {
    auto& p = objective.parameters();
    StepResult result;
    if (start_.begin(objective, batch)) pairs_.clear();  // the pairs were measured elsewhere
    if (start_.stops(objective, stop_, result)) return result;
    const Vector<T>& gradient = start_.gradient();

    Vector<T> direction = -two_loop(gradient);
    if (!(static_cast<double>(gradient.dot(direction)) < 0)) {
      pairs_.clear();  // rounding broke positive definiteness: steepest descent
      direction = -gradient;
    }
    const bool steepest = pairs_.empty();
    // Initial step 1, the step of the quasi-Newton model; without pairs, a step of length 1.
    optimize::LineSearchOptions options = search_;
    options.initial_step = steepest ? std::min(1.0, 1 / start_.grad_norm()) : 1.0;
    const optimize::LineSearchResult r = optimize::line_search(
        objective, batch, start_.point(), start_.loss(), gradient, direction, options);
    step_ = r.step;
    if (r.step > 0)
      remember(p.w() - start_.point(), p.dw() - gradient);
    else if (!steepest)
      pairs_.clear();  // no progress along the quasi-Newton direction: steepest descent next
    start_.finish(objective, r, direction, steepest, stop_, result);
    return result;
  }

  double current_rate() const override { return step_; }

  // The pairs as "s.K" and "y.K" by parameter name, K = 0 the oldest, and their count "pairs".
  OptimizerState state() const override {
    OptimizerState state;
    start_.put(state, *params_);
    for (std::size_t k = 0; k < pairs_.size(); ++k) {
      put_per_parameter(state, "s." + std::to_string(k), pairs_[k].s, *params_);
      put_per_parameter(state, "y." + std::to_string(k), pairs_[k].y, *params_);
    }
    state["pairs"] = optimize::state_scalar(static_cast<double>(pairs_.size()));
    state["step"] = optimize::state_scalar(step_);
    return state;
  }

  void restore(const OptimizerState& state) override {
    if (!start_.restore_point(state, *params_, "lbfgs")) return;
    const auto count =
        static_cast<std::size_t>(optimize::read_state_scalar(state, "pairs", "lbfgs"));
    if (count > static_cast<std::size_t>(memory_))
      throw Error("lbfgs state has " + std::to_string(count) + " pairs, more than memory " +
                  std::to_string(memory_));
    pairs_.assign(count, Pair{});
    for (std::size_t k = 0; k < count; ++k) {
      Pair& pair = pairs_[k];
      optimize::require_state(get_per_parameter(state, "s." + std::to_string(k), pair.s, *params_),
                              "s." + std::to_string(k), "lbfgs");
      optimize::require_state(get_per_parameter(state, "y." + std::to_string(k), pair.y, *params_),
                              "y." + std::to_string(k), "lbfgs");
      pair.rho = 1 / static_cast<double>(pair.s.dot(pair.y));
    }
    start_.restore_scalars(state, "lbfgs");
    step_ = optimize::read_state_scalar(state, "step", "lbfgs");
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

  int memory_;
  StopRules stop_;
  optimize::LineSearchOptions search_;
  const ParameterStore<T>* params_ = nullptr;  // set by attach()
  std::deque<Pair> pairs_;                     // the last `memory_` pairs, oldest first
  optimize::StartPoint<T> start_;  // the last accepted point, E and ∇E there; the iterations
  double step_ = 0;                // the last line search's α
};

void register_lbfgs(Registry& registry) {
  std::vector<SettingSpec> settings = {
      optional("memory", SettingType::integer, "10", "m: the pairs (Δw, Δg) kept").at_least(1)};
  for (auto& spec : optimize::line_search_settings("0.9")) settings.push_back(std::move(spec));
  for (auto& spec : StopRules::settings()) settings.push_back(std::move(spec));
  registry.add_optimizer<Lbfgs>(
      {"lbfgs",
       "Limited-memory BFGS (§6.3) by the two-loop recursion, with a strong-Wolfe line search; a "
       "batch method in O(m n) memory.",
       std::move(settings), ebprop::OptimizerInfo::RateKind::none});
}

}  // namespace

EBPROP_PLUGIN(register_lbfgs)
