// The design notes for this module are atop logo_png.hpp.
#include "kernel/logo_png.hpp"

#include <algorithm>
#include <array>

namespace wf::kernel {

namespace {

uint32_t crc32(const std::string& bytes, size_t from) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = from; i < bytes.size(); ++i) c = table[(c ^ static_cast<uint8_t>(bytes[i])) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

uint32_t adler32(const std::string& bytes) {
  uint32_t a = 1, b = 0;
  for (char ch : bytes) {
    a = (a + static_cast<uint8_t>(ch)) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

void put32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

void chunk(std::string& png, const char* type, const std::string& data) {
  put32(png, static_cast<uint32_t>(data.size()));
  size_t typed = png.size();
  png += type;
  png += data;
  put32(png, crc32(png, typed));
}

// zlib around stored deflate blocks (RFC 1950, RFC 1951 section 3.2.4).
std::string zlib_stored(const std::string& raw) {
  std::string z = "\x78\x01";
  size_t at = 0;
  do {
    size_t n = std::min<size_t>(raw.size() - at, 65535);
    bool last = at + n == raw.size();
    z += static_cast<char>(last ? 1 : 0);
    z += static_cast<char>(n & 0xFF), z += static_cast<char>(n >> 8);
    z += static_cast<char>(~n & 0xFF), z += static_cast<char>((~n >> 8) & 0xFF);
    z.append(raw, at, n);
    at += n;
  } while (at < raw.size());
  put32(z, adler32(raw));
  return z;
}

// 5x7 glyphs, one string per row, '#' for ink.
constexpr const char* kW[7] = {".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#."};
constexpr const char* kF[7] = {"..##.", ".#...", ".#...", "####.", ".#...", ".#...", ".#..."};

}  // namespace

std::string encode_png(int width, int height, const std::vector<uint8_t>& rgba) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string header;
  put32(header, static_cast<uint32_t>(width));
  put32(header, static_cast<uint32_t>(height));
  header += std::string("\x08\x06\x00\x00\x00", 5);  // 8 bits, RGBA, deflate, no filter, no interlace
  chunk(png, "IHDR", header);
  std::string raw;
  raw.reserve(static_cast<size_t>(height) * (1 + 4 * static_cast<size_t>(width)));
  for (int y = 0; y < height; ++y) {
    raw += '\0';  // filter type None
    raw.append(reinterpret_cast<const char*>(rgba.data()) + static_cast<size_t>(y) * width * 4,
               static_cast<size_t>(width) * 4);
  }
  chunk(png, "IDAT", zlib_stored(raw));
  chunk(png, "IEND", "");
  return png;
}

std::string logo_png(int size) {
  std::vector<uint8_t> rgba(static_cast<size_t>(size) * size * 4, 0);
  auto pixel = [&](int x, int y) { return &rgba[(static_cast<size_t>(y) * size + x) * 4]; };
  // A rounded square, #1f5f8b.
  int radius = size / 5;
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      int dx = std::max({radius - x, x - (size - 1 - radius), 0});
      int dy = std::max({radius - y, y - (size - 1 - radius), 0});
      if (dx * dx + dy * dy > radius * radius) continue;
      uint8_t* p = pixel(x, y);
      p[0] = 0x1f, p[1] = 0x5f, p[2] = 0x8b, p[3] = 0xff;
    }
  }
  // "wf", centred: two glyphs and a one-column gap.
  int scale = std::max(1, size / 16);
  int text_w = 11 * scale, text_h = 7 * scale;
  int left = (size - text_w) / 2, top = (size - text_h) / 2;
  for (int g = 0; g < 2; ++g) {
    const char* const* glyph = g == 0 ? kW : kF;
    for (int row = 0; row < 7; ++row) {
      for (int col = 0; col < 5; ++col) {
        if (glyph[row][col] != '#') continue;
        for (int sy = 0; sy < scale; ++sy) {
          for (int sx = 0; sx < scale; ++sx) {
            uint8_t* p = pixel(left + (g * 6 + col) * scale + sx, top + row * scale + sy);
            p[0] = p[1] = p[2] = p[3] = 0xff;
          }
        }
      }
    }
  }
  return encode_png(size, size, rgba);
}

}  // namespace wf::kernel
