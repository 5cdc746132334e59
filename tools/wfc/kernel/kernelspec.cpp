// The design notes for this module are atop kernelspec.hpp.
#include "kernel/kernelspec.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <system_error>

#include <nlohmann/json.hpp>

#include "kernel/logo_png.hpp"
#include "launch/launcher.hpp"

namespace fs = std::filesystem;

namespace wf::kernel {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The first line of `jupyter` on PATH, without "#!": the Python that runs Jupyter.
std::string jupyter_interpreter() {
  std::string path = env("PATH");
  for (size_t start = 0; start <= path.size();) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) continue;
    std::ifstream in(dir + "/jupyter");
    std::string line;
    if (in && std::getline(in, line) && line.rfind("#!", 0) == 0) return line.substr(2);
  }
  return "";
}

std::string python_sys_prefix(const std::string& interpreter) {
  if (interpreter.empty()) return "";
  std::string command = interpreter + " -c 'import sys; print(sys.prefix)' 2>/dev/null";
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return "";
  char buf[4096];
  std::string out;
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return status == 0 ? out : "";
}

std::string sys_prefix() {
  for (const char* var : {"VIRTUAL_ENV", "CONDA_PREFIX"})
    if (std::string v = env(var); !v.empty()) return v;
  if (std::string p = python_sys_prefix(jupyter_interpreter()); !p.empty()) return p;
  return "/usr";
}

std::string user_data_dir() {
  if (std::string d = env("JUPYTER_DATA_DIR"); !d.empty()) return d;
  if (std::string x = env("XDG_DATA_HOME"); !x.empty()) return x + "/jupyter";
  return env("HOME") + "/.local/share/jupyter";
}

// jupyter_client's rule for kernel names (kernelspec.py, _is_valid_kernel_name).
bool valid_name(const std::string& name) {
  static const std::regex pattern("^[a-z0-9._-]+$", std::regex::icase);
  return std::regex_match(name, pattern);
}

bool write_file(const fs::path& path, const std::string& bytes, std::ostream& err) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (out.flush()) return true;
  err << "wfc: cannot write `" << path.string() << "`\n";
  return false;
}

}  // namespace

std::string kernels_directory(const KernelspecOptions& options) {
  switch (options.where) {
    case KernelspecOptions::Prefix: return (fs::absolute(options.prefix) / "share/jupyter/kernels").string();
    case KernelspecOptions::SysPrefix: return sys_prefix() + "/share/jupyter/kernels";
    case KernelspecOptions::User: break;
  }
  return user_data_dir() + "/kernels";
}

int install_kernelspec(const KernelspecOptions& options, std::ostream& out, std::ostream& err) {
  if (!valid_name(options.name)) {
    err << "wfc: `" << options.name << "` is not a kernel name: use letters, digits, `.`, `_` and `-`\n";
    return 2;
  }
  nlohmann::json environment = nlohmann::json::object();
  std::string workers = options.workers > 0 ? std::to_string(options.workers) : env("WF_WORKERS");
  if (!workers.empty()) {
    char* end = nullptr;
    long n = std::strtol(workers.c_str(), &end, 10);
    if (*end != '\0' || n < 1) {
      err << "wfc: WF_WORKERS=" << workers << " is not a number of workers\n";
      return 2;
    }
    environment["WF_WORKERS"] = workers;
  }
  std::string launcher = !options.launcher.empty() ? options.launcher : env("WF_LAUNCHER");
  if (!launcher.empty()) {
    detail::LauncherKind kind;
    if (!detail::parse_launcher(launcher, kind)) {
      err << "wfc: WF_LAUNCHER=" << launcher << " is not a launcher\n";
      return 2;
    }
    environment["WF_LAUNCHER"] = launcher;
  }

  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    err << "wfc: cannot find this program's own path: " << ec.message() << "\n";
    return 1;
  }
  nlohmann::json spec = {
      {"argv", {self.string(), "kernel", "-f", "{connection_file}"}},
      {"display_name", options.display_name.empty() ? "wf" : options.display_name},
      {"language", "wf"},
      {"interrupt_mode", "signal"},
      {"metadata", {{"debugger", false}}},
  };
  if (!environment.empty()) spec["env"] = environment;

  fs::path dir = fs::path(kernels_directory(options)) / options.name;
  fs::create_directories(dir, ec);
  if (ec) {
    err << "wfc: cannot create `" << dir.string() << "`: " << ec.message() << "\n";
    return 1;
  }
  if (!write_file(dir / "kernel.json", spec.dump(1) + "\n", err) ||
      !write_file(dir / "logo-32x32.png", logo_png(32), err) ||
      !write_file(dir / "logo-64x64.png", logo_png(64), err))
    return 1;
  out << "Installed kernelspec " << options.name << " in " << dir.string() << "\n";
  return 0;
}

int uninstall_kernelspec(const KernelspecOptions& options, std::ostream& out, std::ostream& err) {
  if (!valid_name(options.name)) {
    err << "wfc: `" << options.name << "` is not a kernel name\n";
    return 2;
  }
  fs::path dir = fs::path(kernels_directory(options)) / options.name;
  std::error_code ec;
  if (!fs::exists(dir / "kernel.json", ec)) {
    err << "wfc: there is no kernelspec `" << options.name << "` in " << dir.parent_path().string() << "\n";
    return 1;
  }
  // Only a wf kernel's: `--name python3` must not remove another language's kernel.
  std::ifstream in(dir / "kernel.json");
  nlohmann::json spec = nlohmann::json::parse(in, nullptr, false);
  if (!spec.is_object() || !spec.contains("language") || spec["language"] != "wf") {
    err << "wfc: the kernelspec in `" << dir.string() << "` is not a wf kernel's; it is left as it is\n";
    return 1;
  }
  fs::remove_all(dir, ec);
  if (ec) {
    err << "wfc: cannot remove `" << dir.string() << "`: " << ec.message() << "\n";
    return 1;
  }
  out << "Removed kernelspec " << options.name << " from " << dir.string() << "\n";
  return 0;
}

}  // namespace wf::kernel
