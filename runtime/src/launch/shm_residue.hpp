// Open MPI's shared-memory files of the run's ranks, removed once no process uses them.
//
// Open MPI's shared-memory transport (btl/vader) makes one file per rank,
// `vader_segment.<host>.<job>.<rank>` in /dev/shm (or its backing directory), and a rank
// removes its own in MPI_Finalize. A rank killed by a signal never does, and nothing else
// will (neither mpirun under --enable-recovery nor srun). Each file holds the rank's
// shared-memory buffers (several MB of RAM), so a run that loses workers would leave them
// on the machine for good.
//
// The driver knows the ranks of its own worlds: when a rank on this host says hello (after
// its MPI_Init, which made its file) the driver reads /proc/<pid>/maps and notes the
// `vader_segment.*` files mapped there — the rank's own, and any of its peers' — whatever the
// launcher and the job id. When a rank is forgotten (it died, the driver ended it, its world
// ended) and at the driver's exit, every noted file that still exists and that no process on
// this host has mapped any more is removed. A rank keeps its own segment mapped as long as it
// lives, so a file nobody maps belongs to a rank that is gone: removing it cannot hurt a live
// one. A driver that is SIGKILLed removes nothing, and under mpirun its ranks cannot either:
// Open MPI ends them with _exit as soon as mpirun dies with the driver. Only files named
// `vader_segment.*` are ever touched; anything else a task maps (a user's POSIX shared
// memory) is not the runtime's. Under Flux, Open MPI's files live in the
// job's temporary directory, which Flux removes itself; the same rules apply there.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace wf::detail {

// The `vader_segment.*` files process `pid` (this host) has mapped now.
std::vector<std::string> mapped_shm_files(pid_t pid);
// Notes the files of a rank that has said hello.
void note_shm_files(pid_t pid);
// Removes the noted files that exist and that no process maps; waits up to `seconds` for
// processes being killed to let go of theirs. Returns how many files it removed.
int remove_unused_shm_files(double seconds = 0);

}  // namespace wf::detail
