// The design notes for this module are atop format_spec.hpp. Names in comments that look
// like `calc_number_widths` are the CPython functions a piece of code follows.
#include "format/format_spec.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace wf::format {

namespace {

constexpr const char* kOrder = "`[[fill]align][sign][#][0][width][,][.precision][type]`";

bool is_align(char c) {
  return c == '<' || c == '>' || c == '^' || c == '=';
}
bool is_int_type(char c) {
  return c && std::strchr("dboxX", c);
}
bool is_float_type(char c) {
  return c && std::strchr("eEfFgG%", c);
}
bool is_type(char c) {
  return is_int_type(c) || is_float_type(c) || c == 's';
}

// The length of the UTF-8 code point at s[i]; 1 for a byte that does not start a valid one.
size_t code_point_len(std::string_view s, size_t i) {
  auto c = (unsigned char)s[i];
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k)
    if (((unsigned char)s[i + k] & 0xC0) != 0x80) return 1;
  return n;
}

// Code points, as Python's len(str) counts them: every byte that is not a continuation byte.
size_t code_points(std::string_view s) {
  return (size_t)std::count_if(s.begin(), s.end(), [](char c) { return ((unsigned char)c & 0xC0) != 0x80; });
}

void append_fill(std::string& out, std::string_view fill, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out += fill;
}

// ---- digits -------------------------------------------------------------------------------

// A finite, non-negative double's decimal digits as CPython's dtoa returns them:
// value = 0.d1d2d3... * 10^decpt, no leading or trailing zeros ("0", 1 for zero).
struct Digits {
  std::string d;
  int64_t decpt = 1;
};

void normalize(Digits& g) {
  size_t lead = 0;
  while (lead < g.d.size() && g.d[lead] == '0') ++lead;
  if (lead == g.d.size()) {
    g = Digits{"0", 1};
    return;
  }
  g.d.erase(0, lead);
  g.decpt -= (int64_t)lead;
  while (g.d.back() == '0') g.d.pop_back();
}

// From to_chars's scientific form "d[.ddd]e±XX".
Digits from_scientific(std::string_view s) {
  Digits g;
  size_t e = s.find('e');
  for (size_t i = 0; i < e; ++i)
    if (s[i] != '.') g.d += s[i];
  g.decpt = std::atoi(std::string(s.substr(e + 1)).c_str()) + 1;
  normalize(g);
  return g;
}

// dtoa mode 0: the shortest digits that read back to `a`.
Digits shortest_digits(double a) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, a, std::chars_format::scientific);
  return from_scientific(std::string_view(buf, (size_t)(r.ptr - buf)));
}

// dtoa mode 2: `n` (>= 1) significant digits, correctly rounded.
Digits significant_digits(double a, int64_t n) {
  std::string buf((size_t)n + 32, '\0');
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), a, std::chars_format::scientific, (int)(n - 1));
  return from_scientific(std::string_view(buf.data(), (size_t)(r.ptr - buf.data())));
}

// dtoa mode 3: `n` (>= 0) digits after the point, correctly rounded.
Digits fixed_digits(double a, int64_t n) {
  std::string buf((size_t)n + 320, '\0');
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), a, std::chars_format::fixed, (int)n);
  std::string_view s(buf.data(), (size_t)(r.ptr - buf.data()));
  Digits g;
  size_t point = s.find('.');
  g.decpt = (int64_t)(point == std::string_view::npos ? s.size() : point);
  for (char c : s)
    if (c != '.') g.d += c;
  normalize(g);
  return g;
}

// ---- floats: PyOS_double_to_string + format_float_short -------------------------------------

