// Limits and the protected call: allocator, count hook, limit errors, the call trampoline.
#include "qz_internal.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

// The unique error value of a limit. A light userdata cannot be forged by a script, so a
// script's own error can never be mistaken for (or turned into) a host limit.
static char limit_sentinel;

// The coarse clock (the kernel's last tick, a few milliseconds at most behind) is enough for a
// deadline measured in hundreds of milliseconds, and a few times cheaper: every call and every
// charged library call reads it.
double qz_now_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

qz_runtime *qz_runtime_of(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (qz_runtime *)ud;
}

static void *qz_alloc(void *ud, void *block, size_t old_size, size_t new_size) {
    qz_runtime *rt = (qz_runtime *)ud;
    if (block == NULL) old_size = 0;  // Lua passes a type tag in old_size for new blocks
    if (new_size == 0) {
        free(block);
        rt->memory_used_bytes -= old_size;
        return NULL;
    }
    // Growing past the cap fails only while a script runs; frees and shrinks never fail.
    if (new_size > old_size && rt->enforcing &&
        rt->memory_used_bytes - old_size + new_size > rt->memory_limit_bytes) {
        // Lua answers the first refusal with an emergency full GC and asks again for the same
        // size; a second refusal in a row means live data really exceeds the cap.
        if (rt->refused_size == new_size && rt->limit_hit == QZ_LIMIT_NONE)
            rt->limit_hit = QZ_LIMIT_MEMORY;
        rt->refused_size = new_size;
        return NULL;
    }
    void *grown = realloc(block, new_size);
    if (grown == NULL) return NULL;
    rt->refused_size = 0;
    rt->memory_used_bytes = rt->memory_used_bytes - old_size + new_size;
    if (rt->memory_used_bytes > rt->memory_peak_bytes) rt->memory_peak_bytes = rt->memory_used_bytes;
    return grown;
}

static void record_location(lua_State *L, char *out, size_t capacity) {
    lua_Debug ar;
    for (int level = 0; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            snprintf(out, capacity, "%s:%d", ar.short_src, ar.currentline);
            return;
        }
    }
    out[0] = '\0';
}

int qz_raise_limit(lua_State *L) {
    qz_runtime *rt = qz_runtime_of(L);
    if (rt->limit_location[0] == '\0') record_location(L, rt->limit_location, sizeof rt->limit_location);
    // From now on every instruction of this thread raises again, so nothing can keep running.
    lua_sethook(L, qz_count_hook, LUA_MASKCOUNT, 1);
    lua_pushlightuserdata(L, &limit_sentinel);
    return lua_error(L);
}

int qz_is_limit_error(lua_State *L, int index) {
    return lua_touserdata(L, index) == &limit_sentinel;
}

void qz_count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    qz_runtime *rt = qz_runtime_of(L);
    if (rt->limit_hit == QZ_LIMIT_NONE) {
        rt->instructions_used += QZ_HOOK_INSTRUCTIONS;
        if (rt->instructions_used > rt->instruction_limit) rt->limit_hit = QZ_LIMIT_INSTRUCTIONS;
        else if (rt->deadline_seconds > 0 && qz_now_seconds() > rt->deadline_seconds) rt->limit_hit = QZ_LIMIT_TIME;
    }
    if (rt->limit_hit != QZ_LIMIT_NONE) qz_raise_limit(L);
}

void qz_charge(lua_State *L, int64_t cost) {
    qz_runtime *rt = qz_runtime_of(L);
    if (!rt->enforcing) return;
    if (rt->limit_hit == QZ_LIMIT_NONE) {
        if (cost < 0 || cost > rt->instruction_limit - rt->instructions_used) rt->limit_hit = QZ_LIMIT_INSTRUCTIONS;
        else rt->instructions_used += cost;
        if (rt->limit_hit == QZ_LIMIT_NONE && rt->deadline_seconds > 0 && qz_now_seconds() > rt->deadline_seconds)
            rt->limit_hit = QZ_LIMIT_TIME;
    }
    if (rt->limit_hit != QZ_LIMIT_NONE) qz_raise_limit(L);
}

