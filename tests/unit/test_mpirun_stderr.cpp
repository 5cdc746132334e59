// MpirunStderr (runtime/src/launch/mpirun_stderr.hpp): what of mpirun's standard error
// reaches the user. The inputs are Open MPI 4.1.4's own words, captured on a 2-core machine:
//   mpirun -n 3 /bin/true                          (not enough slots)
//   mpirun -n 1 --hostfile /nonexistent /bin/true  (no hostfile, then ORTE's internal error)
//   mpirun -n 1 /nonexistent-program               (a block wf does not explain)
//   mpirun -n 2 --enable-recovery ... (one rank SIGKILLed)  (PMIx's BAD-PARAM notice)
// Lines are fed as the forwarding thread reads them (fgets: each with its '\n').
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "launch/mpirun_stderr.hpp"

using wf::detail::MpirunStderr;

namespace {

const char* kNotEnoughSlots = R"(--------------------------------------------------------------------------
There are not enough slots available in the system to satisfy the 3
slots that were requested by the application:

  /bin/true

Either request fewer slots for your application, or make more slots
available for use.

A "slot" is the Open MPI term for an allocatable unit where we can
launch a process.  The number of slots available are defined by the
environment in which Open MPI processes are run:

  1. Hostfile, via "slots=N" clauses (N defaults to number of
     processor cores if not provided)
  2. The --host command line parameter, via a ":N" suffix on the
     hostname (N defaults to 1 if not provided)
  3. Resource manager (e.g., SLURM, PBS/Torque, LSF, etc.)
  4. If none of a hostfile, the --host command line parameter, or an
     RM is present, Open MPI defaults to the number of processor cores

In all the above cases, if you want Open MPI to default to the number
of hardware threads instead of the number of processor cores, use the
--use-hwthread-cpus option.

Alternatively, you can use the --oversubscribe option to ignore the
number of available slots when deciding the number of processes to
launch.
--------------------------------------------------------------------------
)";

const char* kNoHostfile = R"(--------------------------------------------------------------------------
Open RTE was unable to open the hostfile:
    /nonexistent
Check to make sure the path and filename are correct.
--------------------------------------------------------------------------
--------------------------------------------------------------------------
An internal error has occurred in ORTE:

[[10304,0],0] FORCE-TERMINATE AT (null):1 - error ../../../../../orte/mca/ras/base/ras_base_allocate.c(352)

This is something that should be reported to the developers.
--------------------------------------------------------------------------
)";

const char* kCannotExecute = R"(--------------------------------------------------------------------------
mpirun was unable to launch the specified application as it could not access
or execute an executable:

Executable: /nonexistent-program
Node: vm

while attempting to start process rank 0.
--------------------------------------------------------------------------
)";

const char* kInternalErrorAlone = R"(--------------------------------------------------------------------------
An internal error has occurred in ORTE:

[[10304,0],0] FORCE-TERMINATE AT (null):1 - error ../../../../../orte/mca/ras/base/ras_base_allocate.c(352)

This is something that should be reported to the developers.
--------------------------------------------------------------------------
)";

const char* kBadParam = "[vm:29624] PMIX ERROR: BAD-PARAM in file ../../../src/event/pmix_event_notification.c at line 1033\n";

// The lines of `text`, each with its '\n' (as fgets returns them).
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    out.push_back(text.substr(at, end - at));
    at = end;
  }
  return out;
}

// Feeds every line; returns what feed() said to print for each one.
std::vector<std::string> feed_all(MpirunStderr& reader, const std::string& text) {
  std::vector<std::string> shown;
  for (const std::string& line : lines_of(text)) shown.push_back(reader.feed(line));
  return shown;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += p;
  return out;
}

TEST(MpirunStderr, NotEnoughSlotsBlockBecomesADiagnosis) {
  MpirunStderr reader;
  std::vector<std::string> shown = feed_all(reader, kNotEnoughSlots);
  ASSERT_EQ(shown.size(), 29u);
  for (size_t i = 0; i < shown.size(); ++i) EXPECT_EQ(shown[i], "") << "line " << i << " was printed";
  EXPECT_EQ(reader.finish(), "");
  const std::string& d = reader.diagnosis();
  EXPECT_NE(d.find("--oversubscribe"), std::string::npos) << d;
  EXPECT_NE(d.find("3 ranks"), std::string::npos) << d;
  EXPECT_EQ(d.find('\n'), std::string::npos) << "the diagnosis is one line: " << d;
  EXPECT_EQ(d.find("slots available in the system"), std::string::npos) << "Open MPI's words copied: " << d;
}

