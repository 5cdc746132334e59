// FluxStderr (runtime/src/launch/flux.hpp): what of `flux run -v`'s standard error reaches
// the user, and the job id taken from it. The inputs are flux-core 0.88's own words, captured
// inside `flux start --test-size=2` (2 nodes x 2 cores):
//   flux run -v -n 9 -c 1 ... wf-worker      (more workers than cores)
//   flux cancel --message="ended by wfc" ID  (what `flux job attach` then prints)
#include <gtest/gtest.h>

#include <string>

#include "launch/flux.hpp"

using wf::detail::FluxStderr;

TEST(FluxStderr, TakesTheJobIdAndHidesIt) {
  FluxStderr r;
  EXPECT_EQ(r.feed("jobid: \xc6\x92NhgVFm\n"), "");
  EXPECT_EQ(r.jobid(), "\xc6\x92NhgVFm");
  EXPECT_EQ(r.diagnosis(), "");
  // A task's own output passes through, also a later line that looks like the first.
  EXPECT_EQ(r.feed("jobid: something a task printed\n"), "jobid: something a task printed\n");
  EXPECT_EQ(r.jobid(), "\xc6\x92NhgVFm");
}

TEST(FluxStderr, ExplainsAnUnsatisfiableRequest) {
  FluxStderr r;
  r.feed("jobid: \xc6\x92NhgVFm\n");
  EXPECT_EQ(r.feed("0.027s: job.exception \xc6\x92NhgVFm type=alloc severity=0 unsatisfiable request: need 9 slot(s) "
                   "of 1 core(s), only 4 such slot(s) available (total cores: 4)\n"),
            "");
  EXPECT_EQ(r.diagnosis(),
            "Flux cannot run the pool's job (one core per worker): need 9 slot(s) of 1 core(s), only 4 such slot(s) "
            "available (total cores: 4); use fewer `--workers`, or a larger allocation (`flux alloc -N ...`)");
}

TEST(FluxStderr, DropsTheNoticeOfItsOwnCancel) {
  FluxStderr r;
  EXPECT_EQ(r.feed("4.374s: job.exception \xc6\x92TNzDps type=cancel severity=0 ended by wfc\n"), "");
  // Someone else's cancel is news.
  std::string other = "1.2s: job.exception \xc6\x92TNzDps type=cancel severity=0 cancelled by the admin\n";
  EXPECT_EQ(r.feed(other), other);
  EXPECT_EQ(r.diagnosis(), "");
}
