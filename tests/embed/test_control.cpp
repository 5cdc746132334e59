// Futures control and per-task resources through the embedding API (LANGUAGE.md §17-§18):
// Future::cancel of a task waiting in a one-worker pool's pipeline, wait_for, wf::wait_any,
// and TaskOptions (threads= seen by the task; ranks= checked against the declaration).
// Functions are in control.wf; workers are real processes of the local launcher.
#include <gtest/gtest.h>
#include <wf/wf.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

const std::string kDir = WF_EMBED_TEST_DIR;

wf::Runtime& runtime() {
  static wf::Runtime rt({.workers = 1, .launcher = wf::Launcher::Local});
  return rt;
}

wf::Program& program() {
  static wf::Program prog = runtime().compile_file(kDir + "/control.wf");
  return prog;
}

}  // namespace

TEST(Control, CancelWithdrawsAQueuedTaskButNotARunningOne) {
  wf::Pool pool = runtime().pool({.workers = 1, .launcher = wf::Launcher::Local});
  wf::Future slow = pool.submit(program()["nap"], 0.5);
  wf::Future queued = pool.submit(program()["nap"], 0.01);
  EXPECT_FALSE(slow.wait_for(0.05));  // still running
  EXPECT_TRUE(queued.cancel());
  EXPECT_TRUE(queued.done());
  EXPECT_EQ(queued.error(), "cancelled");
  EXPECT_THROW(queued.get<double>(), wf::TaskError);
  EXPECT_FALSE(queued.cancel());  // already cancelled
  EXPECT_DOUBLE_EQ(slow.get<double>(), 0.5);
  EXPECT_FALSE(slow.cancel());  // done
}

TEST(Control, WaitAnyReturnsTheFirstDoneIndex) {
  wf::Pool pool = runtime().pool({.workers = 2, .launcher = wf::Launcher::Local});
  std::vector<wf::Future> fs = {pool.submit(program()["nap"], 0.6), pool.submit(program()["nap"], 0.01)};
  EXPECT_EQ(wf::wait_any(fs), 1u);
  EXPECT_THROW(wf::wait_any({}), wf::Error);
}

TEST(Control, ThreadsAreSetForTheTaskOnly) {
  wf::Pool pool = runtime().pool({.workers = 2, .launcher = wf::Launcher::Local});
  EXPECT_EQ(pool.submit({.threads = 2}, program()["threads_seen"]).get<std::string>(), "2");
  std::string after = pool.submit(program()["threads_seen"]).get<std::string>();
  EXPECT_NE(after, "2");
}

TEST(Control, RanksAreCheckedAgainstTheDeclaration) {
  EXPECT_THROW(runtime().submit(program()["width"]), wf::TypeError);                 // needs ranks
  EXPECT_THROW(runtime().submit({.ranks = 2}, program()["nap"], 0.1), wf::TypeError);  // not an mpi fn
}

TEST(Control, APoolWithACacheRunsARepeatedCallOnce) {
  char dir[] = "/tmp/wf-embed-cache-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string counter = std::string(dir) + "/ran.txt";
  wf::Pool pool = runtime().pool({.workers = 1, .launcher = wf::Launcher::Local, .cache = std::string(dir) + "/cache"});
  EXPECT_EQ(pool.submit(program()["counted"], counter, 4).get<int64_t>(), 40);
  EXPECT_EQ(pool.submit(program()["counted"], counter, 4).get<int64_t>(), 40);  // from the cache
  EXPECT_EQ(pool.submit(program()["counted"], counter, 5).get<int64_t>(), 50);
  std::ifstream in(counter);
  std::string ran((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(ran, "4\n5\n");
  std::filesystem::remove_all(dir);
}
