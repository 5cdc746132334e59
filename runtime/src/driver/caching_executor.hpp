// A pool's result cache (`pool(cache="DIR")`, `wfc run --cache DIR`; docs/cache.md): an
// Executor in front of the pool's own, so neither the scheduler nor the executors know of it.
//
// dispatch() looks every call of a batch up by its function's compiled identity (the
// manifest's, compiler/sema/identity.hpp), its encoded arguments and its resources (ranks,
// threads). A batch found whole completes at once, without reaching a worker, and so its
// dependents are dispatched as soon as it is known; of a batch found in part, only the other
// calls go to the pool (under the same id), and the outcome is put together in call order.
// A batch that ran is stored before its outcome is passed on, so a future never completes with
// a result that a killed driver would not find again: its entries are gathered, and at the end
// of the pool's burst of reports (kEndOfBurst, executor.hpp) written with one write() per
// function, after which the burst's outcomes go on to the scheduler. Errors are
// stored only with `cache_errors` (and only that of a batch of one call: a failed chunk of a
// map does not say what its other calls returned).
//
// Completions from the cache happen on the thread that dispatches; a chain of cached tasks
// would recurse (complete -> dependents -> dispatch -> complete ...), so completions found
// while one is being delivered on this thread are queued and delivered by the outermost call.
#pragma once

#include <memory>

#include "driver/executor.hpp"

namespace wf::detail {

class ProgramSet;

// Wraps `factory` so that pools with a cache directory get a caching executor.
ExecutorFactory with_result_cache(const ProgramSet& programs, ExecutorFactory factory);

}  // namespace wf::detail