// The digits of |x| laid out for `code` (e f g, or r for repr), without a sign.
std::string float_body(double x, char code, int64_t precision, bool add_dot_0, bool alt, bool upper) {
  if (std::isnan(x)) return upper ? "NAN" : "nan";
  if (std::isinf(x)) return upper ? "INF" : "inf";
  double a = std::fabs(x);
  Digits g;
  switch (code) {
    case 'e': g = significant_digits(a, ++precision); break;
    case 'f': g = fixed_digits(a, precision); break;
    case 'g':
      precision = std::max<int64_t>(precision, 1);  // precision 0 makes no sense for 'g'; as 1
      g = significant_digits(a, precision);
      break;
    default: g = shortest_digits(a); break;
  }
  // The output is a slice [vstart, vend) of the digits padded with zeros on both sides, with
  // the decimal point after position decpt.
  const std::string& d = g.d;
  auto len = (int64_t)d.size();
  int64_t decpt = g.decpt, vend = len, exp = 0;
  bool use_exp = false;
  switch (code) {
    case 'e':
      use_exp = true;
      vend = precision;
      break;
    case 'f': vend = decpt + precision; break;
    case 'g':
      if (decpt <= -4 || decpt > (add_dot_0 ? precision - 1 : precision)) use_exp = true;
      if (alt) vend = precision;
      break;
    default:  // repr: exponent from 1e16 on
      if (decpt <= -4 || decpt > 16) use_exp = true;
      break;
  }
  if (use_exp) {
    exp = decpt - 1;
    decpt = 1;
  }
  int64_t vstart = decpt <= 0 ? decpt - 1 : 0;
  vend = std::max(vend, !use_exp && add_dot_0 ? decpt + 1 : decpt);

  std::string p;
  if (decpt <= 0) {
    p.append((size_t)(decpt - vstart), '0');
    p += '.';
    p.append((size_t)-decpt, '0');
  }
  if (0 < decpt && decpt <= len) {
    p.append(d, 0, (size_t)decpt);
    p += '.';
    p.append(d, (size_t)decpt);
  } else {
    p += d;
  }
  if (len < decpt) {
    p.append((size_t)(decpt - len), '0');
    p += '.';
    p.append((size_t)(vend - decpt), '0');
  } else {
    p.append((size_t)(vend - len), '0');
  }
  if (p.back() == '.' && !alt) p.pop_back();
  if (use_exp) {
    p += upper ? 'E' : 'e';
    p += exp < 0 ? '-' : '+';
    int64_t m = exp < 0 ? -exp : exp;
    if (m < 10) p += '0';
    p += std::to_string(m);
  }
  return p;
}

// ---- numbers: calc_number_widths + fill_number ----------------------------------------------

// The integer digits with a separator every `group` (0: none) digits. Under zero padding
// (`min_width` > 0) the padding is made of zeros and separators too, as in
// _PyUnicode_InsertThousandsGrouping: `format(1234, "09,")` is `0,001,234`.
std::string group_digits(std::string_view digits, int group, char sep, int64_t min_width) {
  auto remaining = (int64_t)digits.size();
  if (group == 0) return std::string((size_t)std::max<int64_t>(0, min_width - remaining), '0') + std::string(digits);
  std::string rev;  // built from the right
  size_t next = digits.size();
  for (bool use_sep = false;; use_sep = true) {
    int64_t l = std::min<int64_t>(group, std::max<int64_t>({remaining, min_width, 1}));
    int64_t zeros = std::max<int64_t>(0, l - remaining), chars = std::max<int64_t>(0, std::min(remaining, l));
    if (use_sep) rev += sep;
    for (int64_t i = 0; i < chars; ++i) rev += digits[--next];
    rev.append((size_t)zeros, '0');
    remaining -= chars;
    min_width -= l;
    if (remaining <= 0 && min_width <= 0) break;
    min_width -= 1;
  }
  std::reverse(rev.begin(), rev.end());
  return rev;
}

// [lpad][sign][prefix][spad][grouped digits][.][remainder][rpad]
std::string layout_number(char sign, std::string_view prefix, std::string_view digits, bool has_decimal,
                          std::string_view remainder, const FormatSpec& spec, int group, char sep) {
  char align = spec.align ? spec.align : spec.zero ? '=' : '>';
  auto non_digits = (int64_t)((sign ? 1 : 0) + prefix.size() + (has_decimal ? 1 : 0) + remainder.size());
  int64_t min_width = spec.fill == "0" && align == '=' ? spec.width - non_digits : 0;
  std::string grouped = digits.empty() ? std::string() : group_digits(digits, group, sep, min_width);
  int64_t padding = std::max<int64_t>(0, spec.width - (non_digits + (int64_t)grouped.size()));
  int64_t lpad = 0, spad = 0, rpad = 0;
  switch (align) {
    case '<': rpad = padding; break;
    case '^':
      lpad = padding / 2;
      rpad = padding - lpad;
      break;
    case '=': spad = padding; break;
    default: lpad = padding; break;
  }
  std::string out;
  append_fill(out, spec.fill, lpad);
  if (sign) out += sign;
  out += prefix;
  append_fill(out, spec.fill, spad);
  out += grouped;
  if (has_decimal) out += '.';
  out += remainder;
  append_fill(out, spec.fill, rpad);
  return out;
}

