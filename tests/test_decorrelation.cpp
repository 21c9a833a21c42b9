// §4.3 decorrelation (data/decorrelation.h), checked against a covariance summed here example by
// example in double and its own Eigen eigendecomposition: pca rotates onto the principal axes and
// keeps the variance asked for, pca-whiten and zca leave the training set with the identity
// covariance, zca is symmetric, other data get the training statistics, a constant input is not
// blown up; then the [data] keys end to end, with every refusal's message.
#define BOOST_TEST_MODULE decorrelation
#include <ebprop/data/decorrelation.h>
#include <ebprop/error.h>
#include <ebprop/model_file.h>

#include <Eigen/Eigenvalues>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <random>

#include "bad_inputs/bad_input.h"
#include "command.h"

using namespace ebprop;
using namespace ebprop::data;
using test::contains;

namespace {

// `examples` examples of `n` correlated features: x = A z + b, z standard normal, A and b drawn
// too, so that the covariance A Aᵀ has unequal eigenvalues and no zero.
Dataset correlated(int n, int examples, unsigned seed, const std::string& name = "train") {
  std::mt19937 rng(seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd a(n, n);
  Eigen::VectorXd b(n);
  std::mt19937 fixed(7);  // the same A and b for every set: train and test of one distribution
  for (int i = 0; i < n; ++i) {
    b(i) = 10 * normal(fixed);
    for (int j = 0; j < n; ++j) a(i, j) = normal(fixed) * (1.0 + i);
  }
  Dataset data;
  data.name = name;
  data.input_shape = {n};
  data.inputs.resize(n, examples);
  Eigen::VectorXd z(n);
  for (int e = 0; e < examples; ++e) {
    for (int i = 0; i < n; ++i) z(i) = normal(rng);
    data.inputs.col(e) = (a * z + b).cast<float>();
  }
  return data;
}

// The mean and the covariance about it, summed one example at a time in double.
struct Moments {
  Eigen::VectorXd mean;
  Eigen::MatrixXd covariance;
};

Moments moments(const Matrix<float>& x) {
  const Eigen::Index n = x.rows(), examples = x.cols();
  Moments m{Eigen::VectorXd::Zero(n), Eigen::MatrixXd::Zero(n, n)};
  for (Eigen::Index e = 0; e < examples; ++e) m.mean += x.col(e).cast<double>();
  m.mean /= static_cast<double>(examples);
  for (Eigen::Index e = 0; e < examples; ++e) {
    const Eigen::VectorXd d = x.col(e).cast<double>() - m.mean;
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = 0; j < n; ++j) m.covariance(i, j) += d(i) * d(j);
  }
  m.covariance /= static_cast<double>(examples);
  return m;
}

double max_abs(const Eigen::MatrixXd& m) { return m.cwiseAbs().maxCoeff(); }

DecorrelationOptions options(Decorrelation mode, double epsilon = 0, int components = 0,
                             double variance = 0) {
  DecorrelationOptions o;
  o.mode = mode;
  o.epsilon = epsilon;
  o.components = components;
  o.variance = variance;
  return o;
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

const int n = 6;

}  // namespace

BOOST_AUTO_TEST_SUITE(fitting)

// The outputs are floats (relative rounding 6e-8): the identity to 1e-6 is what float storage
// allows; the fit and the transform are in double.
BOOST_AUTO_TEST_CASE(whitening_leaves_the_training_set_with_the_identity_covariance) {
  for (const Decorrelation mode : {Decorrelation::pca_whiten, Decorrelation::zca}) {
    Dataset train = correlated(n, 4000, 1);
    BOOST_TEST_REQUIRE(max_abs(moments(train.inputs).covariance - Eigen::MatrixXd::Identity(n, n)) >
                       1.0);  // far from it before
    Decorrelator d;
    d.fit(train, options(mode));
    d.apply(train);
    const Moments after = moments(train.inputs);
    const double error = max_abs(after.covariance - Eigen::MatrixXd::Identity(n, n));
    BOOST_TEST_MESSAGE(mode_name(mode) << ": max |cov - I| = " << error
                                       << ", max |mean| = " << after.mean.cwiseAbs().maxCoeff());
    BOOST_TEST(error < 1e-7, mode_name(mode) << ": max |cov - I| = " << error);
    BOOST_TEST(after.mean.cwiseAbs().maxCoeff() < 1e-5);
    BOOST_TEST(train.inputs.rows() == n);
  }
}

BOOST_AUTO_TEST_CASE(pca_rotates_onto_the_principal_axes_of_an_independent_decomposition) {
  Dataset train = correlated(n, 4000, 2);
  const Moments before = moments(train.inputs);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> reference(before.covariance);
  const Eigen::VectorXd lambda = reference.eigenvalues().reverse();  // descending
  Decorrelator d;
  d.fit(train, options(Decorrelation::pca));
  BOOST_TEST(max_abs(d.eigenvalues() - lambda) < 1e-9 * lambda(0));
  BOOST_TEST(max_abs(d.mean() - before.mean) < 1e-9 * before.mean.cwiseAbs().maxCoeff());
  d.apply(train);
  // The rotated inputs are uncorrelated, each with its eigenvalue as variance.
  const Eigen::MatrixXd after = moments(train.inputs).covariance;
  const double error = max_abs(after - Eigen::MatrixXd(lambda.asDiagonal())) / lambda(0);
  BOOST_TEST_MESSAGE("pca: max |cov - diag(lambda)| / lambda1 = " << error);
  BOOST_TEST(error < 1e-6);
  // Each kept axis is an eigenvector of the reference (up to its sign).
  for (int k = 0; k < n; ++k) {
    const Eigen::VectorXd u = d.eigenvectors().col(k);
    BOOST_TEST(max_abs(before.covariance * u - lambda(k) * u) < 1e-9 * lambda(0));
  }
  BOOST_TEST(max_abs(d.eigenvectors().transpose() * d.eigenvectors() -
                     Eigen::MatrixXd::Identity(n, n)) < 1e-12);
}

BOOST_AUTO_TEST_CASE(pca_keeps_the_variance_fraction_asked_for) {
  const Dataset train = correlated(n, 2000, 3);
  const Eigen::VectorXd lambda =
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(moments(train.inputs).covariance)
          .eigenvalues()
          .reverse();
  const double total = lambda.sum();
  for (const double fraction : {0.5, 0.9, 0.99, 0.999, 1.0}) {
    Decorrelator d;
    d.fit(train, options(Decorrelation::pca, 0, 0, fraction));
    const int k = d.outputs();
    BOOST_TEST_REQUIRE(k >= 1);
    // The fewest leading components holding the fraction: k do, k − 1 do not.
    BOOST_TEST(lambda.head(k).sum() >= fraction * total * (1 - 1e-9), "fraction " << fraction);
    if (k > 1) BOOST_TEST(lambda.head(k - 1).sum() < fraction * total, "fraction " << fraction);
    Dataset x = train;
    d.apply(x);
    BOOST_TEST(x.inputs.rows() == k);
    BOOST_TEST((x.input_shape == Shape{k}));
    // The kept variance is the sum of the kept eigenvalues.
    BOOST_TEST(std::abs(moments(x.inputs).covariance.trace() - lambda.head(k).sum()) <
               1e-6 * total);
  }
  Decorrelator three;
  Dataset x = train;
  three.fit(x, options(Decorrelation::pca_whiten, 0, 3));
  three.apply(x);
  BOOST_TEST(x.inputs.rows() == 3);
  BOOST_TEST(x.features_from == "decorrelate = pca-whiten keeps 3 of the 6 input features");
  BOOST_TEST(max_abs(moments(x.inputs).covariance - Eigen::MatrixXd::Identity(3, 3)) < 1e-6);
}

BOOST_AUTO_TEST_CASE(zca_is_symmetric_and_keeps_the_shape) {
  Dataset train = correlated(n, 2000, 4);
  train.input_shape = {2, 3};
  Decorrelator d;
  d.fit(train, options(Decorrelation::zca));
  const Eigen::MatrixXd& w = d.projection();
  BOOST_TEST(w.rows() == n);
  BOOST_TEST(max_abs(w - w.transpose()) < 1e-12 * max_abs(w));
  // W = C^{-1/2}: W C W = I with the reference covariance.
  const Eigen::MatrixXd c = moments(train.inputs).covariance;
  BOOST_TEST(max_abs(w * c * w - Eigen::MatrixXd::Identity(n, n)) < 1e-9);
  d.apply(train);
  BOOST_TEST((train.input_shape == Shape{2, 3}));
  BOOST_TEST(train.features_from.empty());
}

BOOST_AUTO_TEST_CASE(other_data_get_the_training_statistics) {
  const Dataset train = correlated(n, 3000, 5);
  Dataset test = correlated(n, 500, 6, "test");
  const Dataset raw = test;
  Decorrelator d;
  d.fit(train, options(Decorrelation::zca));
  d.apply(test);
  // The reference: C^{-1/2} (x − m) with the training set's m and C, from its own decomposition.
  const Moments m = moments(train.inputs);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> reference(m.covariance);
  const Eigen::MatrixXd root = reference.operatorInverseSqrt();
  const Eigen::MatrixXd expected = root * (raw.inputs.cast<double>().colwise() - m.mean);
  BOOST_TEST(max_abs(test.inputs.cast<double>() - expected) < 1e-5 * max_abs(expected));
  // The test set's own statistics would give another answer: its covariance is not the identity.
  BOOST_TEST(max_abs(moments(test.inputs).covariance - Eigen::MatrixXd::Identity(n, n)) > 1e-3);
}

BOOST_AUTO_TEST_CASE(a_constant_input_is_not_blown_up) {
  Dataset train = correlated(4, 2000, 8);
  train.inputs.row(2).setConstant(255);  // a border pixel
  const double epsilon = 1e-5;
  Decorrelator d;
  d.fit(train, options(Decorrelation::zca, epsilon));
  BOOST_TEST(d.eigenvalues()(3) == 0.0);
  BOOST_TEST(d.regularizer() == epsilon * d.eigenvalues()(0));
  Dataset x = train;
  d.apply(x);
  BOOST_TEST(x.inputs.allFinite());
  BOOST_TEST(x.inputs.row(2).cwiseAbs().maxCoeff() < 1e-3);  // it stays (nearly) zero
  // pca-whiten: component i has variance λᵢ / (λᵢ + ε), the regularized 1.
  Decorrelator p;
  p.fit(train, options(Decorrelation::pca_whiten, epsilon, 3));
  x = train;
  p.apply(x);
  const Eigen::MatrixXd c = moments(x.inputs).covariance;
  for (int i = 0; i < 3; ++i) {
    const double lambda = p.eigenvalues()(i);
    BOOST_TEST(std::abs(c(i, i) - lambda / (lambda + p.regularizer())) < 1e-6);
  }
  // Without ε the constant input is a component of no variance: refused, saying what to do.
  const std::string m = error_of([&] { Decorrelator().fit(train, options(Decorrelation::zca)); });
  BOOST_TEST(contains(m, "train: decorrelate = zca: component 4 of 4 has eigenvalue 0"), m);
  BOOST_TEST(contains(m, "set whiten-epsilon above 0, or keep fewer components"), m);
  // pca does not divide: the constant component is kept as it is.
  BOOST_TEST(error_of([&] { Decorrelator().fit(train, options(Decorrelation::pca)); }) ==
             "no error");
}

BOOST_AUTO_TEST_CASE(bad_options_are_refused_naming_them) {
  const Dataset train = correlated(3, 100, 9);
  const auto refusal = [&](const DecorrelationOptions& o) {
    return error_of([&] { Decorrelator().fit(train, o); });
  };
  BOOST_TEST(refusal(options(Decorrelation::pca, 0, 4)) ==
             "train: decorrelate = pca: components = 4, but the inputs have 3 features "
             "(components is 1 to 3)");
  BOOST_TEST(refusal(options(Decorrelation::pca, 0, 2, 0.5)) ==
             "train: decorrelate = pca: components and variance exclude each other: give one");
  BOOST_TEST(refusal(options(Decorrelation::pca, 0, 0, 1.5)) ==
             "train: decorrelate = pca: variance = 1.5: the fraction of the variance to keep is "
             "above 0 and at most 1");
  BOOST_TEST(contains(refusal(options(Decorrelation::zca, 0, 2)),
                      "train: decorrelate = zca: decorrelate = zca keeps all components"));
  BOOST_TEST(refusal(options(Decorrelation::zca, -1)) ==
             "train: decorrelate = zca: whiten-epsilon = -1: the regularizer is a fraction of the "
             "largest eigenvalue, at least 0");
  Dataset one = train;
  truncate(one, 1);
  BOOST_TEST(error_of([&] { Decorrelator().fit(one, options(Decorrelation::pca)); }) ==
             "train: decorrelate = pca: cannot fit a covariance on 1 example");
  BOOST_TEST(contains(error_of([] { parse_decorrelation("pca_whiten"); }),
                      "unknown decorrelation 'pca_whiten': expected none, pca, pca-whiten, zca"));
  // A fitted decorrelator applies to its feature count only; none leaves the data alone.
  Decorrelator d;
  d.fit(train, options(Decorrelation::pca));
  Dataset wide = correlated(4, 10, 1, "wide");
  BOOST_TEST(error_of([&] { d.apply(wide); }) ==
             "wide: has 4 input features, but the decorrelation was fitted on 3");
  Decorrelator none;
  none.fit(train, options(Decorrelation::none));
  Dataset same = train;
  none.apply(same);
  BOOST_TEST((same.inputs == train.inputs));
}

BOOST_AUTO_TEST_CASE(fitted_statistics_are_checked) {
  const Dataset train = correlated(3, 200, 10);
  Decorrelator d;
  d.fit(train, options(Decorrelation::pca_whiten, 1e-5, 2));
  const auto again = [&](Eigen::VectorXd mean, Eigen::VectorXd lambda, Eigen::MatrixXd u) {
    return error_of([&] {
      Decorrelator::fitted(d.options(), std::move(mean), std::move(lambda), std::move(u), "here");
    });
  };
  BOOST_TEST(again(d.mean(), d.eigenvalues(), d.eigenvectors()) == "no error");
  const Decorrelator same =
      Decorrelator::fitted(d.options(), d.mean(), d.eigenvalues(), d.eigenvectors(), "here");
  BOOST_TEST((same.projection() == d.projection()));
  BOOST_TEST(again(d.mean().head(2), d.eigenvalues(), d.eigenvectors()) ==
             "here: the decorrelation has 2 means, 3 eigenvalues and eigenvectors of 3 values; it "
             "needs one of each per input feature");
  Eigen::VectorXd nan = d.mean();
  nan(1) = NAN;
  BOOST_TEST(again(nan, d.eigenvalues(), d.eigenvectors()) ==
             "here: the decorrelation holds a non-finite value");
  Eigen::VectorXd ascending = d.eigenvalues().reverse();
  BOOST_TEST(contains(again(d.mean(), ascending, d.eigenvectors()), "here: eigenvalue 2 is "));
  BOOST_TEST(again(d.mean(), d.eigenvalues(), d.eigenvectors().leftCols(1)) ==
             "here: the decorrelation holds 1 eigenvectors, but decorrelate = pca-whiten keeps 2 "
             "of 3 components");
  BOOST_TEST(error_of([&] {
               Decorrelator::fitted(options(Decorrelation::none), d.mean(), Eigen::VectorXd(),
                                    Eigen::MatrixXd(), "here");
             }) == "here: decorrelate = none, but the decorrelation holds statistics");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

using test::refused;
using test::Result;
using test::Scratch;

Result run(const std::string& arguments) { return test::run_tool("ebprop-run", arguments); }

// The small net of command.h with an input of `features` values.
std::string net_of(int features) {
  std::string text = test::small_net;
  const std::string from = "shape=784 source=inputs";
  return text.replace(text.find(from), from.size(),
                      "shape=" + std::to_string(features) + " source=inputs");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(a_pca_model_is_trained_saved_and_evaluated_with_its_decorrelation) {
  const Scratch s;
  const std::string graph = s.file("net.graph", net_of(40)), model = s.file("net.model");
  const Result trained =
      run(graph + " --set decorrelate=pca-whiten --set components=40 --save " + model);
  BOOST_TEST_REQUIRE(trained.status == 0, trained.output);
  const Result again = run(graph + " --load " + model + " --test-only");
  BOOST_TEST_REQUIRE(again.status == 0, again.output);
  // The test error of the last epoch, again: the model's decorrelation, not a new one.
  const auto error = [](const std::string& output) {
    return std::stod(output.substr(output.rfind("error ") + 6));
  };
  BOOST_TEST(error(again.output) == error(trained.output), again.output);

  // Settings the model was not trained with are refused, naming the setting and the model's.
  BOOST_TEST(refused(run(graph + " --load " + model + " --test-only --set decorrelate=zca"), 2,
                     {"command line (--set): decorrelate = zca disagrees with the model '" + model +
                      "', trained with decorrelate = pca-whiten"}));
  BOOST_TEST(refused(run(graph + " --load " + model + " --test-only --set components=30"), 2,
                     {"command line (--set): components = 30 disagrees with the model '" + model +
                      "', trained with components = 40"}));
  BOOST_TEST(refused(
      run(graph + " --load " + model + " --test-only --set variance=0.9"), 2,
      {"variance = 0.9 disagrees with the model '" + model + "', trained with variance = 0"}));
  BOOST_TEST(refused(run(graph + " --load " + model + " --test-only --set whiten-epsilon=0.1"), 2,
                     {"whiten-epsilon = 0.1 disagrees with the model '" + model +
                      "', trained with whiten-epsilon = 1e-05"}));
  // The same settings given again agree.
  BOOST_TEST(run(graph + " -q --load " + model +
                 " --test-only --set decorrelate=pca-whiten --set components=40")
                 .status == 0);
}

BOOST_AUTO_TEST_CASE(a_graph_input_of_the_wrong_size_is_named_with_the_kept_count) {
  const Scratch s;
  const std::string graph = s.file("net.graph", test::small_net);
  BOOST_TEST(refused(
      run(graph + " --set decorrelate=pca --set components=50"), 1,
      {graph + ": input 'image' (line 1) has shape 784 (784 values) but the " + "examples of '",
       "have 50 (decorrelate = pca keeps 50 of the 784 input features; give the "
       "input shape=50)"}));
}

BOOST_AUTO_TEST_CASE(a_resumed_run_keeps_the_checkpoints_decorrelation) {
  const Scratch s;
  const std::string graph = s.file("net.graph", test::small_net), checkpoint = s.file("run.ckpt");
  BOOST_TEST_REQUIRE(run(graph + " -q --set decorrelate=zca --checkpoint " + checkpoint).status ==
                     0);
  BOOST_TEST(refused(run(graph + " --epochs 2 --resume " + checkpoint + " --set decorrelate=pca"),
                     2,
                     {"decorrelate = pca disagrees with the model '" + checkpoint +
                      "', trained with decorrelate = zca"}));
}

BOOST_AUTO_TEST_CASE(settings_that_mean_nothing_are_refused_at_their_key) {
  const Scratch s;
  const std::string graph = s.file("net.graph", test::small_net + "decorrelate = pca\n");
  BOOST_TEST(refused(run(graph + " --set components=10 --set variance=0.9"), 2,
                     {"command line (--set): variance and components (command line (--set)) "
                      "exclude each other: give one"}));
  BOOST_TEST(refused(run(graph + " --set components=785"), 2,
                     {"command line (--set): components = 785, but an example has 784 input "
                      "features (components is 1 to 784)"}));
  BOOST_TEST(refused(run(graph + " --set whiten-epsilon=0.01"), 2,
                     {"command line (--set): whiten-epsilon is for decorrelate = pca-whiten or "
                      "zca, but decorrelate = pca does not whiten"}));
  BOOST_TEST(refused(run(graph + " --set decorrelate=zca --set components=10"), 2,
                     {"command line (--set): components is for decorrelate = pca or pca-whiten, "
                      "but decorrelate = zca keeps all components"}));
  BOOST_TEST(refused(run(graph + " --set decorrelate=none --set variance=0.5"), 2,
                     {"command line (--set): variance is for decorrelate = pca or pca-whiten, "
                      "but decorrelate = none"}));
  BOOST_TEST(
      refused(run(graph + " --set decorrelate=pca_whiten"), 2, {"decorrelate", "pca_whiten"}));
  BOOST_TEST(refused(run(graph + " --set variance=1.5"), 2, {"variance", "1.5"}));
  // MNIST's border pixels have no variance: without the regularizer zca refuses, naming it.
  BOOST_TEST(refused(run(graph + " --set decorrelate=zca --set whiten-epsilon=0"), 2,
                     {"command line (--set): ", "decorrelate = zca: component ", "has eigenvalue",
                      "set whiten-epsilon above 0"}));
  // In the graph file, the refusal names the line.
  const std::string both =
      s.file("both.graph", test::small_net + "decorrelate = pca\ncomponents = 5\nvariance = 0.5\n");
  BOOST_TEST(
      refused(run(both), 1, {both + ":16:1: variance and components (" + both + ":15:1) exclude"}));
}

BOOST_AUTO_TEST_CASE(the_help_lists_the_keys) {
  const Result help = run("--help");
  for (const char* key :
       {"decorrelate = none", "components = 0", "variance = 0", "whiten-epsilon = 1e-5"})
    BOOST_TEST(contains(help.output, key), key);
}

BOOST_AUTO_TEST_SUITE_END()
