// The design notes for this module are atop socket.hpp.
#include "protocol/socket.hpp"

#include <zmq.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace wf::detail {

void* zmq_context() {
  static void* ctx = [] {
    void* c = zmq_ctx_new();
    zmq_ctx_set(c, ZMQ_BLOCKY, 0);
    return c;
  }();
  return ctx;
}

void zmq_io_thread_on_cpu(int cpu) { zmq_ctx_set(zmq_context(), ZMQ_THREAD_AFFINITY_CPU_ADD, cpu); }

CurveKeys CurveKeys::generate() {
  char pub[41], sec[41], cpub[41], csec[41];
  CurveKeys k;
  if (zmq_curve_keypair(pub, sec) == 0 && zmq_curve_keypair(cpub, csec) == 0) {
    k.server_public = pub;
    k.server_secret = sec;
    k.client_public = cpub;
    k.client_secret = csec;
  }
  return k;
}

namespace {

std::mutex g_admitted_mutex;
std::set<std::string> g_admitted;  // binary (32-byte) client public keys

// The ZeroMQ Authentication Protocol (RFC 27) handler: one REP-like exchange per handshake.
void zap_loop(void* handler) {
  while (true) {
    std::vector<std::string> frames;
    int more = 1;
    while (more) {
      zmq_msg_t msg;
      zmq_msg_init(&msg);
      if (zmq_msg_recv(&msg, handler, 0) < 0) {
        zmq_msg_close(&msg);
        return;
      }
      frames.emplace_back(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
      more = zmq_msg_more(&msg);
      zmq_msg_close(&msg);
    }
    if (frames.size() < 6) continue;
    // version, request id, domain, address, identity, mechanism, credentials...
    bool ok = false;
    if (frames[5] == "CURVE" && frames.size() >= 7) {
      std::lock_guard<std::mutex> lock(g_admitted_mutex);
      ok = g_admitted.count(frames[6]) > 0;
    }
    const std::string reply[] = {"1.0", frames[1], ok ? "200" : "400", ok ? "OK" : "unknown client key", "", ""};
    for (int i = 0; i < 6; ++i) zmq_send(handler, reply[i].data(), reply[i].size(), i < 5 ? ZMQ_SNDMORE : 0);
  }
}

}  // namespace

void admit_curve_client(const std::string& client_public) {
  static std::once_flag started;
  std::call_once(started, [] {
    void* handler = zmq_socket(zmq_context(), ZMQ_REP);
    zmq_bind(handler, "inproc://zeromq.zap.01");
    std::thread(zap_loop, handler).detach();
  });
  uint8_t key[32];
  if (client_public.size() != 40 || !zmq_z85_decode(key, client_public.c_str())) return;
  std::lock_guard<std::mutex> lock(g_admitted_mutex);
  g_admitted.insert(std::string(reinterpret_cast<char*>(key), 32));
}

Socket::Socket(int type) : socket_(zmq_socket(zmq_context(), type)) {
  int zero = 0;
  zmq_setsockopt(socket_, ZMQ_LINGER, &zero, sizeof zero);
  int hwm = 0;  // never drop: the protocol loses nothing silently
  zmq_setsockopt(socket_, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_setsockopt(socket_, ZMQ_RCVHWM, &hwm, sizeof hwm);
}

Socket::~Socket() { zmq_close(socket_); }

void Socket::set_routing_id(const std::string& id) { zmq_setsockopt(socket_, ZMQ_ROUTING_ID, id.data(), id.size()); }

void Socket::make_curve_server(const CurveKeys& keys) {
  int one = 1;
  zmq_setsockopt(socket_, ZMQ_CURVE_SERVER, &one, sizeof one);
  zmq_setsockopt(socket_, ZMQ_CURVE_SECRETKEY, keys.server_secret.c_str(), 40);
}

void Socket::make_curve_client(const std::string& server_public, const std::string& client_public,
                               const std::string& client_secret) {
  zmq_setsockopt(socket_, ZMQ_CURVE_SERVERKEY, server_public.c_str(), 40);
  zmq_setsockopt(socket_, ZMQ_CURVE_PUBLICKEY, client_public.c_str(), 40);
  zmq_setsockopt(socket_, ZMQ_CURVE_SECRETKEY, client_secret.c_str(), 40);
}

bool Socket::bind(const std::string& endpoint, std::string* error) {
  if (zmq_bind(socket_, endpoint.c_str()) == 0) return true;
  if (error) *error = zmq_strerror(zmq_errno());
  return false;
}

bool Socket::connect(const std::string& endpoint, std::string* error) {
  if (zmq_connect(socket_, endpoint.c_str()) == 0) return true;
  if (error) *error = zmq_strerror(zmq_errno());
  return false;
}

std::string Socket::last_endpoint() const {
  char buf[1024];
  size_t size = sizeof buf;
  if (zmq_getsockopt(socket_, ZMQ_LAST_ENDPOINT, buf, &size) != 0) return "";
  return std::string(buf, size > 0 ? size - 1 : 0);
}

bool Socket::send(std::string_view payload, bool dont_wait) {
  return zmq_send(socket_, payload.data(), payload.size(), dont_wait ? ZMQ_DONTWAIT : 0) >= 0;
}

bool Socket::send_to(std::string_view routing_id, std::string_view payload) {
  if (zmq_send(socket_, routing_id.data(), routing_id.size(), ZMQ_SNDMORE) < 0) return false;
  return zmq_send(socket_, payload.data(), payload.size(), 0) >= 0;
}

namespace {
bool recv_frame(void* s, zmq_msg_t& msg, bool& more) {
  if (zmq_msg_recv(&msg, s, ZMQ_DONTWAIT) < 0) return false;
  int m = 0;
  size_t sz = sizeof m;
  zmq_getsockopt(s, ZMQ_RCVMORE, &m, &sz);
  more = m != 0;
  return true;
}
}  // namespace

bool Socket::try_recv(std::string& payload, std::string* routing_id, bool* malformed) {
  if (malformed) *malformed = false;
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  bool more = false;
  if (!recv_frame(socket_, msg, more)) {
    zmq_msg_close(&msg);
    return false;
  }
  size_t expected = routing_id ? 2 : 1;
  std::vector<std::string> frames;
  frames.emplace_back(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
  while (more) {  // drain the whole multipart message whatever its shape
    if (!recv_frame(socket_, msg, more)) break;
    frames.emplace_back(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
  }
  zmq_msg_close(&msg);
  if (frames.size() != expected) {
    if (malformed) *malformed = true;
    return false;
  }
  if (routing_id) *routing_id = std::move(frames[0]);
  payload = std::move(frames.back());
  return true;
}

}  // namespace wf::detail
