// The `flux` launcher: inside a Flux instance ($FLUX_URI set: `flux alloc`, `flux batch`,
// `flux start`), a pool's world is one Flux job of W tasks, one wf-worker each.
//
// Why `flux run` and not libflux-core's job API: a world in wf is "a process whose exit
// means the world has ended" (worker_health reaps it; Ctrl-C ends its process group), and
// `flux run` is exactly that — it submits the job and then *is* `flux job attach` (an exec,
// same pid), which lives until the job is inactive and forwards the tasks' output. So Flux
// fits the launch mechanism mpirun and srun already use, wf needs no flux-core headers at
// build time (the site's flux is found on the PATH at run time, whatever its version), and
// the cost, one Python start per launch (a few hundred ms), is paid once per warm pool.
// `flux run -v` prints the job's id on its standard error before it attaches; FluxStderr
// takes it from there, so the driver can `flux cancel` what it started.
//
// The job: `-n W -c 1` (one core per worker, as a pool counts slots), `-o exit-timeout=none`
// (Flux otherwise ends the whole job 30 s after its first task exits: a dead worker must fail
// only its own tasks, the others keep running), `-o cpu-affinity=off` (like mpirun's
// `--bind-to none`: a `threads=T` task borrows T-1 idle workers' cores, which a per-task core
// binding would keep it from using). Open MPI initializes through Flux's PMI (the job shell
// offers it to every task), so `mpi(ranks=N)` tasks work; Flux's openmpi shell plugin puts
// Open MPI's shared-memory files in the job's temporary directory, which Flux removes.
// The environment (the WF_* variables with the endpoints and CURVE keys) travels in the
// jobspec, as `flux run` copies its whole environment — never on a command line.
//
// Ending: a world whose workers exit ends its job by itself. `cancel_flux_jobs()` (Ctrl-C,
// SIGTERM) and `end_flux_world()` (a pool that did not end in time) run `flux cancel` on the
// job ids, so no job is left running; if the driver is SIGKILLed, `flux run` dies with it
// (PDEATHSIG) and the workers exit on the driver's silence, which ends the job within ~3 s.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "launch/launcher.hpp"

namespace wf::detail {

// True inside a Flux instance: FLUX_URI is set.
bool in_flux_instance();

// The command line that starts `spec.ranks` workers as one Flux job, or false with `error`
// saying plainly why not (no Flux instance, no `flux` on the PATH).
bool flux_command(const LaunchSpec& spec, std::vector<std::string>& args, std::string& error);

// Reads `flux run -v`'s standard error: takes the "jobid: ..." line (not shown), turns the
// failures wf can explain (a request larger than the instance) into a diagnosis, and passes
// everything else through. Pure text in, text out.
class FluxStderr {
 public:
  std::string feed(const std::string& line);
  const std::string& jobid() const { return jobid_; }
  const std::string& diagnosis() const { return diagnosis_; }

 private:
  std::string jobid_, diagnosis_;
};

// The job ids of the worlds this process launched through Flux, by launcher pid.
void flux_world_launched(pid_t launcher);
void flux_world_jobid(pid_t launcher, const std::string& jobid);
void flux_world_ended(pid_t launcher);  // its job is over: nothing to cancel
// `flux cancel` of that world's job (waits up to 2 s for its id to be known).
void end_flux_world(pid_t launcher);
// `flux cancel` of every job still running (Ctrl-C, SIGTERM); returns when flux has answered
// (at most a few seconds).
void cancel_flux_jobs();

}  // namespace wf::detail