char sign_char(bool negative, const FormatSpec& spec) {
  if (negative) return '-';
  return spec.sign == '+' || spec.sign == ' ' ? spec.sign : 0;
}

// (Built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string temporaries.)
std::string quoted(std::string_view part) {
  std::string q(1, '`');
  q += part;
  q += '`';
  return q;
}

}  // namespace

// ---- parsing: parse_internal_render_format_spec ----------------------------------------------

bool parse_spec(std::string_view s, FormatSpec& out, std::string& error, size_t& error_at) {
  out = FormatSpec{};
  auto fail = [&](size_t at, const std::string& msg) {
    error = "invalid format spec: " + msg;
    error_at = at;
    return false;
  };
  auto digit = [&](size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
  size_t pos = 0;
  bool fill_given = false;
  if (!s.empty()) {
    size_t n = code_point_len(s, 0);
    if (n < s.size() && is_align(s[n])) {
      out.fill = std::string(s.substr(0, n));
      out.align = s[n];
      out.at.align = n;
      fill_given = true;
      pos = n + 1;
    } else if (is_align(s[0])) {
      out.align = s[0];
      out.at.align = 0;
      pos = 1;
    }
  }
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-' || s[pos] == ' ')) {
    out.sign = s[pos];
    out.at.sign = pos++;
  }
  if (pos < s.size() && s[pos] == '#') {
    out.alternate = true;
    out.at.alternate = pos++;
  }
  if (!fill_given && pos < s.size() && s[pos] == '0') {  // zero padding, unless a fill was given
    out.zero = true;
    out.fill.assign(1, '0');
    out.at.zero = pos++;
  }
  // A width or precision: digits, at most kMaxWidth.
  auto number = [&](int& value, const char* what) {
    size_t start = pos;
    int64_t v = 0;
    for (; digit(pos); ++pos) {
      v = v * 10 + (s[pos] - '0');
      if (v > kMaxWidth)
        return fail(start, std::string(what) + " is too large (at most " + std::to_string(kMaxWidth) + ")");
    }
    value = (int)v;
    return true;
  };
  if (digit(pos)) {
    out.at.width = pos;
    if (!number(out.width, "width")) return false;
  }
  if (pos < s.size() && (s[pos] == ',' || s[pos] == '_')) {
    out.grouping = s[pos];
    out.at.grouping = pos++;
    if (pos < s.size() && (s[pos] == ',' || s[pos] == '_')) {
      if (s[pos] != out.grouping) return fail(pos, "cannot use both `,` and `_`");
      return fail(pos, quoted(s.substr(pos, 1)) + " given twice");
    }
  }
  if (pos < s.size() && s[pos] == '.') {
    out.at.precision = pos++;
    if (!digit(pos)) return fail(out.at.precision, "expected a digit after `.`");
    if (!number(out.precision, "precision")) return false;
  }
  if (pos < s.size()) {
    char c = s[pos];
    if (is_type(c)) {
      out.type = c;
      out.at.type = pos++;
      if (pos < s.size())
        return fail(pos, "unexpected " + quoted(s.substr(pos)) + " after format type " + quoted(s.substr(pos - 1, 1)));
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      return fail(pos, "unknown format type " + quoted(s.substr(pos, 1)));
    } else {
      return fail(pos, "unexpected " + quoted(s.substr(pos, code_point_len(s, pos))) + "; a spec reads " + kOrder);
    }
  }
  // Separators go with decimal digits; `_` also every four digits of b, o, x, X.
  if (out.grouping && (out.type == 's' || (out.grouping == ',' && is_int_type(out.type) && out.type != 'd')))
    return fail(out.at.grouping, quoted(std::string(1, out.grouping)) + " does not apply to format type " +
                                     quoted(std::string(1, out.type)));
  return true;
}