void qz_fail_limit(lua_State *L, int kind) {
    qz_runtime *rt = qz_runtime_of(L);
    if (!rt->enforcing) return;
    if (rt->limit_hit == QZ_LIMIT_NONE) rt->limit_hit = kind;
    qz_raise_limit(L);
}

void qz_check_memory(lua_State *L, size_t more_bytes) {
    qz_runtime *rt = qz_runtime_of(L);
    if (!rt->enforcing) return;
    if (rt->limit_hit == QZ_LIMIT_NONE && (rt->memory_used_bytes > rt->memory_limit_bytes ||
                                           more_bytes > rt->memory_limit_bytes - rt->memory_used_bytes)) {
        lua_gc(L, LUA_GCCOLLECT);
        if (rt->memory_used_bytes > rt->memory_limit_bytes ||
            more_bytes > rt->memory_limit_bytes - rt->memory_used_bytes)
            rt->limit_hit = QZ_LIMIT_MEMORY;
    }
    if (rt->limit_hit != QZ_LIMIT_NONE) qz_raise_limit(L);
}

void qz_after_catch(lua_State *L, int status) {
    qz_runtime *rt = qz_runtime_of(L);
    if (status == LUA_ERRMEM && rt->enforcing && rt->limit_hit == QZ_LIMIT_NONE) rt->limit_hit = QZ_LIMIT_MEMORY;
    if (rt->limit_hit != QZ_LIMIT_NONE) qz_raise_limit(L);
}

static int panic_handler(lua_State *L) {
    // Only reached for an error outside any protected call: a host bug. Dying loudly beats
    // continuing with a corrupted state.
    const char *message = lua_tostring(L, -1);
    fprintf(stderr, "quanzi: unprotected Lua error: %s\n", message ? message : "(not a string)");
    abort();
    return 0;
}

lua_State *qz_state_new(qz_runtime *rt) {
    rt->memory_used_bytes = 0;
    rt->memory_peak_bytes = 0;
    rt->enforcing = 0;
    rt->refused_size = 0;
    rt->limit_hit = QZ_LIMIT_NONE;
    rt->limit_location[0] = '\0';
    rt->worker = NULL;
    rt->batch_memo = NULL;
    rt->proxy_metatable = NULL;
    lua_State *L = lua_newstate(qz_alloc, rt);
    if (L == NULL) return NULL;
    lua_atpanic(L, panic_handler);
    lua_sethook(L, qz_count_hook, LUA_MASKCOUNT, QZ_HOOK_INSTRUCTIONS);
    lua_pushcfunction(L, qz_sandbox_open);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        lua_close(L);
        return NULL;
    }
    // One worker thread per state runs every call (see qz_call), anchored in the registry.
    lua_State *worker = lua_newthread(L);
    lua_sethook(worker, qz_count_hook, LUA_MASKCOUNT, QZ_HOOK_INSTRUCTIONS);
    lua_setfield(L, LUA_REGISTRYINDEX, QZ_REG_WORKER);
    rt->worker = worker;
    return L;
}

void qz_state_close(lua_State *L) {
    qz_runtime *rt = qz_runtime_of(L);
    lua_close(L);
    free(rt->output);
    rt->output = NULL;
    qz_batch_memo_free(rt);
    rt->output_length = rt->output_capacity = 0;
}

