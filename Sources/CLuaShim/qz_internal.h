// Declarations shared by the shim's C files; not visible to Swift.
#ifndef QZ_INTERNAL_H
#define QZ_INTERNAL_H

#include "qz_shim.h"
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

// The count hook fires every this many VM instructions. Coarse enough to cost ~nothing, fine
// enough that the budget is exact to within a thousand instructions.
#define QZ_HOOK_INSTRUCTIONS 1000

// C library work is charged to the instruction budget at one instruction per this many bytes
// it touches: a VM instruction costs about as much as copying a few dozen bytes.
#define QZ_BYTES_PER_INSTRUCTION 32

#define QZ_REG_WORKER "quanzi.worker"
#define QZ_REG_FROZEN "quanzi.frozen"         // weak set of tables scripts may not rawset
#define QZ_REG_BASE "quanzi.base"             // the sandbox's global functions and libraries
#define QZ_REG_DECLARATIONS "quanzi.declarations"
#define QZ_REG_TRACE "quanzi.trace"           // what the current traced call read
#define QZ_TRACE_ENTRIES_MAX 200

/// Appends the table on top of the stack to the trace (pops it), when tracing.
void qz_trace_append(lua_State *L);

double qz_now_seconds(void);
void qz_count_hook(lua_State *L, lua_Debug *ar);
/// Raises the limit error (a sentinel) after recording where; never returns.
int qz_raise_limit(lua_State *L);
int qz_is_limit_error(lua_State *L, int index);
/// Charges `cost` instructions of C work; raises the limit error when the budget runs out.
void qz_charge(lua_State *L, int64_t cost);
/// Raises `memory limit exceeded` up front when `more_bytes` cannot fit under the cap.
void qz_check_memory(lua_State *L, size_t more_bytes);
/// Raises the given limit now (while a script runs).
void qz_fail_limit(lua_State *L, int kind);
/// To call right after catching an error: re-raises when a host limit caused it.
void qz_after_catch(lua_State *L, int status);

/// The batch memo (batch_memo.c). Start and end bracket one qz_call_batch about one user, whose
/// value (a proxy or an id) is at `user_index`; free releases a state's memo when it closes.
void qz_batch_memo_start(lua_State *L, int64_t user_id, int user_index);
void qz_batch_memo_end(lua_State *L);
void qz_batch_memo_free(qz_runtime *rt);
/// In call_binding before anything else, its `argument_count` arguments as the script passed
/// them: pushes the batch's remembered answer of binding `index` to them and returns 1, or 0.
int qz_batch_memo_answer(lua_State *L, int index, const qz_binding_spec *spec, int argument_count);
/// In call_binding after the host answered (user proxies replaced by their ids): remembers
/// `answer`, when it and the arguments are what the memo may hold.
void qz_batch_memo_remember(lua_State *L, int index, const qz_binding_spec *spec, int argument_count, const qz_value *answer);

int qz_sandbox_open(lua_State *L);
void qz_open_safe_string(lua_State *L);   // pushes the safe string library table
void qz_open_safe_table(lua_State *L);    // pushes the safe table library table
int qz_push_readonly(lua_State *L, int backing_index);   // pushes a read-only proxy of a table
int qz_pcall(lua_State *L);
int qz_xpcall(lua_State *L);
int qz_co_resume(lua_State *L);
int qz_co_wrap(lua_State *L);
/// C closure: calls upvalue 1, then re-raises a host limit hit meanwhile.
int qz_guard_closure(lua_State *L);

enum qz_cost_kind {
    COST_STRING_BYTES = 1,   // proportional to the string arguments' bytes
    COST_LENGTH = 2,         // proportional to #arg1 (insert/remove shift the whole list)
    COST_SORT = 3,           // n·log2(n) comparisons
    COST_ARG_COUNT = 4,      // proportional to the number of arguments (pack, char)
};
/// Replaces table[name] (a C function) by a wrapper that charges by `kind` before calling it.
void qz_charge_field(lua_State *L, int table_index, const char *name, int kind);

// Bounded Lua patterns (pattern.c): same syntax and results as the stock functions, with every
// matching step charged to the budget, since C code is never interrupted by the hook.
int qz_str_find(lua_State *L);
int qz_str_match(lua_State *L);
int qz_str_gmatch(lua_State *L);
int qz_str_gsub(lua_State *L);

#endif
