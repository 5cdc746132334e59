// The notebook session (runtime/src/notebook/) with real workers (the local launcher, two
// processes) and real compiled cells: declarations across cells, variables, shown values,
// redefinition, diagnostics, task errors, output, interrupt, and the text helpers.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "notebook/cell_text.hpp"
#include "notebook/notebook_session.hpp"

namespace {

using wf::notebook::CellResult;
using wf::notebook::Session;

struct Recorder : wf::notebook::CellEvents {
  std::string out, err;
  std::vector<std::string> summaries;
  void output(const std::string& stream, const std::string& text) override { (stream == "stdout" ? out : err) += text; }
  void progress(const std::string& id, size_t done, size_t total, bool finished, const std::string& summary) override {
    (void)id, (void)done, (void)total;
    if (finished) summaries.push_back(summary);
  }
};

class NotebookSession : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv("WF_WORKER", WF_TEST_WORKER, 1);
    wf::notebook::SessionOptions options;
    options.workers = 2;
    options.launcher = "local";
    session_ = new Session(options);
  }
  static void TearDownTestSuite() {
    delete session_;
    session_ = nullptr;
  }
  CellResult run(const std::string& code, Recorder* events = nullptr) {
    Recorder local;
    return session_->execute(++number_, code, events ? *events : local);
  }
  static Session* session_;
  static int number_;
};
Session* NotebookSession::session_ = nullptr;
int NotebookSession::number_ = 0;

TEST_F(NotebookSession, ALaterCellCallsAnEarlierCellsFunctionAndShowsTheValue) {
  ASSERT_EQ(run("fn square(x: int) -> int { return x * x; }").status, CellResult::Ok);
  CellResult r = run("square(7)");
  ASSERT_EQ(r.status, CellResult::Ok) << r.evalue;
  EXPECT_TRUE(r.has_value);
  EXPECT_EQ(r.text, "49");
  CellResult quiet = run("square(7);");
  EXPECT_EQ(quiet.status, CellResult::Ok);
  EXPECT_FALSE(quiet.has_value);
}

TEST_F(NotebookSession, VariablesStayVisibleAndVarsChangeInPlace) {
  ASSERT_EQ(run("fn twice(x: int) -> int { return 2 * x; }\nlet xs = map(twice, [1, 2, 3]);\nvar acc = [10];").status,
            CellResult::Ok);
  CellResult r = run("push(acc, sum(xs));\nacc");
  ASSERT_EQ(r.status, CellResult::Ok) << r.evalue;
  EXPECT_EQ(r.text, "[10, 12]");
  EXPECT_EQ(run("acc").text, "[10, 12]");
  // Bound again in a later cell: the new value wins.
  ASSERT_EQ(run("let xs = \"now a string\";").status, CellResult::Ok);
  EXPECT_EQ(run("xs").text, "now a string");
}

TEST_F(NotebookSession, AFailedCellKeepsNoneOfItsBindings) {
  ASSERT_EQ(run("let kept = 1;").status, CellResult::Ok);
  CellResult r = run("let kept = 2;\nfail(\"boom\");");
  EXPECT_EQ(r.status, CellResult::RuntimeError);
  EXPECT_EQ(r.evalue, "boom");
  EXPECT_EQ(run("kept").text, "1");
}

TEST_F(NotebookSession, RedefiningAFunctionReachesTheFunctionsThatCallIt) {
  ASSERT_EQ(run("fn base() -> int { return 1; }\nfn user() -> int { return base() + 10; }").status, CellResult::Ok);
  EXPECT_EQ(run("submit(user).result()").text, "11");
  Recorder events;
  ASSERT_EQ(run("fn base() -> int { return 5; }", &events).status, CellResult::Ok);
  EXPECT_NE(events.err.find("`base` is redefined"), std::string::npos) << events.err;
  EXPECT_EQ(run("submit(user).result()").text, "15");
  EXPECT_EQ(run("user()").text, "15");
}

