// The design notes for this module are atop placement.hpp.
#include "driver/placement.hpp"

#include <algorithm>
#include <utility>

namespace wf::detail {

Placement::Placement(size_t prefetch) {
  if (prefetch > 0) {
    prefetch_ = prefetch;
    fixed_prefetch_ = true;
  }
}

void Placement::rank_ready(int worker, int world) { ranks_[worker].world = world; }

void Placement::rank_unavailable(int worker) {
  auto it = ranks_.find(worker);
  if (it != ranks_.end()) it->second.available = false;
}

std::deque<uint64_t> Placement::rank_lost(int worker) {
  auto it = ranks_.find(worker);
  if (it == ranks_.end()) return {};
  std::deque<uint64_t> outstanding;
  for (const Held& h : it->second.outstanding) {
    auto lent = lent_.find(h.id);
    if (lent != lent_.end() && std::count(lent->second.lent.begin(), lent->second.lent.end(), worker)) {
      // Only lent to that batch (threads=): the batch goes on without it.
      lent->second.lent.erase(std::find(lent->second.lent.begin(), lent->second.lent.end(), worker));
      continue;
    }
    outstanding.push_back(h.id);
  }
  ranks_.erase(it);
  // Withdrawals from the lost rank: its batches are the executor's to settle now. Those for
  // it as the idle rank stay: the batch comes back and goes to whoever is idle then.
  for (auto w = withdrawing_.begin(); w != withdrawing_.end();) {
    if (w->second.first == worker) {
      w = end_withdrawal(w);
    } else {
      if (w->second.second == worker) w->second.second = -1;
      ++w;
    }
  }
  return outstanding;
}

Placement::Withdrawing::iterator Placement::end_withdrawal(Withdrawing::iterator w) {
  auto thief = ranks_.find(w->second.second);
  if (thief != ranks_.end()) thief->second.stealing = 0;  // it may look for another batch
  return withdrawing_.erase(w);
}

std::deque<Placement::Held>::const_iterator Placement::find(const std::deque<Held>& o, uint64_t id) {
  // Results come back in order: the id is almost always at the front (O(1), not a scan of
  // a pipeline up to 1024 deep).
  return std::find_if(o.begin(), o.end(), [id](const Held& h) { return h.id == id; });
}

bool Placement::finished(int worker, uint64_t id, double now) {
  auto it = ranks_.find(worker);
  if (it == ranks_.end()) return false;
  std::deque<Held>& o = it->second.outstanding;
  auto pos = find(o, id);
  if (pos == o.end()) return false;
  bool was_running = pos == o.begin();
  drop(it->second, pos);
  if (was_running) it->second.running_since = now;  // the next one starts now
  // It ran before its withdrawal reached the worker.
  auto w = withdrawing_.find(id);
  if (w != withdrawing_.end()) end_withdrawal(w);
  return true;
}

bool Placement::withdrawn(int worker, uint64_t id) {
  auto w = withdrawing_.find(id);
  if (w == withdrawing_.end() || w->second.first != worker) return false;
  end_withdrawal(w);
  auto it = ranks_.find(worker);
  if (it != ranks_.end()) {
    auto pos = find(it->second.outstanding, id);
    if (pos != it->second.outstanding.end()) drop(it->second, pos);
  }
  return true;
}

bool Placement::remove_queued(uint64_t id, Batch& out) {
  auto it = std::find_if(queue_.begin(), queue_.end(), [&](const Batch& b) { return b.id == id; });
  if (it == queue_.end()) return false;
  mpi_queued_ -= wide(*it);
  out = std::move(*it);
  queue_.erase(it);
  return true;
}

void Placement::cancelled(int worker, uint64_t id) {
  auto w = withdrawing_.find(id);
  if (w != withdrawing_.end()) end_withdrawal(w);
  auto it = ranks_.find(worker);
  if (it == ranks_.end()) return;
  auto pos = find(it->second.outstanding, id);
  if (pos != it->second.outstanding.end()) drop(it->second, pos);
}

void Placement::drop(Rank& r, std::deque<Held>::const_iterator pos) {
  r.held_us -= pos->expected_us;
  r.outstanding.erase(pos);
  if (r.outstanding.empty()) r.held_us = 0;  // no drift from rounding
}

void Placement::learn_run_time(int32_t program, int fn, uint32_t busy_us) {
  double us = std::max(1.0, (double)busy_us);
  auto [it, fresh] = estimate_us_.try_emplace({program, fn}, us);
  if (!fresh) it->second = 0.9 * it->second + 0.1 * us;
}

double Placement::expected_us(int32_t program, int fn) const {
  auto it = estimate_us_.find({program, fn});
  return it == estimate_us_.end() ? kPrefetchBudgetUs : it->second;
}

size_t Placement::prefetch(int32_t program, int fn) const {
  if (fixed_prefetch_) return prefetch_;
  return 1 + (size_t)std::clamp(kPrefetchBudgetUs / expected_us(program, fn), 1.0, (double)kMaxDepth - 1);
}

void Placement::enqueue(Batch batch) {
  mpi_queued_ += wide(batch);
  queue_.push_back(std::move(batch));
}

void Placement::requeue_front(std::vector<Batch> batches) {
  for (const Batch& b : batches) mpi_queued_ += wide(b);
  queue_.insert(queue_.begin(), std::make_move_iterator(batches.begin()), std::make_move_iterator(batches.end()));
}

std::deque<Batch> Placement::take_queue() {
  mpi_queued_ = 0;
  return std::exchange(queue_, {});
}

size_t Placement::outstanding(int worker) const {
  auto it = ranks_.find(worker);
  return it == ranks_.end() ? 0 : it->second.outstanding.size();
}

bool Placement::holds(int worker, uint64_t id) const {
  auto it = ranks_.find(worker);
  if (it == ranks_.end()) return false;
  return find(it->second.outstanding, id) != it->second.outstanding.end();
}

size_t Placement::busy_ranks() const {
  size_t n = 0;
  for (auto& [id, r] : ranks_) n += !r.outstanding.empty();
  return n;
}

Placement::Round Placement::place(double now) {
  release_lent();
  Round round;
  std::vector<Decision>& out = round.sends;
  int& world_wanted = round.world_wanted;
  // Once one serial batch finds no rank, none behind it will this round (a map may queue
  // 10^5 of them): only MPI batches are still looked at, and without any, the round ends.
  bool serial_full = false;
  for (auto it = queue_.begin(); it != queue_.end();) {
    bool serial = !wide(*it);
    if (serial && serial_full) {
      if (mpi_queued_ == 0) break;
      ++it;
      continue;
    }
    bool placed = serial ? place_serial(*it, out, now) : place_wide(*it, out, world_wanted, now);
    if (!placed && serial) serial_full = true;
    if (placed && !serial) --mpi_queued_;
    it = placed ? queue_.erase(it) : std::next(it);
  }
  if (queue_.size() == mpi_queued_) steal(round.withdrawals, now);  // no serial batch waits
  return round;
}

void Placement::steal(std::vector<Withdrawal>& out, double now) {
  for (auto& [thief_id, thief] : ranks_) {
    if (!thief.available || !thief.outstanding.empty() || thief.reserved_for || thief.stealing) continue;
    // The rank with the most batches waiting behind a batch that has run a while.
    Rank* victim = nullptr;
    int victim_id = -1;
    uint64_t take = 0;
    size_t most = 0;
    for (auto& [id, r] : ranks_) {
      if (!r.available || r.outstanding.size() < 2 || now - r.running_since < kStealAfter) continue;
      size_t waiting = 0;
      uint64_t newest = 0;
      for (size_t i = 1; i < r.outstanding.size(); ++i) {
        const Held& h = r.outstanding[i];
        if (!h.serial || withdrawing_.count(h.id)) continue;
        ++waiting;
        newest = h.id;  // the last one found: the newest
      }
      if (waiting > most || (waiting == most && waiting > 0 && victim && r.running_since < victim->running_since)) {
        most = waiting;
        victim = &r;
        victim_id = id;
        take = newest;
      }
    }
    if (!victim) return;  // nothing worth taking back, for any idle rank
    out.push_back({victim_id, take});
    withdrawing_[take] = {victim_id, thief_id};
    thief.stealing = take;
  }
}

void Placement::assign(Batch& b, std::vector<int> workers, std::vector<Decision>& out, double now) {
  for (int w : workers) {
    Rank& r = ranks_[w];
    if (r.outstanding.empty()) r.running_since = now;
    double expected = expected_us(b.program, b.fn);
    r.outstanding.push_back({b.id, workers.size() == 1, expected});
    r.held_us += expected;
    r.reserved_for = 0;
  }
  out.push_back(Decision{std::move(b), std::move(workers)});
}

// Whether rank `r` may take one more batch expected to run `expected` us (see the header).
bool Placement::room_for(const Rank& r, double expected) const {
  size_t held = r.outstanding.size();
  if (fixed_prefetch_) return held < prefetch_;
  if (held < 2) return true;
  double waiting = r.held_us - r.outstanding.front().expected_us;
  return held < kMaxDepth && waiting + expected <= kPrefetchBudgetUs * (1 + 1e-9);
}

bool Placement::place_serial(Batch& b, std::vector<Decision>& out, double now) {
  double expected = expected_us(b.program, b.fn);
  int best = -1;
  size_t best_load = 0;
  for (auto& [id, r] : ranks_) {
    if (!r.available || r.reserved_for || r.lent_to || !room_for(r, expected)) continue;
    if (best < 0 || r.outstanding.size() < best_load) {
      best = id;
      best_load = r.outstanding.size();
    }
    if (best_load == 0) break;
  }
  if (best < 0) return false;
  assign(b, {best}, out, now);
  return true;
}

bool Placement::idle_for(const Rank& r, uint64_t id) {
  return r.available && r.outstanding.empty() && (!r.reserved_for || r.reserved_for == id);
}

// A batch with threads=T runs on its ranks and holds (T-1) more idle ranks per rank, lent to
// it until it ends, so that its threads have the cores of those workers.
bool Placement::place_wide(Batch& b, std::vector<Decision>& out, int& world_wanted, double now) {
  size_t lend = (size_t)(std::max(1, b.threads) - 1) * (size_t)b.ranks;
  if (lend == 0) return place_parallel(b, out, world_wanted, now);
  size_t idle = 0;
  bool older_reserving = false;
  for (auto& [id, r] : ranks_) {
    idle += idle_for(r, b.id);
    older_reserving |= r.reserved_for && r.reserved_for != b.id && r.reserved_for < b.id;
  }
  if (idle < (size_t)b.ranks + lend) {
    // Not yet: hold the idle ranks for it as they come (unless an older batch holds some), so
    // that a stream of small tasks cannot starve it.
    if (!older_reserving)
      for (auto& [id, r] : ranks_)
        if (idle_for(r, b.id)) r.reserved_for = b.id;
    return false;
  }
  if (b.ranks > 1) {
    if (!place_parallel(b, out, world_wanted, now)) return false;
  } else {
    int runner = -1;
    for (auto& [id, r] : ranks_)
      if (runner < 0 && idle_for(r, b.id)) runner = id;
    assign(b, {runner}, out, now);
  }
  Lent lent;
  lent.runners = out.back().workers;
  for (auto& [id, r] : ranks_) {
    if (r.reserved_for == b.id) r.reserved_for = 0;
    if (lent.lent.size() == lend || !idle_for(r, b.id) || std::count(lent.runners.begin(), lent.runners.end(), id)) continue;
    r.outstanding.push_back({out.back().batch.id, false, 0});
    r.lent_to = out.back().batch.id;
    lent.lent.push_back(id);
  }
  lent_[out.back().batch.id] = std::move(lent);
  return true;
}

// Lent ranks come back once none of their batch's ranks holds it (it finished, failed, or
// its ranks were lost).
void Placement::release_lent() {
  for (auto it = lent_.begin(); it != lent_.end();) {
    bool running = false;
    for (int w : it->second.runners) running |= holds(w, it->first);
    if (running) {
      ++it;
      continue;
    }
    for (int w : it->second.lent) {
      auto r = ranks_.find(w);
      if (r == ranks_.end()) continue;
      auto pos = find(r->second.outstanding, it->first);
      if (pos != r->second.outstanding.end()) drop(r->second, pos);
      r->second.lent_to = 0;
    }
    it = lent_.erase(it);
  }
}

bool Placement::place_parallel(Batch& b, std::vector<Decision>& out, int& world_wanted, double now) {
  // The world with the most ranks idle or already reserved for this batch.
  std::map<int, std::vector<int>> candidates;
  std::map<int, size_t> live;
  for (auto& [id, r] : ranks_) {
    if (!r.available) continue;
    ++live[r.world];
    if (!r.outstanding.empty() || (r.reserved_for && r.reserved_for != b.id)) continue;
    candidates[r.world].push_back(id);
  }
  int best_world = -1;
  size_t best_count = 0;
  for (auto& [world, workers] : candidates)
    if (workers.size() > best_count) {
      best_world = world;
      best_count = workers.size();
    }
  if (best_world >= 0 && (int)best_count >= b.ranks) {
    // Ranks reserved for this batch first (they waited for it), and every reservation for
    // it ends here, also on ranks it does not take: a stale one would keep a rank idle forever.
    std::vector<int> workers = candidates[best_world];
    std::stable_partition(workers.begin(), workers.end(), [&](int w) { return ranks_[w].reserved_for == b.id; });
    workers.resize((size_t)b.ranks);
    for (auto& [id, r] : ranks_)
      if (r.reserved_for == b.id) r.reserved_for = 0;
    assign(b, std::move(workers), out, now);
    return true;
  }
  // After failures the pool's ranks may be spread over worlds too small for this task
  // (replacements start as worlds of their own): ask for one that fits.
  size_t largest = 0;
  for (auto& [world, n] : live) largest = std::max(largest, n);
  if ((int)largest < b.ranks) world_wanted = std::max(world_wanted, b.ranks);
  // Not yet: unless an older MPI batch already holds reservations, hold these ranks.
  bool older_reserving = false;
  for (auto& [id, r] : ranks_) older_reserving |= r.reserved_for && r.reserved_for != b.id && r.reserved_for < b.id;
  if (!older_reserving && best_world >= 0)
    for (int w : candidates[best_world]) ranks_[w].reserved_for = b.id;
  return false;
}

}  // namespace wf::detail
