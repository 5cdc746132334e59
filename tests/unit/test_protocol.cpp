// The driver-worker protocol codec: every kind round-trips, and anything malformed or
// foreign is rejected (decode returns false) without crashing.
#include <gtest/gtest.h>

#include <random>

#include "protocol/messages.hpp"

#define MSGPACK_NO_BOOST 1
#include <msgpack.hpp>

using namespace wf::detail;

namespace {

Message roundtrip(const Message& m) {
  std::string bytes = encode(m);
  Message out;
  EXPECT_TRUE(decode(bytes.data(), bytes.size(), out));
  return out;
}

}  // namespace

TEST(Protocol, HelloRoundTrips) {
  Message m;
  m.kind = MsgKind::Hello;
  m.worker = 7;
  m.pid = 4242;
  m.host = "node-3";
  m.world = 2;
  m.world_rank = 1;
  m.world_size = 4;
  Message r = roundtrip(m);
  EXPECT_EQ(r.kind, MsgKind::Hello);
  EXPECT_EQ(r.worker, 7);
  EXPECT_EQ(r.pid, 4242);
  EXPECT_EQ(r.host, "node-3");
  EXPECT_EQ(r.world, 2);
  EXPECT_EQ(r.world_rank, 1);
  EXPECT_EQ(r.world_size, 4);
}

TEST(Protocol, TaskCarriesBinaryItemsAndRanks) {
  Message m;
  m.kind = MsgKind::Task;
  m.id = 0xffffffffffull + 5;
  m.program = 7;
  m.fn = 3;
  m.bytes = std::string("\x91\x91\x01\x00\xff", 5);
  m.ranks = {0, 2, 3};
  Message r = roundtrip(m);
  EXPECT_EQ(r.kind, MsgKind::Task);
  EXPECT_EQ(r.id, m.id);
  EXPECT_EQ(r.program, 7);
  EXPECT_EQ(r.fn, 3);
  EXPECT_EQ(r.bytes, m.bytes);
  EXPECT_EQ(r.ranks, (std::vector<int32_t>{0, 2, 3}));
}

TEST(Protocol, ObjectAndReadyNameTheirProgram) {
  Message object;
  object.kind = MsgKind::Object;
  object.program = 2;
  object.bytes = "WFO\x01";
  Message r = roundtrip(object);
  EXPECT_EQ(r.program, 2);
  EXPECT_EQ(r.bytes, object.bytes);
  Message ready;
  ready.kind = MsgKind::Ready;
  ready.program = 2;
  ready.ok = false;
  ready.error.message = "cannot link";
  r = roundtrip(ready);
  EXPECT_EQ(r.program, 2);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error.message, "cannot link");
  Message negative = object;
  negative.program = -1;
  std::string bytes = encode(negative);
  EXPECT_FALSE(decode(bytes.data(), bytes.size(), r)) << "a negative program id is malformed";
}

TEST(Protocol, DoneWithErrorKeepsFramesAndTaskLine) {
  Message m;
  m.kind = MsgKind::Done;
  m.id = 9;
  m.worker = 1;
  m.rank = 1;
  m.ok = false;
  m.failed_item = 2;
  m.busy_us = 1234;
  m.error.message = "division by zero";
  m.error.frames = {"at f (a.wf:3:5)", "at g (a.wf:9:1)"};
  m.error.task = "in task f(3) on worker 1 rank 1";
  Message r = roundtrip(m);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.failed_item, 2);
  EXPECT_EQ(r.busy_us, 1234u);
  EXPECT_EQ(r.error.message, m.error.message);
  EXPECT_EQ(r.error.frames, m.error.frames);
  EXPECT_EQ(r.error.task, m.error.task);
}

TEST(Protocol, OutputAndHeartbeatAndShutdown) {
  Message out;
  out.kind = MsgKind::Output;
  out.id = 4;
  out.stream = 2;
  out.bytes = "line one\nline two\n";
  Message r = roundtrip(out);
  EXPECT_EQ(r.stream, 2);
  EXPECT_EQ(r.bytes, out.bytes);
  Message hb;
  hb.kind = MsgKind::Heartbeat;
  hb.worker = 5;
  EXPECT_EQ(roundtrip(hb).worker, 5);
  Message bye;
  bye.kind = MsgKind::Shutdown;
  EXPECT_EQ(roundtrip(bye).kind, MsgKind::Shutdown);
}

