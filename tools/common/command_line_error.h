// The error of a mistake on a tool's command line.
#pragma once

#include <ebprop/error.h>

namespace ebprop::tools {

// A mistake in what the command line says: a bad value or key given with --set, --opt, --epochs,
// --lr, --threads, ..., an unknown --optimizer, an output that cannot or may not be written. The
// tools exit with status 2 for it, as for any usage error; the graph file's and the data's errors
// are ebprop::Errors with status 1.
class CommandLineError : public Error {
 public:
  using Error::Error;
  ~CommandLineError() override;
};

}  // namespace ebprop::tools
