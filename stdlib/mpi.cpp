// The MPI built-ins (LANGUAGE.md §7), on the task's Communicator. Without one the task has
// a single rank: collectives return their input, and a rank may send to itself.
#include <deque>
#include <map>
#include <stdexcept>

#include "abi.h"
#include "communicator.hpp"
#include "value_codec.hpp"

using namespace wf::detail;

namespace {

// One rank alone: messages it sends to itself wait in a mailbox per tag.
class SingleRank : public Communicator {
 public:
  int rank() override { return 0; }
  int size() override { return 1; }
  void barrier() override {}
  void allreduce_int(int64_t*, int, int) override {}
  void allreduce_float(double*, int, int) override {}
  std::string bcast(const std::string& bytes, int root) override {
    check(root);
    return bytes;
  }
  std::vector<std::string> gather(const std::string& bytes, int root, bool) override {
    check(root);
    return {bytes};
  }
  void send(const std::string& bytes, int dest, int tag) override {
    check(dest);
    mailbox_[tag].push_back(bytes);
  }
  std::string recv(int src, int tag) override {
    check(src);
    auto& q = mailbox_[tag];
    if (q.empty()) throw std::runtime_error("recv would wait forever: no message with tag " + std::to_string(tag));
    std::string m = q.front();
    q.pop_front();
    return m;
  }

 private:
  static void check(int r) {
    if (r != 0) throw std::runtime_error("rank " + std::to_string(r) + " does not exist in a task of 1 rank");
  }
  std::map<int, std::deque<std::string>> mailbox_;
};

Communicator& comm(wf_ctx* ctx) {
  thread_local SingleRank single;
  return ctx->comm ? *ctx->comm : single;
}

// Runs `op`; a failure becomes a task error at `loc` (raised after the C++ frames are gone).
template <typename F>
void guarded(wf_ctx* ctx, int64_t loc, F&& op) {
  std::string error;
  try {
    op();
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) raise(*ctx, loc, std::move(error));  // moved: nothing left to free
}

// Decodes `bytes` and frees them (the caller's buffer) before a failure raises past its frame.
Slot decode_or_raise(wf_ctx* ctx, int64_t loc, const char* desc, std::string& bytes) {
  Slot v = 0;
  bool ok = decode_value(*ctx, desc, bytes, v);
  std::string().swap(bytes);
  if (!ok) raise(*ctx, loc, std::string("received a message that is not a `") + desc + "`");
  return v;
}

}  // namespace

extern "C" {

int64_t wf_mpi_rank(wf_ctx* ctx) { return comm(ctx).rank(); }
int64_t wf_mpi_size(wf_ctx* ctx) { return comm(ctx).size(); }

void wf_mpi_barrier(wf_ctx* ctx, int64_t loc) {
  guarded(ctx, loc, [&] { comm(ctx).barrier(); });
}

uint64_t wf_mpi_allreduce(wf_ctx* ctx, int64_t loc, const char* desc, uint64_t v, int64_t op) {
  if (*desc == '[') {
    auto* in = slot_ptr<WfArray>(v);
    WfArray* out = make_array(*ctx, in->len);
    std::copy(in->data, in->data + in->len, out->data);
    guarded(ctx, loc, [&] {
      if (desc[1] == 'i') comm(ctx).allreduce_int(reinterpret_cast<int64_t*>(out->data), (int)out->len, (int)op);
      else comm(ctx).allreduce_float(reinterpret_cast<double*>(out->data), (int)out->len, (int)op);
    });
    return ptr_slot(out);
  }
  Slot r = v;
  guarded(ctx, loc, [&] {
    if (*desc == 'i') comm(ctx).allreduce_int(reinterpret_cast<int64_t*>(&r), 1, (int)op);
    else comm(ctx).allreduce_float(reinterpret_cast<double*>(&r), 1, (int)op);
  });
  return r;
}

uint64_t wf_mpi_bcast(wf_ctx* ctx, int64_t loc, const char* desc, uint64_t v, int64_t root) {
  std::string bytes;
  guarded(ctx, loc, [&] { bytes = comm(ctx).bcast(encode_value(desc, v), (int)root); });
  return decode_or_raise(ctx, loc, desc, bytes);
}

wf_array* wf_mpi_gather(wf_ctx* ctx, int64_t loc, const char* desc, uint64_t v, int64_t root, int64_t all) {
  std::vector<std::string> parts;
  guarded(ctx, loc, [&] { parts = comm(ctx).gather(encode_value(desc, v), (int)root, all != 0); });
  WfArray* out = make_array(*ctx, (int64_t)parts.size());
  bool ok = true;
  for (size_t i = 0; ok && i < parts.size(); ++i) ok = decode_value(*ctx, desc, parts[i], out->data[i]);
  std::vector<std::string>().swap(parts);  // freed before a failure raises past this frame
  if (!ok) raise(*ctx, loc, std::string("received a message that is not a `") + desc + "`");
  return out;
}

void wf_mpi_send(wf_ctx* ctx, int64_t loc, const char* desc, uint64_t v, int64_t dest, int64_t tag) {
  guarded(ctx, loc, [&] { comm(ctx).send(encode_value(desc, v), (int)dest, (int)tag); });
}

uint64_t wf_mpi_recv(wf_ctx* ctx, int64_t loc, const char* desc, int64_t src, int64_t tag) {
  std::string bytes;
  guarded(ctx, loc, [&] { bytes = comm(ctx).recv((int)src, (int)tag); });
  return decode_or_raise(ctx, loc, desc, bytes);
}

}  // extern "C"
