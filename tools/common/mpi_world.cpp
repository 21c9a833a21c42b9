// join_mpi for a build with MPI: MPI_COMM_WORLD when a launcher started the process.
#include "mpi_world.h"

#include <ebprop/error.h>
#include <mpi.h>

#include <cstdlib>
#include <limits>

namespace ebprop::tools {
namespace {

// The environment a launcher leaves: Open MPI's mpirun, PMIx (Open MPI 4+, srun --mpi=pmix),
// PMI (MPICH's mpiexec, srun --mpi=pmi2).
bool started_by_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

int checked_count(std::size_t bytes) {
  if (bytes > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw Error("an MPI message of " + std::to_string(bytes) + " bytes is larger than 2 GiB");
  return static_cast<int>(bytes);
}

class OpenWorld final : public MpiWorld {
 public:
  OpenWorld(int& argc, char**& argv) {
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) throw Error("MPI_Init failed");
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~OpenWorld() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  std::vector<Bytes> exchange(const std::vector<Bytes>& to_each) override {
    std::vector<int> send_counts(size_), send_offsets(size_), receive_counts(size_),
        receive_offsets(size_);
    Bytes send;
    for (int r = 0; r < size_; ++r) {
      send_offsets[r] = checked_count(send.size());
      send_counts[r] = checked_count(to_each[r].size());
      send.insert(send.end(), to_each[r].begin(), to_each[r].end());
    }
    MPI_Alltoall(send_counts.data(), 1, MPI_INT, receive_counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
    std::size_t total = 0;
    for (int r = 0; r < size_; ++r) {
      receive_offsets[r] = checked_count(total);
      total += receive_counts[r];
    }
    Bytes receive(total);
    MPI_Alltoallv(send.data(), send_counts.data(), send_offsets.data(), MPI_BYTE, receive.data(),
                  receive_counts.data(), receive_offsets.data(), MPI_BYTE, MPI_COMM_WORLD);
    return split(receive, receive_counts, receive_offsets);
  }

  std::vector<Bytes> all_gather(const Bytes& mine) override {
    int count = checked_count(mine.size());
    std::vector<int> counts(size_), offsets(size_);
    MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
    std::size_t total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[r] = checked_count(total);
      total += counts[r];
    }
    Bytes receive(total);
    MPI_Allgatherv(mine.data(), count, MPI_BYTE, receive.data(), counts.data(), offsets.data(),
                   MPI_BYTE, MPI_COMM_WORLD);
    return split(receive, counts, offsets);
  }

  [[noreturn]] void abort(int status) override {
    MPI_Abort(MPI_COMM_WORLD, status);
    std::_Exit(status);  // MPI_Abort does not return; if it did, this rank still ends
  }

  std::string library() const override {
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(version, &length);
    std::string text(version, static_cast<std::size_t>(length));
    const std::size_t end = text.find_first_of(",\n");
    return end == std::string::npos ? text : text.substr(0, end);
  }

 private:
  static std::vector<Bytes> split(const Bytes& all, const std::vector<int>& counts,
                                  const std::vector<int>& offsets) {
    std::vector<Bytes> parts(counts.size());
    for (std::size_t r = 0; r < counts.size(); ++r)
      parts[r].assign(all.begin() + offsets[r], all.begin() + offsets[r] + counts[r]);
    return parts;
  }

  int rank_ = 0;
  int size_ = 1;
};

}  // namespace

std::unique_ptr<MpiWorld> join_mpi(int& argc, char**& argv) {
  if (!started_by_launcher()) return nullptr;
  return std::make_unique<OpenWorld>(argc, argv);
}

}  // namespace ebprop::tools
