// Generic value operations driven by type descriptors: printing (LANGUAGE.md §8), deep copy
// (value semantics of arrays) and structural equality.
#include "values.hpp"

#include <charconv>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <atomic>
#include <mutex>

#include "abi.h"
#include "format/format_spec.hpp"
#include "dicts.hpp"
#include "output.hpp"

namespace wf::detail {

WfStr* make_str(Context& ctx, std::string_view s) {
  auto* r = static_cast<WfStr*>(ctx.arena.allocate(sizeof(int64_t) + s.size() + 1));
  r->len = (int64_t)s.size();
  if (!s.empty()) std::memcpy(r->data, s.data(), s.size());
  r->data[s.size()] = 0;
  return r;
}

WfArray* make_array(Context& ctx, int64_t len) {
  auto* a = static_cast<WfArray*>(ctx.arena.allocate(sizeof(WfArray)));
  a->len = len;
  a->cap = len < 4 ? 4 : len;
  a->data = static_cast<Slot*>(ctx.arena.allocate(sizeof(Slot) * (size_t)a->cap));
  return a;
}

void array_push(Context& ctx, WfArray* a, Slot v) {
  if (a->len == a->cap) {
    int64_t cap = a->cap < 4 ? 4 : a->cap * 2;
    auto* data = static_cast<Slot*>(ctx.arena.allocate(sizeof(Slot) * (size_t)cap));
    if (a->len) std::memcpy(data, a->data, sizeof(Slot) * (size_t)a->len);
    a->data = data;
    a->cap = cap;
  }
  a->data[a->len++] = v;
}

const char* desc_skip(const char* d) {
  switch (*d) {
    case '[': d = desc_skip(d + 1); return d + 1;
    case '(':
      ++d;
      while (*d != ')') d = desc_skip(d);
      return d + 1;
    case 'F': return desc_skip(d + 1);
    case '{': d = desc_skip(desc_skip(d + 1)); return d + 1;
    case '<':
      while (*d != '>') {
        if (*d == ':') d = desc_skip(d + 1);
        else ++d;
      }
      return d + 1;
    default: return d + 1;
  }
}

namespace {
// `p` at a record's `|` before a field name, or at its closing `>`.
const char* record_field_type(const char* p) {
  if (*p != '|') return nullptr;
  while (*p != ':') ++p;
  return p + 1;
}
}  // namespace

const char* first_field(const char* d) {
  if (*d == '(') return d[1] == ')' ? nullptr : d + 1;
  ++d;
  while (*d != '|' && *d != '>') ++d;  // the record's name
  return record_field_type(d);
}

const char* next_field(const char* f) {
  const char* p = desc_skip(f);
  if (*p == ')') return nullptr;
  if (*p == '|' || *p == '>') return record_field_type(p);
  return p;
}

// One shortest-repr printer for str(), print and f-strings: core/format's.
std::string format_float(double x) { return wf::format::float_repr(x); }

namespace {
void quote(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default: out += c;
    }
  }
  out += '"';
}
}  // namespace