TEST_F(NotebookSession, ACompileErrorNamesTheCellLineAndColumn) {
  CellResult r = run("let a = 1;\nlet b: int = \"text\";");
  ASSERT_EQ(r.status, CellResult::CompileError);
  std::string all;
  for (const std::string& line : r.traceback) all += line + "\n";
  EXPECT_NE(all.find("cell[" + std::to_string(number_) + "]:2:"), std::string::npos) << all;
  EXPECT_NE(all.find("^"), std::string::npos) << all;
}

TEST_F(NotebookSession, TaskErrorsCaughtOrNot) {
  ASSERT_EQ(run("fn bad(x: int) -> int { if x > 2 { fail(\"too big\"); } return x; }").status, CellResult::Ok);
  Recorder events;
  CellResult caught = run("try { submit(bad, 5).result(); } catch e { print(\"caught\", e); }", &events);
  EXPECT_EQ(caught.status, CellResult::Ok);
  EXPECT_EQ(events.out, "caught too big\n");
  CellResult uncaught = run("map(bad, [1, 2, 3])");
  ASSERT_EQ(uncaught.status, CellResult::RuntimeError);
  EXPECT_EQ(uncaught.ename, "TaskError");
  std::string all;
  for (const std::string& line : uncaught.traceback) all += line + "\n";
  EXPECT_NE(all.find("in task bad(3) on worker"), std::string::npos) << all;
}

TEST_F(NotebookSession, OutputOfTheFlowAndOfTasksReachesTheCell) {
  ASSERT_EQ(run("fn loud(x: int) -> int { print(\"task\", x); eprint(\"warn\", x); return x; }").status, CellResult::Ok);
  Recorder events;
  ASSERT_EQ(run("print(\"flow\");\nlet r = submit(loud, 4).result();", &events).status, CellResult::Ok);
  EXPECT_EQ(events.out, "flow\ntask 4\n");
  EXPECT_EQ(events.err, "warn 4\n");
}

TEST_F(NotebookSession, AFutureOutlivesItsCell) {
  ASSERT_EQ(run("fn slow(x: int) -> int { sleep(0.2); return x + 1; }\nlet f = submit(slow, 41);").status, CellResult::Ok);
  EXPECT_EQ(run("f.result()").text, "42");
}

TEST_F(NotebookSession, AMapReportsItsProgressAndASummary) {
  ASSERT_EQ(run("fn inc(x: int) -> int { return x + 1; }").status, CellResult::Ok);
  Recorder events;
  CellResult r = run("len(map(inc, [i for i in 0..1000]))", &events);
  ASSERT_EQ(r.status, CellResult::Ok) << r.evalue;
  EXPECT_EQ(r.text, "1000");
  ASSERT_EQ(events.summaries.size(), 1u);
  EXPECT_NE(events.summaries[0].find("1000/1000"), std::string::npos) << events.summaries[0];
  EXPECT_EQ(events.out, "");
}

TEST_F(NotebookSession, AnInterruptEndsTheCellAndKeepsThePool) {
  ASSERT_EQ(run("fn nap(x: int) -> int { sleep(0.1); return x; }").status, CellResult::Ok);
  std::thread interrupter([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    session_->interrupt();
  });
  auto started = std::chrono::steady_clock::now();
  CellResult r = run("map(nap, [i for i in 0..400])");
  interrupter.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(r.status, CellResult::Interrupted) << r.evalue;
  EXPECT_LT(seconds, 10.0);  // 400 naps on 2 workers would take 20 s
  CellResult after = run("submit(nap, 3).result()");
  EXPECT_EQ(after.status, CellResult::Ok) << after.evalue;
  EXPECT_EQ(after.text, "3");
}

