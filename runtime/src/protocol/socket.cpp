#include "protocol/socket.hpp"

#include <zmq.h>

#include <cerrno>
#include <cstring>
#include <mutex>
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

CurveKeys CurveKeys::generate() {
  char pub[41], sec[41];
  CurveKeys k;
  if (zmq_curve_keypair(pub, sec) == 0) {
    k.server_public = pub;
    k.server_secret = sec;
  }
  return k;
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

void Socket::make_curve_client(const std::string& server_public) {
  char pub[41], sec[41];
  zmq_curve_keypair(pub, sec);
  zmq_setsockopt(socket_, ZMQ_CURVE_SERVERKEY, server_public.c_str(), 40);
  zmq_setsockopt(socket_, ZMQ_CURVE_PUBLICKEY, pub, 40);
  zmq_setsockopt(socket_, ZMQ_CURVE_SECRETKEY, sec, 40);
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