// ---- which parts apply to which values --------------------------------------------------------

bool spec_fits(const FormatSpec& spec, ValueKind kind, std::string& error, size_t& error_at, std::string_view what) {
  std::string noun(what);
  if (noun.empty()) {
    switch (kind) {
      case ValueKind::Int: noun = "an int"; break;
      case ValueKind::Float: noun = "a float"; break;
      case ValueKind::Str: noun = "a str"; break;
      case ValueKind::Other: noun = "this value"; break;
    }
  }
  auto part = [&](size_t at, const std::string& text, const char* name) {
    error = quoted(text) + " (" + name + ") does not apply to " + noun;
    error_at = at;
    return false;
  };
  auto type = [&]() {
    error = "format type " + quoted(std::string(1, spec.type)) + " does not apply to " + noun;
    error_at = spec.at.type;
    return false;
  };
  std::string precision(1, '.');
  precision += std::to_string(spec.precision);
  bool text = kind == ValueKind::Str || kind == ValueKind::Other;
  if (text) {
    if (spec.align == '=') return part(spec.at.align, "=", "alignment after the sign");
    if (spec.sign) return part(spec.at.sign, std::string(1, spec.sign), "sign");
    if (spec.alternate) return part(spec.at.alternate, "#", "alternate form");
    if (spec.zero && kind == ValueKind::Other) return part(spec.at.zero, "0", "zero padding");
    if (spec.grouping) return part(spec.at.grouping, std::string(1, spec.grouping), "thousands separator");
    if (spec.precision >= 0 && kind == ValueKind::Other) return part(spec.at.precision, precision, "precision");
    if (spec.type && (kind == ValueKind::Other || spec.type != 's')) return type();
    return true;
  }
  if (spec.type == 's' || (kind == ValueKind::Float && is_int_type(spec.type))) return type();
  if (kind == ValueKind::Int && spec.precision >= 0 && !is_float_type(spec.type)) {
    error_at = spec.at.precision;
    if (spec.type) {
      error = quoted(precision) + " (precision) does not apply to format type " + quoted(std::string(1, spec.type));
    } else {
      error = quoted(precision) + " (precision) does not apply to " + noun + "; a float type takes one, as in " +
              quoted(precision + "f");
    }
    return false;
  }
  return true;
}

bool check_spec(std::string_view spec, ValueKind kind, std::string& error, size_t& error_at, std::string_view what) {
  FormatSpec parsed;
  return parse_spec(spec, parsed, error, error_at) && spec_fits(parsed, kind, error, error_at, what);
}

// ---- formatting ---------------------------------------------------------------------------------

std::string format_int(int64_t v, const FormatSpec& spec) {
  if (is_float_type(spec.type)) return format_float((double)v, spec);
  int base = 10;
  const char* prefix = "";
  switch (spec.type) {
    case 'b': base = 2, prefix = "0b"; break;
    case 'o': base = 8, prefix = "0o"; break;
    case 'x': base = 16, prefix = "0x"; break;
    case 'X': base = 16, prefix = "0X"; break;
    default: break;
  }
  uint64_t magnitude = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  char buf[72];
  auto r = std::to_chars(buf, buf + sizeof buf, magnitude, base);
  std::string digits(buf, r.ptr);
  if (spec.type == 'X')
    for (char& c : digits) c = (char)std::toupper((unsigned char)c);
  int group = 0;
  if (spec.grouping == '_') group = base == 10 ? 3 : 4;
  if (spec.grouping == ',' && base == 10) group = 3;
  return layout_number(sign_char(v < 0, spec), spec.alternate ? prefix : "", digits, false, "", spec, group,
                       spec.grouping);
}

