// The C side of Quanzi's Lua host. Swift never calls a raising Lua API directly: everything that
// can raise a Lua error (which is a longjmp) runs in here, inside a protected call, and reports a
// status code. The sandbox's limits (instructions, memory, wall clock) live here too, because the
// allocator and the count hook are C callbacks.
#ifndef QZ_SHIM_H
#define QZ_SHIM_H

#include <stddef.h>
#include <stdint.h>

typedef struct lua_State lua_State;

/// Why a script was stopped. Stable numbers: Swift maps them to error codes.
typedef enum qz_limit_kind {
    QZ_LIMIT_NONE = 0,
    QZ_LIMIT_INSTRUCTIONS = 1,
    QZ_LIMIT_MEMORY = 2,
    QZ_LIMIT_TIME = 3,
} qz_limit_kind;

/// A value handed from Swift bindings to C, which pushes it. Tables are flat arrays of
/// key/value pairs; every pointer stays valid until the binding call returns to Lua.
typedef enum qz_value_type {
    QZ_VALUE_NIL = 0,
    QZ_VALUE_BOOLEAN = 1,
    QZ_VALUE_INTEGER = 2,
    QZ_VALUE_NUMBER = 3,
    QZ_VALUE_STRING = 4,
    QZ_VALUE_TABLE = 5,   // a read-only proxy is pushed
    QZ_VALUE_ERROR = 6,   // raise `string` as a Lua error at the caller's line
    QZ_VALUE_ARGUMENT = 7, // return the caller's argument number `integer` unchanged
    QZ_VALUE_REFERENCE = 8, // push the registry's value number `integer` (a cached proxy)
} qz_value_type;

/// Host functions a `quanzi.*` binding may be instead of a Swift closure: the few that must be C
/// (see `ScriptBinding.Implementation.native` in LuaHost).
typedef enum qz_native_function {
    QZ_NATIVE_NONE = 0,     // a Swift binding, answered through qz_runtime.binding
    QZ_NATIVE_PRINT = 1,    // print(): writes into the per-call output buffer, which lives in C
} qz_native_function;

/// One `quanzi.*` function for qz_state_new to register, from LuaHost's binding table: `path`
/// under `quanzi` ("user", "credit.score": at most one namespace). A Swift binding is called
/// through qz_runtime.binding with its index in the list.
typedef struct qz_binding_spec {
    const char *path;
    int native;                     // qz_native_function
    /// How many leading arguments (a user first, then strings or integers) decide the answer
    /// while one batch asks about one user (qz_call_batch's `shared_user_id`): the first answer
    /// is remembered for the rest of that batch. 0: asked every time.
    int batch_memo_arguments;
} qz_binding_spec;

typedef struct qz_value {
    int type;
    int64_t integer;
    double number;
    const char *string;
    size_t length;                  // bytes of `string`, or pairs in `pairs`
    const struct qz_value *pairs;   // 2·length values: key, value, key, value…
} qz_value;

/// The Swift bindings' one entry point: answers binding number `binding_index` (its index in
/// qz_runtime.binding_specs), reading its arguments with the non-raising accessors below, and
/// writes up to `capacity` results. Returns the number of results.
typedef int (*qz_binding_fn)(void *context, lua_State *L, int binding_index, qz_value *results, int capacity);

/// Per-state limits and accounting. One per lua_State; the allocator's user data.
typedef struct qz_runtime {
    size_t memory_used_bytes;
    size_t memory_limit_bytes;
    size_t memory_peak_bytes;
    int enforcing;                  // 1 while a script runs: only then is the memory cap applied
    size_t refused_size;            // the last refused request, to spot Lua's emergency-GC retry
    int64_t instructions_used;
    int64_t instruction_limit;
    double deadline_seconds;        // monotonic clock; 0 means none
    int limit_hit;                  // qz_limit_kind
    char limit_location[256];       // "file:line" where the limit was hit, if known
    char *output;                   // what print() wrote during the current call
    size_t output_length;
    size_t output_capacity;
    size_t output_limit_bytes;
    int output_truncated;
    void *binding_context;
    qz_binding_fn binding;
    const qz_binding_spec *binding_specs;   // what qz_state_new registers under `quanzi`
    int binding_count;
    int tracing;                    // 1: record proxy field reads and binding calls (`:why`)
    // Set by qz_state_new, read on every call: looking them up in the registry by name cost a
    // string hash and a strcmp each time.
    lua_State *worker;              // the thread every call runs on (anchored in the registry)
    const void *proxy_metatable;    // the read-only proxies' metatable (anchored in the registry)
    // The current batch's remembered binding answers (see qz_binding_spec.batch_memo_arguments),
    // in the host's memory, not Lua's: made on a state's first batch about one user.
    struct qz_batch_memo *batch_memo;
} qz_runtime;

/// Result of qz_call: the status and, on failure, a message and where it happened.
typedef struct qz_call_result {
    int status;                     // 0 ok, otherwise a LUA_ERR* code
    int result_count;               // values left on the caller's stack when status == 0
    int limit_hit;                  // qz_limit_kind
    char location[256];             // "file:line" of the innermost Lua frame on error
} qz_call_result;

/// Creates a state whose allocator enforces `runtime`'s memory cap; opens the sandbox.
/// Returns NULL when the state or the sandbox could not be built.
lua_State *qz_state_new(qz_runtime *runtime);
void qz_state_close(lua_State *L);
qz_runtime *qz_runtime_of(lua_State *L);

/// Loads a text chunk (binary refused) as a function with a fresh sandbox env as its _ENV.
/// Leaves the function and then the env on the stack (status 0) or an error message (status != 0).
int qz_load_sandboxed(lua_State *L, const char *code, size_t length, const char *chunkname);

