// The design notes for this module are atop help.hpp.
#include "help.hpp"

#include <sstream>
#include <vector>

#include "compiler.hpp"

namespace wf::cli {

namespace {

struct Page {
  const char* name;
  const char* synopsis;
  const char* body;  // paragraphs separated by blank lines; lines starting "  " are option rows
};

const Page kPages[] = {
    {"check", "wfc check FILE.wf",
     "Parse and type-check FILE.wf and the files it imports, and print every compile error as\n"
     "FILE:LINE:COL: error: MESSAGE, the source line and a caret. Nothing is compiled or run.\n"
     "Exit status 0 when the program is correct, 1 when it has errors."},
    {"build", "wfc build FILE.wf -o FILE.wfo [-O0..-O3] [--emit-llvm FILE.ll]",
     "Compile FILE.wf to a worker-loadable object: native code plus a manifest of its functions,\n"
     "types and source locations. `wfc run FILE.wfo` runs it without the compiler.\n"
     "\n"
     "  -o FILE.wfo         the object to write\n"
     "  -O0 .. -O3          LLVM optimisation level (default 2)\n"
     "  --emit-llvm FILE    also write the optimised LLVM IR to FILE"},
    {"run", "wfc run FILE.wf|FILE.wfo [OPTIONS] [-- ARGS...]",
     "Compile FILE.wf (cached in $WF_CACHE_DIR or ~/.cache/wf) or load FILE.wfo, start the\n"
     "default pool of workers and run `flow main`, passing ARGS as its `[str]` parameter.\n"
     "\n"
     "  --workers N         ranks of the default pool (default: the number of cores)\n"
     "  --launcher L        how workers start: mpirun (default when Open MPI is installed),\n"
     "                      local (plain processes, no MPI), slurm (srun inside an allocation),\n"
     "                      flux (a Flux job per pool inside a Flux instance; the default when\n"
     "                      FLUX_URI is set), inprocess (threads in the driver, for debugging)\n"
     "  --hostfile F        Open MPI hostfile, for pools across nodes\n"
     "  --oversubscribe     let mpirun start more ranks than there are cores\n"
     "  --progress          a progress bar for each map, when standard error is a terminal\n"
     "  --cache DIR         keep every task's result in DIR and take it from there when the\n"
     "                      same function (same code) is called with the same arguments again:\n"
     "                      a re-run, or a run resumed after its driver was killed, does not\n"
     "                      compute it again (docs/cache.md)\n"
     "  --cache-errors      with --cache: failed tasks are cached too\n"
     "  --trace FILE        write the run's task timeline as Chrome trace-event JSON (open it\n"
     "                      in ui.perfetto.dev or chrome://tracing)\n"
     "  --graph FILE        write the task graph as it ran: DOT if FILE ends in .dot, else SVG\n"
     "                      (drawn by Graphviz's `dot`, Debian package graphviz)\n"
     "  --stats             at the end, per function (tasks, total, mean, p50, p99, failures)\n"
     "                      and per pool (workers, busy and idle shares) on standard error\n"
     "  -O0 .. -O3          optimisation level when compiling a .wf (a .wfo is already compiled)"},
    {"cache", "wfc cache ls|show|clear DIR [FUNCTION] [--csv|--json]",
     "Look into a result cache (`wfc run --cache DIR`, `pool(cache=\"DIR\")`).\n"
     "\n"
     "  ls DIR              each cached function: its identity, entries, failures and bytes\n"
     "  show DIR [FN]       arguments and results of every entry (of FN), as a table;\n"
     "                      --csv or --json (an array of objects) for pandas\n"
     "  clear DIR [FN]      remove every entry (of FN)\n"
     "\n"
     "A damaged entry is reported on standard error and skipped."},
    {"kernel", "wfc kernel install|uninstall [--user|--prefix DIR|--sys-prefix] [--name NAME]",
     "Run wf in Jupyter. `wfc kernel install` writes a kernelspec (kernel.json and two logos) that\n"
     "Jupyter finds under the name wf: `jupyter lab`, `jupyter notebook`, `jupyter console --kernel\n"
     "wf`. Jupyter then starts `wfc kernel -f CONNECTION_FILE`, which runs cells on one session:\n"
     "declarations and top-level `let`s carry over from cell to cell, and the pools stay warm\n"
     "between cells (docs/jupyter.md).\n"
     "\n"
     "  --user              in $JUPYTER_DATA_DIR, else ~/.local/share/jupyter (the default)\n"
     "  --prefix DIR        in DIR/share/jupyter (/usr/local for every user)\n"
     "  --sys-prefix        in the sys.prefix of the Python that runs Jupyter (a virtualenv's)\n"
     "  --name NAME         the kernelspec's name (default wf)\n"
     "  --display-name S    install: the name notebooks show (default wf)\n"
     "  --workers N         install: WF_WORKERS for the kernel, the size of its default pool\n"
     "  --launcher L        install: WF_LAUNCHER for the kernel (as `wfc run --launcher`)\n"
     "  -f FILE             run the kernel on a Jupyter connection file (kernel.json does this)\n"
     "\n"
     "Without --workers or --launcher, the values of WF_WORKERS and WF_LAUNCHER at install time\n"
     "are written into kernel.json, if they are set."},
    {"help", "wfc help [COMMAND]",
     "Print this overview, or the page of one command (check, build, run, cache, kernel)."},
};

const char* kDescription =
    "wfc compiles and runs wf workflows: typed .wf programs of serial `fn`s, MPI-parallel\n"
    "`mpi(ranks=N) fn`s and `flow`s that submit tasks to warm pools of worker processes\n"
    "started by mpirun, as plain processes, by Slurm or by Flux.";

const char* kEnvironment =
    "  WF_LAUNCHER         the launcher when --launcher is not given (mpirun, local, slurm,\n"
    "                      inprocess, flux); any other value is a usage error\n"
    "  WF_WORKERS          `wfc kernel`: the default pool's size (default: a worker per core)\n"
    "  FLUX_URI            set inside a Flux instance: the default launcher is then flux\n"
    "  WF_CACHE_DIR        where compiled programs are cached (default ~/.cache/wf)\n"
    "  WF_LOG=debug        log launches, placement and failures to standard error\n"
    "  OMPI_MCA_*          Open MPI settings, passed to mpirun unchanged";

const char* kExitStatus =
    "  0                   success\n"
    "  1                   a compile error or a runtime error\n"
    "  2                   bad command-line use\n"
    "  130                 interrupted by Ctrl-C (every worker ended)";

const char* kSeeAlso =
    "The language reference (docs/language.md), the runtime and command-line guide\n"
    "(docs/cli.md) and the embedding guide (docs/embedding.md) of the wf repository.";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// roff needs backslashes doubled and a leading '.' or '\'' escaped.
std::string roff_escape(const std::string& line) {
  std::string out;
  for (char c : line) out += c == '\\' ? std::string("\\e") : c == '-' ? std::string("\\-") : std::string(1, c);
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

// Option rows ("  -o FILE   text", continuation lines indented further) become .TP items;
// other lines are running text, blank lines paragraph breaks.
void roff_body(std::ostringstream& out, const std::string& text) {
  for (const std::string& l : lines_of(text)) {
    if (l.empty()) {
      out << ".PP\n";
    } else if (l.rfind("  ", 0) == 0 && l.find_first_not_of(' ') == 2) {
      size_t gap = l.find("  ", 2);
      out << ".TP\n.B " << roff_escape(l.substr(2, gap == std::string::npos ? std::string::npos : gap - 2)) << "\n";
      if (gap != std::string::npos) {
        size_t text_at = l.find_first_not_of(' ', gap);
        if (text_at != std::string::npos) out << roff_escape(l.substr(text_at)) << "\n";
      }
    } else {
      size_t text_at = l.find_first_not_of(' ');
      out << roff_escape(l.substr(text_at)) << "\n";
    }
  }
}

}  // namespace

std::string overview_text() {
  std::ostringstream out;
  out << kCompilerVersion << " - compile and run wf workflows\n\n" << kDescription << "\n\nCOMMANDS\n";
  for (const Page& p : kPages) out << "  " << p.synopsis << "\n";
  out << "  wfc --version\n\n"
      << "`wfc help COMMAND` shows one command's options.\n\nENVIRONMENT\n"
      << kEnvironment << "\n\nEXIT STATUS\n" << kExitStatus << "\n\nSEE ALSO\n" << kSeeAlso << "\n";
  return out.str();
}

std::string command_text(const std::string& command) {
  for (const Page& p : kPages)
    if (command == p.name) return std::string("usage: ") + p.synopsis + "\n\n" + p.body + "\n";
  return "";
}

std::string man_page_roff() {
  std::ostringstream out;
  out << ".TH WFC 1 \"\" \"" << kCompilerVersion << "\" \"User Commands\"\n"
      << ".SH NAME\nwfc \\- compile and run wf workflows\n.SH SYNOPSIS\n.nf\n";
  for (const Page& p : kPages) out << roff_escape(p.synopsis) << "\n";
  out << "wfc \\-\\-version\n.fi\n.SH DESCRIPTION\n";
  roff_body(out, kDescription);
  out << ".SH COMMANDS\n";
  for (const Page& p : kPages) {
    out << ".SS " << p.name << "\n.B " << roff_escape(p.synopsis) << "\n.PP\n";
    roff_body(out, p.body);
  }
  out << ".SH ENVIRONMENT\n";
  roff_body(out, kEnvironment);
  out << ".SH EXIT STATUS\n";
  roff_body(out, kExitStatus);
  out << ".SH SEE ALSO\n";
  roff_body(out, kSeeAlso);
  return out.str();
}

}  // namespace wf::cli
