// The optimizer of the command line: --optimizer NAME looked up in the registry, its --opt
// KEY=VALUE settings validated against the plugin's schema, the instance made. Every refusal is
// a tools::CommandLineError naming the option (and the setting), so the tool exits 2 for it.
#pragma once

#include <ebprop/registry.h>

#include <string>
#include <vector>

namespace ebprop::optimize_tool {

// Throws CommandLineError: an unknown NAME (listing the known optimizers, with a did-you-mean),
// an --opt that is not KEY=VALUE, an unknown key (with a did-you-mean), a value of the wrong
// type or out of range, or what the optimizer's constructor refuses.
OptimizerPtr<double> make_optimizer(const Registry& registry, const std::string& name,
                                    const std::vector<std::string>& opt);

}  // namespace ebprop::optimize_tool
