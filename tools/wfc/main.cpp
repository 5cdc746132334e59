// wfc: the command-line tool (RUNTIME.md "Command line"). Argument parsing and exit
// statuses only; the work happens in compiler/ and runtime/.
//   0 success, 1 compile or runtime error, 2 bad command-line use, 130 interrupted.
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include "compiler.hpp"
#include "driver/run_main.hpp"
#include "cache_command.hpp"
#include "help.hpp"
#include "launch/launcher.hpp"
#include "kernel/kernelspec.hpp"
#include "kernel/run_kernel.hpp"

namespace {

std::string cache_dir() {
  if (const char* d = std::getenv("WF_CACHE_DIR")) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/wf";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/wf";
  return "";
}

// The identity of this wfc build: a rebuilt compiler must not reuse objects cached by the
// previous one, even under the same version number.
std::string build_identity() {
  struct stat st;
  if (::stat("/proc/self/exe", &st) != 0) return "";
  return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

bool is_object_file(const std::string& path) {
  return path.size() > 4 && path.compare(path.size() - 4, 4, ".wfo") == 0;
}

int status_of(wf::CompileStatus s) { return s == wf::CompileStatus::Ok ? 0 : 1; }

const std::vector<std::string> kCommands = {"check", "build", "run", "cache", "kernel", "help"};

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

bool is_one_of(const std::string& word, const std::vector<std::string>& words) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// `wfc frobnicate`: CLI11 would only say that a subcommand is required.
int unknown_command(const std::string& word) {
  std::cerr << "wfc: unknown command `" << word << "`; the commands are " << joined(kCommands)
            << " (see `wfc help`)\n";
  return 2;
}

int write_man_page(const std::string& path) {
  std::ofstream out(path);
  out << wf::cli::man_page_roff();
  if (out.flush()) return 0;
  std::cerr << "wfc: cannot write `" << path << "`: " << std::strerror(errno) << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wfc: compile and run wf workflows", "wfc"};
  app.set_version_flag("--version", wf::kCompilerVersion);
  app.require_subcommand(1);

  std::string file, output, emit_llvm, launcher, hostfile;
  int opt_level = 2, workers = 0;
  bool oversubscribe = false, progress = false;
  std::vector<std::string> main_args;

  CLI::App* check = app.add_subcommand("check", "parse and type-check; print diagnostics only");
  check->add_option("file", file, "the .wf file")->required();

  CLI::App* build = app.add_subcommand("build", "compile to a worker-loadable object (.wfo)");
  build->add_option("file", file, "the .wf file")->required();
  build->add_option("-o", output, "the object to write")->required();
  build->add_option("-O", opt_level, "optimization level 0-3 (default 2)")->check(CLI::Range(0, 3));
  build->add_option("--emit-llvm", emit_llvm, "also write the optimized LLVM IR here");

  CLI::App* run = app.add_subcommand("run", "compile (cached) and run `flow main`");
  run->add_option("file", file, "a .wf file or a .wfo object")->required();
  run->add_option("args", main_args, "arguments for `main`, after --");
  run->add_option("--workers", workers, "ranks of the default pool (default: number of cores)")->check(CLI::Range(1, 1 << 20));
  run->add_option("--launcher", launcher, "how workers start")->check(CLI::IsMember(wf::detail::launcher_names()));
  run->add_option("--hostfile", hostfile, "Open MPI hostfile (multi-node)");
  run->add_flag("--oversubscribe", oversubscribe, "allow more ranks than cores");
  run->add_flag("--progress", progress, "progress bar for each map (on a terminal)");
  run->add_option("-O", opt_level, "optimization level 0-3 (default 2)")->check(CLI::Range(0, 3));
  std::string result_cache;
  bool cache_errors = false;
  run->add_option("--cache", result_cache, "keep task results in this directory and reuse them (docs/cache.md)");
  run->add_flag("--cache-errors", cache_errors, "with --cache: failed tasks are cached too");
  std::string trace_file;
  bool stats = false;
  run->add_option("--trace", trace_file, "write a Chrome trace-event JSON of the run (Perfetto, chrome://tracing)");
  run->add_flag("--stats", stats, "at the end, a summary per function and pool on standard error");
  std::string graph_file;
  run->add_option("--graph", graph_file, "write the task graph: DOT for a .dot file, else SVG (Graphviz)");

  CLI::App* cache = app.add_subcommand("cache", "list, show or clear a result cache");
  cache->require_subcommand(1);
  std::string cache_fn;
  bool as_csv = false, as_json = false;
  CLI::App* cache_ls = cache->add_subcommand("ls", "functions, entry counts and sizes");
  cache_ls->add_option("dir", file, "the cache directory")->required();
  CLI::App* cache_show = cache->add_subcommand("show", "arguments and results, as a table");
  cache_show->add_option("dir", file, "the cache directory")->required();
  cache_show->add_option("function", cache_fn, "only this function");
  cache_show->add_flag("--csv", as_csv, "comma-separated values, a header line per function");
  cache_show->add_flag("--json", as_json, "a JSON array of entries (pandas.read_json)");
  CLI::App* cache_clear = cache->add_subcommand("clear", "remove entries");
  cache_clear->add_option("dir", file, "the cache directory")->required();
  cache_clear->add_option("function", cache_fn, "only this function's");

  // `wfc kernel -f FILE` is what Jupyter runs; install/uninstall manage its kernelspec.
  CLI::App* kernel = app.add_subcommand("kernel", "the Jupyter kernel, and its kernelspec");
  kernel->require_subcommand(0, 1);
  std::string connection_file;
  kernel->add_option("-f", connection_file, "the connection file Jupyter gives the kernel");
  CLI::App* kernel_install = kernel->add_subcommand("install", "install the kernelspec (default: --user)");
  CLI::App* kernel_uninstall = kernel->add_subcommand("uninstall", "remove the kernelspec");
  bool spec_user = false, spec_sys_prefix = false;
  std::string spec_prefix, spec_name = "wf", spec_display_name;
  for (CLI::App* sub : {kernel_install, kernel_uninstall}) {
    CLI::Option* user = sub->add_flag("--user", spec_user, "in the user's Jupyter data directory (the default)");
    CLI::Option* prefix = sub->add_option("--prefix", spec_prefix, "in PREFIX/share/jupyter/kernels");
    CLI::Option* sys_prefix = sub->add_flag("--sys-prefix", spec_sys_prefix, "in the Jupyter Python's sys.prefix");
    user->excludes(prefix, sys_prefix);
    prefix->excludes(sys_prefix);
    sub->add_option("--name", spec_name, "the kernel's name (default wf)");
  }
  kernel_install->add_option("--display-name", spec_display_name, "the name notebooks show (default wf)");
  kernel_install->add_option("--workers", workers, "WF_WORKERS for the kernel")->check(CLI::Range(1, 1 << 20));
  kernel_install->add_option("--launcher", launcher, "WF_LAUNCHER for the kernel")->check(CLI::IsMember(wf::detail::launcher_names()));

  CLI::App* help = app.add_subcommand("help", "show help for wfc or one command");
  std::string help_topic, man_page;
  help->add_option("command", help_topic);
  help->add_option("--man-page", man_page, "write the man page (roff) to this file")->group("");

  if (argc > 1 && argv[1][0] != '-' && !is_one_of(argv[1], kCommands)) return unknown_command(argv[1]);
  if (argc == 1) {
    std::cerr << wf::cli::overview_text();
    return 2;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (*help) {
    if (!man_page.empty()) return write_man_page(man_page);
    if (help_topic.empty()) {
      std::cout << wf::cli::overview_text();
      return 0;
    }
    std::string page = wf::cli::command_text(help_topic);
    if (page.empty()) return unknown_command(help_topic);
    std::cout << page;
    return 0;
  }

  if (*cache) {
    if (*cache_ls) return wf::cli::cache_ls(file);
    if (*cache_show) return wf::cli::cache_show(file, cache_fn, as_json ? "json" : as_csv ? "csv" : "table");
    return wf::cli::cache_clear(file, cache_fn);
  }

  if (*kernel) {
    wf::kernel::KernelspecOptions spec;
    spec.where = !spec_prefix.empty() ? wf::kernel::KernelspecOptions::Prefix
                 : spec_sys_prefix    ? wf::kernel::KernelspecOptions::SysPrefix
                                      : wf::kernel::KernelspecOptions::User;
    spec.prefix = spec_prefix;
    spec.name = spec_name;
    spec.display_name = spec_display_name;
    spec.workers = workers;
    spec.launcher = launcher;
    if (*kernel_install) return wf::kernel::install_kernelspec(spec, std::cout, std::cerr);
    if (*kernel_uninstall) return wf::kernel::uninstall_kernelspec(spec, std::cout, std::cerr);
    if (connection_file.empty()) {
      std::cerr << "wfc: `wfc kernel` needs `-f CONNECTION_FILE` (Jupyter passes it), or `install` / `uninstall`\n";
      return 2;
    }
    return wf::kernel::run_kernel(connection_file);
  }

  if (*check) {
    if (is_object_file(file)) {
      std::cerr << "wfc: `" << file << "` is a compiled object; `wfc check` reads a .wf source file\n";
      return 2;
    }
    return status_of(wf::check_file(file, std::cerr));
  }

  if (*build) {
    wf::CompileOptions options;
    options.opt_level = opt_level;
    options.emit_llvm_path = emit_llvm;
    if (is_object_file(file)) {
      std::cerr << "wfc: `" << file << "` is already compiled; `wfc build` reads a .wf source file\n";
      return 2;
    }
    wf::CompileResult r = wf::compile_file(file, options, std::cerr);
    if (r.status != wf::CompileStatus::Ok) return 1;
    if (!wf::write_file_bytes(output, wf::encode_wfo(r.object))) {
      std::cerr << "error: cannot write `" << output << "`: " << std::strerror(errno) << "\n";
      return 1;
    }
    return 0;
  }

  // run: settle the launcher and the hostfile before anything compiles or starts.
  if (launcher.empty() && std::getenv("WF_LAUNCHER") && *std::getenv("WF_LAUNCHER")) {
    launcher = std::getenv("WF_LAUNCHER");
    if (!is_one_of(launcher, wf::detail::launcher_names())) {
      std::cerr << "wfc: WF_LAUNCHER=" << launcher << " is not a launcher; use one of "
                << joined(wf::detail::launcher_names()) << "\n";
      return 2;
    }
  }
  if (!hostfile.empty() && ::access(hostfile.c_str(), R_OK) != 0) {
    std::cerr << "wfc: cannot read the hostfile `" << hostfile << "`: " << std::strerror(errno) << "\n";
    return 2;
  }

  // run
  wf::WfObject object;
  if (is_object_file(file)) {
    if (run->count("-O") > 0)
      std::cerr << "wfc: warning: `-O" << opt_level << "` is ignored: `" << file << "` is already compiled\n";
    std::string bytes, error;
    if (!wf::read_file_bytes(file, bytes)) {
      std::cerr << "error: cannot read `" << file << "`\n";
      return 1;
    }
    if (!wf::decode_wfo(bytes, object, error)) {
      std::cerr << "error: " << file << ": " << error << "\n";
      return 1;
    }
  } else {
    wf::CompileOptions options;
    options.opt_level = opt_level;
    options.require_main = true;
    options.cache_salt = build_identity();
    wf::CompileResult r = wf::compile_file(file, options, std::cerr, cache_dir());
    if (r.status != wf::CompileStatus::Ok) return 1;
    object = std::move(r.object);
  }
  wf::detail::RunOptions run_options;
  run_options.pool.workers = workers > 0 ? workers : (int)std::max(1u, std::thread::hardware_concurrency());
  if (!launcher.empty()) wf::detail::parse_launcher(launcher, run_options.pool.launcher);  // checked above
  run_options.pool.hostfile = hostfile;
  run_options.pool.oversubscribe = oversubscribe;
  run_options.pool.cache = result_cache;
  run_options.pool.cache_errors = cache_errors;
  run_options.trace = trace_file;
  run_options.stats = stats;
  run_options.graph = graph_file;
  run_options.progress = progress && ::isatty(2);  // a bar only where someone watches it
  return wf::detail::run_main(object, main_args, run_options);
}