static void describe_error(lua_State *worker, lua_State *L, int status, qz_call_result *result) {
    qz_runtime *rt = qz_runtime_of(L);
    if (status == LUA_ERRMEM && rt->limit_hit == QZ_LIMIT_NONE) rt->limit_hit = QZ_LIMIT_MEMORY;
    result->limit_hit = rt->limit_hit;
    // The failed thread keeps its frames until it is reset: find where it stopped.
    if (rt->limit_hit != QZ_LIMIT_NONE && rt->limit_location[0] != '\0')
        snprintf(result->location, sizeof result->location, "%s", rt->limit_location);
    else
        record_location(worker, result->location, sizeof result->location);
    switch (rt->limit_hit) {
    case QZ_LIMIT_INSTRUCTIONS: lua_pushliteral(L, "instruction limit exceeded"); return;
    case QZ_LIMIT_MEMORY: lua_pushliteral(L, "memory limit exceeded"); return;
    case QZ_LIMIT_TIME: lua_pushliteral(L, "time limit exceeded"); return;
    default: break;
    }
    if (status == LUA_YIELD) {
        lua_pushliteral(L, "attempt to yield from outside a coroutine");
        return;
    }
    if (lua_type(worker, -1) == LUA_TSTRING) {
        lua_pushstring(L, lua_tostring(worker, -1));
    } else {
        // Never call __tostring on an error object: it is untrusted code.
        lua_pushfstring(L, "error object is a %s value", luaL_typename(worker, -1));
    }
}

// Every call, alone or in a batch, starts with the whole budget: a fresh instruction count (the
// hook's counter too), its own deadline, no limit hit.
static void start_limits(qz_runtime *rt, lua_State *worker, int64_t instruction_limit, int64_t timeout_ms) {
    rt->instructions_used = 0;
    rt->instruction_limit = instruction_limit;
    rt->deadline_seconds = timeout_ms > 0 ? qz_now_seconds() + (double)timeout_ms / 1000.0 : 0;
    rt->limit_hit = QZ_LIMIT_NONE;
    rt->limit_location[0] = '\0';
    rt->refused_size = 0;
    lua_sethook(worker, qz_count_hook, LUA_MASKCOUNT, QZ_HOOK_INSTRUCTIONS);
}

// After a failed call: to-be-closed variables run under the exhausted budget, then the worker is
// ready for the next call.
static void reset_worker(qz_runtime *rt, lua_State *worker) {
    rt->enforcing = 1;
    lua_resetthread(worker);
    rt->enforcing = 0;
    lua_settop(worker, 0);
}

int qz_call(lua_State *L, int nargs, int64_t instruction_limit, int64_t timeout_ms, qz_call_result *result) {
    qz_runtime *rt = qz_runtime_of(L);
    lua_State *worker = rt->worker;
    result->status = LUA_OK;
    result->result_count = 0;
    result->limit_hit = QZ_LIMIT_NONE;
    result->location[0] = '\0';

    start_limits(rt, worker, instruction_limit, timeout_ms);

    lua_xmove(L, worker, nargs + 1);
    int result_count = 0;
    rt->enforcing = 1;
    // lua_resume is Lua's protected entry for threads (like lua_pcall, it catches every error
    // in C); unlike lua_pcall it leaves the failed frames in place, so the error's file:line can
    // be read even for memory errors, which skip message handlers.
    int status = lua_resume(worker, L, nargs, &result_count);
    rt->enforcing = 0;

    if (status == LUA_OK) {
        if (!lua_checkstack(L, result_count + LUA_MINSTACK)) {
            lua_settop(worker, 0);
            lua_pushliteral(L, "too many results");
            result->status = LUA_ERRRUN;
            return result->status;
        }
        lua_xmove(worker, L, result_count);
        result->result_count = result_count;
        return LUA_OK;
    }
    describe_error(worker, L, status, result);
    result->status = status == LUA_YIELD ? LUA_ERRRUN : status;
    reset_worker(rt, worker);
    return result->status;
}

