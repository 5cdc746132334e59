// The format-spec mini-language of f-strings (LANGUAGE.md §15) and `round`.
//
// `f"{t:.2f}"` promises Python's `format(t, ".2f")`, byte for byte, so this module is a
// transcription of CPython's Python/formatter_unicode.c and the float printing of
// Python/pystrtod.c rather than a wrapper around a library: fmt and printf disagree with
// Python in the corners (`,` and `_` grouping, `%`, `=` alignment, zero padding that runs
// through the separators, `format(1.0, ">6")` being `   1.0`, `#` on `g`, the no-type float
// that is `repr` without a precision and `g` with one). Only the digits come from the C++
// library: `std::to_chars` gives the correctly rounded (ties-to-even on the exact binary value)
// digits that CPython's dtoa gives, and everything around them — where the point goes,
// exponent or not, padding, signs, separators — is done here the way CPython does it.
//
// It lives in core because both ends need exactly the same reading of a spec: the compiler's
// checker calls `parse_spec` + `spec_fits` to report a bad spec at compile time, at the spec;
// the stdlib's `wf_format` formats with the same parse at run time. Hence the split: parsing
// knows nothing about values, `spec_fits` knows which parts apply to which kind of value, and
// the formatters assume a spec that fits (given one that does not, they still return some
// string: a part that does not apply is ignored, never undefined behaviour).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wf::format {

// One parsed spec: `[[fill]align][sign][#][0][width][,|_][.precision][type]`.
struct FormatSpec {
  static constexpr size_t kAbsent = std::string_view::npos;

  std::string fill = " ";  // one code point, UTF-8; "0" when the `0` flag was given
  char align = 0;          // '<' '>' '^' '=', or 0: the value's default ('>' numbers, '<' text)
  char sign = 0;           // '+' '-' ' ', or 0
  bool alternate = false;  // '#'
  bool zero = false;       // the `0` flag before the width (only without an explicit fill)
  int width = -1;          // in code points; -1 when absent
  char grouping = 0;       // ',' or '_' (thousands separators), or 0
  int precision = -1;      // -1 when absent
  char type = 0;           // d b o x X e E f F g G % s, or 0

  // Byte offsets into the spec text where each part starts (kAbsent when it is not there),
  // so that a diagnostic can point at the part that is wrong.
  struct Offsets {
    size_t align = kAbsent, sign = kAbsent, alternate = kAbsent, zero = kAbsent, width = kAbsent, grouping = kAbsent,
           precision = kAbsent, type = kAbsent;
  } at;
};

// What is being formatted. Other: bool, array, tuple, record, dictionary — they take only
// `[[fill]align][width]`, applied to their printed form (str(value)).
enum class ValueKind { Int, Float, Str, Other };

// Widths and precisions above this are rejected by parse_spec (CPython accepts up to
// PY_SSIZE_T_MAX and then runs out of memory).
inline constexpr int kMaxWidth = 1000000;

// Parses the text after the `:`. On failure returns false with `error` a short message
// ("invalid format spec: expected a digit after `.`") and `error_at` the byte offset into
// `spec` of the offending character. Checks that need only the spec are made here (`,` with
// type `x`, both `,` and `_`); which parts apply to which value is spec_fits's business.
bool parse_spec(std::string_view spec, FormatSpec& out, std::string& error, size_t& error_at);

// Whether a parsed spec applies to a value of this kind. If not, `error` says why naming the
// value's type (`"format type `d` does not apply to a float"`, `"`+` (sign) does not apply
// to a str"`) and `error_at` is the offset of the offending part. `what` names the type in
// the message, with its article ("a bool", "an array"); empty: "an int", "a float", "a str",
// "this value" by kind.
bool spec_fits(const FormatSpec& spec, ValueKind kind, std::string& error, size_t& error_at,
               std::string_view what = {});

// parse_spec, then spec_fits: what the checker asks of an f-string's `{value:spec}`.
bool check_spec(std::string_view spec, ValueKind kind, std::string& error, size_t& error_at,
                std::string_view what = {});

// The formatters; `spec` must fit the kind (spec_fits). An int with a float type formats
// as the float nearest to it, as in Python.
std::string format_int(int64_t v, const FormatSpec& spec);
std::string format_float(double v, const FormatSpec& spec);
std::string format_text(std::string_view text, const FormatSpec& spec);  // a str, or str(value)

// Python's repr(float): the shortest digits that read back to `v` (LANGUAGE.md §8).
std::string float_repr(double v);

// round(x): the nearest integer, ties to even, as a float (+0.0 for a zero result, as
// float(round(x)) in Python); inf and nan pass through.
double round_half_even(double x);
// round(x, digits), exactly Python's float.__round__(digits): x rounded, ties to even on its
// exact binary value, to a multiple of 10**-digits (round(2.675, 2) == 2.67); inf and nan
// pass through; a result too large for a double (where Python raises OverflowError) is inf.
double round_digits(double x, int64_t digits);

}  // namespace wf::format