// Interrupts `session` after `ms` milliseconds, from another thread.
struct DelayedInterrupt {
  DelayedInterrupt(Session* session, int ms)
      : thread([session, ms] {
          std::this_thread::sleep_for(std::chrono::milliseconds(ms));
          session->interrupt();
        }) {}
  ~DelayedInterrupt() { thread.join(); }
  std::thread thread;
};

TEST_F(NotebookSession, AnInterruptStopsALoopOrASleepAmongTheCellsStatements) {
  {
    DelayedInterrupt soon(session_, 300);
    CellResult r = run("var n = 0;\nwhile true {\n    n += 1;\n}");
    EXPECT_EQ(r.status, CellResult::Interrupted) << r.evalue;
    ASSERT_FALSE(r.traceback.empty());
    std::string trace;
    for (const std::string& line : r.traceback) trace += line + "\n";
    EXPECT_NE(trace.find(":2:"), std::string::npos) << trace;  // the `while` of line 2
  }
  {
    DelayedInterrupt soon(session_, 300);
    auto started = std::chrono::steady_clock::now();
    CellResult r = run("sleep(30.0);\nprint(\"not reached\");");
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_EQ(r.status, CellResult::Interrupted) << r.evalue;
    EXPECT_LT(seconds, 10.0);
  }
  {
    // A `try` that catches every task error does not hold the cell: the interrupt is not one.
    ASSERT_EQ(run("fn doze(x: int) -> int { sleep(0.05); return x; }").status, CellResult::Ok);
    DelayedInterrupt soon(session_, 300);
    Recorder events;
    CellResult r = run("var caught = 0;\nfor i in 0..1000 {\n    try {\n        submit(doze, i).result();\n"
                       "    } catch e {\n        caught += 1;\n    }\n}\nprint(\"after the loop\");",
                       &events);
    EXPECT_EQ(r.status, CellResult::Interrupted) << r.evalue;
    EXPECT_EQ(events.out.find("after the loop"), std::string::npos) << events.out;
  }
  CellResult after = run("for i in 0..3 {\n    sleep(0.01);\n}\n7");
  EXPECT_EQ(after.status, CellResult::Ok) << after.evalue;
  EXPECT_EQ(after.text, "7");
}

// Writes `text` to `path`.
void write_text(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  std::fputs(text.c_str(), f);
  std::fclose(f);
}

TEST_F(NotebookSession, ImportingAnEditedFileAgainReplacesItsDeclarations) {
  char dir_template[] = "/tmp/wf-import-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  std::string dir = dir_template;
  write_text(dir + "/lib.wf", "import \"base.wf\";\nfn lib_inc(x: int) -> int { return lib_base(x) + 1; }\n");
  write_text(dir + "/base.wf", "fn lib_base(x: int) -> int { return x * 10; }\n");
  std::string import = "import \"" + dir + "/lib.wf\";";
  CellResult first = run(import);
  ASSERT_EQ(first.status, CellResult::Ok) << (first.traceback.empty() ? first.evalue : first.traceback.front());
  ASSERT_EQ(run("fn lib_twice(x: int) -> int { return lib_inc(lib_inc(x)); }").status, CellResult::Ok);
  EXPECT_EQ(run("lib_twice(1)").text, "111");  // lib_inc(1) = 11, lib_inc(11) = 111

  // Unchanged: importing again changes nothing and says nothing.
  Recorder quiet;
  ASSERT_EQ(run(import, &quiet).status, CellResult::Ok);
  EXPECT_EQ(quiet.err, "");

  // A file the imported one imports is edited: importing the first again picks it up, and the
  // cell's function that reaches it calls the new code, on the workers too.
  write_text(dir + "/base.wf", "fn lib_base(x: int) -> int { return x * 100; }\n");
  Recorder notes;
  ASSERT_EQ(run(import, &notes).status, CellResult::Ok);
  EXPECT_NE(notes.err.find("`lib_base` is redefined"), std::string::npos) << notes.err;
  EXPECT_EQ(run("lib_twice(1)").text, "10101");  // lib_inc(1) = 101, lib_inc(101) = 10101
  EXPECT_EQ(run("submit(lib_twice, 1).result()").text, "10101");

  // A cell may redefine an imported function too.
  ASSERT_EQ(run("fn lib_base(x: int) -> int { return x; }").status, CellResult::Ok);
  EXPECT_EQ(run("lib_twice(1)").text, "3");

  // An edit with a mistake is a diagnostic in the file, and the session keeps what it had.
  write_text(dir + "/lib.wf", "fn lib_inc(x: int) -> int { return x + ; }\n");
  CellResult broken = run(import);
  EXPECT_EQ(broken.status, CellResult::CompileError);
  ASSERT_FALSE(broken.traceback.empty());
  EXPECT_NE(broken.traceback.front().find("lib.wf:1:"), std::string::npos) << broken.traceback.front();
  EXPECT_EQ(run("lib_twice(1)").text, "3");
  std::filesystem::remove_all(dir);
}

