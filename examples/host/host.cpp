// A C++ host that embeds wf: compile a workflow file, submit a task, map over a vector
// (blocking, and with futures), pass a record and receive a dictionary, and catch wf's
// errors as C++ exceptions. Built against the
// installed package:
//   cmake -S examples/host -B build-host -DCMAKE_PREFIX_PATH=<prefix> && cmake --build build-host
//   ./build-host/wf_host examples/host/kernels.wf
#include <wf/wf.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

// The wf struct `Point` of kernels.wf, as a C++ struct: its fields by name.
struct Point {
  double x, y;
};
WF_RECORD(Point, x, y);

int main(int argc, char** argv) {
  std::string source = argc > 1 ? argv[1] : "kernels.wf";
  try {
    wf::Runtime rt({.workers = 2});  // launcher: mpirun if installed, else local
    wf::Program prog = rt.compile_file(source);

    wf::Future f = rt.submit(prog["count_hits"], int64_t{200'000}, int64_t{1});
    std::printf("hits %lld\n", (long long)f.get<int64_t>());

    // map blocks until every element is done; map_async returns a MapFuture at once.
    std::vector<double> ys = rt.map<double>(prog["square"], std::vector<double>{1, 2, 3});
    std::printf("squares %g %g %g\n", ys[0], ys[1], ys[2]);
    wf::MapFuture pending = rt.map_async(prog["square"], std::vector<double>{4, 5, 6});
    std::vector<double> zs = pending.get<double>();  // waits
    std::printf("squares %g %g %g\n", zs[0], zs[1], zs[2]);

    // Records and dictionaries: an adapted struct, a std::map.
    Point q = rt.submit(prog["shift"], Point{1, 2}).get<Point>();
    std::printf("shifted %g %g\n", q.x, q.y);
    auto counts = rt.submit(prog["count_words"], std::vector<std::string>{"to", "be", "or", "not", "to", "be"})
                      .get<std::map<std::string, int64_t>>();
    for (const auto& [word, n] : counts) std::printf("%s=%lld ", word.c_str(), (long long)n);
    std::printf("\n");

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
    try {
      rt.submit(prog["shift"], wf::Record("Point", {{"x", 1.0}, {"z", 2.0}}));
    } catch (const wf::TypeError& e) {
      std::printf("type error: %s\n", e.what());
    }
    try {
      rt.submit(prog["cube"], 2.0);
    } catch (const wf::UnknownFunction& e) {
      std::printf("unknown function: %s\n", e.name().c_str());
    }
  } catch (const wf::Error& e) {  // CompileError, LoadError, ...: every error of wf
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