TEST(Protocol, RejectsWrongVersionAndUnknownKind) {
  auto map_with = [](int version, int kind) {
    msgpack::sbuffer buf;
    msgpack::packer<msgpack::sbuffer> pk(buf);
    pk.pack_map(2);
    pk.pack(std::string("v"));
    pk.pack(version);
    pk.pack(std::string("k"));
    pk.pack(kind);
    return std::string(buf.data(), buf.size());
  };
  Message out;
  std::string good = map_with(kProtocolVersion, (int)MsgKind::Heartbeat);
  EXPECT_TRUE(decode(good.data(), good.size(), out));
  std::string old = map_with(kProtocolVersion + 1, (int)MsgKind::Heartbeat);
  EXPECT_FALSE(decode(old.data(), old.size(), out));
  std::string unknown = map_with(kProtocolVersion, 99);
  EXPECT_FALSE(decode(unknown.data(), unknown.size(), out));
}

TEST(Protocol, RejectsFieldsOfTheWrongType) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_map(3);
  pk.pack(std::string("v"));
  pk.pack(kProtocolVersion);
  pk.pack(std::string("k"));
  pk.pack((int)MsgKind::Task);
  pk.pack(std::string("id"));
  pk.pack(std::string("not a number"));
  Message out;
  EXPECT_FALSE(decode(buf.data(), buf.size(), out));
}

TEST(Protocol, RejectsMissingVersion) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pk.pack_map(1);
  pk.pack(std::string("k"));
  pk.pack((int)MsgKind::Heartbeat);
  Message out;
  EXPECT_FALSE(decode(buf.data(), buf.size(), out));
}

TEST(Protocol, RandomBytesNeverCrash) {
  std::mt19937 rng(12345);
  Message out;
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) c = (char)rng();
    accepted += decode(junk.data(), junk.size(), out);
  }
  EXPECT_EQ(accepted, 0);
  // A valid message cut short anywhere is rejected too.
  Message m;
  m.kind = MsgKind::Done;
  m.id = 1;
  m.bytes = "results";
  std::string bytes = encode(m);
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(decode(bytes.data(), n, out)) << "prefix of " << n;
}

TEST(Protocol, BundlesCarryWholeMessagesInOrder) {
  std::vector<std::string> parts;
  for (uint64_t id = 1; id <= 3; ++id) {
    Message m;
    m.kind = MsgKind::Done;
    m.id = id;
    m.bytes = std::string(id, 'x');
    parts.push_back(encode(m));
  }
  std::string bundle = encode_bundle(parts);
  Message outer;
  ASSERT_TRUE(decode(bundle.data(), bundle.size(), outer));
  ASSERT_EQ(outer.kind, MsgKind::Bundle);
  std::vector<Message> inner;
  ASSERT_TRUE(decode_bundle(outer.bytes, inner));
  ASSERT_EQ(inner.size(), 3u);
  for (uint64_t id = 1; id <= 3; ++id) {
    EXPECT_EQ(inner[id - 1].id, id);
    EXPECT_EQ(inner[id - 1].bytes, std::string(id, 'x'));
  }
  // A bundle of one is the message itself.
  EXPECT_EQ(encode_bundle({parts[0]}), parts[0]);
}

TEST(Protocol, MalformedOrNestedBundlesAreRejected) {
  std::vector<Message> inner;
  EXPECT_FALSE(decode_bundle(std::string("\x81\xa1v\x01garbage", 11), inner));
  Message m;
  m.kind = MsgKind::Heartbeat;
  std::string one = encode(m);
  EXPECT_FALSE(decode_bundle(one.substr(0, one.size() - 1), inner));
  std::string nested = encode_bundle({one, one});
  Message outer;
  ASSERT_TRUE(decode(nested.data(), nested.size(), outer));
  std::vector<std::string> twice = {nested, one};
  Message wrapper;
  std::string bundle_of_bundle = encode_bundle(twice);
  ASSERT_TRUE(decode(bundle_of_bundle.data(), bundle_of_bundle.size(), wrapper));
  EXPECT_FALSE(decode_bundle(wrapper.bytes, inner));
}
