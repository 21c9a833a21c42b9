// Decorrelation of the inputs, §4.3 (see decorrelation.h). Everything is computed in double: the
// covariance of 8,000 MNIST digits summed in float would lose the small eigenvalues that whitening
// divides by.
#include "ebprop/data/decorrelation.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <sstream>

#include "ebprop/error.h"

namespace ebprop::data {
namespace {

const std::vector<std::string> kModes = {"none", "pca", "pca-whiten", "zca"};

// A component to whiten whose λ + ε is at or below this fraction of λ₁ has no variance to scale:
// dividing by its square root would multiply rounding noise by a million or more.
constexpr double kNoVariance = 1e-12;

// Examples are transformed this many at a time, so that the double copy stays small.
constexpr Eigen::Index kBlock = 1024;

std::string number(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

bool whitens(Decorrelation mode) {
  return mode == Decorrelation::pca_whiten || mode == Decorrelation::zca;
}

// The fewest leading eigenvalues (descending) whose sum is at least `fraction` of the total; at
// least 1.
int components_for(const Eigen::VectorXd& eigenvalues, double fraction) {
  const double goal = fraction * eigenvalues.sum();
  double sum = 0;
  for (Eigen::Index k = 0; k < eigenvalues.size(); ++k) {
    sum += eigenvalues(k);
    if (sum >= goal) return static_cast<int>(k + 1);
  }
  return static_cast<int>(eigenvalues.size());
}

// How many components `options` keeps of n with these eigenvalues. Throws Error (`what` first)
// when the options are inconsistent.
int kept_components(const DecorrelationOptions& options, const Eigen::VectorXd& eigenvalues,
                    const std::string& what) {
  const int n = static_cast<int>(eigenvalues.size());
  const std::string mode = "decorrelate = " + mode_name(options.mode);
  if (options.components < 0 || options.components > n)
    throw Error(what + ": components = " + std::to_string(options.components) +
                ", but the inputs have " + std::to_string(n) + " features (components is 1 to " +
                std::to_string(n) + ")");
  if (!(options.variance >= 0 && options.variance <= 1))
    throw Error(what + ": variance = " + number(options.variance) +
                ": the fraction of the variance to keep is above 0 and at most 1");
  if (options.components > 0 && options.variance > 0)
    throw Error(what + ": components and variance exclude each other: give one");
  if (!(options.epsilon >= 0) || !std::isfinite(options.epsilon))
    throw Error(what + ": whiten-epsilon = " + number(options.epsilon) +
                ": the regularizer is a fraction of the largest eigenvalue, at least 0");
  if (options.mode == Decorrelation::zca && (options.components > 0 || options.variance > 0))
    throw Error(what + ": " + mode + " keeps all components (it rotates back to the inputs' " +
                "axes): components and variance are for pca and pca-whiten");
  if (options.components > 0) return options.components;
  if (options.variance > 0) return components_for(eigenvalues, options.variance);
  return n;
}

}  // namespace

Decorrelation parse_decorrelation(const std::string& text) {
  for (std::size_t i = 0; i < kModes.size(); ++i)
    if (text == kModes[i]) return static_cast<Decorrelation>(i);
  const std::string hint = did_you_mean(text, kModes);
  throw Error("unknown decorrelation '" + text + "': expected " + join(kModes, ", ") +
              (hint.empty() ? "" : "; " + hint));
}

std::string mode_name(Decorrelation mode) { return kModes[static_cast<int>(mode)]; }

double Decorrelator::regularizer() const {
  return whitens(options_.mode) && eigenvalues_.size() > 0 ? options_.epsilon * eigenvalues_(0)
                                                           : 0.0;
}

void Decorrelator::make_projection(const std::string& what) {
  const Eigen::Index k = eigenvectors_.cols();
  if (!whitens(options_.mode)) {
    projection_ = eigenvectors_.transpose();  // pca: a rotation onto the leading axes
    return;
  }
  const double epsilon = regularizer();
  Eigen::VectorXd inverse_root(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    const double variance = eigenvalues_(i) + epsilon;
    if (!(variance > kNoVariance * eigenvalues_(0)))
      throw NumericError(what + ": component " + std::to_string(i + 1) + " of " +
                         std::to_string(k) + " has eigenvalue " + number(eigenvalues_(i)) +
                         " (largest " + number(eigenvalues_(0)) + "), nothing to whiten with " +
                         "whiten-epsilon = " + number(options_.epsilon) +
                         ": set whiten-epsilon above 0, or keep fewer components");
    inverse_root(i) = 1 / std::sqrt(variance);
  }
  // pca-whiten: Λₖ^{-1/2} Uₖᵀ; zca: U Λ^{-1/2} Uᵀ (symmetric).
  projection_ = inverse_root.asDiagonal() * eigenvectors_.transpose();
  if (options_.mode == Decorrelation::zca) projection_ = eigenvectors_ * projection_;
}

void Decorrelator::fit(const Dataset& train, const DecorrelationOptions& options) {
  *this = Decorrelator();
  options_ = options;
  if (options.mode == Decorrelation::none) return;
  const std::string what = train.name + ": decorrelate = " + mode_name(options.mode);
  const Matrix<float>& x = train.inputs;
  const Eigen::Index n = x.rows(), examples = x.cols();
  if (examples < 2)
    throw NumericError(what + ": cannot fit a covariance on " + std::to_string(examples) +
                       " example" + (examples == 1 ? "" : "s"));

  // The mean, then the covariance about it (two passes), a block of examples at a time.
  mean_ = Eigen::VectorXd::Zero(n);
  for (Eigen::Index j = 0; j < examples; ++j) mean_ += x.col(j).cast<double>();
  mean_ /= static_cast<double>(examples);
  Eigen::MatrixXd covariance = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index first = 0; first < examples; first += kBlock) {
    const Eigen::Index count = std::min(kBlock, examples - first);
    const Eigen::MatrixXd centred = x.middleCols(first, count).cast<double>().colwise() - mean_;
    covariance.selfadjointView<Eigen::Lower>().rankUpdate(centred);
  }
  covariance = covariance.selfadjointView<Eigen::Lower>();
  covariance /= static_cast<double>(examples);