TEST_F(NotebookSession, MagicLinesAskForTheGraphAndTheStatsOfTheCellsTasks) {
  ASSERT_EQ(run("fn pic_double(x: int) -> int { return 2 * x; }\nfn pic_add(a: int, b: int) -> int { return a + b; }")
                .status,
            CellResult::Ok);
  CellResult r = run("%graph\n%stats\n\nlet a = submit(pic_double, 1);\nlet b = submit(pic_double, 2);\n"
                     "submit(pic_add, a, b).result()");
  ASSERT_EQ(r.status, CellResult::Ok) << r.evalue;
  EXPECT_EQ(r.text, "6");
  EXPECT_NE(r.stats.find("wf stats:"), std::string::npos) << r.stats;
  EXPECT_NE(r.stats.find("pic_double"), std::string::npos) << r.stats;
  EXPECT_NE(r.stats.find("pic_add"), std::string::npos) << r.stats;
  ASSERT_NE(r.graph_svg.find("<svg"), std::string::npos) << r.graph_svg.substr(0, 200);
  EXPECT_NE(r.graph_svg.find("pic_add(2, 4)"), std::string::npos);  // a node per call, labelled with it
  EXPECT_NE(r.graph_svg.find("class=\"edge\""), std::string::npos);  // pic_add took the doubles' results

  // A cell without magics records nothing and shows nothing; the next one sees only its own tasks.
  CellResult plain = run("submit(pic_double, 5).result()");
  EXPECT_TRUE(plain.stats.empty());
  EXPECT_TRUE(plain.graph_svg.empty());
  CellResult again = run("%stats\nsubmit(pic_add, 1, 1).result()");
  EXPECT_EQ(again.stats.find("pic_double"), std::string::npos) << again.stats;
  EXPECT_NE(again.stats.find("pic_add"), std::string::npos) << again.stats;

  // The magic lines keep the cell's line numbers; an unknown magic is a diagnostic.
  CellResult wrong = run("%stats\nlet x = ;");
  ASSERT_EQ(wrong.status, CellResult::CompileError);
  EXPECT_NE(wrong.traceback.front().find(":2:"), std::string::npos) << wrong.traceback.front();
  CellResult unknown = run("%timeline\n1");
  ASSERT_EQ(unknown.status, CellResult::CompileError);
  EXPECT_NE(unknown.evalue.find(":1:1: error: unknown cell magic `%timeline`"), std::string::npos) << unknown.evalue;
}

TEST_F(NotebookSession, RecordsShowAsAnHtmlTable) {
  ASSERT_EQ(run("struct P { x: int, name: str }").status, CellResult::Ok);
  CellResult r = run("[P(1, \"a\"), P(2, \"b<\")]");
  ASSERT_EQ(r.status, CellResult::Ok) << r.evalue;
  EXPECT_NE(r.html.find("<th>name</th>"), std::string::npos) << r.html;
  EXPECT_NE(r.html.find("<td>b&lt;</td>"), std::string::npos) << r.html;
}

