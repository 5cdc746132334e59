// The worker process (`wf-worker`): one rank of a pool.
//
// Started by a launcher with its instructions in the environment (launch/launcher.hpp), it
// connects two DEALER sockets to the driver: one for tasks, owned by the main thread, which
// also runs the tasks (so task output goes out on the same connection, before the task's
// Done); and one for heartbeats, owned by a small thread that keeps beating while a task
// runs and ends the process when the driver has been silent for too long.
#pragma once

namespace wf::detail {

int worker_main(int argc, char** argv);

}  // namespace wf::detail