namespace {

constexpr size_t kWhole = SIZE_MAX;  // no budget: the whole value

// The printed form; with a budget (error lines), long strings and arrays are cut.
void format_into(std::string& out, const char* d, Slot v, bool top, size_t budget) {
  size_t start = out.size();
  switch (*d) {
    case 'i': {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, (int64_t)v);
      out.append(buf, r.ptr);
      return;
    }
    case 'f': out += format_float(as_float(v)); return;
    case 'b': out += v ? "true" : "false"; return;
    case 's': {
      auto* s = slot_ptr<WfStr>(v);
      if (top) {
        out += s->view();
      } else if ((size_t)s->len <= budget) {
        quote(out, s->view());
      } else {
        quote(out, s->view().substr(0, budget));
        out.insert(out.size() - 1, "...");
      }
      return;
    }
    case '[': {
      auto* a = slot_ptr<WfArray>(v);
      out += '[';
      for (int64_t i = 0; i < a->len; ++i) {
        if (i && budget != kWhole && out.size() - start > budget) {
          out += ", ... ] (" + std::to_string(a->len) + " items)";
          return;
        }
        if (i) out += ", ";
        format_into(out, d + 1, a->data[i], false, budget == kWhole ? kWhole : budget / 2);
      }
      out += ']';
      return;
    }
    case '(': {
      auto* t = slot_ptr<Slot>(v);
      out += '(';
      const char* f = d + 1;
      for (int i = 0; *f != ')'; ++i, f = desc_skip(f)) {
        if (i) out += ", ";
        format_into(out, f, t[i], false, budget == kWhole ? kWhole : budget / 2);
      }
      out += ')';
      return;
    }
    case '<': {
      // Name(field=value, ...)
      auto* r = slot_ptr<Slot>(v);
      const char* p = d + 1;
      while (*p != '|' && *p != '>') out += *p++;
      out += '(';
      for (int i = 0; *p == '|'; ++i) {
        if (i) out += ", ";
        for (++p; *p != ':'; ++p) out += *p;
        out += '=';
        format_into(out, p + 1, r[i], false, budget == kWhole ? kWhole : budget / 2);
        p = desc_skip(p + 1);
      }
      out += ')';
      return;
    }
    case '{': {
      auto* m = slot_ptr<WfDict>(v);
      const char* kd = dict_key_desc(d);
      const char* vd = dict_value_desc(d);
      size_t child = budget == kWhole ? kWhole : budget / 2;
      out += '{';
      int64_t shown = 0;
      for (int64_t i = 0; i < m->used; ++i) {
        const DictEntry& e = m->entries[i];
        if (!entry_live(e)) continue;
        if (shown && budget != kWhole && out.size() - start > budget) {
          out += ", ... } (" + std::to_string(m->len) + " items)";
          return;
        }
        if (shown++) out += ", ";
        format_into(out, kd, e.key, false, child);
        out += ": ";
        format_into(out, vd, e.value, false, child);
      }
      out += '}';
      return;
    }
    case 'F': out += "<future>"; return;
    case 'P': out += "<pool>"; return;
    default: out += "<?>"; return;
  }
}

}  // namespace

void format_value(std::string& out, const char* d, Slot v, bool top) { format_into(out, d, v, top, kWhole); }

void format_value_brief(std::string& out, const char* d, Slot v, size_t budget) { format_into(out, d, v, false, budget); }

Slot copy_value(Context& ctx, const char* d, Slot v) {
  // Strings too: a copy is often made of a `var`'s value, whose strings that var may free.
  if (*d == 's') return ptr_slot(make_str(ctx, slot_ptr<WfStr>(v)->view()));
  if (*d == '[') {
    auto* a = slot_ptr<WfArray>(v);
    WfArray* r = make_array(ctx, a->len);
    bool deep = is_tree(d + 1);
    for (int64_t i = 0; i < a->len; ++i) r->data[i] = deep ? copy_value(ctx, d + 1, a->data[i]) : a->data[i];
    return ptr_slot(r);
  }
  if (*d == '(' || *d == '<') {
    auto* t = slot_ptr<Slot>(v);
    size_t n = 0;
    for (const char* f = first_field(d); f; f = next_field(f)) ++n;
    auto* r = static_cast<Slot*>(ctx.arena.allocate(8 * n));
    size_t i = 0;
    for (const char* f = first_field(d); f; f = next_field(f), ++i) r[i] = copy_value(ctx, f, t[i]);
    return ptr_slot(r);
  }
  if (*d == '{') return ptr_slot(dict_copy(ctx, d, slot_ptr<WfDict>(v), false));
  return v;
}

