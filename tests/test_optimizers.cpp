// Every registered optimizer type, whatever its plugin, against the contract of optimizer.h: it
// is documented, builds from its defaults, lowers E on a quadratic, keeps its state by parameter
// name, and continues exactly after its state is restored into a fresh instance. No optimizer is
// named here: a new plugin is tested by being loaded.
#define BOOST_TEST_MODULE optimizers
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "quadratic.h"
#include "test_util.h"

using namespace ebprop;

namespace {

test::Quadratic problem() {
  Vector<double> h(4), c(4);
  h << 1.0, 2.0, 0.5, 1.5;  // well conditioned: every default rate makes progress
  c << 1.0, -2.0, 3.0, 0.5;
  return test::Quadratic(h, c);
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_optimizer_keeps_the_contract) {
  const Registry& registry = test::plugins();
  BOOST_TEST(registry.optimizer_types().size() >= 1u);
  for (const std::string& type : registry.optimizer_types()) {
    BOOST_TEST_CONTEXT("optimizer " << type << " (" << registry.origin(type) << ")") {
      const OptimizerInfo& info = registry.optimizer_info(type);
      BOOST_TEST(!info.doc.empty());
      for (const SettingSpec& s : info.settings) BOOST_TEST(!s.doc.empty(), s.name);

      // Defaults construct, and 30 steps lower E.
      test::Quadratic q = problem();
      auto optimizer = test::optimizer(type, {});
      optimizer->attach(q.parameters());
      optimizer->begin_epoch(1, q);
      const double start = q.loss();
      int steps = 0;
      for (; steps < 30; ++steps) {
        const StepResult r = q.step(*optimizer);
        BOOST_TEST((std::isfinite(r.loss) || std::isfinite(r.new_loss)));
        if (!r.stop.empty()) break;
      }
      BOOST_TEST(q.loss() < start, "E " << start << " -> " << q.loss());
      BOOST_TEST(q.parameters().w().allFinite());

      // State by parameter name: every per-weight entry is "NAME/q.w".
      const OptimizerState state = optimizer->state();
      for (const auto& [name, values] : state)
        if (values.size() == 4)
          BOOST_TEST((name.size() > 4 && name.substr(name.size() - 4) == "/q.w"), name);

      // A fresh instance restored from the state continues with the same iterates.
      test::Quadratic copy = problem();
      copy.parameters().w() = q.parameters().w();
      auto fresh = test::optimizer(type, {});
      fresh->attach(copy.parameters());
      fresh->restore(state);
      for (int k = 0; k < 5 && steps + k < 30; ++k) {
        q.step(*optimizer);
        copy.step(*fresh);
      }
      BOOST_TEST((q.parameters().w() - copy.parameters().w()).lpNorm<Eigen::Infinity>() <= 1e-15,
                 "after restore: " << q.parameters().w().transpose() << " vs "
                                   << copy.parameters().w().transpose());
    }
  }
}
