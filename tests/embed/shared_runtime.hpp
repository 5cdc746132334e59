// The one wf::Runtime the embedding tests of this binary share (2 local workers), and their
// .wf files' folder: a test file compiles its own program into it.
#pragma once

#include <wf/wf.hpp>

#include <string>

namespace wf_test {

inline const std::string kDir = WF_EMBED_TEST_DIR;

inline wf::Runtime& runtime() {
  static wf::Runtime rt({.workers = 2, .launcher = wf::Launcher::Local});
  return rt;
}

}  // namespace wf_test
