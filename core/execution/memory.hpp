// The two allocators behind wf values (LANGUAGE.md §11; the whole scheme is in
// stdlib/ownership.hpp): the arena, a bump allocator with nested regions for immutable values
// and temporaries, and the owned heap, malloc blocks linked into one list per context so that
// an error (which longjmps past the code that would free them) loses none of them.
// Both belong to a Context (context.hpp) and report exhaustion through it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wf::detail {

struct Context;

// Ends the running task or flow with "out of memory" when malloc refuses `bytes`: an error
// with frames, like any other, instead of an abort that only says "signal 6".
[[noreturn]] void out_of_memory(Context* ctx, size_t bytes);

class Arena {
 public:
  // Where the arena stood: everything allocated after it is given back by `release`.
  struct Mark {
    size_t block = 0;   // blocks_ in use (the current one is block - 1)
    size_t offset = 0;  // bytes used in the current block
    size_t large = 0;   // large_ entries
    size_t in_use = 0;
  };

  explicit Arena(Context* owner) : owner_(owner) {}
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena();
  void* allocate(size_t bytes);  // 8-byte aligned, zeroed
  void reset();
  size_t bytes_in_use() const { return in_use_; }
  Mark mark() const;
  void release(const Mark& m);  // keeps one spare block, so a loop does not malloc per turn

 private:
  Context* owner_;
  std::vector<char*> blocks_;  // [0, used_) in use, the rest spare
  size_t used_ = 0;
  std::vector<void*> large_;
  char* cursor_ = nullptr;
  char* limit_ = nullptr;
  size_t in_use_ = 0;
};

// The values of `var`s: blocks from malloc, linked into their context's list so that an
// error (which longjmps past the code that would free them) loses none of them.
class OwnedHeap {
 public:
  explicit OwnedHeap(Context* owner) : owner_(owner) {}
  OwnedHeap(const OwnedHeap&) = delete;
  OwnedHeap& operator=(const OwnedHeap&) = delete;
  ~OwnedHeap() { free_all(); }
  void* allocate(size_t bytes);                 // zeroed
  void* reallocate(void* p, size_t bytes);      // keeps the contents; new bytes zeroed
  void free(void* p);                           // null is fine
  static size_t capacity(const void* p);        // usable bytes of a block
  void free_all();
  size_t blocks() const { return count_; }

 private:
  struct Header {
    Header* prev;
    Header* next;
    size_t size;
  };
  Context* owner_;
  Header* head_ = nullptr;
  size_t count_ = 0;
};

}  // namespace wf::detail
