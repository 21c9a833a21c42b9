#include "ebprop/parameters.h"

#include <algorithm>
#include <cmath>

#include "ebprop/error.h"

namespace ebprop {

double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

template <typename T>
const ParamBlock* ParameterStore<T>::find(const std::string& name) const {
  for (const auto& block : blocks_)
    if (block.name == name) return &block;
  return nullptr;
}

template <typename T>
ParamBlock& ParameterStore<T>::declare(const std::string& name, const ParamSpec& spec) {
  for (auto& block : blocks_)
    if (block.name == name) {
      ++block.users;
      block.connections += spec.connections;
      return block;
    }
  if (w_.size() != 0)
    throw Error("parameter '" + name + "' declared after the store was allocated");
  ParamBlock block;
  block.name = name;
  block.rows = spec.rows;
  block.cols = spec.cols;
  block.fan_in = spec.fan_in;
  block.init = spec.init;
  block.users = 1;
  block.connections = spec.connections;
  block.offset = blocks_.empty() ? 0 : blocks_.back().offset + blocks_.back().size();
  blocks_.push_back(block);
  return blocks_.back();
}

template <typename T>
void ParameterStore<T>::allocate() {
  const std::int64_t n = blocks_.empty() ? 0 : blocks_.back().offset + blocks_.back().size();
  w_ = Vector<T>::Zero(n);
  dw_ = Vector<T>::Zero(n);
  ddw_ = Vector<T>::Zero(n);
  rw_ = Vector<T>::Zero(n);
  rdw_ = Vector<T>::Zero(n);
  lr_scale_ = Vector<T>::Ones(n);
  update_shared_lr_scale();
  steps_.assign(blocks_.size(), DescentStep<T>{});
  fusable_.assign(blocks_.size(), 0);
  uniform_scale_.assign(blocks_.size(), 0);
}

template <typename T>
void ParameterStore<T>::read_values_of(ParameterStore& source) {
  if (source.values_ != nullptr || source.size() != dw_.size())
    throw Error("read_values_of: the source store is a replica or has another size");
  values_ = &source;
  w_.resize(0);
  rw_.resize(0);
}

template <typename T>
ParamView<T> ParameterStore<T>::view(const ParamBlock& block) {
  ParameterStore& values = values_ ? *values_ : *this;
  const auto index = static_cast<std::size_t>(&block - blocks_.data());
  return {values.w_.data() + block.offset,
          dw_.data() + block.offset,
          ddw_.data() + block.offset,
          values.rw_.data() + block.offset,
          rdw_.data() + block.offset,
          block.rows,
          block.cols,
          &steps_.at(index)};
}

template <typename T>
void ParameterStore<T>::descend_range(T eta, Eigen::Index begin, Eigen::Index end,
                                      const std::vector<ParameterStore*>& others,
                                      const Vector<T>* factors) {
  descend_in_blocks(eta, factors ? factors : shared_factors(), begin, end, others);
}

template <typename T>
void ParameterStore<T>::set_fusable(std::size_t block, bool fusable) {
  const ParamBlock& b = blocks_.at(block);
  const auto scale = shared_lr_scale_.segment(b.offset, b.size());
  fusable_[block] = fusable && b.users == 1;
  uniform_scale_[block] = (scale.array() == scale[0]).all();
  any_fusable_ = std::find(fusable_.begin(), fusable_.end(), 1) != fusable_.end();
}

template <typename T>
void ParameterStore<T>::set_descent_step(T eta, const Vector<T>* factors) {
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    DescentStep<T>& s = steps_[b];
    s = DescentStep<T>{};
    if (!fusable_[b]) continue;
    if (factors) {
      s.step = eta;
      s.factors = factors->data() + blocks_[b].offset;
    } else if (uniform_scale_[b]) {
      s.step = eta * shared_lr_scale_[blocks_[b].offset];
    }
  }
}

template <typename T>
void ParameterStore<T>::descend_unfused(T eta, const Vector<T>* factors) {
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    const ParamBlock& block = blocks_[b];
    if (steps_[b].step != T(0)) {
      steps_[b] = DescentStep<T>{};
      continue;
    }
    descend_in_blocks(eta, factors ? factors : shared_factors(), block.offset,
                      block.offset + block.size(), {});
  }
  dw_known_zero_ = true;
}

template <typename T>
void ParameterStore<T>::initialize(Rng& rng) {
  for (const auto& block : blocks_) {
    auto values = w_.segment(block.offset, block.size());
    switch (block.init) {
      case Init::zero:
        values.setZero();
        break;
      case Init::one:
        values.setOnes();
        break;
      case Init::fan_in: {
        // Eq. 16: σ_w = m^{-1/2}. A uniform deviate on [-a, a] has σ = a/√3.
        const double a = std::sqrt(3.0 / std::max(1, block.fan_in));
        for (auto& v : values) v = static_cast<T>(a * (2.0 * uniform01(rng) - 1.0));
        break;
      }
    }
  }
}

template <typename T>
void ParameterStore<T>::set_lr_scale(std::int64_t offset, std::int64_t size, T scale) {
  lr_scale_.segment(offset, size).setConstant(scale);
  update_shared_lr_scale();
}

template <typename T>
void ParameterStore<T>::update_shared_lr_scale() {
  shared_lr_scale_ = lr_scale_;
  for (const auto& block : blocks_)  // §4.7: √n for a weight shared by n connections
    shared_lr_scale_.segment(block.offset, block.size()) *= static_cast<T>(
        std::sqrt(static_cast<double>(std::max<std::int64_t>(1, block.connections))));
  uniform_shared_lr_scale_ = (shared_lr_scale_.array() == T(1)).all();
}

template <typename T>
void ParameterStore<T>::descend(T eta) {
  descend_in_blocks(eta, shared_factors(), 0, w_.size(), {});
  dw_known_zero_ = true;
}

template <typename T>
void ParameterStore<T>::descend(T eta, const Vector<T>& factors) {
  if (factors.size() != w_.size())
    throw Error("descend: " + std::to_string(factors.size()) + " rate factors for " +
                std::to_string(w_.size()) + " weights");
  descend_in_blocks(eta, &factors, 0, w_.size(), {});
  dw_known_zero_ = true;
}

template <typename T>
void ParameterStore<T>::descend_in_blocks(T eta, const Vector<T>* factors, Eigen::Index begin,
                                          Eigen::Index end,
                                          const std::vector<ParameterStore*>& others) {
  // Blocks small enough to stay in L1 between the sum, the update and the clearing.
  const Eigen::Index block = 2048;
  for (Eigen::Index start = begin; start < end; start += block) {
    const Eigen::Index n = std::min(block, end - start);
    auto g = dw_.segment(start, n);
    for (ParameterStore* other : others) {
      auto h = other->dw_.segment(start, n);
      g += h;
      h.setZero();
    }
    if (factors == nullptr)
      w_.segment(start, n).noalias() -= eta * g;
    else
      w_.segment(start, n).array() -= eta * factors->segment(start, n).array() * g.array();
    g.setZero();
  }
}

template class ParameterStore<float>;
template class ParameterStore<double>;

}  // namespace ebprop
