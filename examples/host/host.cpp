// A C++ host that embeds wf: compile a workflow file, submit a task, map over a vector,
// and catch a task's error as a C++ exception. Built against the installed package:
//   cmake -S examples/host -B build-host -DCMAKE_PREFIX_PATH=<prefix> && cmake --build build-host
//   ./build-host/wf_host examples/host/kernels.wf
#include <wf/wf.hpp>

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  std::string source = argc > 1 ? argv[1] : "kernels.wf";
  wf::Runtime rt({.workers = 2});
  wf::Program prog = rt.compile_file(source);

  wf::Future f = rt.submit(prog["count_hits"], int64_t{200'000}, int64_t{1});
  std::printf("hits %lld\n", (long long)f.get<int64_t>());

  std::vector<double> ys = rt.map<double>(prog["square"], std::vector<double>{1, 2, 3});
  std::printf("squares %g %g %g\n", ys[0], ys[1], ys[2]);

  try {
    rt.submit(prog["checked_sqrt"], -4.0).get<double>();
  } catch (const wf::TaskError& e) {
    std::printf("task error: %s\n%s", e.what(), e.report().c_str());
  }
  try {
    rt.submit(prog["square"], std::string("not a number"));
  } catch (const wf::TypeError& e) {
    std::printf("type error: %s\n", e.what());
  }
  return 0;
}
