// MpiWorld: MPI's world communicator for a tool that mpirun or srun started (docs/mpi.md).
//
// join_mpi() returns one only when this ebprop was built with MPI (CMake found it: the option
// EBPROP_MPI) and a launcher started the process (Open MPI's mpirun, PMI or PMIx as srun and
// MPICH's mpiexec set them); a process started by hand runs alone, with no MPI initialized.
// The communication is MPI's own: the collectives of communicator.h map to MPI_Alltoallv and
// MPI_Allgatherv on MPI_COMM_WORLD.
//
// OWNERSHIP: the caller owns the world; destroying it finalizes MPI (every rank must reach that,
// or call abort()).
#pragma once

#include <ebprop/communicator.h>

#include <memory>
#include <string>

namespace ebprop::tools {

class MpiWorld : public Communicator {
 public:
  // Ends every rank of the run at once with `status` (MPI_Abort): for a failure on one rank
  // after the ranks began to work together, which would otherwise leave the others waiting.
  [[noreturn]] virtual void abort(int status) = 0;
  // "Open MPI v4.1.4, ...": for the run's header.
  virtual std::string library() const = 0;
};

// Null when not built with MPI or not started by a launcher. Throws Error when MPI fails to
// start.
std::unique_ptr<MpiWorld> join_mpi(int& argc, char**& argv);

}  // namespace ebprop::tools
