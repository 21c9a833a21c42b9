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
#include <sstream>

namespace {

using namespace ebprop;

template <typename T>
class Bfgs final : public Optimizer<T> {
 public:
  explicit Bfgs(const Settings& s) : max_weights_(s.integer("max-weights")), stop_(s) {
    search_.c1 = s.real("c1");
    search_.c2 = s.real("c2");
    search_.max_evaluations = static_cast<int>(s.integer("line-evaluations"));
    if (!(search_.c1 < search_.c2)) {
      std::ostringstream message;
      message << "optimizer bfgs: the line search needs c1 < c2, not c1 = " << search_.c1
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
    point_ = gradient_ = Vector<T>::Zero(n);
    loss_ = step_ = 0;
    iteration_ = 0;
    has_point_ = scaled_ = false;
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

    // The quasi-Newton direction −M g; steepest descent when M has lost positive definiteness
    // to rounding.
    Vector<T> direction = (-(inverse_ * gradient_.template cast<double>())).template cast<T>();
    bool steepest = !scaled_;
    if (!(static_cast<double>(gradient_.dot(direction)) < 0)) {
      reset();
      steepest = true;
    }
    if (steepest) direction = -gradient_;
    // Initial step 1, the Newton step of the model; before the first update M = I, and the
    // step starts at length 1.
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
    if (r.step > 0)
      update((point_ - start).template cast<double>(),
             (gradient_ - start_gradient).template cast<double>());

    result.new_loss = r.loss;
    result.grad_norm = static_cast<double>(gradient_.norm());
    result.step = r.step * static_cast<double>(direction.norm());
    if (r.step == 0 && steepest)
      result.stop = "the line search along steepest descent made no progress: " + r.failure;
    else if (r.step == 0)
      reset();  // no progress along −M g: start again from steepest descent
    if (result.stop.empty())
      result.stop =
          stop_.check(iteration_, loss, r.loss, result.grad_norm, objective.counts().evaluations());
    return result;
  }

  double current_rate() const override { return step_; }

  // The inverse is kept column by column, each column by parameter name:
  // "inverse-hessian/BLOCK[i]/BLOCK2" is the part in BLOCK2's rows of the column of BLOCK's
  // i-th weight. In T: a float optimizer keeps its state in float precision.
  OptimizerState state() const override {
    OptimizerState state;
    put_per_parameter(state, "point", point_, *params_);
    put_per_parameter(state, "gradient", gradient_, *params_);
    for (const auto& block : params_->blocks())
      for (std::int64_t i = 0; i < block.size(); ++i)
        put_per_parameter(state, column_name(block, i),
                          Vector<T>(inverse_.col(block.offset + i).template cast<T>()), *params_);
    state["loss"] = scalar(loss_);
    state["step"] = scalar(step_);
    state["iteration"] = scalar(static_cast<double>(iteration_));
    state["has-point"] = scalar(has_point_ ? 1 : 0);
    state["scaled"] = scalar(scaled_ ? 1 : 0);
    return state;
  }

  void restore(const OptimizerState& state) override {
    if (!get_per_parameter(state, "point", point_, *params_)) return;
    require(get_per_parameter(state, "gradient", gradient_, *params_), "gradient");
    Vector<T> column;
    for (const auto& block : params_->blocks())
      for (std::int64_t i = 0; i < block.size(); ++i) {
        require(get_per_parameter(state, column_name(block, i), column, *params_),
                column_name(block, i));
        inverse_.col(block.offset + i) = column.template cast<double>();
      }
    loss_ = read_scalar(state, "loss");
    step_ = read_scalar(state, "step");
    iteration_ = static_cast<std::int64_t>(read_scalar(state, "iteration"));
    has_point_ = read_scalar(state, "has-point") != 0;
    scaled_ = read_scalar(state, "scaled") != 0;
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
  static Vector<double> scalar(double v) { return Vector<double>::Constant(1, v); }
  static void require(bool found, const std::string& name) {
    if (!found) throw Error("bfgs state has a point but no '" + name + "'");
  }
  static double read_scalar(const OptimizerState& state, const std::string& name) {
    const auto it = state.find(name);
    if (it == state.end() || it->second.size() != 1)
      throw Error("bfgs state has no scalar '" + name + "'");
    return it->second[0];
  }

  std::int64_t max_weights_;
  StopRules stop_;
  optimize::LineSearchOptions search_;
  const ParameterStore<T>* params_ = nullptr;  // set by attach()
  Matrix<double> inverse_;                     // M ≈ H⁻¹ (in double whatever T is)
  // The point the next step starts from (the last accepted point), E and ∇E there.
  Vector<T> point_, gradient_;
  double loss_ = 0, step_ = 0;
  std::int64_t iteration_ = 0;
  bool has_point_ = false;  // point_, gradient_ and loss_ are the last accepted point's
  bool scaled_ = false;     // M has been updated since the last reset to I
};

void register_bfgs(Registry& registry) {
  std::vector<SettingSpec> settings = {
      optional("max-weights", SettingType::integer, "5000",
               "refuse a net of more weights (the inverse Hessian takes n² doubles)")
          .at_least(1),
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
  registry.add_optimizer<Bfgs>(
      {"bfgs",
       "BFGS quasi-Newton (§6.3, Eq. 44-45) with a dense inverse Hessian and a strong-Wolfe line "
       "search; a batch method for small nets (see max-weights; lbfgs for large ones).",
       std::move(settings)});
}

}  // namespace

EBPROP_PLUGIN(register_bfgs)