TEST(MpirunStderr, SlotCountComesFromTheBlock) {
  std::string text = kNotEnoughSlots;
  text.replace(text.find("satisfy the 3"), 13, "satisfy the 17");
  MpirunStderr reader;
  EXPECT_EQ(joined(feed_all(reader, text)), "");
  EXPECT_NE(reader.diagnosis().find("17 ranks"), std::string::npos) << reader.diagnosis();
  EXPECT_EQ(reader.diagnosis().find("3 ranks"), std::string::npos) << reader.diagnosis();
}

TEST(MpirunStderr, MissingHostfileAndOrtesFollowUpBecomeOneDiagnosis) {
  MpirunStderr reader;
  std::vector<std::string> shown = feed_all(reader, kNoHostfile);
  ASSERT_EQ(shown.size(), 12u);
  for (size_t i = 0; i < shown.size(); ++i) EXPECT_EQ(shown[i], "") << "line " << i << " was printed";
  EXPECT_EQ(reader.finish(), "");
  const std::string& d = reader.diagnosis();
  EXPECT_NE(d.find("/nonexistent"), std::string::npos) << d;
  EXPECT_NE(d.find("hostfile"), std::string::npos) << d;
  EXPECT_EQ(d.find("internal error"), std::string::npos) << "ORTE's follow-up replaced the diagnosis: " << d;
  EXPECT_EQ(d.find('\n'), std::string::npos) << "the diagnosis is one line: " << d;
}

TEST(MpirunStderr, UnrelatedBlockPassesThroughWhole) {
  MpirunStderr reader;
  std::vector<std::string> lines = lines_of(kCannotExecute);
  std::vector<std::string> shown = feed_all(reader, kCannotExecute);
  ASSERT_EQ(shown.size(), lines.size());
  // Held until the closing rule, then all of it, in order, unchanged.
  for (size_t i = 0; i + 1 < shown.size(); ++i) EXPECT_EQ(shown[i], "") << "line " << i;
  EXPECT_EQ(shown.back(), kCannotExecute);
  EXPECT_EQ(reader.diagnosis(), "");
  EXPECT_EQ(reader.finish(), "");
}

TEST(MpirunStderr, OrtesInternalErrorAloneIsNotHidden) {
  // Only a follow-up to a failure already explained is swallowed.
  MpirunStderr reader;
  EXPECT_EQ(joined(feed_all(reader, kInternalErrorAlone)), kInternalErrorAlone);
  EXPECT_EQ(reader.diagnosis(), "");
}

TEST(MpirunStderr, OrdinaryLinesPassThrough) {
  MpirunStderr reader;
  EXPECT_EQ(reader.feed("hello from rank 0\n"), "hello from rank 0\n");
  EXPECT_EQ(reader.feed("no newline at the end"), "no newline at the end");
  EXPECT_EQ(reader.feed("\n"), "\n");
  EXPECT_EQ(reader.feed("---------\n"), "---------\n");  // too short to be a block's rule
  EXPECT_EQ(reader.feed("-- x --------------------------------------\n"), "-- x --------------------------------------\n");
  EXPECT_EQ(reader.diagnosis(), "");
  EXPECT_EQ(reader.finish(), "");
}

TEST(MpirunStderr, LinesAfterAnExplainedBlockPassThrough) {
  MpirunStderr reader;
  EXPECT_EQ(reader.feed("before\n"), "before\n");
  EXPECT_EQ(joined(feed_all(reader, kNotEnoughSlots)), "");
  EXPECT_EQ(reader.feed("after\n"), "after\n");
  EXPECT_EQ(joined(feed_all(reader, kCannotExecute)), kCannotExecute);
  EXPECT_NE(reader.diagnosis().find("--oversubscribe"), std::string::npos) << reader.diagnosis();
}

TEST(MpirunStderr, PmixBadParamLineIsDropped) {
  MpirunStderr reader;
  EXPECT_EQ(reader.feed("task output\n"), "task output\n");
  EXPECT_EQ(reader.feed(kBadParam), "");
  EXPECT_EQ(reader.feed("more output\n"), "more output\n");
  EXPECT_EQ(reader.diagnosis(), "");
  EXPECT_EQ(reader.finish(), "");
}

TEST(MpirunStderr, UnclosedBlockComesBackFromFinish) {
  std::string text = kCannotExecute;
  std::string unclosed = text.substr(0, text.rfind('\n', text.size() - 2) + 1);  // without the closing rule
  ASSERT_EQ(lines_of(unclosed).size(), lines_of(text).size() - 1);
  MpirunStderr reader;
  EXPECT_EQ(joined(feed_all(reader, unclosed)), "");
  EXPECT_EQ(reader.finish(), unclosed);
  EXPECT_EQ(reader.finish(), "") << "finish() gave the held lines twice";
  EXPECT_EQ(reader.feed("next\n"), "next\n") << "still inside the block after finish()";
}

}  // namespace
