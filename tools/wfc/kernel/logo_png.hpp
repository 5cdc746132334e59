// The kernel's logo, drawn and encoded here rather than kept as binary files in the tree:
// Jupyter wants `logo-32x32.png` and `logo-64x64.png` in the kernelspec directory, and a
// picture this simple (the letters "wf" from a 5x7 pixel font, white on a rounded blue square)
// is a few lines of drawing and a minimal PNG encoder.
//
// The encoder writes 8-bit RGBA with every scanline unfiltered and the zlib stream made of
// stored (uncompressed) deflate blocks: a 64x64 logo is 16 KiB, and no compression library is
// needed. CRC-32 and Adler-32 are computed as the PNG and zlib specifications define them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wf::kernel {

// A PNG file of `width` x `height` pixels, `rgba` holding 4 bytes per pixel, row by row.
std::string encode_png(int width, int height, const std::vector<uint8_t>& rgba);
// The logo, `size` x `size` pixels (32 and 64 for Jupyter; any size of at least 16).
std::string logo_png(int size);

}  // namespace wf::kernel
