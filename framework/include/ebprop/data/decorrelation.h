// Decorrelation of the inputs, §4.3: "Input variables should be uncorrelated if possible", done
// with "Principal Component Analysis (also known as the Karhunen-Loeve expansion)"; §4.3 Fig. 3
// shows the three steps: mean cancellation, KL expansion, covariance equalization. The
// Normalizer (preprocess.h) does the first and the scaling; a Decorrelator, applied after it,
// rotates its output onto the principal axes of the training-set covariance:
//
//   pca         y = Uₖᵀ (x − m)                  the k leading components (k ≤ n features)
//   pca-whiten  y = Λₖ^{-1/2} Uₖᵀ (x − m)        each component also divided by sqrt(λ + ε)
//   zca         y = U Λ^{-1/2} Uᵀ (x − m)        whitened, rotated back: all n, the input's shape
//
// where C = U Λ Uᵀ is the covariance of the training inputs x about their mean m (in double,
// Eigen::SelfAdjointEigenSolver; λ₁ ≥ λ₂ ≥ ... ≥ λₙ ≥ 0, the columns of U orthonormal), and
// Λ^{-1/2} stands for diag(1/sqrt(λᵢ + ε)). The regularizer ε = epsilon · λ₁ keeps a constant
// input (MNIST's border pixels: λ = 0) from being divided by zero: a whitened component of
// variance λ then has variance λ/(λ + ε), 1 for λ ≫ ε and 0 for a constant one. m is zero
// already when the Normalizer centres per feature; it is subtracted here for the other centrings,
// since principal axes are those of the covariance about the mean.
//
// The statistics come from the training set only; apply() uses them unchanged on the test,
// validation and prediction data. A model file stores them (model_file.h, section
// decorrelation).
#pragma once

#include <string>

#include "ebprop/data/dataset.h"

namespace ebprop::data {

enum class Decorrelation { none, pca, pca_whiten, zca };

// Parses "none", "pca", "pca-whiten", "zca"; throws ebprop::Error listing these.
Decorrelation parse_decorrelation(const std::string& text);
// The word parse_decorrelation reads.
std::string mode_name(Decorrelation mode);

// What to fit. `components` and `variance` choose how many components the pca modes keep: k
// when components = k > 0, else the fewest whose eigenvalues sum to at least `variance` (in
// (0, 1]) of the total, else all (both 0). zca keeps all. `epsilon` ≥ 0 is the regularizer as a
// fraction of the largest eigenvalue (pca-whiten and zca only).
struct DecorrelationOptions {
  Decorrelation mode = Decorrelation::none;
  int components = 0;
  double variance = 0;
  double epsilon = 1e-5;
};

class Decorrelator {
 public:
  // Fits the mode of `options` on `train`'s inputs (none: nothing to fit, apply() leaves the
  // data as they are). Requires: finite inputs (the Normalizer checked them).
  // Throws Error naming the data set when the options are inconsistent (components above the
  // feature count, components or variance with zca, variance outside (0, 1], a negative
  // epsilon); NumericError naming the data set, the component and its eigenvalue when a
  // component to whiten has no variance left after ε (λ + ε ≤ 1e-12 λ₁: set epsilon above 0), or
  // on fewer than 2 examples.
  void fit(const Dataset& train, const DecorrelationOptions& options);

  // A decorrelator fitted before (read from a model file, model_file.h): the options it was
  // fitted with, the mean, the n eigenvalues (descending) and the kept eigenvectors (n × k; all n
  // for zca). Throws Error naming `what` when the sizes disagree with each other or with the
  // options, a value is non-finite, an eigenvalue is negative or out of order, or a component to
  // whiten has no variance left.
  static Decorrelator fitted(const DecorrelationOptions& options, Eigen::VectorXd mean,
                             Eigen::VectorXd eigenvalues, Eigen::MatrixXd eigenvectors,
                             const std::string& what);

  // x ← W (x − m) per the fitted statistics (W above; computed in double, stored in float).
  // For pca and pca-whiten the examples then have outputs() features and input_shape {k};
  // `data.features_from` says so. Throws Error naming the data set when its feature count is not
  // inputs(). Does nothing when the mode is none.
  void apply(Dataset& data) const;

  const DecorrelationOptions& options() const { return options_; }
  Decorrelation mode() const { return options_.mode; }
  int inputs() const { return static_cast<int>(mean_.size()); }         // n; 0 for none
  int outputs() const { return static_cast<int>(projection_.rows()); }  // k; 0 for none
  const Eigen::VectorXd& mean() const { return mean_; }
  const Eigen::VectorXd& eigenvalues() const { return eigenvalues_; }    // all n, descending
  const Eigen::MatrixXd& eigenvectors() const { return eigenvectors_; }  // n × k, the kept ones
  // W, k × n: y = W (x − m).
  const Eigen::MatrixXd& projection() const { return projection_; }
  // ε = epsilon · λ₁, added to each eigenvalue before whitening (0 for pca).
  double regularizer() const;

 private:
  // Sets projection_ from the rest; throws NumericError (`what` first) when a component to whiten
  // has no variance.
  void make_projection(const std::string& what);

  DecorrelationOptions options_;
  Eigen::VectorXd mean_, eigenvalues_;
  Eigen::MatrixXd eigenvectors_, projection_;
};

}  // namespace ebprop::data