static int call_each(lua_State *L, int function_index, int shared_nargs, int first_argument, int nargs, int count,
                     int read_reasons, int64_t instruction_limit, int64_t timeout_ms, qz_decision *decisions,
                     qz_batch_result *result) {
    qz_runtime *rt = qz_runtime_of(L);
    lua_State *worker = rt->worker;
    qz_call_result *failure = &result->failure;
    result->decided = 0;
    result->invalid = 0;
    failure->status = LUA_OK;
    failure->result_count = 0;
    failure->limit_hit = QZ_LIMIT_NONE;
    failure->location[0] = '\0';
    function_index = lua_absindex(L, function_index);
    first_argument = lua_absindex(L, first_argument);
    // Room for every reason, an invalid call's two results or an error message, and one call's
    // function and arguments on their way to the worker.
    if (!lua_checkstack(L, count + shared_nargs + nargs + LUA_MINSTACK)) {
        lua_pushliteral(L, "too many results");
        failure->status = LUA_ERRRUN;
        return failure->status;
    }
    for (int i = 0; i < count; i++) {
        // What print() wrote is per call, as for qz_call; nobody reads a batch's.
        rt->output_length = 0;
        rt->output_truncated = 0;
        start_limits(rt, worker, instruction_limit, timeout_ms);
        lua_pushvalue(L, function_index);
        for (int j = 1; j <= shared_nargs; j++) lua_pushvalue(L, function_index + j);
        for (int j = 0; j < nargs; j++) lua_pushvalue(L, first_argument + i * nargs + j);
        lua_xmove(L, worker, shared_nargs + nargs + 1);
        int result_count = 0;
        rt->enforcing = 1;
        int status = lua_resume(worker, L, shared_nargs + nargs, &result_count);
        rt->enforcing = 0;
        if (status != LUA_OK) {
            describe_error(worker, L, status, failure);
            failure->status = status == LUA_YIELD ? LUA_ERRRUN : status;
            reset_worker(rt, worker);
            return failure->status;
        }
        qz_decision *decision = &decisions[i];
        decision->reason = NULL;
        decision->reason_length = 0;
        int first = lua_gettop(worker) - result_count + 1;  // absolute: pushes below do not move it
        if (!lua_checkstack(worker, 2)) {
            lua_settop(worker, 0);
            lua_pushliteral(L, "too many results");
            failure->status = LUA_ERRRUN;
            return failure->status;
        }
        int valid = result_count >= 1 && lua_type(worker, first) == LUA_TBOOLEAN;
        if (valid) {
            decision->allowed = lua_toboolean(worker, first);
            if (read_reasons && !decision->allowed && result_count >= 2) {
                int reason_type = lua_type(worker, first + 1);
                if (reason_type == LUA_TSTRING) {
                    lua_pushvalue(worker, first + 1);
                    lua_xmove(worker, L, 1);
                    decision->reason = lua_tolstring(L, -1, &decision->reason_length);
                } else if (reason_type != LUA_TNIL) {
                    valid = 0;
                }
            }
        }
        if (!valid) {
            // The caller words the error from the results themselves, as it does for one call.
            if (result_count >= 1) lua_pushvalue(worker, first); else lua_pushnil(worker);
            if (result_count >= 2) lua_pushvalue(worker, first + 1); else lua_pushnil(worker);
            lua_xmove(worker, L, 2);
            lua_settop(worker, 0);
            result->invalid = 1;
            return LUA_OK;
        }
        lua_settop(worker, 0);
        result->decided = i + 1;
    }
    return LUA_OK;
}

int qz_call_batch(lua_State *L, int function_index, int shared_nargs, int first_argument, int nargs, int count,
                  int read_reasons, int has_shared_user, int64_t shared_user_id, int64_t instruction_limit,
                  int64_t timeout_ms, qz_decision *decisions, qz_batch_result *result) {
    function_index = lua_absindex(L, function_index);
    if (has_shared_user)
        qz_batch_memo_start(L, shared_user_id, shared_nargs > 0 ? function_index + 1 : lua_absindex(L, first_argument));
    int status = call_each(L, function_index, shared_nargs, first_argument, nargs, count, read_reasons, instruction_limit,
                           timeout_ms, decisions, result);
    if (has_shared_user) qz_batch_memo_end(L);
    return status;
}
