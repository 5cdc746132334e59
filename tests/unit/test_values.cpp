// Value printing (LANGUAGE.md §8) and the msgpack value codec (stdlib/value_codec.hpp).
// Float expectations are Python's repr(float) output, checked against CPython 3.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "value_codec.hpp"
#include "values.hpp"

namespace {

using wf::detail::Slot;
using wf::detail::as_float;
using wf::detail::as_slot;
using wf::detail::format_float;

// ---- format_float == Python repr ------------------------------------------------------------

struct FloatCase {
  double value;
  const char* python_repr;
};

TEST(FormatFloat, MatchesPythonRepr) {
  const FloatCase cases[] = {
      {0.1 + 0.2, "0.30000000000000004"},
      {1e16, "1e+16"},
      {1e15, "1000000000000000.0"},
      {9999999999999998.0, "9999999999999998.0"},
      {1.5e-05, "1.5e-05"},
      {0.0001, "0.0001"},
      {9.999999999999999e-05, "9.999999999999999e-05"},  // just below the 1e-4 boundary
      {0.00011, "0.00011"},
      {1e-05, "1e-05"},
      {1e-07, "1e-07"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {12345678901234567.0, "1.2345678901234568e+16"},
      {9007199254740993.0, "9007199254740992.0"},  // 2**53 + 1 rounds to 2**53
      {5e-324, "5e-324"},
      {1.5e-323, "1.5e-323"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {-1.7976931348623157e308, "-1.7976931348623157e+308"},
      {2.2250738585072014e-308, "2.2250738585072014e-308"},
      {1e22, "1e+22"},
      {1e100, "1e+100"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {100.0, "100.0"},
      {2.5e-3, "0.0025"},
      {1.0, "1.0"},
      {-1.5, "-1.5"},
      {0.5, "0.5"},
      {1.0 / 3.0, "0.3333333333333333"},
      {2.0 / 3.0, "0.6666666666666666"},
      {123.456, "123.456"},
      {3.14159, "3.14159"},
      {-123456.789, "-123456.789"},
      {1e-4 * 3, "0.00030000000000000003"},
      {4.35, "4.35"},
      {0.1, "0.1"},
      {1e300 * 10, "1e+301"},
  };
  for (const FloatCase& c : cases) EXPECT_EQ(format_float(c.value), c.python_repr) << "value " << c.python_repr;
}

TEST(FormatFloat, SpecialValues) {
  EXPECT_EQ(format_float(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(format_float(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(format_float(std::nan("")), "nan");
  EXPECT_EQ(format_float(-std::nan("")), "nan");  // Python prints no sign on NaN
}

TEST(FormatFloat, ShortestDigitsReadBack) {
  // Property behind repr: the printed text parses back to the same double, for many values
  // spread over the whole range.
  uint64_t bits = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 20000; ++i) {
    bits = bits * 6364136223846793005ull + 1442695040888963407ull;
    double x;
    std::memcpy(&x, &bits, 8);
    if (!std::isfinite(x)) continue;
    std::string s = format_float(x);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), x) << s;
    // fixed notation exactly for 1e-4 <= |x| < 1e16
    bool fixed = std::fabs(x) >= 1e-4 && std::fabs(x) < 1e16;
    EXPECT_EQ(s.find('e') == std::string::npos, fixed) << s;
    if (fixed) {
      EXPECT_NE(s.find('.'), std::string::npos) << s;
    }
  }
}

// ---- format_value -------------------------------------------------------------------------

class Values : public ::testing::Test {
 protected:
  wf::detail::Context ctx{nullptr};

  Slot str(const std::string& s) { return wf::detail::ptr_slot(wf::detail::make_str(ctx, s)); }
  Slot arr(std::initializer_list<Slot> items) {
    wf::detail::WfArray* a = wf::detail::make_array(ctx, 0);
    for (Slot s : items) wf::detail::array_push(ctx, a, s);
    return wf::detail::ptr_slot(a);
  }
  Slot tup(std::initializer_list<Slot> fields) {
    auto* t = static_cast<Slot*>(ctx.arena.allocate(8 * fields.size()));
    size_t i = 0;
    for (Slot f : fields) t[i++] = f;
    return wf::detail::ptr_slot(t);
  }
  static Slot i(int64_t v) { return (Slot)v; }
  static Slot f(double v) { return as_slot(v); }
  static Slot b(bool v) { return v ? 1 : 0; }

  std::string fmt(const char* desc, Slot v, bool top = true) {
    std::string out;
    wf::detail::format_value(out, desc, v, top);
    return out;
  }
};

TEST_F(Values, Scalars) {
  EXPECT_EQ(fmt("i", i(-42)), "-42");
  EXPECT_EQ(fmt("i", i(INT64_MIN)), "-9223372036854775808");
  EXPECT_EQ(fmt("i", i(INT64_MAX)), "9223372036854775807");
  EXPECT_EQ(fmt("f", f(2.0)), "2.0");
  EXPECT_EQ(fmt("f", f(1e16)), "1e+16");
  EXPECT_EQ(fmt("b", b(true)), "true");
  EXPECT_EQ(fmt("b", b(false)), "false");
}

TEST_F(Values, StringsBareAtTopQuotedInside) {
  Slot s = str("a \"q\"\n");
  EXPECT_EQ(fmt("s", s, true), "a \"q\"\n");
  EXPECT_EQ(fmt("s", s, false), "\"a \\\"q\\\"\\n\"");
  EXPECT_EQ(fmt("[s]", arr({str("a"), str("b\n")})), "[\"a\", \"b\\n\"]");
  EXPECT_EQ(fmt("[s]", arr({str("tab\there"), str("back\\slash"), str("")})),
            "[\"tab\\there\", \"back\\\\slash\", \"\"]");
}

TEST_F(Values, ArraysAndTuples) {
  EXPECT_EQ(fmt("[i]", arr({i(1), i(2), i(3)})), "[1, 2, 3]");
  EXPECT_EQ(fmt("[i]", arr({})), "[]");
  EXPECT_EQ(fmt("[f]", arr({f(1.0), f(4.0), f(0.1 + 0.2)})), "[1.0, 4.0, 0.30000000000000004]");
  EXPECT_EQ(fmt("(is)", tup({i(1), str("a")})), "(1, \"a\")");
  EXPECT_EQ(fmt("[(is)]", arr({tup({i(1), str("x")}), tup({i(-2), str("y\"z")})})),
            "[(1, \"x\"), (-2, \"y\\\"z\")]");
  EXPECT_EQ(fmt("[[i]]", arr({arr({i(1), i(2)}), arr({}), arr({i(3)})})), "[[1, 2], [], [3]]");
  EXPECT_EQ(fmt("((if)b)", tup({tup({i(7), f(0.5)}), b(true)})), "((7, 0.5), true)");
  EXPECT_EQ(fmt("([s](bf))", tup({arr({str("p"), str("q")}), tup({b(false), f(-0.0)})})),
            "([\"p\", \"q\"], (false, -0.0))");
  EXPECT_EQ(fmt("[[(s[f])]]", arr({arr({tup({str("k"), arr({f(1e-5)})})})})), "[[(\"k\", [1e-05])]]");
}

TEST_F(Values, FuturesPrintAsFuture) {
  EXPECT_EQ(fmt("Fi", 0), "<future>");
  EXPECT_EQ(fmt("[Fi]", arr({0, 0})), "[<future>, <future>]");
}

TEST_F(Values, CopyIsDeepForNestedArrays) {
  Slot inner = arr({i(1), i(2)});
  Slot outer = arr({inner});
  Slot copy = wf::detail::copy_value(ctx, "[[i]]", outer);
  // mutate the original's inner array: the copy must not see it
  wf::detail::slot_ptr<wf::detail::WfArray>(inner)->data[0] = 99;
  wf::detail::array_push(ctx, wf::detail::slot_ptr<wf::detail::WfArray>(inner), i(3));
  EXPECT_EQ(fmt("[[i]]", outer), "[[99, 2, 3]]");
  EXPECT_EQ(fmt("[[i]]", copy), "[[1, 2]]");
  EXPECT_FALSE(wf::detail::equal_values("[[i]]", outer, copy));
}

TEST_F(Values, StructuralEquality) {
  EXPECT_TRUE(wf::detail::equal_values("[(is)]", arr({tup({i(1), str("a")})}), arr({tup({i(1), str("a")})})));
  EXPECT_FALSE(wf::detail::equal_values("[(is)]", arr({tup({i(1), str("a")})}), arr({tup({i(1), str("b")})})));
  EXPECT_FALSE(wf::detail::equal_values("[i]", arr({i(1)}), arr({i(1), i(1)})));
  EXPECT_TRUE(wf::detail::equal_values("f", f(0.0), f(-0.0)));       // IEEE ==
  EXPECT_FALSE(wf::detail::equal_values("f", f(std::nan("")), f(std::nan(""))));
}

// ---- msgpack codec ---------------------------------------------------------------------------

class Codec : public Values {
 protected:
  // Encodes, decodes into a fresh context and returns the printed form of the result.
  std::string round_trip(const char* desc, Slot v) {
    std::string bytes = wf::detail::encode_value(desc, v);
    Slot out = 0;
    EXPECT_TRUE(wf::detail::decode_value(other, desc, bytes, out)) << desc;
    EXPECT_TRUE(wf::detail::equal_values(desc, v, out)) << desc;
    return fmt(desc, out, false);
  }
  bool decodes(const char* desc, const std::string& bytes) {
    Slot out = 0;
    return wf::detail::decode_value(other, desc, bytes, out);
  }
  wf::detail::Context other{nullptr};
};

TEST_F(Codec, Scalars) {
  for (int64_t v : {int64_t(0), int64_t(1), int64_t(-1), int64_t(127), int64_t(-33), int64_t(1) << 40, INT64_MAX, INT64_MIN})
    EXPECT_EQ(round_trip("i", i(v)), std::to_string(v));
  EXPECT_EQ(round_trip("f", f(0.1)), "0.1");
  EXPECT_EQ(round_trip("f", f(2.0)), "2.0");
  EXPECT_EQ(round_trip("f", f(-1e300)), "-1e+300");
  EXPECT_EQ(round_trip("f", f(5e-324)), "5e-324");
  EXPECT_EQ(round_trip("b", b(true)), "true");
  EXPECT_EQ(round_trip("b", b(false)), "false");
  EXPECT_EQ(round_trip("s", str("h\xc3\xa9llo \"w\"")), "\"h\xc3\xa9llo \\\"w\\\"\"");
}

TEST_F(Codec, FloatBitsSurvive) {
  for (double x : {-0.0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::denorm_min(), 1e16, 3.0, -3.0, 9223372036854775808.0 /* 2**63 */,
                   -9223372036854775808.0, 18446744073709551616.0 /* 2**64 */, 1e19, 1e300}) {
    std::string bytes = wf::detail::encode_value("f", f(x));
    Slot out = 0;
    ASSERT_TRUE(wf::detail::decode_value(other, "f", bytes, out));
    EXPECT_EQ(out, f(x)) << format_float(x);
  }
  std::string bytes = wf::detail::encode_value("f", f(std::nan("")));
  Slot out = 0;
  ASSERT_TRUE(wf::detail::decode_value(other, "f", bytes, out));
  EXPECT_TRUE(std::isnan(as_float(out)));
}

TEST_F(Codec, StringWithNulAndEmptyString) {
  std::string with_nul("a\0b", 3);
  std::string bytes = wf::detail::encode_value("s", str(with_nul));
  Slot out = 0;
  ASSERT_TRUE(wf::detail::decode_value(other, "s", bytes, out));
  EXPECT_EQ(wf::detail::slot_ptr<wf::detail::WfStr>(out)->view(), with_nul);
  EXPECT_EQ(round_trip("s", str("")), "\"\"");
}

TEST_F(Codec, NestedTypes) {
  EXPECT_EQ(round_trip("[i]", arr({})), "[]");
  EXPECT_EQ(round_trip("[[i]]", arr({arr({i(1), i(2)}), arr({}), arr({i(-3)})})), "[[1, 2], [], [-3]]");
  EXPECT_EQ(round_trip("[(is)]", arr({tup({i(1), str("a\n")}), tup({i(2), str("")})})), "[(1, \"a\\n\"), (2, \"\")]");
  EXPECT_EQ(round_trip("(s[f](bi))", tup({str("x"), arr({f(1.5), f(-0.0)}), tup({b(true), i(9)})})),
            "(\"x\", [1.5, -0.0], (true, 9))");
  Slot big = arr({});
  for (int k = 0; k < 1000; ++k)
    wf::detail::array_push(ctx, wf::detail::slot_ptr<wf::detail::WfArray>(big), i(k * 7919));
  std::string bytes = wf::detail::encode_value("[i]", big);
  Slot out = 0;
  ASSERT_TRUE(wf::detail::decode_value(other, "[i]", bytes, out));
  EXPECT_TRUE(wf::detail::equal_values("[i]", big, out));
  EXPECT_EQ(wf::detail::slot_ptr<wf::detail::WfArray>(out)->len, 1000);
}

TEST_F(Codec, DecodeRejectsMismatchedTypes) {
  std::string ints = wf::detail::encode_value("[i]", arr({i(1), i(2)}));
  EXPECT_FALSE(decodes("[s]", ints));
  EXPECT_FALSE(decodes("[b]", ints));
  EXPECT_FALSE(decodes("i", ints));
  EXPECT_FALSE(decodes("s", ints));
  EXPECT_FALSE(decodes("(iii)", ints));  // a tuple of the wrong arity
  EXPECT_FALSE(decodes("(is)", ints));
  EXPECT_FALSE(decodes("[[i]]", ints));

  std::string s = wf::detail::encode_value("s", str("hello"));
  EXPECT_FALSE(decodes("i", s));
  EXPECT_FALSE(decodes("f", s));
  EXPECT_FALSE(decodes("b", s));
  EXPECT_FALSE(decodes("[s]", s));

  EXPECT_FALSE(decodes("i", wf::detail::encode_value("f", f(1.5))));
  EXPECT_FALSE(decodes("b", wf::detail::encode_value("i", i(1))));
  EXPECT_FALSE(decodes("i", wf::detail::encode_value("b", b(true))));
  EXPECT_FALSE(decodes("[(is)]", wf::detail::encode_value("[(si)]", arr({tup({str("a"), i(1)})}))));
}

TEST_F(Codec, DecodeRejectsMalformedBytes) {
  std::string good = wf::detail::encode_value("[(is)]", arr({tup({i(1), str("abcdef")}), tup({i(2), str("g")})}));
  // every strict prefix is truncated
  for (size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(decodes("[(is)]", good.substr(0, n))) << n;
  EXPECT_FALSE(decodes("i", std::string("\xc1", 1)));                    // never-used type byte
  EXPECT_FALSE(decodes("[i]", std::string("\xdd\xff\xff\xff\xff", 5)));  // array32 of 4G items, no data
  EXPECT_FALSE(decodes("s", std::string("\xdb\xff\xff\xff\xff" "abc", 8)));  // str32 longer than the input
  EXPECT_FALSE(decodes("(ii)", std::string("\x82\x01\x02\x03\x04", 5)));  // a map is not a tuple
  EXPECT_FALSE(decodes("i", std::string("\xc0", 1)));                    // nil
  EXPECT_FALSE(decodes("?", wf::detail::encode_value("i", i(1))));       // unknown descriptor
}

}  // namespace
