// wf::Value <-> Slot (see value_bridge.hpp for why the embedding converts instead of encoding).
#include "embed/value_bridge.hpp"

namespace wf::detail {

namespace {

struct ScratchState {
  Context ctx{nullptr, 1};  // runs no compiled code: no call-site stack needed
  int depth = 0;
};

ScratchState& scratch_state() {
  thread_local ScratchState state;
  return state;
}

size_t tuple_fields(const char* d) {
  size_t n = 0;
  for (const char* f = d + 1; *f != ')'; f = desc_skip(f)) ++n;
  return n;
}

}  // namespace

Scratch::Scratch() : ctx_(scratch_state().ctx) { ++scratch_state().depth; }

Scratch::~Scratch() {
  if (--scratch_state().depth == 0) ctx_.reset_memory();
}

bool to_slot(Context& ctx, const char* desc, const Value& v, Slot& out, std::string& why) {
  auto mismatch = [&](const char* wanted) {
    why = std::string("expected ") + wanted;
    return false;
  };
  switch (*desc) {
    case 'i':
      if (v.kind != Value::Int) return mismatch("an int");
      out = (Slot)std::get<int64_t>(v.scalar);
      return true;
    case 'f':
      if (v.kind == Value::Int) out = as_slot((double)std::get<int64_t>(v.scalar));
      else if (v.kind == Value::Float) out = as_slot(std::get<double>(v.scalar));
      else return mismatch("a float");
      return true;
    case 'b':
      if (v.kind != Value::Bool) return mismatch("a bool");
      out = std::get<bool>(v.scalar) ? 1 : 0;
      return true;
    case 's':
      if (v.kind != Value::Str) return mismatch("a str");
      out = ptr_slot(make_str(ctx, std::get<std::string>(v.scalar)));
      return true;
    case '[': {
      if (v.kind != Value::Array) return mismatch("an array");
      WfArray* a = make_array(ctx, (int64_t)v.items.size());
      for (size_t i = 0; i < v.items.size(); ++i)
        if (!to_slot(ctx, desc + 1, v.items[i], a->data[i], why)) return false;
      out = ptr_slot(a);
      return true;
    }
    case '(': {
      if (v.kind != Value::Tuple) return mismatch("a tuple");
      size_t n = tuple_fields(desc);
      if (v.items.size() < n) return mismatch("a longer tuple");
      if (v.items.size() > n) return mismatch("a shorter tuple");
      auto* t = static_cast<Slot*>(ctx.arena.allocate(8 * n));
      size_t i = 0;
      for (const char* f = desc + 1; *f != ')'; f = desc_skip(f), ++i)
        if (!to_slot(ctx, f, v.items[i], t[i], why)) return false;
      out = ptr_slot(t);
      return true;
    }
    default: return mismatch("a value wf can pass");
  }
}

Value from_slot(const char* desc, Slot s) {
  switch (*desc) {
    case 'i': return {Value::Int, (int64_t)s, {}};
    case 'f': return {Value::Float, as_float(s), {}};
    case 'b': return {Value::Bool, s != 0, {}};
    case 's': return {Value::Str, std::string(slot_ptr<WfStr>(s)->view()), {}};
    case '[': {
      auto* a = slot_ptr<WfArray>(s);
      Value v{Value::Array, int64_t{0}, {}};
      v.items.reserve((size_t)a->len);
      for (int64_t i = 0; i < a->len; ++i) v.items.push_back(from_slot(desc + 1, a->data[i]));
      return v;
    }
    case '(': {
      auto* t = slot_ptr<Slot>(s);
      Value v{Value::Tuple, int64_t{0}, {}};
      size_t i = 0;
      for (const char* f = desc + 1; *f != ')'; f = desc_skip(f)) v.items.push_back(from_slot(f, t[i++]));
      return v;
    }
    default: return {};  // "v": no value
  }
}

}  // namespace wf::detail
