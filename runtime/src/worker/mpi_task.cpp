// The design notes for this module are atop mpi_task.hpp.
#include "worker/mpi_task.hpp"

#include <mpi.h>

#include <cstring>
#include <list>
#include <stdexcept>
#include <thread>

#include "communicator.hpp"
#include "value_codec.hpp"

namespace wf::detail {

namespace {

constexpr int kAbortTag = 1;  // on the control communicator

struct Comms {
  MPI_Comm data = MPI_COMM_NULL;     // the task's own communicator: user collectives and messages
  MPI_Comm control = MPI_COMM_NULL;  // its duplicate: arguments, aborts, agreement, errors
};

// Raised inside a built-in when another rank of the task failed.
struct Aborted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class MpiTaskComm : public Communicator {
 public:
  explicit MpiTaskComm(Comms c) : c_(c) {
    MPI_Comm_rank(c.data, &rank_);
    MPI_Comm_size(c.data, &size_);
  }

  int rank() override { return rank_; }
  int size() override { return size_; }

  void barrier() override {
    MPI_Request r;
    MPI_Ibarrier(c_.data, &r);
    wait(r);
  }
  void allreduce_int(int64_t* data, int count, int op) override {
    MPI_Request r;
    MPI_Iallreduce(MPI_IN_PLACE, data, count, MPI_INT64_T, mpi_op(op), c_.data, &r);
    wait(r);
  }
  void allreduce_float(double* data, int count, int op) override {
    MPI_Request r;
    MPI_Iallreduce(MPI_IN_PLACE, data, count, MPI_DOUBLE, mpi_op(op), c_.data, &r);
    wait(r);
  }
  std::string bcast(const std::string& bytes, int root) override {
    check_rank(root, "root");
    int64_t n = (int64_t)bytes.size();
    MPI_Request r;
    MPI_Ibcast(&n, 1, MPI_INT64_T, root, c_.data, &r);
    wait(r);
    std::string out = rank_ == root ? bytes : std::string((size_t)n, '\0');
    MPI_Ibcast(out.data(), (int)n, MPI_BYTE, root, c_.data, &r);
    wait(r);
    return out;
  }
  std::vector<std::string> gather(const std::string& bytes, int root, bool all) override {
    if (!all) check_rank(root, "root");
    int mine = (int)bytes.size();
    std::vector<int> sizes((size_t)size_), offsets((size_t)size_);
    MPI_Request r;
    if (all) MPI_Iallgather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, c_.data, &r);
    else MPI_Igather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, root, c_.data, &r);
    wait(r);
    bool receiving = all || rank_ == root;
    int total = 0;
    for (int i = 0; receiving && i < size_; ++i) {
      offsets[(size_t)i] = total;
      total += sizes[(size_t)i];
    }
    std::string buffer((size_t)total, '\0');
    if (all) {
      MPI_Iallgatherv(bytes.data(), mine, MPI_BYTE, buffer.data(), sizes.data(), offsets.data(), MPI_BYTE, c_.data, &r);
    } else {
      MPI_Igatherv(bytes.data(), mine, MPI_BYTE, buffer.data(), sizes.data(), offsets.data(), MPI_BYTE, root, c_.data, &r);
    }
    wait(r);
    std::vector<std::string> out;
    for (int i = 0; receiving && i < size_; ++i)
      out.push_back(buffer.substr((size_t)offsets[(size_t)i], (size_t)sizes[(size_t)i]));
    return out;
  }
  void send(const std::string& bytes, int dest, int tag) override {
    check_rank(dest, "destination");
    check_tag(tag);
    // Buffered: the data stays alive here until the send completes; `send` returns at once.
    sends_.emplace_back(bytes, MPI_REQUEST_NULL);
    auto& s = sends_.back();
    MPI_Isend(s.first.data(), (int)s.first.size(), MPI_BYTE, dest, tag, c_.data, &s.second);
  }
  std::string recv(int src, int tag) override {
    check_rank(src, "source");
    check_tag(tag);
    while (true) {
      int flag = 0;
      MPI_Status status;
      MPI_Iprobe(src, tag, c_.data, &flag, &status);
      if (flag) {
        int n = 0;
        MPI_Get_count(&status, MPI_BYTE, &n);
        std::string out((size_t)n, '\0');
        MPI_Recv(out.data(), n, MPI_BYTE, src, tag, c_.data, MPI_STATUS_IGNORE);
        return out;
      }
      poll_abort();
    }
  }

  // After the task: sends that never completed are kept alive (their receiver may still
  // take them, or never will); the buffers are not reused.
  std::list<std::pair<std::string, MPI_Request>> take_sends() { return std::move(sends_); }

