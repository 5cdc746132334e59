// How wf frees values (LANGUAGE.md §11): regions for what is immutable, one owner for what
// a `var` holds. No reference counts, no collector.
//
// wf values cannot alias mutable state: a `let`, a parameter, an element or a field is
// immutable, and only a `var` (or an index chain into one) is ever written. So:
// - A `var` owns its value as a tree of its own in the context's OwnedHeap (ownership.cpp):
//   `var x = e` and `x = e` copy e into a fresh tree (`own`), the old tree is freed at once
//   (`disown`), and so is the tree of every `var` whose scope ends (block end, break,
//   continue, return). Because nothing else ever points into a `var`'s tree, its count
//   would always be 1: it is written in place, `push` and `s += x` append in place with
//   doubling capacity, and nothing is copied on write. Copies happen where a value flows
//   into or out of a `var` (`var nu = u`; `let a = u`), and are elided where the source
//   dies there (`u = nu` as `nu`'s last use moves the tree).
// - Everything else (temporaries, `let`s, parameters, results) lives in the context's arena,
//   in nested regions: compiled code marks the arena at the start of a function call and of
//   a loop that allocates, and releases it at the end of each iteration and at the return.
//   Nothing allocated inside a region can be referenced after it: what leaves a region does
//   so by being copied into a `var`'s tree, or, for a function's result, by being evacuated
//   into the owned heap, the region released, and the result settled back into the
//   caller's region (`evacuate`/`settle`).
// - Futures and pools are handles owned by the scheduler, not values of the arena.
// An error longjmps past the code that would free: the task's runner empties the arena and
// the owned heap after every item (Context::reset_memory), so an error leaks nothing.
#pragma once

#include "execution/context.hpp"
#include "values.hpp"

namespace wf::detail {

// A deep copy of `v` into ctx's owned heap (strings included, with room to grow).
Slot own_value(Context& ctx, const char* desc, Slot v);
// Frees an owned tree (0 is fine).
void disown_value(Context& ctx, const char* desc, Slot v);
// An owned tree copied into the arena, the tree freed.
Slot settle_value(Context& ctx, const char* desc, Slot owned);
// Appends `tail` to the owned string `s` in place when it has room; returns the string.
WfStr* owned_str_append(Context& ctx, WfStr* s, const WfStr* tail);
// Appends to an owned array (`v` already owned when it is itself a tree).
void owned_array_push(Context& ctx, WfArray* a, Slot v);

}  // namespace wf::detail
