// The result cache's on-disk entries (runtime/src/cache/cache_store.hpp) and the batch
// splitting the caching executor relies on: what is written reads back; a torn, truncated or
// bit-flipped log yields exactly its intact entries plus a message per problem; a hit needs
// equal argument bytes; a function directory written by one FunctionCache is read by the next.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cache/cache_store.hpp"
#include "protocol/batch.hpp"
#include "sema/identity.hpp"

using namespace wf::detail;

namespace {

CacheEntry entry(int i) {
  CacheEntry e;
  e.args = std::string("\x91", 1) + (char)i;  // [i] for a small int i
  e.value = std::string(1, (char)(i * 2));
  return e;
}

std::string log_of(int n) {
  std::string bytes;
  for (int i = 0; i < n; ++i) bytes += encode_entry(entry(i));
  return bytes;
}

}  // namespace

TEST(CacheStore, EntriesReadBackInOrder) {
  CacheEntry failed = entry(9);
  failed.ok = false;
  failed.error.message = "boom";
  failed.error.frames = {"at f (a.wf:1:2)"};
  std::string bytes = log_of(3) + encode_entry(failed);
  std::vector<std::string> problems;
  std::vector<CacheEntry> back = decode_log(bytes, problems);
  ASSERT_EQ(back.size(), 4u);
  EXPECT_TRUE(problems.empty());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(back[i].args, entry(i).args);
    EXPECT_EQ(back[i].value, entry(i).value);
    EXPECT_TRUE(back[i].ok);
  }
  EXPECT_FALSE(back[3].ok);
  EXPECT_EQ(back[3].error.message, "boom");
  EXPECT_EQ(back[3].error.frames, failed.error.frames);
}

TEST(CacheStore, ATornLastEntryIsReportedAndTheRestKept) {
  std::string bytes = log_of(5);
  for (size_t cut = 1; cut < encode_entry(entry(4)).size(); ++cut) {
    std::vector<std::string> problems;
    std::vector<CacheEntry> back = decode_log(std::string_view(bytes).substr(0, bytes.size() - cut), problems);
    EXPECT_EQ(back.size(), 4u) << "cut " << cut;
    ASSERT_EQ(problems.size(), 1u) << "cut " << cut;
    EXPECT_NE(problems[0].find("incomplete"), std::string::npos);
  }
}

TEST(CacheStore, EveryFlippedBitCostsOnlyItsOwnEntry) {
  std::string clean = log_of(4);
  size_t one = encode_entry(entry(0)).size();
  for (size_t bit = 0; bit < one * 8; ++bit) {  // every bit of the second entry
    std::string bytes = clean;
    bytes[one + bit / 8] ^= (char)(1 << (bit % 8));
    std::vector<std::string> problems;
    std::vector<CacheEntry> back = decode_log(bytes, problems);
    ASSERT_FALSE(problems.empty()) << "bit " << bit;
    ASSERT_EQ(back.size(), 3u) << "bit " << bit;
    EXPECT_EQ(back[0].args, entry(0).args);
    EXPECT_EQ(back[1].args, entry(2).args);
    EXPECT_EQ(back[2].args, entry(3).args);
  }
}

TEST(CacheStore, ForeignBytesAreNoEntries) {
  std::vector<std::string> problems;
  EXPECT_TRUE(decode_log("this is not a cache log at all, just text", problems).empty());
  EXPECT_FALSE(problems.empty());
}

TEST(CacheStore, AFunctionDirectoryIsReadByTheNextRun) {
  std::string root = std::filesystem::temp_directory_path() / ("wf-cache-test-" + std::to_string(::getpid()));
  CacheFunction fn;
  fn.name = "f";
  fn.identity = "0123456789abcdef0123456789abcdef";
  fn.params = {{"x", "i"}};
  fn.result = "i";
  {
    auto c = FunctionCache::open(root, fn, nullptr);
    ASSERT_TRUE(c);
    CacheEntry e;
    EXPECT_FALSE(c->find(1, 1, entry(1).args, e));
    c->append(1, 1, entry(1).args, entry(1).value);
    c->append(1, 1, entry(2).args, entry(2).value);
    wf::detail::RuntimeError boom;
    boom.message = "boom";
    boom.frames = {"at f (a.wf:3:4)"};
    c->append_error(1, 1, entry(3).args, boom);
    EXPECT_FALSE(c->find(1, 1, entry(1).args, e));  // not on disk yet
    ASSERT_TRUE(c->flush());
    ASSERT_TRUE(c->find(1, 1, entry(1).args, e));
  }
  auto again = FunctionCache::open(root, fn, nullptr);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->size(), 3u);
  CacheEntry e;
  ASSERT_TRUE(again->find(1, 1, entry(2).args, e));
  EXPECT_TRUE(e.ok);
  EXPECT_EQ(e.value, entry(2).value);
  ASSERT_TRUE(again->find(1, 1, entry(3).args, e));
  EXPECT_FALSE(e.ok);
  EXPECT_EQ(e.error.message, "boom");
  EXPECT_EQ(e.error.frames, std::vector<std::string>{"at f (a.wf:3:4)"});
  EXPECT_FALSE(again->find(2, 1, entry(2).args, e));  // other resources: another task
  EXPECT_FALSE(again->find(1, 1, entry(4).args, e));
  std::filesystem::remove_all(root);
}

TEST(Batch, SplitAndJoinAreInverse) {
  BatchWriter w(3);
  for (int i = 0; i < 3; ++i) {
    w.begin_call(1);
    msgpack::packer<msgpack::sbuffer> pk(w.buffer());
    pk.pack(std::string(i * 40, 'x'));  // str8 and fixstr both
  }
  std::string items = w.finish();
  std::vector<std::string_view> calls;
  ASSERT_TRUE(split_batch(items, calls));
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(join_batch(calls), items);
  EXPECT_FALSE(split_batch(items.substr(0, items.size() - 1), calls));  // truncated
  const std::string one("\x91\x05", 2);  // a batch of one
  ASSERT_TRUE(split_batch(one, calls));
  EXPECT_EQ(calls, std::vector<std::string_view>{"\x05"});
  EXPECT_FALSE(split_batch(items + "x", calls));                        // trailing bytes
  EXPECT_FALSE(split_batch("\x01", calls));                             // not an array
}

TEST(FlatIndex, AgreesWithAMapThroughGrowthAndKeepsTheFirstValue) {
  wf::detail::FlatIndex<int> index;
  std::map<std::pair<uint64_t, uint64_t>, int> want;
  uint64_t x = 12345;
  for (int i = 0; i < 20000; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    // Low bits collide often (every 16th key shares them with the one 16 before), high bits differ.
    wf::Hash128 key{x, (uint64_t)(i % 1000) << 4};
    bool fresh = want.emplace(std::make_pair(key.high, key.low), i).second;
    EXPECT_EQ(index.insert(key, i), fresh);
    EXPECT_FALSE(index.insert(key, -1));  // a second insert changes nothing
  }
  EXPECT_EQ(index.size(), want.size());
  for (auto& [k, v] : want) {
    const int* got = index.find(wf::Hash128{k.first, k.second});
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(*got, v);
  }
  EXPECT_EQ(index.find(wf::Hash128{1, 2}), nullptr);
}