  // Between two looks at a pending operation: is there an abort, and let the other ranks run.
  // Ranks of a task often share cores with each other and with the driver (2 cores, 2 ranks,
  // the driver's threads): a rank that spins without yielding can hold the core its partner
  // needs for a whole scheduler time slice, which showed as 2-8 ms stalls in 1-2 % of W4's
  // tasks. sched_yield costs ~1 us and returns at once when no one else wants the core.
  void poll_abort() {
    std::this_thread::yield();
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kAbortTag, c_.control, &flag, &status);
    if (flag) throw Aborted("stopped because rank " + std::to_string(status.MPI_SOURCE) + " of the task failed");
  }

 private:
  void wait(MPI_Request& r) {
    while (true) {
      int done = 0;
      MPI_Test(&r, &done, MPI_STATUS_IGNORE);
      if (done) return;
      poll_abort();
    }
  }
  void check_rank(int r, const char* what) {
    if (r < 0 || r >= size_)
      throw std::runtime_error(std::string(what) + " rank " + std::to_string(r) + " does not exist in a task of " +
                               std::to_string(size_) + " ranks");
  }
  static void check_tag(int tag) {
    if (tag < 0 || tag > 32767) throw std::runtime_error("message tag " + std::to_string(tag) + " is outside 0..32767");
  }
  static MPI_Op mpi_op(int op) { return op == 1 ? MPI_MIN : op == 2 ? MPI_MAX : MPI_SUM; }

  Comms c_;
  int rank_ = 0, size_ = 1;
  std::list<std::pair<std::string, MPI_Request>> sends_;
};

}  // namespace

struct MpiWorld::Impl {
  // Per rank set (task-rank order): the generation its communicators belong to, and them.
  std::map<std::vector<int32_t>, std::pair<int, Comms>> comms;
  std::list<std::pair<std::string, MPI_Request>> graveyard;  // sends that outlived their task

  // The communicators for `ranks` at `generation`. Every member sees the same generation
  // (the driver sends it), so all of them build a new pair at the same task. An older pair
  // may hold abandoned operations: it is left alone, never freed or used again.
  Comms get(const std::vector<int32_t>& ranks, int generation) {
    auto it = comms.find(ranks);
    if (it != comms.end() && it->second.first == generation) return it->second.second;
    MPI_Group world_group, group;
    MPI_Comm_group(MPI_COMM_WORLD, &world_group);
    MPI_Group_incl(world_group, (int)ranks.size(), ranks.data(), &group);
    Comms c;
    MPI_Comm_create_group(MPI_COMM_WORLD, group, 7, &c.data);
    MPI_Comm_dup(c.data, &c.control);
    MPI_Comm_set_errhandler(c.data, MPI_ERRORS_RETURN);
    MPI_Comm_set_errhandler(c.control, MPI_ERRORS_RETURN);
    MPI_Group_free(&group);
    MPI_Group_free(&world_group);
    comms[ranks] = {generation, c};
    return c;
  }
};

std::unique_ptr<MpiWorld> MpiWorld::init(int* argc, char*** argv) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  std::unique_ptr<MpiWorld> w(new MpiWorld());
  MPI_Comm_rank(MPI_COMM_WORLD, &w->rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &w->size_);
  w->impl_ = std::make_unique<Impl>();
  return w;
}

MpiWorld::~MpiWorld() = default;

void MpiWorld::finalize() {
  if (finalized_) return;
  finalized_ = true;
  MPI_Finalize();
}

BatchOutcome run_mpi_task(MpiWorld& world, const LoadedProgram& program, Context& ctx, int fn, uint64_t id,
                          const std::string& items, const std::vector<int32_t>& ranks, int generation, int worker) {
  int me = -1;
  for (size_t i = 0; i < ranks.size(); ++i)
    if (ranks[i] == world.rank()) me = (int)i;
  if (me < 0) {
    BatchOutcome out;
    out.ok = false;
    out.error.message = "task sent to a rank outside it";
    return out;
  }
  Comms c = world.impl_->get(ranks, generation);

  // Small arguments come with every rank's Task message (kInlineArguments); larger ones only
  // to rank 0, which broadcasts them (the others then get an empty `items`).
  std::string args = items;
  if (me == 0 ? items.size() > kInlineArguments : items.empty()) {
    int64_t n = (int64_t)items.size();
    MPI_Bcast(&n, 1, MPI_INT64_T, 0, c.control);
    if (me != 0) args.assign((size_t)n, '\0');
    MPI_Bcast(args.data(), (int)n, MPI_BYTE, 0, c.control);
  }

  MpiTaskComm comm(c);
  ctx.comm = &comm;
  BatchOutcome out = run_batch(program, ctx, fn, args, worker, me);
  ctx.comm = nullptr;
  out.id = id;
  out.rank = me;
  out.aborted = !out.ok && out.error.message.rfind("stopped because rank", 0) == 0;
  if (!out.ok && !out.aborted) {
    // Let ranks waiting in a built-in know, so they stop waiting.
    for (int r = 0; r < (int)ranks.size(); ++r) {
      if (r == me) continue;
      char byte = 1;
      MPI_Request req;
      MPI_Isend(&byte, 1, MPI_BYTE, r, kAbortTag, c.control, &req);
      MPI_Request_free(&req);
    }
  }
  for (auto& s : comm.take_sends()) world.impl_->graveyard.push_back(std::move(s));
  return out;
}

}  // namespace wf::detail
