/* W1's floor: round trip of a 64-byte message between two processes over ZeroMQ ipc://,
 * DEALER (parent) <-> DEALER (forked child, echoes).
 * usage: zmq_pingpong [n=2000] [warmup=100]
 * prints: RESULT ZMQ p50_us=.. p99_us=.. mean_us=.. n=.. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

#define MSG 64

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  int warm = argc > 2 ? atoi(argv[2]) : 100;
  char dir[] = "/tmp/wfbench-zmq-XXXXXX";
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
  char endpoint[256];
  snprintf(endpoint, sizeof endpoint, "ipc://%s/pp", dir);

  pid_t child = fork();
  if (child < 0) { perror("fork"); return 1; }
  if (child == 0) { /* echo side */
    void* ctx = zmq_ctx_new();
    void* s = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(s, endpoint) != 0) { perror("zmq_connect"); _exit(1); }
    char buf[MSG];
    for (int i = 0; i < n + warm; i++) {
      int r = zmq_recv(s, buf, sizeof buf, 0);
      if (r != MSG) _exit(2);
      if (zmq_send(s, buf, MSG, 0) != MSG) _exit(3);
    }
    zmq_close(s);
    zmq_ctx_term(ctx);
    _exit(0);
  }

  void* ctx = zmq_ctx_new();
  void* s = zmq_socket(ctx, ZMQ_DEALER);
  int linger = 0;
  zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
  if (zmq_bind(s, endpoint) != 0) { perror("zmq_bind"); return 1; }
  char msg[MSG], back[MSG];
  double* lat = malloc(sizeof(double) * (size_t)n);
  int bad = 0;
  for (int i = 0; i < n + warm; i++) {
    memset(msg, 'a' + i % 26, MSG);
    double t0 = now();
    zmq_send(s, msg, MSG, 0);
    int r = zmq_recv(s, back, MSG, 0);
    double dt = now() - t0;
    if (r != MSG || memcmp(msg, back, MSG) != 0) bad++;
    if (i >= warm) lat[i - warm] = dt;
  }
  int status = 0;
  waitpid(child, &status, 0);
  zmq_close(s);
  zmq_ctx_term(ctx);
  char path[300];
  snprintf(path, sizeof path, "%s/pp", dir);
  unlink(path);
  rmdir(dir);
  if (bad || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "zmq_pingpong: %d bad replies, child status %d\n", bad, status);
    return 1;
  }
  double sum = 0;
  for (int i = 0; i < n; i++) sum += lat[i];
  qsort(lat, (size_t)n, sizeof(double), cmp);
  int i50 = n / 2, i99 = (int)(0.99 * n);
  if (i99 >= n) i99 = n - 1;
  printf("RESULT ZMQ p50_us=%.2f p99_us=%.2f mean_us=%.2f n=%d\n", lat[i50] * 1e6, lat[i99] * 1e6,
         sum / n * 1e6, n);
  free(lat);
  return 0;
}