bool equal_values(const char* d, Slot a, Slot b) {
  switch (*d) {
    case 'f': return as_float(a) == as_float(b);
    case 's': return slot_ptr<WfStr>(a)->view() == slot_ptr<WfStr>(b)->view();
    case '[': {
      auto* x = slot_ptr<WfArray>(a);
      auto* y = slot_ptr<WfArray>(b);
      if (x->len != y->len) return false;
      for (int64_t i = 0; i < x->len; ++i)
        if (!equal_values(d + 1, x->data[i], y->data[i])) return false;
      return true;
    }
    case '(':
    case '<': {
      auto* x = slot_ptr<Slot>(a);
      auto* y = slot_ptr<Slot>(b);
      size_t i = 0;
      for (const char* f = first_field(d); f; f = next_field(f), ++i)
        if (!equal_values(f, x[i], y[i])) return false;
      return true;
    }
    case '{': return dict_equal(d, slot_ptr<WfDict>(a), slot_ptr<WfDict>(b));
    default: return a == b;
  }
}

namespace {
std::mutex& output_mutex() {
  static std::mutex m;
  return m;
}
}  // namespace

namespace {
bool g_status_line_open = false;  // under output_mutex()

void close_status_line_locked() {
  if (!g_status_line_open) return;
  std::fputc('\n', stderr);
  std::fflush(stderr);
  g_status_line_open = false;
}
}  // namespace

namespace {
std::atomic<OutputSink*> g_redirect{nullptr};
}

void redirect_process_output(OutputSink* sink) { g_redirect.store(sink); }

void write_process_output(int stream, std::string_view text) {
  if (OutputSink* sink = g_redirect.load()) return sink->write(stream, text);
  std::lock_guard<std::mutex> lock(output_mutex());
  close_status_line_locked();
  if (stream == 2) std::fflush(stdout);  // stdout's lines first, so that `2>&1` keeps the order (§19)
  std::fwrite(text.data(), 1, text.size(), stream == 2 ? stderr : stdout);
  if (stream == 2) std::fflush(stderr);
}

void flush_process_output() {
  std::lock_guard<std::mutex> lock(output_mutex());
  std::fflush(stdout);
  close_status_line_locked();
  std::fflush(stderr);
}

void write_status_line(std::string_view text) {
  std::lock_guard<std::mutex> lock(output_mutex());
  std::fputc('\r', stderr);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
  g_status_line_open = true;
}

void end_status_line() {
  std::lock_guard<std::mutex> lock(output_mutex());
  close_status_line_locked();
}

}  // namespace wf::detail

using namespace wf::detail;

extern "C" {

void wf_print(wf_ctx* ctx, int64_t stream, int64_t n, const char** descs, const uint64_t* slots) {
  std::string line;
  for (int64_t i = 0; i < n; ++i) {
    if (i) line += ' ';
    format_value(line, descs[i], slots[i], true);
  }
  line += '\n';
  if (ctx->output) ctx->output->write((int)stream, line);
  else write_process_output((int)stream, line);
}

wf_str* wf_to_str(wf_ctx* ctx, const char* desc, uint64_t v) {
  std::string s;
  format_value(s, desc, v, true);
  return make_str(*ctx, s);
}

uint64_t wf_copy(wf_ctx* ctx, const char* desc, uint64_t v) { return copy_value(*ctx, desc, v); }

int64_t wf_equal(const char* desc, uint64_t a, uint64_t b) { return equal_values(desc, a, b); }

wf_str* wf_str_concat(wf_ctx* ctx, wf_str* a, wf_str* b) {
  auto* r = static_cast<WfStr*>(ctx->arena.allocate(sizeof(int64_t) + (size_t)(a->len + b->len) + 1));
  r->len = a->len + b->len;
  std::memcpy(r->data, a->data, (size_t)a->len);
  std::memcpy(r->data + a->len, b->data, (size_t)b->len);
  r->data[r->len] = 0;
  return r;
}

int64_t wf_str_compare(wf_str* a, wf_str* b) {
  int c = a->view().compare(b->view());
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

}  // extern "C"