// format_float_internal
std::string format_float(double v, const FormatSpec& spec) {
  char type = is_float_type(spec.type) ? spec.type : 0;
  int64_t precision = spec.precision;
  bool add_dot_0 = false, percent = false;
  char code;
  if (type == 0) {  // like repr without a precision, else like `g` with a digit after the point
    add_dot_0 = true;
    code = precision < 0 ? 'r' : 'g';
  } else if (type == '%') {
    code = 'f';
    v *= 100;
    percent = true;
  } else {
    code = (char)std::tolower((unsigned char)type);
  }
  if (precision < 0) precision = 6;
  bool upper = type == 'E' || type == 'F' || type == 'G';
  std::string body = float_body(v, code, precision, add_dot_0, spec.alternate, upper);
  if (percent) body += '%';
  // parse_number: the leading digits are grouped, the rest (fraction, exponent) is not.
  size_t int_end = 0;
  while (int_end < body.size() && body[int_end] >= '0' && body[int_end] <= '9') ++int_end;
  bool has_decimal = int_end < body.size() && body[int_end] == '.';
  std::string_view all(body);
  return layout_number(sign_char(std::signbit(v) && !std::isnan(v), spec), "", all.substr(0, int_end), has_decimal,
                       all.substr(int_end + (has_decimal ? 1 : 0)), spec, spec.grouping ? 3 : 0, spec.grouping);
}

// format_string_internal
std::string format_text(std::string_view text, const FormatSpec& spec) {
  size_t len = code_points(text);
  if (spec.precision >= 0 && len > (size_t)spec.precision) {
    size_t end = 0;
    for (size_t n = 0; n < (size_t)spec.precision; ++n) end += code_point_len(text, end);
    text = text.substr(0, end);
    len = (size_t)spec.precision;
  }
  int64_t padding = std::max<int64_t>(0, spec.width - (int64_t)len);
  int64_t lpad = spec.align == '>' ? padding : spec.align == '^' ? padding / 2 : 0;
  std::string out;
  append_fill(out, spec.fill, lpad);
  out += text;
  append_fill(out, spec.fill, padding - lpad);
  return out;
}

std::string float_repr(double v) {
  return format_float(v, FormatSpec{});
}

// ---- round: float___round___impl and double_round ---------------------------------------------

double round_half_even(double x) {
  if (!std::isfinite(x)) return x;
  double r = std::round(x);
  if (std::fabs(x - r) == 0.5) r = 2.0 * std::round(x / 2.0);
  return std::copysign(r, x);  // -0.5 rounds to -0.0, as IEEE roundToIntegralTiesToEven and round(x, 0) do
}

double round_digits(double x, int64_t digits) {
  if (!std::isfinite(x)) return x;
  if (digits > 323) return x;         // (DBL_MANT_DIG - DBL_MIN_EXP) * log10(2): x is its own rounding
  if (digits < -308) return 0.0 * x;  // (DBL_MAX_EXP + 1) * log10(2): always a zero of x's sign
  // The exact decimal value of |x| (at most 767 significant digits), rounded by hand to the
  // digit at 10^-digits, ties to even, and read back: dtoa mode 3 followed by strtod.
  Digits g = significant_digits(std::fabs(x), 800);
  int64_t keep = g.decpt + digits;  // how many of the digits lie at or above 10^-digits
  if (keep >= (int64_t)g.d.size()) return x;
  std::string kept;
  if (keep >= 0) {
    kept = g.d.substr(0, (size_t)keep);
    char next = g.d[(size_t)keep];
    bool beyond = (int64_t)g.d.size() > keep + 1;  // no trailing zeros: more digits means more than a tie
    bool odd = !kept.empty() && (kept.back() - '0') % 2 == 1;
    if (next > '5' || (next == '5' && (beyond || odd))) {
      size_t i = kept.size();
      while (i > 0 && kept[i - 1] == '9') kept[--i] = '0';
      if (i == 0) {
        kept.insert(kept.begin(), '1');
      } else {
        ++kept[i - 1];
      }
    }
  }
  std::string text = std::signbit(x) ? "-" : "";
  text += kept.empty() ? std::string_view("0") : std::string_view(kept);
  text += 'e';
  text += std::to_string(-digits);
  return std::strtod(text.c_str(), nullptr);  // correctly rounded; inf when out of range
}

}  // namespace wf::format
