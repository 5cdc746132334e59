// C declarations of the ABI in core/abi/abi.def, with their real signatures. The JIT loader takes the
// addresses of these functions; compiled code calls them.
#pragma once

#include <cstdint>

#include "abi/abi_constants.h"

namespace wf::detail {
struct Context;
struct WfStr;
struct WfArray;
struct WfDict;
}  // namespace wf::detail

extern "C" {
using wf_ctx = wf::detail::Context;
using wf_str = wf::detail::WfStr;
using wf_array = wf::detail::WfArray;
using wf_dict = wf::detail::WfDict;

[[noreturn]] void wf_fail_msg(wf_ctx* ctx, int64_t loc, wf_str* msg);
void wf_poll_interrupt(wf_ctx* ctx, int64_t loc);
[[noreturn]] void wf_fail_div(wf_ctx* ctx, int64_t loc);
[[noreturn]] void wf_fail_index(wf_ctx* ctx, int64_t loc, int64_t index, int64_t len);
[[noreturn]] void wf_fail_stack(wf_ctx* ctx, int64_t loc);

int64_t wf_try_enter(wf_ctx* ctx, void* handler);
void wf_try_leave(wf_ctx* ctx, int64_t token);
wf_str* wf_try_catch(wf_ctx* ctx, int64_t token);
int64_t wf_float_to_int(wf_ctx* ctx, int64_t loc, double x);

void* wf_alloc(wf_ctx* ctx, int64_t bytes);
void wf_print(wf_ctx* ctx, int64_t stream, int64_t n, const char** descs, const uint64_t* slots);
wf_str* wf_to_str(wf_ctx* ctx, const char* desc, uint64_t v);
uint64_t wf_copy(wf_ctx* ctx, const char* desc, uint64_t v);
int64_t wf_equal(const char* desc, uint64_t a, uint64_t b);
wf_str* wf_str_concat(wf_ctx* ctx, wf_str* a, wf_str* b);
int64_t wf_str_compare(wf_str* a, wf_str* b);

wf_array* wf_array_new(wf_ctx* ctx, int64_t len);
wf_array* wf_array_repeat(wf_ctx* ctx, int64_t loc, const char* desc, uint64_t v, int64_t n);
void wf_array_push(wf_ctx* ctx, wf_array* a, uint64_t v);  // `a` is a var's owned array

int64_t wf_region_mark(wf_ctx* ctx);
void wf_region_reset(wf_ctx* ctx, int64_t region);
void wf_region_pop(wf_ctx* ctx, int64_t region);
uint64_t wf_own(wf_ctx* ctx, const char* desc, uint64_t v);
void wf_disown(wf_ctx* ctx, const char* desc, uint64_t v);
uint64_t wf_settle(wf_ctx* ctx, const char* desc, uint64_t v);
wf_str* wf_str_append(wf_ctx* ctx, wf_str* s, wf_str* tail);
wf_array* wf_range(wf_ctx* ctx, int64_t a, int64_t b);
wf_array* wf_zip(wf_ctx* ctx, wf_array* a, wf_array* b);
int64_t wf_sum_int(wf_array* a);
double wf_sum_float(wf_array* a);
wf_array* wf_concat(wf_ctx* ctx, wf_array* a, wf_array* b);
wf_array* wf_slice(wf_ctx* ctx, wf_array* a, int64_t start, int64_t end);
wf_str* wf_str_slice(wf_ctx* ctx, wf_str* s, int64_t start, int64_t end);
wf_array* wf_sort(wf_ctx* ctx, const char* elem_desc, wf_array* a);
int64_t wf_contains(const char* elem_desc, wf_array* a, uint64_t v);

// dictionaries (dicts.cpp); `desc` is the dictionary's `{KV}`
wf_dict* wf_dict_new(wf_ctx* ctx, const char* desc, int64_t capacity_hint);  // in the arena
void wf_dict_put_new(wf_ctx* ctx, const char* desc, wf_dict* d, uint64_t k, uint64_t v);  // arena, no copies
void wf_dict_set(wf_ctx* ctx, const char* desc, wf_dict* d, uint64_t k, uint64_t v);  // owned: owns copies
uint64_t wf_dict_get(wf_ctx* ctx, int64_t loc, const char* desc, wf_dict* d, uint64_t k);  // borrowed
uint64_t wf_dict_get_or(wf_ctx* ctx, const char* desc, wf_dict* d, uint64_t k, uint64_t dflt);  // arena copy
uint64_t* wf_dict_slot(wf_ctx* ctx, int64_t loc, const char* desc, wf_dict* d, uint64_t k);  // owned
int64_t wf_dict_contains(const char* desc, wf_dict* d, uint64_t k);
void wf_dict_remove(wf_ctx* ctx, const char* desc, wf_dict* d, uint64_t k);  // owned
wf_array* wf_dict_keys(wf_ctx* ctx, const char* desc, wf_dict* d);  // arena copies, insertion order
wf_array* wf_dict_values(wf_ctx* ctx, const char* desc, wf_dict* d);
wf_array* wf_dict_items(wf_ctx* ctx, const char* desc, wf_dict* d);

wf_str* wf_substr(wf_ctx* ctx, wf_str* s, int64_t start, int64_t len);
int64_t wf_find(wf_str* s, wf_str* sub);
wf_array* wf_split(wf_ctx* ctx, wf_str* s, wf_str* sep);
wf_str* wf_join(wf_ctx* ctx, wf_array* parts, wf_str* sep);
int64_t wf_parse_int(wf_ctx* ctx, int64_t loc, wf_str* s);
double wf_parse_float(wf_ctx* ctx, int64_t loc, wf_str* s);
wf_str* wf_trim(wf_ctx* ctx, wf_str* s);

wf_str* wf_format(wf_ctx* ctx, const char* spec, const char* desc, uint64_t v);  // one `{value:spec}` of an f-string
double wf_round(double x);
double wf_round_digits(double x, int64_t digits);

wf_str* wf_read_file(wf_ctx* ctx, int64_t loc, wf_str* path);
void wf_write_file(wf_ctx* ctx, int64_t loc, wf_str* path, wf_str* text);
void wf_append_file(wf_ctx* ctx, int64_t loc, wf_str* path, wf_str* text);
int64_t wf_exists(wf_str* path);
wf_str* wf_getcwd(wf_ctx* ctx);
void* wf_shell(wf_ctx* ctx, int64_t loc, wf_str* cmd);
double wf_now();
void wf_sleep(double seconds);
void wf_sleep_for(wf_ctx* ctx, int64_t loc, double seconds);  // sleep(s): interruptible in a notebook cell
wf_str* wf_getenv(wf_ctx* ctx, wf_str* name);
wf_str* wf_getenv_or(wf_ctx* ctx, wf_str* name, wf_str* fallback);
double wf_time();
void wf_mkdir(wf_ctx* ctx, int64_t loc, wf_str* path);
void wf_remove_file(wf_ctx* ctx, int64_t loc, wf_str* path);
wf_array* wf_list_dir(wf_ctx* ctx, int64_t loc, wf_str* path);
void wf_exit(wf_ctx* ctx, int64_t loc, int64_t code);
int64_t wf_workers(wf_ctx* ctx);  // runtime/src/driver/flow_abi.cpp
double wf_rand(int64_t key, int64_t i);
int64_t wf_rand_int(wf_ctx* ctx, int64_t loc, int64_t key, int64_t i, int64_t lo, int64_t hi);
double wf_rand_normal(int64_t key, int64_t i);

double wf_math_exp(double);
double wf_math_log(double);
double wf_math_log2(double);
double wf_math_log10(double);
double wf_math_sin(double);
double wf_math_cos(double);
double wf_math_tan(double);
double wf_math_floor(double);
double wf_math_ceil(double);
double wf_math_atan2(double, double);
double wf_math_pow(double, double);
double wf_math_fmod(double, double);

void* wf_extern_lookup(wf_ctx* ctx, int64_t loc, const char* lib, const char* symbol);

void* wf_submit(wf_ctx* ctx, void* pool, int64_t fn, uint64_t* args, int64_t nargs, int64_t future_mask, int64_t loc,
                int64_t ranks, int64_t threads);
uint64_t wf_result(wf_ctx* ctx, void* future, int64_t loc);
uint64_t wf_result_within(wf_ctx* ctx, void* future, int64_t loc, double timeout);
int64_t wf_cancel(wf_ctx* ctx, void* future);
int64_t wf_wait_any(wf_ctx* ctx, wf_array* futures, int64_t loc);
wf_array* wf_wait_within(wf_ctx* ctx, wf_array* futures, int64_t loc, double timeout);
int64_t wf_done(wf_ctx* ctx, void* future);
wf_str* wf_error(wf_ctx* ctx, void* future);
wf_array* wf_map(wf_ctx* ctx, void* pool, int64_t fn, wf_array* items, int64_t chunk, int64_t star, int64_t loc,
                 int64_t ranks, int64_t threads, int64_t ordered);
wf_array* wf_wait(wf_ctx* ctx, wf_array* futures, int64_t loc);
// oversubscribe, cache_errors: -1 absent, 0/1; cwd, cache: null when absent.
void* wf_pool(wf_ctx* ctx, int64_t workers, wf_str* cwd, int64_t oversubscribe, wf_str* cache, int64_t cache_errors,
              int64_t loc);
void wf_pool_hold(wf_ctx* ctx, void* pool);
void wf_pool_release(wf_ctx* ctx, void* pool);
void wf_cell_keep(wf_ctx* ctx, int64_t variable, const char* desc, uint64_t value);

int64_t wf_mpi_rank(wf_ctx* ctx);
int64_t wf_mpi_size(wf_ctx* ctx);
void wf_mpi_barrier(wf_ctx* ctx, int64_t loc);
uint64_t wf_mpi_allreduce(wf_ctx* ctx, int64_t loc, const char* desc, uint64_t v, int64_t op);
uint64_t wf_mpi_bcast(wf_ctx* ctx, int64_t loc, const char* desc, uint64_t v, int64_t root);
wf_array* wf_mpi_gather(wf_ctx* ctx, int64_t loc, const char* desc, uint64_t v, int64_t root, int64_t all);
void wf_mpi_send(wf_ctx* ctx, int64_t loc, const char* desc, uint64_t v, int64_t dest, int64_t tag);
uint64_t wf_mpi_recv(wf_ctx* ctx, int64_t loc, const char* desc, int64_t src, int64_t tag);
}
