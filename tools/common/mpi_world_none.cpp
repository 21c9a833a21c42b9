// join_mpi for a build without MPI (EBPROP_MPI off or MPI not found): every process runs alone.
#include "mpi_world.h"

namespace ebprop::tools {

std::unique_ptr<MpiWorld> join_mpi(int&, char**&) { return nullptr; }

}  // namespace ebprop::tools
