// wf-worker: one rank of a pool, started by a launcher (runtime/src/worker/worker.hpp).
#include "worker/worker.hpp"

int main(int argc, char** argv) { return wf::detail::worker_main(argc, argv); }
