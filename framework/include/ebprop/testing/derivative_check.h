// Derivative checkers: the tests every module must pass, for the project's own plugins and for
// plugin authors ("test your module in one line").
//
//   auto report = ebprop::testing::check_module(registry, "linear", {{"outputs", "4"}}, {{5}});
//   BOOST_TEST(report.passed(), report.summary());
//
// or, for each case a plugin registered with its type (ModuleInfo::checks, module.h):
//
//   for (const auto& c : registry.module_info("linear").checks)
//     BOOST_TEST(check_module(registry, "linear", c).passed());
//
// In double precision, on random inputs, weights and output derivatives:
//  - bprop: dE/dx and dE/dw against central finite differences of E = Σ dy · y;
//  - bbprop: ddx and ddw against the Gauss-Newton rule Σ_i ddy_i · J_ij^2, with the Jacobian J
//    from central differences; for a loss module, plus Σ_i dy_i · d2y_i/dx_j2 from second
//    differences (module.h);
//  - accumulation: a second bprop/bbprop adds exactly the same amount again (never overwrites);
//  - for a module with R-operator passes (§7.5): r_fprop against the central difference of fprop
//    along a random direction (R{inputs}, v), and r_bprop against the central difference of what
//    bprop computes along (R{inputs}, v, R{dy}); r_bprop must add too.
// Errors are relative: ‖computed − reference‖∞ / max(‖reference‖∞, 1e-12).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ebprop/module.h"
#include "ebprop/registry.h"

namespace ebprop::testing {

struct CheckOptions {
  int batch = 3;              // examples per pass (each checked)
  double step = 1e-5;         // central-difference step for first derivatives (J)
  double second_step = 1e-4;  // step for the second differences of loss modules
  double input_range = 1.0;   // inputs uniform in [-range, range]
  double tolerance = 1e-6;    // relative error that passes
  std::uint64_t seed = 1;
  // Inputs whose values must come from a set (e.g. a loss's target) may be fixed here: input i
  // takes fixed_inputs[i] when that matrix is non-empty (rows = shape size, cols = batch).
  std::vector<Matrix<double>> fixed_inputs;
  // Lent to the module's Workers with every split cut as finely as it can be (workers.h), so that
  // a module that splits its passes (module.h) is checked split; null: unsplit.
  ThreadTeam* threads = nullptr;
};

struct CheckReport {
  std::string what;                         // "linear {outputs=4} on inputs 5"
  double bprop_input = 0, bprop_param = 0;  // relative errors
  double bbprop_input = 0, bbprop_param = 0;
  double accumulate = 0;   // largest relative deviation from prior + fresh
  bool r_checked = false;  // the module has R-operator passes
  double r_fprop = 0, r_bprop_input = 0, r_bprop_param = 0;
  double tolerance = 1e-6;

  bool passed() const;
  std::string summary() const;  // one line per check with its error and PASS/FAIL
};

// Checks an existing module. `info` says whether it is a loss. The module must not have been
// through output_shape yet; the checker drives its whole lifecycle.
CheckReport check_module(Module<double>& module, const ModuleInfo& info,
                         const std::vector<Shape>& input_shapes, const CheckOptions& options = {});

// Makes the module from the registry (settings validated as a graph file's would be) and checks it.
CheckReport check_module(const Registry& registry, const std::string& type,
                         const std::map<std::string, std::string>& settings,
                         const std::vector<Shape>& input_shapes, const CheckOptions& options = {});

// Checks one case of the type (module.h, CHECK CASES): the module made as above with
// check.settings, on inputs of the shapes check.inputs. An input that check.values marks other
// than `any` takes values from its set, drawn from options.seed, in place of options.fixed_inputs.
// Throws Error if check.values has more entries than check.inputs.
CheckReport check_module(const Registry& registry, const std::string& type, const CheckCase& check,
                         CheckOptions options = {});

}  // namespace ebprop::testing
