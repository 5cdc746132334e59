// The arena and the owned heap (see memory.hpp).
#include "execution/memory.hpp"

#include <cstdlib>
#include <cstring>

namespace wf::detail {

namespace {
constexpr size_t kBlock = 256 * 1024;
constexpr size_t kLarge = 32 * 1024;
}  // namespace

Arena::~Arena() {
  for (char* b : blocks_) std::free(b);
  for (void* p : large_) std::free(p);
}

void* Arena::allocate(size_t bytes) {
  bytes = (bytes + 7) & ~size_t(7);
  if (bytes == 0) bytes = 8;
  in_use_ += bytes;
  if (bytes >= kLarge) {
    void* p = std::calloc(1, bytes);
    if (!p) out_of_memory(owner_, bytes);
    large_.push_back(p);
    return p;
  }
  if (!cursor_ || cursor_ + bytes > limit_) {
    if (used_ == blocks_.size()) {
      char* block = static_cast<char*>(std::malloc(kBlock));
      if (!block) out_of_memory(owner_, kBlock);
      blocks_.push_back(block);
    }
    cursor_ = blocks_[used_++];
    limit_ = cursor_ + kBlock;
  }
  void* p = cursor_;
  cursor_ += bytes;
  std::memset(p, 0, bytes);
  return p;
}

Arena::Mark Arena::mark() const {
  return {used_, used_ ? (size_t)(cursor_ - blocks_[used_ - 1]) : 0, large_.size(), in_use_};
}

void Arena::release(const Mark& m) {
  for (size_t i = m.large; i < large_.size(); ++i) std::free(large_[i]);
  if (large_.size() > m.large) large_.resize(m.large);
  // Blocks after the mark's become spare; beyond one spare they go back to malloc.
  for (size_t i = m.block + 1; i < blocks_.size(); ++i) std::free(blocks_[i]);
  if (blocks_.size() > m.block + 1) blocks_.resize(m.block + 1);
  used_ = m.block;
  cursor_ = used_ ? blocks_[used_ - 1] + m.offset : nullptr;
  limit_ = used_ ? blocks_[used_ - 1] + kBlock : nullptr;
  in_use_ = m.in_use;
}

void Arena::reset() { release(Mark{}); }

void* OwnedHeap::allocate(size_t bytes) {
  auto* h = static_cast<Header*>(std::calloc(1, sizeof(Header) + bytes));
  if (!h) out_of_memory(owner_, bytes);
  h->size = bytes;
  h->prev = nullptr;
  h->next = head_;
  if (head_) head_->prev = h;
  head_ = h;
  ++count_;
  return h + 1;
}

void* OwnedHeap::reallocate(void* p, size_t bytes) {
  if (!p) return allocate(bytes);
  Header* old = static_cast<Header*>(p) - 1;
  size_t old_size = old->size;
  Header* prev = old->prev;
  Header* next = old->next;
  auto* h = static_cast<Header*>(std::realloc(old, sizeof(Header) + bytes));
  if (!h) out_of_memory(owner_, bytes);
  if (bytes > old_size) std::memset(reinterpret_cast<char*>(h + 1) + old_size, 0, bytes - old_size);
  h->size = bytes;
  if (prev) prev->next = h;
  else head_ = h;
  if (next) next->prev = h;
  return h + 1;
}

void OwnedHeap::free(void* p) {
  if (!p) return;
  Header* h = static_cast<Header*>(p) - 1;
  if (h->prev) h->prev->next = h->next;
  else head_ = h->next;
  if (h->next) h->next->prev = h->prev;
  --count_;
  std::free(h);
}

size_t OwnedHeap::capacity(const void* p) { return (static_cast<const Header*>(p) - 1)->size; }

void OwnedHeap::free_all() {
  while (head_) {
    Header* next = head_->next;
    std::free(head_);
    head_ = next;
  }
  count_ = 0;
}

}  // namespace wf::detail