TEST_F(NotebookSession, CompletionAndInspection) {
  ASSERT_EQ(run("// Adds one.\nfn add_one(x: int) -> int { return x + 1; }").status, CellResult::Ok);
  wf::notebook::Completion c = session_->complete("let y = add_", 12);
  EXPECT_EQ(c.start, 8u);
  ASSERT_EQ(c.matches.size(), 1u);
  EXPECT_EQ(c.matches[0], "add_one");
  EXPECT_NE(std::find(session_->complete("pri", 3).matches.begin(), session_->complete("pri", 3).matches.end(), "print"),
            session_->complete("pri", 3).matches.end());
  EXPECT_EQ(session_->inspect("add_one(3)", 2), "fn add_one(x: int) -> int\n\nAdds one.\n");
  EXPECT_NE(session_->inspect("print", 5).find("print(values...)"), std::string::npos);
}

TEST_F(NotebookSession, APoolInAVariableStaysUpAcrossCells) {
  ASSERT_EQ(run("extern fn getpid() -> int from \"libc.so.6\";\nfn pid(x: int) -> int { return getpid(); }").status,
            CellResult::Ok);
  ASSERT_EQ(run("let p = pool(workers=1);\nlet first = p.submit(pid, 0).result();").status, CellResult::Ok);
  CellResult again = run("p.submit(pid, 0).result() == first");
  ASSERT_EQ(again.status, CellResult::Ok) << again.evalue;
  EXPECT_EQ(again.text, "true");
}

TEST_F(NotebookSession, ExitEndsTheCellNotTheSession) {
  CellResult r = run("exit(3);");
  EXPECT_EQ(r.status, CellResult::RuntimeError);
  EXPECT_EQ(r.evalue, "exit(3)");
  EXPECT_EQ(run("1 + 1").text, "2");
}

// A second session in the same process: its cells link in a JIT of their own, and it runs an
// `mpi(ranks=2)` task beside serial work under mpirun.
TEST(NotebookMpi, AnMpiTaskBesideSerialWork) {
  if (system("command -v mpirun > /dev/null") != 0) GTEST_SKIP() << "mpirun is not installed";
  setenv("WF_WORKER", WF_TEST_WORKER, 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
  wf::notebook::SessionOptions options;
  options.workers = 2;
  options.launcher = "mpirun";
  Session session(options);
  Recorder events;
  CellResult defs = session.execute(1,
                                    "mpi(ranks=2) fn ranks_sum(x: int) -> int { return allreduce_sum(x + rank()); }\n"
                                    "fn square(x: int) -> int { return x * x; }",
                                    events);
  ASSERT_EQ(defs.status, CellResult::Ok) << defs.evalue << (defs.traceback.empty() ? "" : defs.traceback[0]);
  CellResult r = session.execute(2, "let m = submit(ranks_sum, 10);\nlet s = map(square, [1, 2, 3]);\n(m.result(), s)", events);
  ASSERT_EQ(r.status, CellResult::Ok) << r.evalue << (r.traceback.empty() ? "" : r.traceback[0]);
  EXPECT_EQ(r.text, "(21, [1, 4, 9])");
}

TEST(CellText, IsCompleteFollowsBracketsAndStrings) {
  std::string indent;
  EXPECT_EQ(wf::notebook::completeness("fn f() {", indent), "incomplete");
  EXPECT_EQ(indent, "    ");
  EXPECT_EQ(wf::notebook::completeness("fn f() { return; }", indent), "complete");
  EXPECT_EQ(wf::notebook::completeness("let s = \"{\";", indent), "complete");
  EXPECT_EQ(wf::notebook::completeness("let a = [1, 2", indent), "incomplete");
  EXPECT_EQ(wf::notebook::completeness("}", indent), "invalid");
}

}  // namespace
