// Formatted strings and `round` (LANGUAGE.md §15): the ABI side of core/format/format_spec,
// where the mini-language itself lives (the checker validates each spec with the same code,
// so a spec arriving here already fits its value). A spec that somehow does not still never
// crashes: the value prints as str(value).
#include <string>

#include "abi.h"
#include "format/format_spec.hpp"
#include "values.hpp"

using namespace wf::detail;
using wf::format::FormatSpec;
using wf::format::ValueKind;

extern "C" {

// `desc` is the value's type descriptor: 'i' int, 'f' float (the slot holds its bits), 's' str;
// anything else formats its printed form as text.
wf_str* wf_format(wf_ctx* ctx, const char* spec, const char* desc, uint64_t v) {
  std::string out;
  {
    char d = desc ? desc[0] : 0;
    ValueKind kind = d == 'i'   ? ValueKind::Int
                     : d == 'f' ? ValueKind::Float
                     : d == 's' ? ValueKind::Str
                                : ValueKind::Other;
    FormatSpec parsed;
    std::string error;
    size_t error_at = 0;
    bool ok = desc && wf::format::parse_spec(spec ? spec : "", parsed, error, error_at) &&
              wf::format::spec_fits(parsed, kind, error, error_at);
    if (!ok) {
      if (desc) format_value(out, desc, v, true);
    } else if (kind == ValueKind::Int) {
      out = wf::format::format_int((int64_t)v, parsed);
    } else if (kind == ValueKind::Float) {
      out = wf::format::format_float(as_float(v), parsed);
    } else if (kind == ValueKind::Str) {
      out = wf::format::format_text(slot_ptr<WfStr>(v)->view(), parsed);
    } else {
      std::string text;
      format_value(text, desc, v, true);
      out = wf::format::format_text(text, parsed);
    }
  }
  return make_str(*ctx, out);
}

double wf_round(double x) {
  return wf::format::round_half_even(x);
}

double wf_round_digits(double x, int64_t digits) {
  return wf::format::round_digits(x, digits);
}

}  // extern "C"
