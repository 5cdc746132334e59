// A thin RAII layer over ZeroMQ sockets: the process's one context, linger 0 everywhere,
// CURVE setup, and framed send/receive of protocol messages. One thread owns each Socket.
//
// Endpoints: on one machine `ipc://` paths inside a fresh directory of mode 0700 (only this
// user can connect); across machines `tcp://` with CURVE. Each run makes two key pairs: the
// driver's (server) and one its workers share (client). A ZAP handler admits only the run's
// client key, so a peer without it fails the handshake and nothing it sends is ever read.
#pragma once

#include <string>
#include <string_view>

namespace wf::detail {

void* zmq_context();

// Runs ZeroMQ's I/O thread on `cpu` (ZMQ_THREAD_AFFINITY_CPU_ADD). It takes effect only if no
// socket of the process exists yet: the thread starts with the first one.
void zmq_io_thread_on_cpu(int cpu);

struct CurveKeys {
  std::string server_public, server_secret;  // Z85 text
  std::string client_public, client_secret;
  bool enabled() const { return !server_public.empty(); }
  static CurveKeys generate();
};

// Admits CURVE clients presenting `client_public` (Z85) to every CURVE server socket of this
// process, and no others. Starts the process's ZAP handler on first use.
void admit_curve_client(const std::string& client_public);

class Socket {
 public:
  explicit Socket(int type);  // ZMQ_ROUTER, ZMQ_DEALER, ...
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  void set_routing_id(const std::string& id);
  void make_curve_server(const CurveKeys& keys);
  void make_curve_client(const std::string& server_public, const std::string& client_public,
                         const std::string& client_secret);
  // Returns false with errno text in `error` on failure.
  bool bind(const std::string& endpoint, std::string* error = nullptr);
  bool connect(const std::string& endpoint, std::string* error = nullptr);
  // The endpoint actually bound (resolves tcp://*:0 to the chosen port).
  std::string last_endpoint() const;

  // DEALER side: one frame.
  bool send(std::string_view payload, bool dont_wait = false);
  // ROUTER side: [routing id][payload].
  bool send_to(std::string_view routing_id, std::string_view payload);
  // Receives one message without blocking: for DEALER `routing_id` is left empty. A frame
  // sequence of unexpected shape is consumed and reported as `false` with `malformed`.
  bool try_recv(std::string& payload, std::string* routing_id = nullptr, bool* malformed = nullptr);

  void* handle() const { return socket_; }

 private:
  void* socket_;
};

}  // namespace wf::detail
