// The f-string format-spec mini-language and `round` (core/format/format_spec.hpp, LANGUAGE.md
// §15). Every expected string in the value tables is CPython 3.11's output — format(value, spec),
// repr(round(x)), repr(round(x, digits)) — produced by /usr/bin/python3 when the tables were
// written; the diagnostics are wf's own.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "format/format_spec.hpp"

namespace {

using wf::format::FormatSpec;
using wf::format::ValueKind;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

FormatSpec parsed(std::string_view text) {
  FormatSpec spec;
  std::string error;
  size_t at = 0;
  EXPECT_TRUE(wf::format::parse_spec(text, spec, error, at)) << "'" << text << "': " << error;
  return spec;
}

// The spec parsed and checked against the kind, as the compiler does, then formatted as the
// stdlib does.
FormatSpec fitting(std::string_view text, ValueKind kind) {
  FormatSpec spec = parsed(text);
  std::string error;
  size_t at = 0;
  EXPECT_TRUE(wf::format::spec_fits(spec, kind, error, at)) << "'" << text << "': " << error;
  return spec;
}

std::string format(int64_t v, std::string_view spec) {
  return wf::format::format_int(v, fitting(spec, ValueKind::Int));
}
std::string format(double v, std::string_view spec) {
  return wf::format::format_float(v, fitting(spec, ValueKind::Float));
}
std::string format(const char* s, std::string_view spec) {
  return wf::format::format_text(s, fitting(spec, ValueKind::Str));
}

template <typename T>
struct Case {
  T value;
  const char* spec;
  const char* python;  // format(value, spec)
};

template <typename T, size_t N>
void expect_python(const Case<T> (&cases)[N]) {
  for (const auto& c : cases)
    EXPECT_EQ(format(c.value, c.spec), c.python) << "format(" << c.value << ", '" << c.spec << "')";
}

// ---- int ---------------------------------------------------------------------------------------

TEST(FormatInt, EveryIntTypeWithAndWithoutPrefix) {
  const Case<int64_t> cases[] = {
      {0, "", "0"},
      {0, "d", "0"},
      {0, "b", "0"},
      {0, "o", "0"},
      {0, "x", "0"},
      {0, "X", "0"},
      {0, "#b", "0b0"},
      {0, "#o", "0o0"},
      {0, "#x", "0x0"},
      {0, "#X", "0X0"},
      {0, "#d", "0"},
      {42, "", "42"},
      {42, "d", "42"},
      {42, "b", "101010"},
      {42, "o", "52"},
      {42, "x", "2a"},
      {42, "X", "2A"},
      {42, "#b", "0b101010"},
      {42, "#o", "0o52"},
      {42, "#x", "0x2a"},
      {42, "#X", "0X2A"},
      {42, "#d", "42"},
      {-42, "", "-42"},
      {-42, "d", "-42"},
      {-42, "b", "-101010"},
      {-42, "o", "-52"},
      {-42, "x", "-2a"},
      {-42, "X", "-2A"},
      {-42, "#b", "-0b101010"},
      {-42, "#o", "-0o52"},
      {-42, "#x", "-0x2a"},
      {-42, "#X", "-0X2A"},
      {-42, "#d", "-42"},
      {255, "", "255"},
      {255, "d", "255"},
      {255, "b", "11111111"},
      {255, "o", "377"},
      {255, "x", "ff"},
      {255, "X", "FF"},
      {255, "#b", "0b11111111"},
      {255, "#o", "0o377"},
      {255, "#x", "0xff"},
      {255, "#X", "0XFF"},
      {255, "#d", "255"},
      {-255, "", "-255"},
      {-255, "d", "-255"},
      {-255, "b", "-11111111"},
      {-255, "o", "-377"},
      {-255, "x", "-ff"},
      {-255, "X", "-FF"},
      {-255, "#b", "-0b11111111"},
      {-255, "#o", "-0o377"},
      {-255, "#x", "-0xff"},
      {-255, "#X", "-0XFF"},
      {-255, "#d", "-255"},
      {INT64_MAX, "", "9223372036854775807"},
      {INT64_MAX, "d", "9223372036854775807"},
      {INT64_MAX, "b", "111111111111111111111111111111111111111111111111111111111111111"},
      {INT64_MAX, "o", "777777777777777777777"},
      {INT64_MAX, "x", "7fffffffffffffff"},
      {INT64_MAX, "X", "7FFFFFFFFFFFFFFF"},
      {INT64_MAX, "#b", "0b111111111111111111111111111111111111111111111111111111111111111"},
      {INT64_MAX, "#o", "0o777777777777777777777"},
      {INT64_MAX, "#x", "0x7fffffffffffffff"},
      {INT64_MAX, "#X", "0X7FFFFFFFFFFFFFFF"},
      {INT64_MAX, "#d", "9223372036854775807"},
      {INT64_MIN, "", "-9223372036854775808"},
      {INT64_MIN, "d", "-9223372036854775808"},
      {INT64_MIN, "b", "-1000000000000000000000000000000000000000000000000000000000000000"},
      {INT64_MIN, "o", "-1000000000000000000000"},
      {INT64_MIN, "x", "-8000000000000000"},
      {INT64_MIN, "X", "-8000000000000000"},
      {INT64_MIN, "#b", "-0b1000000000000000000000000000000000000000000000000000000000000000"},
      {INT64_MIN, "#o", "-0o1000000000000000000000"},
      {INT64_MIN, "#x", "-0x8000000000000000"},
      {INT64_MIN, "#X", "-0X8000000000000000"},
      {INT64_MIN, "#d", "-9223372036854775808"},
  };
  expect_python(cases);
}

TEST(FormatInt, AlignFillSignZeroPaddingAndGrouping) {
  const Case<int64_t> cases[] = {
      {42, "6", "    42"},
      {42, "<6", "42    "},
      {42, ">6", "    42"},
      {42, "^6", "  42  "},
      {42, "^7", "  42   "},
      {-42, "=6", "-   42"},
      {-42, "*=8", "-*****42"},
      {42, "*<6", "42****"},
      {42, "é^7", "éé42ééé"},
      {42, "€>5", "€€€42"},
      {42, "+", "+42"},
      {-42, "+", "-42"},
      {42, "-", "42"},
      {42, " ", " 42"},
      {-42, " ", "-42"},
      {0, "+", "+0"},
      {42, "+6", "   +42"},
      {42, "=+6", "+   42"},
      {42, "06", "000042"},
      {-42, "06", "-00042"},
      {42, "+06", "+00042"},
      {42, "<06", "420000"},
      {42, ">06", "000042"},
      {42, "^06", "004200"},
      {42, "x<06", "42xxxx"},
      {42, "0>6", "000042"},
      {255, "#010x", "0x000000ff"},
      {-255, "#010x", "-0x00000ff"},
      {255, "#010b", "0b11111111"},
      {-255, "+#012o", "-0o000000377"},
      {255, "#^10X", "####FF####"},
      {1234567, ",", "1,234,567"},
      {-1234567, ",", "-1,234,567"},
      {1234567, "_", "1_234_567"},
      {999, ",", "999"},
      {1000, ",", "1,000"},
      {0, ",", "0"},
      {1234, "09,", "0,001,234"},
      {1234, "010,", "00,001,234"},
      {1234, "0=10,", "00,001,234"},
      {1234, "*=10,", "*****1,234"},
      {1234, ">10,", "     1,234"},
      {-1234, "010,", "-0,001,234"},
      {-1234, "011_", "-00_001_234"},
      {1234, "+012,d", "+000,001,234"},
      {INT64_MAX, ",", "9,223,372,036,854,775,807"},
      {INT64_MIN, ",", "-9,223,372,036,854,775,808"},
      {123456789, "_x", "75b_cd15"},
      {123456789, "#_x", "0x75b_cd15"},
      {123456789, "#_b", "0b111_0101_1011_1100_1101_0001_0101"},
      {123456789, "_o", "7_2674_6425"},
      {123456789, "_X", "75B_CD15"},
      {255, "012_b", "00_1111_1111"},
      {255, "#012_b", "0b0_1111_1111"},
      {255, "010_x", "0_0000_00ff"},
  };
  expect_python(cases);
}

TEST(FormatInt, FloatTypesFormatTheNearestFloat) {
  const Case<int64_t> cases[] = {
      {42, ".2f", "42.00"},
      {42, ".0f", "42"},
      {42, "e", "4.200000e+01"},
      {42, "E", "4.200000E+01"},
      {42, ".3e", "4.200e+01"},
      {42, "g", "42"},
      {42, "G", "42"},
      {42, "%", "4200.000000%"},
      {42, ".1%", "4200.0%"},
      {42, "8.2f", "   42.00"},
      {-42, "+09.2f", "-00042.00"},
      {1234567, ",.2f", "1,234,567.00"},
      {9007199254740993, "f", "9007199254740992.000000"},
      {INT64_MAX, "e", "9.223372e+18"},
      {INT64_MAX, ".20g", "9223372036854775808"},
      {-7, "#.0f", "-7."},
      {0, ".3g", "0"},
  };
  expect_python(cases);
}

// ---- float -------------------------------------------------------------------------------------

TEST(FormatFloat, EveryFloatTypeAndPrecision) {
  const Case<double> cases[] = {
      {0.0, "", "0.0"},
      {0.0, "e", "0.000000e+00"},
      {0.0, "E", "0.000000E+00"},
      {0.0, "f", "0.000000"},
      {0.0, "F", "0.000000"},
      {0.0, "g", "0"},
      {0.0, "G", "0"},
      {0.0, "%", "0.000000%"},
      {0.0, ".2", "0.0"},
      {0.0, ".3e", "0.000e+00"},
      {0.0, ".2f", "0.00"},
      {0.0, ".3g", "0"},
      {0.0, ".1%", "0.0%"},
      {0.0, "#", "0.0"},
      {0.0, "#g", "0.00000"},
      {0.0, "#.0f", "0."},
      {0.0, "#.0e", "0.e+00"},
      {0.0, ".0", "0e+00"},
      {0.0, ".0e", "0e+00"},
      {0.0, ".0g", "0"},
      {0.0, ".0%", "0%"},
      {-0.0, "", "-0.0"},
      {-0.0, "e", "-0.000000e+00"},
      {-0.0, "E", "-0.000000E+00"},
      {-0.0, "f", "-0.000000"},
      {-0.0, "F", "-0.000000"},
      {-0.0, "g", "-0"},
      {-0.0, "G", "-0"},
      {-0.0, "%", "-0.000000%"},
      {-0.0, ".2", "-0.0"},
      {-0.0, ".3e", "-0.000e+00"},
      {-0.0, ".2f", "-0.00"},
      {-0.0, ".3g", "-0"},
      {-0.0, ".1%", "-0.0%"},
      {-0.0, "#", "-0.0"},
      {-0.0, "#g", "-0.00000"},
      {-0.0, "#.0f", "-0."},
      {-0.0, "#.0e", "-0.e+00"},
      {-0.0, ".0", "-0e+00"},
      {-0.0, ".0e", "-0e+00"},
      {-0.0, ".0g", "-0"},
      {-0.0, ".0%", "-0%"},
      {1.0, "", "1.0"},
      {1.0, "e", "1.000000e+00"},
      {1.0, "E", "1.000000E+00"},
      {1.0, "f", "1.000000"},
      {1.0, "F", "1.000000"},
      {1.0, "g", "1"},
      {1.0, "G", "1"},
      {1.0, "%", "100.000000%"},
      {1.0, ".2", "1.0"},
      {1.0, ".3e", "1.000e+00"},
      {1.0, ".2f", "1.00"},
      {1.0, ".3g", "1"},
      {1.0, ".1%", "100.0%"},
      {1.0, "#", "1.0"},
      {1.0, "#g", "1.00000"},
      {1.0, "#.0f", "1."},
      {1.0, "#.0e", "1.e+00"},
      {1.0, ".0", "1e+00"},
      {1.0, ".0e", "1e+00"},
      {1.0, ".0g", "1"},
      {1.0, ".0%", "100%"},
      {1.5, "", "1.5"},
      {1.5, "e", "1.500000e+00"},
      {1.5, "E", "1.500000E+00"},
      {1.5, "f", "1.500000"},
      {1.5, "F", "1.500000"},
      {1.5, "g", "1.5"},
      {1.5, "G", "1.5"},
      {1.5, "%", "150.000000%"},
      {1.5, ".2", "1.5"},
      {1.5, ".3e", "1.500e+00"},
      {1.5, ".2f", "1.50"},
      {1.5, ".3g", "1.5"},
      {1.5, ".1%", "150.0%"},
      {1.5, "#", "1.5"},
      {1.5, "#g", "1.50000"},
      {1.5, "#.0f", "2."},
      {1.5, "#.0e", "2.e+00"},
      {1.5, ".0", "2e+00"},
      {1.5, ".0e", "2e+00"},
      {1.5, ".0g", "2"},
      {1.5, ".0%", "150%"},
      {-1.5, "", "-1.5"},
      {-1.5, "e", "-1.500000e+00"},
      {-1.5, "E", "-1.500000E+00"},
      {-1.5, "f", "-1.500000"},
      {-1.5, "F", "-1.500000"},
      {-1.5, "g", "-1.5"},
      {-1.5, "G", "-1.5"},
      {-1.5, "%", "-150.000000%"},
      {-1.5, ".2", "-1.5"},
      {-1.5, ".3e", "-1.500e+00"},
      {-1.5, ".2f", "-1.50"},
      {-1.5, ".3g", "-1.5"},
      {-1.5, ".1%", "-150.0%"},
      {-1.5, "#", "-1.5"},
      {-1.5, "#g", "-1.50000"},
      {-1.5, "#.0f", "-2."},
      {-1.5, "#.0e", "-2.e+00"},
      {-1.5, ".0", "-2e+00"},
      {-1.5, ".0e", "-2e+00"},
      {-1.5, ".0g", "-2"},
      {-1.5, ".0%", "-150%"},
      {0.1, "", "0.1"},
      {0.1, "e", "1.000000e-01"},
      {0.1, "E", "1.000000E-01"},
      {0.1, "f", "0.100000"},
      {0.1, "F", "0.100000"},
      {0.1, "g", "0.1"},
      {0.1, "G", "0.1"},
      {0.1, "%", "10.000000%"},
      {0.1, ".2", "0.1"},
      {0.1, ".3e", "1.000e-01"},
      {0.1, ".2f", "0.10"},
      {0.1, ".3g", "0.1"},
      {0.1, ".1%", "10.0%"},
      {0.1, "#", "0.1"},
      {0.1, "#g", "0.100000"},
      {0.1, "#.0f", "0."},
      {0.1, "#.0e", "1.e-01"},
      {0.1, ".0", "0.1"},
      {0.1, ".0e", "1e-01"},
      {0.1, ".0g", "0.1"},
      {0.1, ".0%", "10%"},
      {3.14159265358979, "", "3.14159265358979"},
      {3.14159265358979, "e", "3.141593e+00"},
      {3.14159265358979, "E", "3.141593E+00"},
      {3.14159265358979, "f", "3.141593"},
      {3.14159265358979, "F", "3.141593"},
      {3.14159265358979, "g", "3.14159"},
      {3.14159265358979, "G", "3.14159"},
      {3.14159265358979, "%", "314.159265%"},
      {3.14159265358979, ".2", "3.1"},
      {3.14159265358979, ".3e", "3.142e+00"},
      {3.14159265358979, ".2f", "3.14"},
      {3.14159265358979, ".3g", "3.14"},
      {3.14159265358979, ".1%", "314.2%"},
      {3.14159265358979, "#", "3.14159265358979"},
      {3.14159265358979, "#g", "3.14159"},
      {3.14159265358979, "#.0f", "3."},
      {3.14159265358979, "#.0e", "3.e+00"},
      {3.14159265358979, ".0", "3e+00"},
      {3.14159265358979, ".0e", "3e+00"},
      {3.14159265358979, ".0g", "3"},
      {3.14159265358979, ".0%", "314%"},
      {1234.5678, "", "1234.5678"},
      {1234.5678, "e", "1.234568e+03"},
      {1234.5678, "E", "1.234568E+03"},
      {1234.5678, "f", "1234.567800"},
      {1234.5678, "F", "1234.567800"},
      {1234.5678, "g", "1234.57"},
      {1234.5678, "G", "1234.57"},
      {1234.5678, "%", "123456.780000%"},
      {1234.5678, ".2", "1.2e+03"},
      {1234.5678, ".3e", "1.235e+03"},
      {1234.5678, ".2f", "1234.57"},
      {1234.5678, ".3g", "1.23e+03"},
      {1234.5678, ".1%", "123456.8%"},
      {1234.5678, "#", "1234.5678"},
      {1234.5678, "#g", "1234.57"},
      {1234.5678, "#.0f", "1235."},
      {1234.5678, "#.0e", "1.e+03"},
      {1234.5678, ".0", "1e+03"},
      {1234.5678, ".0e", "1e+03"},
      {1234.5678, ".0g", "1e+03"},
      {1234.5678, ".0%", "123457%"},
      {-0.000123456, "", "-0.000123456"},
      {-0.000123456, "e", "-1.234560e-04"},
      {-0.000123456, "E", "-1.234560E-04"},
      {-0.000123456, "f", "-0.000123"},
      {-0.000123456, "F", "-0.000123"},
      {-0.000123456, "g", "-0.000123456"},
      {-0.000123456, "G", "-0.000123456"},
      {-0.000123456, "%", "-0.012346%"},
      {-0.000123456, ".2", "-0.00012"},
      {-0.000123456, ".3e", "-1.235e-04"},
      {-0.000123456, ".2f", "-0.00"},
      {-0.000123456, ".3g", "-0.000123"},
      {-0.000123456, ".1%", "-0.0%"},
      {-0.000123456, "#", "-0.000123456"},
      {-0.000123456, "#g", "-0.000123456"},
      {-0.000123456, "#.0f", "-0."},
      {-0.000123456, "#.0e", "-1.e-04"},
      {-0.000123456, ".0", "-0.0001"},
      {-0.000123456, ".0e", "-1e-04"},
      {-0.000123456, ".0g", "-0.0001"},
      {-0.000123456, ".0%", "-0%"},
      {1e+16, "", "1e+16"},
      {1e+16, "e", "1.000000e+16"},
      {1e+16, "E", "1.000000E+16"},
      {1e+16, "f", "10000000000000000.000000"},
      {1e+16, "F", "10000000000000000.000000"},
      {1e+16, "g", "1e+16"},
      {1e+16, "G", "1E+16"},
      {1e+16, "%", "1000000000000000000.000000%"},
      {1e+16, ".2", "1e+16"},
      {1e+16, ".3e", "1.000e+16"},
      {1e+16, ".2f", "10000000000000000.00"},
      {1e+16, ".3g", "1e+16"},
      {1e+16, ".1%", "1000000000000000000.0%"},
      {1e+16, "#", "1.e+16"},
      {1e+16, "#g", "1.00000e+16"},
      {1e+16, "#.0f", "10000000000000000."},
      {1e+16, "#.0e", "1.e+16"},
      {1e+16, ".0", "1e+16"},
      {1e+16, ".0e", "1e+16"},
      {1e+16, ".0g", "1e+16"},
      {1e+16, ".0%", "1000000000000000000%"},
      {1e-05, "", "1e-05"},
      {1e-05, "e", "1.000000e-05"},
      {1e-05, "E", "1.000000E-05"},
      {1e-05, "f", "0.000010"},
      {1e-05, "F", "0.000010"},
      {1e-05, "g", "1e-05"},
      {1e-05, "G", "1E-05"},
      {1e-05, "%", "0.001000%"},
      {1e-05, ".2", "1e-05"},
      {1e-05, ".3e", "1.000e-05"},
      {1e-05, ".2f", "0.00"},
      {1e-05, ".3g", "1e-05"},
      {1e-05, ".1%", "0.0%"},
      {1e-05, "#", "1.e-05"},
      {1e-05, "#g", "1.00000e-05"},
      {1e-05, "#.0f", "0."},
      {1e-05, "#.0e", "1.e-05"},
      {1e-05, ".0", "1e-05"},
      {1e-05, ".0e", "1e-05"},
      {1e-05, ".0g", "1e-05"},
      {1e-05, ".0%", "0%"},
      {123456789.0, "", "123456789.0"},
      {123456789.0, "e", "1.234568e+08"},
      {123456789.0, "E", "1.234568E+08"},
      {123456789.0, "f", "123456789.000000"},
      {123456789.0, "F", "123456789.000000"},
      {123456789.0, "g", "1.23457e+08"},
      {123456789.0, "G", "1.23457E+08"},
      {123456789.0, "%", "12345678900.000000%"},
      {123456789.0, ".2", "1.2e+08"},
      {123456789.0, ".3e", "1.235e+08"},
      {123456789.0, ".2f", "123456789.00"},
      {123456789.0, ".3g", "1.23e+08"},
      {123456789.0, ".1%", "12345678900.0%"},
      {123456789.0, "#", "123456789.0"},
      {123456789.0, "#g", "1.23457e+08"},
      {123456789.0, "#.0f", "123456789."},
      {123456789.0, "#.0e", "1.e+08"},
      {123456789.0, ".0", "1e+08"},
      {123456789.0, ".0e", "1e+08"},
      {123456789.0, ".0g", "1e+08"},
      {123456789.0, ".0%", "12345678900%"},
      {2.5, "", "2.5"},
      {2.5, "e", "2.500000e+00"},
      {2.5, "E", "2.500000E+00"},
      {2.5, "f", "2.500000"},
      {2.5, "F", "2.500000"},
      {2.5, "g", "2.5"},
      {2.5, "G", "2.5"},
      {2.5, "%", "250.000000%"},
      {2.5, ".2", "2.5"},
      {2.5, ".3e", "2.500e+00"},
      {2.5, ".2f", "2.50"},
      {2.5, ".3g", "2.5"},
      {2.5, ".1%", "250.0%"},
      {2.5, "#", "2.5"},
      {2.5, "#g", "2.50000"},
      {2.5, "#.0f", "2."},
      {2.5, "#.0e", "2.e+00"},
      {2.5, ".0", "2e+00"},
      {2.5, ".0e", "2e+00"},
      {2.5, ".0g", "2"},
      {2.5, ".0%", "250%"},
      {1e+22, "", "1e+22"},
      {1e+22, "e", "1.000000e+22"},
      {1e+22, "E", "1.000000E+22"},
      {1e+22, "f", "10000000000000000000000.000000"},
      {1e+22, "F", "10000000000000000000000.000000"},
      {1e+22, "g", "1e+22"},
      {1e+22, "G", "1E+22"},
      {1e+22, "%", "999999999999999983222784.000000%"},
      {1e+22, ".2", "1e+22"},
      {1e+22, ".3e", "1.000e+22"},
      {1e+22, ".2f", "10000000000000000000000.00"},
      {1e+22, ".3g", "1e+22"},
      {1e+22, ".1%", "999999999999999983222784.0%"},
      {1e+22, "#", "1.e+22"},
      {1e+22, "#g", "1.00000e+22"},
      {1e+22, "#.0f", "10000000000000000000000."},
      {1e+22, "#.0e", "1.e+22"},
      {1e+22, ".0", "1e+22"},
      {1e+22, ".0e", "1e+22"},
      {1e+22, ".0g", "1e+22"},
      {1e+22, ".0%", "999999999999999983222784%"},
      {5e-324, "", "5e-324"},
      {5e-324, "e", "4.940656e-324"},
      {5e-324, "E", "4.940656E-324"},
      {5e-324, "f", "0.000000"},
      {5e-324, "F", "0.000000"},
      {5e-324, "g", "4.94066e-324"},
      {5e-324, "G", "4.94066E-324"},
      {5e-324, "%", "0.000000%"},
      {5e-324, ".2", "4.9e-324"},
      {5e-324, ".3e", "4.941e-324"},
      {5e-324, ".2f", "0.00"},
      {5e-324, ".3g", "4.94e-324"},
      {5e-324, ".1%", "0.0%"},
      {5e-324, "#", "5.e-324"},
      {5e-324, "#g", "4.94066e-324"},
      {5e-324, "#.0f", "0."},
      {5e-324, "#.0e", "5.e-324"},
      {5e-324, ".0", "5e-324"},
      {5e-324, ".0e", "5e-324"},
      {5e-324, ".0g", "5e-324"},
      {5e-324, ".0%", "0%"},
  };
  expect_python(cases);
}

TEST(FormatFloat, InfinitiesAndNan) {
  const Case<double> cases[] = {
      {kInf, "", "inf"},
      {kInf, "e", "inf"},
      {kInf, "E", "INF"},
      {kInf, "f", "inf"},
      {kInf, "F", "INF"},
      {kInf, "g", "inf"},
      {kInf, "G", "INF"},
      {kInf, "%", "inf%"},
      {kInf, ".2f", "inf"},
      {kInf, "+", "+inf"},
      {kInf, " ", " inf"},
      {kInf, "08", "00000inf"},
      {kInf, "08.2f", "00000inf"},
      {kInf, "<8", "inf     "},
      {kInf, "^8", "  inf   "},
      {kInf, "=+8", "+    inf"},
      {kInf, "*=8", "*****inf"},
      {kInf, "010,", "0000000inf"},
      {kInf, "+#F", "+INF"},
      {-kInf, "", "-inf"},
      {-kInf, "e", "-inf"},
      {-kInf, "E", "-INF"},
      {-kInf, "f", "-inf"},
      {-kInf, "F", "-INF"},
      {-kInf, "g", "-inf"},
      {-kInf, "G", "-INF"},
      {-kInf, "%", "-inf%"},
      {-kInf, ".2f", "-inf"},
      {-kInf, "+", "-inf"},
      {-kInf, " ", "-inf"},
      {-kInf, "08", "-0000inf"},
      {-kInf, "08.2f", "-0000inf"},
      {-kInf, "<8", "-inf    "},
      {-kInf, "^8", "  -inf  "},
      {-kInf, "=+8", "-    inf"},
      {-kInf, "*=8", "-****inf"},
      {-kInf, "010,", "-000000inf"},
      {-kInf, "+#F", "-INF"},
      {kNaN, "", "nan"},
      {kNaN, "e", "nan"},
      {kNaN, "E", "NAN"},
      {kNaN, "f", "nan"},
      {kNaN, "F", "NAN"},
      {kNaN, "g", "nan"},
      {kNaN, "G", "NAN"},
      {kNaN, "%", "nan%"},
      {kNaN, ".2f", "nan"},
      {kNaN, "+", "+nan"},
      {kNaN, " ", " nan"},
      {kNaN, "08", "00000nan"},
      {kNaN, "08.2f", "00000nan"},
      {kNaN, "<8", "nan     "},
      {kNaN, "^8", "  nan   "},
      {kNaN, "=+8", "+    nan"},
      {kNaN, "*=8", "*****nan"},
      {kNaN, "010,", "0000000nan"},
      {kNaN, "+#F", "+NAN"},
  };
  expect_python(cases);
}

TEST(FormatFloat, LayoutTiesGroupingAlternateFormAndExtremes) {
  const Case<double> cases[] = {
      {1.0, ">6", "   1.0"},
      {1.0, "6", "   1.0"},
      {1.0, "<6", "1.0   "},
      {1.0, "^7", "  1.0  "},
      {-1.0, "=8", "-    1.0"},
      {-1.0, "08", "-00001.0"},
      {1.5, "+", "+1.5"},
      {1.5, " ", " 1.5"},
      {-1.5, " ", "-1.5"},
      {1.5, "-", "1.5"},
      {-0.0, "+", "-0.0"},
      {0.0, "+", "+0.0"},
      {0.0, " .2f", " 0.00"},
      {-0.0, "+.2f", "-0.00"},
      {-0.001, ".1f", "-0.0"},
      {0.125, ".2f", "0.12"},
      {0.375, ".2f", "0.38"},
      {2.5, ".0f", "2"},
      {3.5, ".0f", "4"},
      {0.5, ".0f", "0"},
      {1.5, ".0f", "2"},
      {2.675, ".2f", "2.67"},
      {1.005, ".2f", "1.00"},
      {0.1, ".30f", "0.100000000000000005551115123126"},
      {0.1, ".20e", "1.00000000000000005551e-01"},
      {1.1805916207174113e+21, "f", "1180591620717411303424.000000"},
      {1e+22, "f", "10000000000000000000000.000000"},
      {1e+22, ",", "1e+22"},
      {1e+22, ".0f", "10000000000000000000000"},
      {1234567.891, ",", "1,234,567.891"},
      {1234567.891, ",.2f", "1,234,567.89"},
      {1234567.891, "_.2f", "1_234_567.89"},
      {1234567.891, ",e", "1.234568e+06"},
      {1234567.891, ",g", "1.23457e+06"},
      {1234567.891, ",%", "123,456,789.100000%"},
      {1234.5, "012,.1f", "00,001,234.5"},
      {1234.5, "09,", "001,234.5"},
      {-1234.5, "012,.1f", "-0,001,234.5"},
      {1234.5, "*^14,.1f", "***1,234.5****"},
      {0.5, "010,", "0,000,000.5"},
      {12.0, "#", "12.0"},
      {1e+20, "#", "1.e+20"},
      {12.0, "#.0f", "12."},
      {12.0, "#.0e", "1.e+01"},
      {12.0, "#g", "12.0000"},
      {12.0, "#.3g", "12.0"},
      {0.0, "#g", "0.00000"},
      {123456.0, "#.3g", "1.23e+05"},
      {1.0, ".3", "1.0"},
      {1234.5, ".2", "1.2e+03"},
      {123.0, ".5", "123.0"},
      {1e+16, ".17", "1e+16"},
      {1e+16, ".16", "1e+16"},
      {9.5, ".1", "1e+01"},
      {0.0001, ".3", "0.0001"},
      {1e-05, ".3", "1e-05"},
      {1.0, "é^9.2f", "éé1.00ééé"},
      {3.14159, "€<10.3f", "3.142€€€€€"},
      {1e-320, "", "1e-320"},
      {1e-320, "e", "9.999889e-321"},
      {1e-320, ".3g", "1e-320"},
      {1e+300, ".3e", "1.000e+300"},
      {1e+300, "g", "1e+300"},
      {123456789.0, ".12g", "123456789"},
      {0.000123, "g", "0.000123"},
      {0.0001, "g", "0.0001"},
      {1e-05, "G", "1E-05"},
      {1000000000000000.0, "g", "1e+15"},
      {1000000000000000.0, "", "1000000000000000.0"},
      {9999999999999998.0, "", "9999999999999998.0"},
      {0.001, "%", "0.100000%"},
      {1.7976931348623157e+308, "%", "inf%"},
      {1.7976931348623157e+308, "e", "1.797693e+308"},
      {1.7976931348623157e+308, "", "1.7976931348623157e+308"},
      {0.5, ".0%", "50%"},
      {0.125, ".1%", "12.5%"},
      {-0.25, "+08.1%", "-0025.0%"},
      {0.3333333333333333, ".3%", "33.333%"},
  };
  expect_python(cases);
}

TEST(FormatFloat, NoSpecIsRepr) {
  const Case<double> cases[] = {
      {0.1 + 0.2, "", "0.30000000000000004"},
      {1e16, "", "1e+16"},
      {1e15, "", "1000000000000000.0"},
      {0.0001, "", "0.0001"},
      {1e-05, "", "1e-05"},
      {-0.0, "", "-0.0"},
      {5e-324, "", "5e-324"},
      {100.0, "", "100.0"},
      {1.7976931348623157e308, "", "1.7976931348623157e+308"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(wf::format::float_repr(c.value), c.python);
    EXPECT_EQ(wf::format::format_float(c.value, FormatSpec{}), c.python);
  }
}

// ---- str and the printed form of other values --------------------------------------------------

TEST(FormatText, WidthAlignFillAndPrecisionCountCodePoints) {
  const Case<const char*> cases[] = {
      {"ab", "", "ab"},
      {"ab", "s", "ab"},
      {"ab", "5", "ab   "},
      {"ab", "<5", "ab   "},
      {"ab", ">5", "   ab"},
      {"ab", "^5", " ab  "},
      {"ab", "^6", "  ab  "},
      {"ab", "*^6s", "**ab**"},
      {"ab", "é>4", "ééab"},
      {"héllo", "8", "héllo   "},
      {"héllo", ">8", "   héllo"},
      {"héllo", ".2", "hé"},
      {"héllo", "*^7.3", "**hél**"},
      {"abcdef", ".0", ""},
      {"abcdef", ".10", "abcdef"},
      {"ab", "05", "ab000"},
      {"ab", ">05", "000ab"},
      {"ab", "0>5", "000ab"},
      {"abc", "2", "abc"},
      {"", "3", "   "},
      {"€€", "€^5", "€€€€€"},
      {"x", "<3", "x  "},
  };
  expect_python(cases);
}

TEST(FormatText, OtherValuesTakeFillAlignWidth) {
  std::string error;
  size_t at = 0;
  for (const char* spec : {"", ">8", "*^8", "<8", "8"}) {
    FormatSpec s = parsed(spec);
    EXPECT_TRUE(wf::format::spec_fits(s, ValueKind::Other, error, at, "a bool")) << spec << ": " << error;
  }
  EXPECT_EQ(wf::format::format_text("true", parsed(">8")), "    true");
  EXPECT_EQ(wf::format::format_text("[1, 2]", parsed("*^10")), "**[1, 2]**");
  EXPECT_EQ(wf::format::format_text("(1, \"a\")", parsed("<10")), "(1, \"a\")  ");
  EXPECT_EQ(wf::format::format_text("false", parsed("3")), "false");
}

// The formatters assume a spec that fits; the parts that do not are ignored, never undefined.
TEST(FormatText, PartsThatDoNotFitAreIgnored) {
  EXPECT_EQ(wf::format::format_float(1.5, parsed("d")), "1.5");
  EXPECT_EQ(wf::format::format_int(5, parsed("s")), "5");
  EXPECT_EQ(wf::format::format_int(5, parsed(".2")), "5");
  EXPECT_EQ(wf::format::format_text("ab", parsed("+#5")), "ab   ");
}

// ---- round ---------------------------------------------------------------------------------------

TEST(Round, NearestIntegerTiesToEven) {
  const struct {
    double x;
    const char* python;  // repr(float(round(x)))
  } cases[] = {
      {2.5, "2.0"},
      {3.5, "4.0"},
      {-2.5, "-2.0"},
      {0.5, "0.0"},
      {-0.5, "-0.0"},
      {1.5, "2.0"},
      {-0.4, "-0.0"},
      {0.49999999999999994, "0.0"},
      {4503599627370497.0, "4503599627370497.0"},
      {1e+300, "1e+300"},
      {-7.5, "-8.0"},
      {1.4999999999999998, "1.0"},
  };
  for (const auto& c : cases) EXPECT_EQ(wf::format::float_repr(wf::format::round_half_even(c.x)), c.python) << c.x;
  EXPECT_EQ(wf::format::float_repr(wf::format::round_half_even(kInf)), "inf");
  EXPECT_EQ(wf::format::float_repr(wf::format::round_half_even(-kInf)), "-inf");
  EXPECT_EQ(wf::format::float_repr(wf::format::round_half_even(kNaN)), "nan");
}

TEST(Round, DigitsAsPythonOnTheExactBinaryValue) {
  const struct {
    double x;
    int64_t digits;
    const char* python;  // repr(round(x, digits))
  } cases[] = {
      {2.675, 2, "2.67"},
      {-1.25, 1, "-1.2"},
      {1.25, 1, "1.2"},
      {1.35, 1, "1.4"},
      {0.125, 2, "0.12"},
      {0.375, 2, "0.38"},
      {2.5, 0, "2.0"},
      {3.5, 0, "4.0"},
      {-0.5, 0, "-0.0"},
      {0.5, 0, "0.0"},
      {1234.5, -1, "1230.0"},
      {1250.0, -2, "1200.0"},
      {1350.0, -2, "1400.0"},
      {5.0, -1, "0.0"},
      {15.0, -1, "20.0"},
      {25.0, -1, "20.0"},
      {-0.04, 1, "-0.0"},
      {0.04, 1, "0.0"},
      {-0.0, 2, "-0.0"},
      {1e+300, -301, "0.0"},
      {1e+300, -300, "1e+300"},
      {1.5e-300, 300, "2e-300"},
      {5e-324, 323, "0.0"},
      {5e-324, 324, "5e-324"},
      {123.456, 400, "123.456"},
      {123.456, -400, "0.0"},
      {-123.456, -400, "-0.0"},
      {123.456, -309, "0.0"},
      {123.456, -308, "0.0"},
      {0.1, 17, "0.1"},
      {0.1, 16, "0.1"},
      {0.3333333333333333, 5, "0.33333"},
      {1.152921504606847e+18, -3, "1.152921504606847e+18"},
      {kInf, 2, "inf"},
      {-kInf, -2, "-inf"},
      {kNaN, 1, "nan"},
      {1e+22, -22, "1e+22"},
      {5e+22, -23, "0.0"},
      {4.35, 1, "4.3"},
      {4.45, 1, "4.5"},
      {1.0000000000000002, 15, "1.0"},
      {1.0000000000000002, 16, "1.0000000000000002"},
      {9.995, 2, "9.99"},
      {99.5, 0, "100.0"},
      {999.5, -3, "1000.0"},
      {0.285, 2, "0.28"},
      {1.7976931348623155e+308, -300, "1.79769313e+308"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(wf::format::float_repr(wf::format::round_digits(c.x, c.digits)), c.python)
        << "round(" << c.x << ", " << c.digits << ")";
}

// Python raises OverflowError ("rounded value too large to represent"); wf's round has no error
// path and gives inf.
TEST(Round, ResultTooLargeIsInf) {
  EXPECT_EQ(wf::format::float_repr(wf::format::round_digits(1.7976931348623157e308, -308)), "inf");
  EXPECT_EQ(wf::format::float_repr(wf::format::round_digits(-1.7976931348623157e308, -308)), "-inf");
}

// ---- parsing -----------------------------------------------------------------------------------

TEST(ParseSpec, EveryPartInOrder) {
  FormatSpec s = parsed("*^+#12_.3e");
  EXPECT_EQ(s.fill, "*");
  EXPECT_EQ(s.align, '^');
  EXPECT_EQ(s.sign, '+');
  EXPECT_TRUE(s.alternate);
  EXPECT_FALSE(s.zero);
  EXPECT_EQ(s.width, 12);
  EXPECT_EQ(s.grouping, '_');
  EXPECT_EQ(s.precision, 3);
  EXPECT_EQ(s.type, 'e');
  EXPECT_EQ(s.at.align, 1u);
  EXPECT_EQ(s.at.sign, 2u);
  EXPECT_EQ(s.at.alternate, 3u);
  EXPECT_EQ(s.at.width, 4u);
  EXPECT_EQ(s.at.grouping, 6u);
  EXPECT_EQ(s.at.precision, 7u);
  EXPECT_EQ(s.at.type, 9u);
  EXPECT_EQ(s.at.zero, FormatSpec::kAbsent);
}

TEST(ParseSpec, ZeroFlagOnlyWithoutAFill) {
  FormatSpec s = parsed(" 010,.2f");  // ' ' is a sign here, then the `0` flag
  EXPECT_EQ(s.sign, ' ');
  EXPECT_TRUE(s.zero);
  EXPECT_EQ(s.fill, "0");
  EXPECT_EQ(s.width, 10);
  EXPECT_EQ(s.at.zero, 1u);
  FormatSpec t = parsed("x>010");  // with a fill, `010` is the width
  EXPECT_FALSE(t.zero);
  EXPECT_EQ(t.fill, "x");
  EXPECT_EQ(t.width, 10);
}

TEST(ParseSpec, FillIsOneCodePoint) {
  FormatSpec s = parsed("€^9");
  EXPECT_EQ(s.fill, "€");
  EXPECT_EQ(s.align, '^');
  EXPECT_EQ(s.at.align, 3u);
  EXPECT_EQ(s.width, 9);
  FormatSpec d = parsed("");
  EXPECT_EQ(d.fill, " ");
  EXPECT_EQ(d.align, 0);
  EXPECT_EQ(d.width, -1);
  EXPECT_EQ(d.precision, -1);
  EXPECT_EQ(d.type, 0);
}

TEST(ParseSpec, ErrorsSayWhatAndWhere) {
  const struct {
    const char* spec;
    const char* error;
    size_t at;
  } cases[] = {
      {".", "invalid format spec: expected a digit after `.`", 0},
      {"10.f", "invalid format spec: expected a digit after `.`", 2},
      {",_", "invalid format spec: cannot use both `,` and `_`", 1},
      {"_,", "invalid format spec: cannot use both `,` and `_`", 1},
      {",,", "invalid format spec: `,` given twice", 1},
      {",x", "invalid format spec: `,` does not apply to format type `x`", 0},
      {"8,b", "invalid format spec: `,` does not apply to format type `b`", 1},
      {",o", "invalid format spec: `,` does not apply to format type `o`", 0},
      {",X", "invalid format spec: `,` does not apply to format type `X`", 0},
      {",s", "invalid format spec: `,` does not apply to format type `s`", 0},
      {"_s", "invalid format spec: `_` does not apply to format type `s`", 0},
      {".2fs", "invalid format spec: unexpected `s` after format type `f`", 3},
      {".2f>10", "invalid format spec: unexpected `>10` after format type `f`", 3},
      {"c", "invalid format spec: unknown format type `c`", 0},
      {"n", "invalid format spec: unknown format type `n`", 0},
      {"z", "invalid format spec: unknown format type `z`", 0},
      {"10q", "invalid format spec: unknown format type `q`", 2},
      {">>>",
       "invalid format spec: unexpected `>`; a spec reads `[[fill]align][sign][#][0][width][,][.precision][type]`", 2},
      {"5+",
       "invalid format spec: unexpected `+`; a spec reads `[[fill]align][sign][#][0][width][,][.precision][type]`", 1},
      {"#+",
       "invalid format spec: unexpected `+`; a spec reads `[[fill]align][sign][#][0][width][,][.precision][type]`", 1},
      {"é", "invalid format spec: unexpected `é`; a spec reads `[[fill]align][sign][#][0][width][,][.precision][type]`",
       0},
      {"99999999999", "invalid format spec: width is too large (at most 1000000)", 0},
      {"<.1000001f", "invalid format spec: precision is too large (at most 1000000)", 2},
  };
  for (const auto& c : cases) {
    FormatSpec s;
    std::string error;
    size_t at = 99;
    EXPECT_FALSE(wf::format::parse_spec(c.spec, s, error, at)) << c.spec;
    EXPECT_EQ(error, c.error) << c.spec;
    EXPECT_EQ(at, c.at) << c.spec;
  }
}

// ---- which parts apply to which values ------------------------------------------------------------

TEST(SpecFits, AcceptsWhatPythonAccepts) {
  const struct {
    ValueKind kind;
    const char* spec;
  } cases[] = {
      {ValueKind::Int, ""},     {ValueKind::Int, "d"},      {ValueKind::Int, "#x"},    {ValueKind::Int, ".2f"},
      {ValueKind::Int, "%"},    {ValueKind::Int, "_x"},     {ValueKind::Int, ","},     {ValueKind::Int, "=+#010_b"},
      {ValueKind::Int, ",.3e"}, {ValueKind::Float, ""},     {ValueKind::Float, ".2"},  {ValueKind::Float, ",.2f"},
      {ValueKind::Float, "#g"}, {ValueKind::Float, "=010"}, {ValueKind::Float, "_%"},  {ValueKind::Str, ""},
      {ValueKind::Str, "s"},    {ValueKind::Str, ".3"},     {ValueKind::Str, "05"},    {ValueKind::Str, "*^10.2s"},
      {ValueKind::Other, ""},   {ValueKind::Other, ">10"},  {ValueKind::Other, "*^7"}, {ValueKind::Other, "<"},
  };
  for (const auto& c : cases) {
    std::string error;
    size_t at = 0;
    EXPECT_TRUE(wf::format::check_spec(c.spec, c.kind, error, at)) << c.spec << ": " << error;
  }
}

TEST(SpecFits, ErrorsNameTheTypeAndPointAtThePart) {
  const struct {
    ValueKind kind;
    const char* what;
    const char* spec;
    const char* error;
    size_t at;
  } cases[] = {
      {ValueKind::Float, "", "d", "format type `d` does not apply to a float", 0},
      {ValueKind::Float, "", ">10x", "format type `x` does not apply to a float", 3},
      {ValueKind::Float, "", "s", "format type `s` does not apply to a float", 0},
      {ValueKind::Str, "", ".2f", "format type `f` does not apply to a str", 2},
      {ValueKind::Str, "", "d", "format type `d` does not apply to a str", 0},
      {ValueKind::Str, "", "+", "`+` (sign) does not apply to a str", 0},
      {ValueKind::Str, "", ">-5", "`-` (sign) does not apply to a str", 1},
      {ValueKind::Str, "", "#", "`#` (alternate form) does not apply to a str", 0},
      {ValueKind::Str, "", "=5", "`=` (alignment after the sign) does not apply to a str", 0},
      {ValueKind::Str, "", "*=5", "`=` (alignment after the sign) does not apply to a str", 1},
      {ValueKind::Str, "", "10,", "`,` (thousands separator) does not apply to a str", 2},
      {ValueKind::Int, "", ".2", "`.2` (precision) does not apply to an int; a float type takes one, as in `.2f`", 0},
      {ValueKind::Int, "", "10.3d", "`.3` (precision) does not apply to format type `d`", 2},
      {ValueKind::Int, "", ".1x", "`.1` (precision) does not apply to format type `x`", 0},
      {ValueKind::Int, "", "s", "format type `s` does not apply to an int", 0},
      {ValueKind::Other, "a bool", "5.2", "`.2` (precision) does not apply to a bool", 1},
      {ValueKind::Other, "a bool", "05", "`0` (zero padding) does not apply to a bool", 0},
      {ValueKind::Other, "an array", "+", "`+` (sign) does not apply to an array", 0},
      {ValueKind::Other, "an array", "s", "format type `s` does not apply to an array", 0},
      {ValueKind::Other, "a record", "_", "`_` (thousands separator) does not apply to a record", 0},
      {ValueKind::Other, "a tuple", "=9", "`=` (alignment after the sign) does not apply to a tuple", 0},
      {ValueKind::Other, "", "d", "format type `d` does not apply to this value", 0},
  };
  for (const auto& c : cases) {
    std::string error;
    size_t at = 99;
    EXPECT_FALSE(wf::format::check_spec(c.spec, c.kind, error, at, c.what)) << c.spec;
    EXPECT_EQ(error, c.error) << c.spec;
    EXPECT_EQ(at, c.at) << c.spec;
  }
}

}  // namespace