  // Eigen returns the eigenvalues ascending; the principal axes come first here.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(covariance);
  if (solver.info() != Eigen::Success)
    throw NumericError(what + ": the eigendecomposition of the covariance did not converge");
  // Rounding leaves the eigenvalue of a constant input a little below 0: it has none.
  eigenvalues_ = solver.eigenvalues().reverse().cwiseMax(0.0);
  const int k = kept_components(options, eigenvalues_, what);
  eigenvectors_ = solver.eigenvectors().rowwise().reverse().leftCols(k);
  make_projection(what);
}

Decorrelator Decorrelator::fitted(const DecorrelationOptions& options, Eigen::VectorXd mean,
                                  Eigen::VectorXd eigenvalues, Eigen::MatrixXd eigenvectors,
                                  const std::string& what) {
  Decorrelator d;
  d.options_ = options;
  if (options.mode == Decorrelation::none) {
    if (mean.size() != 0 || eigenvalues.size() != 0 || eigenvectors.size() != 0)
      throw Error(what + ": decorrelate = none, but the decorrelation holds statistics");
    return d;
  }
  const Eigen::Index n = mean.size();
  if (n == 0 || eigenvalues.size() != n || eigenvectors.rows() != n)
    throw Error(what + ": the decorrelation has " + std::to_string(n) + " means, " +
                std::to_string(eigenvalues.size()) + " eigenvalues and eigenvectors of " +
                std::to_string(eigenvectors.rows()) +
                " values; it needs one of each per input feature");
  if (!mean.allFinite() || !eigenvalues.allFinite() || !eigenvectors.allFinite())
    throw Error(what + ": the decorrelation holds a non-finite value");
  for (Eigen::Index i = 0; i < n; ++i)
    if (eigenvalues(i) < 0 || (i > 0 && eigenvalues(i) > eigenvalues(i - 1)))
      throw Error(what + ": eigenvalue " + std::to_string(i + 1) + " is " + number(eigenvalues(i)) +
                  "; the eigenvalues are at least 0 and descending");
  const int k = kept_components(options, eigenvalues, what);
  if (eigenvectors.cols() != k)
    throw Error(what + ": the decorrelation holds " + std::to_string(eigenvectors.cols()) +
                " eigenvectors, but decorrelate = " + mode_name(options.mode) + " keeps " +
                std::to_string(k) + " of " + std::to_string(n) + " components");
  d.mean_ = std::move(mean);
  d.eigenvalues_ = std::move(eigenvalues);
  d.eigenvectors_ = std::move(eigenvectors);
  d.make_projection(what);
  return d;
}

void Decorrelator::apply(Dataset& data) const {
  if (options_.mode == Decorrelation::none) return;
  if (data.inputs.rows() != mean_.size())
    throw Error(data.name + ": has " + std::to_string(data.inputs.rows()) +
                " input features, but the decorrelation was fitted on " +
                std::to_string(mean_.size()));
  const Eigen::Index examples = data.inputs.cols();
  Matrix<float> out(projection_.rows(), examples);
  for (Eigen::Index first = 0; first < examples; first += kBlock) {
    const Eigen::Index count = std::min(kBlock, examples - first);
    out.middleCols(first, count) =
        (projection_ * (data.inputs.middleCols(first, count).cast<double>().colwise() - mean_))
            .cast<float>();
  }
  data.inputs = std::move(out);
  if (options_.mode == Decorrelation::zca) return;  // the input's shape, decorrelated
  data.input_shape = {outputs()};
  data.features_from = "decorrelate = " + mode_name(options_.mode) + " keeps " +
                       std::to_string(outputs()) + " of the " + std::to_string(inputs()) +
                       " input features";
}

}  // namespace ebprop::data
