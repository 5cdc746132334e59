// The design notes for this module are atop cache_command.hpp. Values are printed from their
// msgpack form alone (the cache stores the encoded arguments and results): ints, floats as
// wf prints them (shortest repr), strings, bools; arrays, tuples and records as lists,
// dictionaries as maps. JSON output is one object per entry, for pandas.read_json.
#include "cache_command.hpp"

#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include "cache/cache_store.hpp"
#include "format/format_spec.hpp"
#include "format/json_string.hpp"
#include "protocol/batch.hpp"

namespace wf::cli {

namespace {

using detail::CacheEntry;
using detail::CacheFunction;

void warn(const std::string& text) { std::cerr << "wfc: cache: " << text << "\n"; }

using format::json_string;

// `json`: JSON; otherwise wf's own way of printing a value.
void print_value(std::ostream& out, const msgpack::object& o, bool json) {
  switch (o.type) {
    case msgpack::type::NIL: out << (json ? "null" : "()"); break;
    case msgpack::type::BOOLEAN: out << (o.via.boolean ? "true" : "false"); break;
    case msgpack::type::POSITIVE_INTEGER: out << o.via.u64; break;
    case msgpack::type::NEGATIVE_INTEGER: out << o.via.i64; break;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      if (json && !std::isfinite(o.via.f64)) out << "null";
      else out << format::float_repr(o.via.f64);
      break;
    case msgpack::type::STR:
      if (json) json_string(out, std::string_view(o.via.str.ptr, o.via.str.size));
      else out << std::string_view(o.via.str.ptr, o.via.str.size);
      break;
    case msgpack::type::ARRAY:
      out << '[';
      for (uint32_t i = 0; i < o.via.array.size; ++i) {
        if (i) out << ", ";
        print_value(out, o.via.array.ptr[i], json);
      }
      out << ']';
      break;
    case msgpack::type::MAP:
      out << '{';
      for (uint32_t i = 0; i < o.via.map.size; ++i) {
        if (i) out << ", ";
        if (json && o.via.map.ptr[i].key.type != msgpack::type::STR) {  // JSON keys are strings
          std::ostringstream key;
          print_value(key, o.via.map.ptr[i].key, false);
          json_string(out, key.str());
        } else {
          print_value(out, o.via.map.ptr[i].key, json);
        }
        out << ": ";
        print_value(out, o.via.map.ptr[i].val, json);
      }
      out << '}';
      break;
    default: out << (json ? "null" : "?");
  }
}

std::string value_text(std::string_view encoded, bool json) {
  try {
    msgpack::object_handle oh = msgpack::unpack(encoded.data(), encoded.size());
    std::ostringstream out;
    print_value(out, oh.get(), json);
    return out.str();
  } catch (const std::exception&) {
    return json ? "null" : "?";
  }
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::vector<CacheFunction> matching(const std::string& dir, const std::string& function) {
  std::vector<CacheFunction> out;
  for (CacheFunction& f : detail::list_cache(dir, warn))
    if (function.empty() || f.name == function) out.push_back(std::move(f));
  return out;
}

bool exists(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(detail::cache_root(dir), ec)) return true;
  std::cerr << "wfc: `" << dir << "` holds no wf result cache (no " << detail::cache_root(dir) << ")\n";
  return false;
}

}  // namespace

int cache_ls(const std::string& dir) {
  if (!exists(dir)) return 1;
  std::cout << "function              identity          entries  failures       bytes\n";
  for (const CacheFunction& f : matching(dir, "")) {
    uint64_t bytes = 0;
    std::vector<CacheEntry> entries = detail::read_entries(f, warn, &bytes);
    size_t failures = 0;
    for (auto& e : entries) failures += !e.ok;
    char line[256];
    std::snprintf(line, sizeof line, "%-20s  %.16s  %7zu  %8zu  %10llu\n", f.name.c_str(), f.identity.c_str(),
                  entries.size(), failures, (unsigned long long)bytes);
    std::cout << line;
  }
  return 0;
}

int cache_show(const std::string& dir, const std::string& function, const std::string& format) {
  if (!exists(dir)) return 1;
  std::vector<CacheFunction> fns = matching(dir, function);
  if (fns.empty() && !function.empty()) {
    std::cerr << "wfc: the cache in `" << dir << "` has no entries of `" << function << "`\n";
    return 1;
  }
  bool json = format == "json", csv = format == "csv";
  bool first_json = true;
  if (json) std::cout << "[";
  for (const CacheFunction& f : fns) {
    std::vector<std::string> columns{"function"};
    for (auto& p : f.params) columns.push_back(p.first);
    columns.insert(columns.end(), {"ranks", "result", "error"});
    if (csv) {
      for (size_t i = 0; i < columns.size(); ++i) std::cout << (i ? "," : "") << csv_field(columns[i]);
      std::cout << "\n";
    } else if (!json) {
      std::cout << f.name << " (" << f.identity.substr(0, 16) << ")\n";
    }
    for (const CacheEntry& e : detail::read_entries(f, warn)) {
      std::vector<std::string_view> args;
      std::vector<std::string> arg_text;
      if (detail::split_batch(e.args, args))
        for (auto a : args) arg_text.push_back(value_text(a, json));
      std::string result = e.ok ? value_text(e.value, json) : (json ? "null" : "");
      std::ostringstream error;
      if (!e.ok) {
        if (json) json_string(error, e.error.message);
        else error << e.error.message;
      } else if (json) {
        error << "null";
      }
      if (json) {
        std::cout << (first_json ? "\n" : ",\n") << "  {\"function\": ";
        first_json = false;
        json_string(std::cout, f.name);
        for (size_t i = 0; i < f.params.size(); ++i) {
          std::cout << ", ";
          json_string(std::cout, f.params[i].first);
          std::cout << ": " << (i < arg_text.size() ? arg_text[i] : "null");
        }
        std::cout << ", \"ranks\": " << e.ranks << ", \"result\": " << result << ", \"error\": " << error.str() << "}";
      } else if (csv) {
        std::cout << csv_field(f.name);
        for (size_t i = 0; i < f.params.size(); ++i) std::cout << "," << csv_field(i < arg_text.size() ? arg_text[i] : "");
        std::cout << "," << e.ranks << "," << csv_field(result) << "," << csv_field(error.str()) << "\n";
      } else {
        std::cout << "  " << f.name << "(";
        for (size_t i = 0; i < arg_text.size(); ++i) std::cout << (i ? ", " : "") << arg_text[i];
        std::cout << ")" << (e.ranks > 1 ? " ranks=" + std::to_string(e.ranks) : "") << " -> "
                  << (e.ok ? result : "error: " + error.str()) << "\n";
      }
    }
  }
  if (json) std::cout << (first_json ? "]\n" : "\n]\n");
  return 0;
}

int cache_clear(const std::string& dir, const std::string& function) {
  if (!exists(dir)) return 1;
  size_t removed = 0;
  for (const CacheFunction& f : matching(dir, function)) {
    std::error_code ec;
    std::filesystem::remove_all(f.directory, ec);
    if (ec) {
      std::cerr << "wfc: cannot remove " << f.directory << ": " << ec.message() << "\n";
      return 1;
    }
    ++removed;
  }
  std::cout << "removed the entries of " << removed << " function" << (removed == 1 ? "" : "s") << "\n";
  return 0;
}

}  // namespace wf::cli