/// Calls the function below `nargs` arguments on L's stack under the limits: a fresh instruction
/// budget, the memory cap and a wall-clock deadline of `timeout_ms`. Runs on a dedicated thread
/// so that after an error the failing frame can still be inspected for its location. On error
/// leaves one message string on the stack.
int qz_call(lua_State *L, int nargs, int64_t instruction_limit, int64_t timeout_ms, qz_call_result *result);

/// One decision of a batch (qz_call_batch): the rule's boolean and, for a denial, its reason.
typedef struct qz_decision {
    int allowed;                    // 1 or 0
    const char *reason;             // a denial's reason string, or NULL; valid while it stays on L's stack
    size_t reason_length;
} qz_decision;

/// Result of qz_call_batch.
typedef struct qz_batch_result {
    int decided;                    // decisions made, in order; the batch stopped at the next one if < count
    int invalid;                    // 1: call `decided` returned results of the wrong shape (its first two
                                    // results, nil-padded, are left on L's stack top)
    qz_call_result failure;         // status != 0: call `decided` failed (its message is on L's stack top)
} qz_batch_result;

/// Calls the function at `function_index` `count` times, call i with the `shared_nargs` values just
/// above the function (every call's leading arguments: a feed page's viewer and circle) and then
/// the `nargs` values starting at `first_argument + i·nargs`, each call exactly as qz_call makes
/// it (a fresh instruction budget, the memory cap, its own deadline of `timeout_ms`), and reads
/// each call's results into `decisions[i]`: a boolean first, and when `read_reasons` and it is
/// false, a string or nil second. Stops at the first call that fails or returns another shape;
/// the calls after it are not made. Reasons are moved onto L's stack above the arguments, in
/// order; the caller pops them (and everything else) when it has read them.
///
/// With `has_shared_user` every call is about the user `shared_user_id` (a feed page's viewer),
/// who is every call's first argument: bindings that declare `batch_memo_arguments` then answer a
/// repeated question about that user from the batch's first answer, without asking the host
/// again (see qz_binding_spec).
int qz_call_batch(lua_State *L, int function_index, int shared_nargs, int first_argument, int nargs, int count,
                  int read_reasons, int has_shared_user, int64_t shared_user_id, int64_t instruction_limit,
                  int64_t timeout_ms, qz_decision *decisions, qz_batch_result *result);

/// After the plugin's top level has run: globals become read-only (an error names the global).
void qz_env_freeze(lua_State *L, int env_index);

/// Declarations recorded by quanzi.circle{...} and friends during the last load: pushes the
/// list table {{kind=, table=, where=}, ...} and clears it.
void qz_take_declarations(lua_State *L);

/// Pushes a read-only proxy for `value` (a table), or the plain value. Safe outside a protected
/// call: the memory cap is not enforced while the host pushes.
void qz_push_value(lua_State *L, const qz_value *value);

/// Turns the read-only proxy at `index` into a record proxy: read-only and opaque exactly as
/// before (the same userdata, metamethods and protected metatable), but with a metatable of its
/// own whose __index is the backing table, so `user.verified` is a lookup inside the VM instead
/// of a call into C. Its reads can no longer be traced. Costs a table, so the host does it to a
/// proxy it caches once the proxy is used again. Safe outside a protected call (see
/// qz_push_value).
void qz_make_record(lua_State *L, int index);

/// Non-raising helpers for Swift (Lua macros are not importable).
int qz_gettop(lua_State *L);
void qz_settop(lua_State *L, int index);
void qz_pop(lua_State *L, int count);
int qz_type(lua_State *L, int index);
int qz_isinteger(lua_State *L, int index);
int64_t qz_tointeger(lua_State *L, int index);
double qz_tonumber(lua_State *L, int index);
int qz_toboolean(lua_State *L, int index);
const char *qz_tolstring_raw(lua_State *L, int index, size_t *length);   // strings only, else NULL
int qz_rawnext(lua_State *L, int table_index);                           // lua_next
int qz_checkstack(lua_State *L, int extra);
int qz_absindex(lua_State *L, int index);
void qz_pushnil(lua_State *L);
void qz_pushvalue(lua_State *L, int index);
int qz_ref(lua_State *L);                                                  // pops, returns a registry ref
void qz_unref(lua_State *L, int ref);
void qz_push_ref(lua_State *L, int ref);
// linedefined; *last_line gets lastlinedefined (the line of the function's `end`)
int qz_function_line(lua_State *L, int index, char *source, size_t capacity, int *last_line);
void qz_gc_collect(lua_State *L);
size_t qz_proxy_field_count(lua_State *L, int index);
int qz_is_proxy(lua_State *L, int index);
/// Pushes the proxy's backing table (host use only: scripts never see it).
void qz_proxy_backing(lua_State *L, int index);

/// Starts recording what scripts read: proxy fields and binding calls.
void qz_trace_begin(lua_State *L);
/// Stops recording and pushes the list {{kind=, object=, key=, value=} | {kind="call", name=, args=, result=}}.
void qz_trace_take(lua_State *L);

/// Loads a text chunk with the env at `env_index` as its _ENV (a REPL session keeps one env);
/// leaves the function (status 0) or an error message.
int qz_load_in_env(lua_State *L, const char *code, size_t length, const char *chunkname, int env_index);

/// table[key] = value on top (popped), through metamethods, in a protected call; 0 on success.
int qz_set_field(lua_State *L, int table_index, const char *key);

/// Pushes a fresh sandbox environment (writable globals, for a REPL session).
void qz_new_env(lua_State *L);

/// Takes what print() wrote during the last call (and resets the buffer).
const char *qz_output(qz_runtime *runtime, size_t *length, int *truncated);
void qz_output_reset(qz_runtime *runtime);

#endif
