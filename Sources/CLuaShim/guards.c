// The sandbox's replacements for functions that catch errors or run unbounded C work.
//
// pcall, xpcall, coroutine.resume/wrap/close and load can catch errors; each one re-raises a
// host limit, so a script cannot swallow `instruction limit exceeded` and keep going. Library
// functions whose C work grows with their input are charged to the instruction budget first.
#include "qz_internal.h"

#include <stdint.h>
#include <string.h>

static int finish_pcall(lua_State *L, int status, lua_KContext extra) {
    qz_after_catch(L, status);
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

int qz_pcall(lua_State *L) {
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);  // the first result when the call succeeds
    lua_insert(L, 1);
    int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finish_pcall);
    return finish_pcall(L, status, 0);
}

// Runs the script's message handler unless a host limit is being raised: then the error passes
// through untouched, and the handler (untrusted code) never sees it.
static int xpcall_handler(lua_State *L) {
    if (qz_runtime_of(L)->limit_hit != QZ_LIMIT_NONE || qz_is_limit_error(L, 1)) return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

int qz_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);  // stack: f, handler, true, f, args...
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, xpcall_handler, 1);
    lua_replace(L, 2);    // stack: f, wrapped handler, true, f, args...
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
    return finish_pcall(L, status, 2);
}

// Resumes `co` with `narg` values from L; returns the number of results moved to L, or -1 with
// the error object on L.
static int resume(lua_State *L, lua_State *co, int narg) {
    if (!lua_checkstack(co, narg)) {
        lua_pushliteral(L, "too many arguments to resume");
        return -1;
    }
    lua_xmove(L, co, narg);
    int nres = 0;
    int status = lua_resume(co, L, narg, &nres);
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            lua_pushliteral(L, "too many results to resume");
            return -1;
        }
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1);
    qz_after_catch(L, status);
    return -1;
}

int qz_co_resume(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    luaL_argexpected(L, co != NULL, 1, "coroutine");
    int r = resume(L, co, lua_gettop(L) - 1);
    if (r < 0) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, -(r + 1));
    return r + 1;
}

static int wrapped_coroutine(lua_State *L) {
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int r = resume(L, co, lua_gettop(L));
    if (r < 0) {
        int status = lua_status(co);
        if (status != LUA_OK && status != LUA_YIELD) {
            lua_resetthread(co);  // close its to-be-closed variables
            lua_settop(co, 0);
        }
        qz_after_catch(L, LUA_OK);
        if (lua_type(L, -1) == LUA_TSTRING) {
            luaL_where(L, 1);
            lua_insert(L, -2);
            lua_concat(L, 2);
        }
        return lua_error(L);
    }
    return r;
}

int qz_co_wrap(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *co = lua_newthread(L);
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1);
    lua_pushcclosure(L, wrapped_coroutine, 1);
    return 1;
}

// Calls upvalue 1 with all arguments, then re-raises if a host limit fired meanwhile. For the
// remaining functions that catch errors (coroutine.close, load with a reader).
int qz_guard_closure(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    qz_after_catch(L, LUA_OK);
    return lua_gettop(L);
}

// --- charged library calls ---------------------------------------------------------------

static int64_t range_cost(lua_State *L, int first_index, int last_index, int defaults_to_length) {
    lua_Integer first = luaL_optinteger(L, first_index, 1);
    lua_Integer last;
    if (defaults_to_length && lua_isnoneornil(L, last_index))
        last = luaL_len(L, 1);
    else
        last = luaL_checkinteger(L, last_index);
    if (last < first) return 1;
    // Lua's ranges can span the whole integer line; anything past the budget is refused anyway.
    lua_Unsigned span = (lua_Unsigned)last - (lua_Unsigned)first;
    return span > (lua_Unsigned)INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)span + 1;
}

static int64_t cost_of(lua_State *L, int kind) {
    int n = lua_gettop(L);
    switch (kind) {
    case COST_STRING_BYTES: {
        int64_t bytes = 0;
        for (int i = 1; i <= n; i++)
            if (lua_type(L, i) == LUA_TSTRING) bytes += (int64_t)lua_rawlen(L, i);
        return 1 + bytes / QZ_BYTES_PER_INSTRUCTION;
    }
    case COST_LENGTH:
        return lua_type(L, 1) == LUA_TTABLE ? 1 + (int64_t)luaL_len(L, 1) : 1;
    case COST_SORT: {
        int64_t len = lua_type(L, 1) == LUA_TTABLE ? (int64_t)luaL_len(L, 1) : 0;
        int64_t log2 = 1;
        while ((1LL << log2) < len && log2 < 62) log2++;
        return 1 + len * log2;
    }
    case COST_ARG_COUNT:
        return 1 + n;
    default:
        return 1;
    }
}

static int charged_call(lua_State *L) {
    int kind = (int)lua_tointeger(L, lua_upvalueindex(2));
    qz_charge(L, cost_of(L, kind));
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int charged_range_call(lua_State *L) {
    int first_index = (int)lua_tointeger(L, lua_upvalueindex(2));
    int defaults_to_length = lua_toboolean(L, lua_upvalueindex(3));
    qz_charge(L, range_cost(L, first_index, first_index + 1, defaults_to_length));
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

// Replaces table[name] (a C function) by a wrapper charging by `kind`.
void qz_charge_field(lua_State *L, int table_index, const char *name, int kind) {
    table_index = lua_absindex(L, table_index);
    lua_getfield(L, table_index, name);
    lua_pushinteger(L, kind);
    lua_pushcclosure(L, charged_call, 2);
    lua_setfield(L, table_index, name);
}

void qz_charge_range_field(lua_State *L, int table_index, const char *name, int first_index, int defaults_to_length) {
    table_index = lua_absindex(L, table_index);
    lua_getfield(L, table_index, name);
    lua_pushinteger(L, first_index);
    lua_pushboolean(L, defaults_to_length);
    lua_pushcclosure(L, charged_range_call, 3);
    lua_setfield(L, table_index, name);
}

// string.rep with its output size checked against the memory cap before any work: the stock
// one loops in C for `string.rep("", 1e15)` and allocates before the hook can see it.
static int safe_rep(lua_State *L) {
    size_t len, sep_len;
    luaL_checklstring(L, 1, &len);
    lua_Integer count = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &sep_len);
    if (count <= 0 || len + sep_len == 0) {
        lua_pushliteral(L, "");
        return 1;
    }
    // Both factors are below 2^63; compare in floating point to avoid overflow.
    double total = (double)count * (double)len + (double)(count - 1) * (double)sep_len;
    if (total >= (double)SIZE_MAX / 2) qz_fail_limit(L, QZ_LIMIT_MEMORY);
    qz_check_memory(L, (size_t)total);
    qz_charge(L, 1 + (int64_t)(total / QZ_BYTES_PER_INSTRUCTION));
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

void qz_open_safe_string(lua_State *L) {
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);
    int stock = lua_gettop(L);
    lua_newtable(L);
    int safe = lua_gettop(L);
    static const char *const charged[] = {"byte", "char", "format", "len", "lower", "upper", "reverse",
                                          "sub", "pack", "packsize", "unpack", NULL};
    for (int i = 0; charged[i]; i++) {
        lua_getfield(L, stock, charged[i]);
        lua_setfield(L, safe, charged[i]);
        qz_charge_field(L, safe, charged[i], COST_STRING_BYTES);
    }
    lua_getfield(L, stock, "rep");
    lua_pushcclosure(L, safe_rep, 1);
    lua_setfield(L, safe, "rep");
    lua_pushcfunction(L, qz_str_find);
    lua_setfield(L, safe, "find");
    lua_pushcfunction(L, qz_str_match);
    lua_setfield(L, safe, "match");
    lua_pushcfunction(L, qz_str_gmatch);
    lua_setfield(L, safe, "gmatch");
    lua_pushcfunction(L, qz_str_gsub);
    lua_setfield(L, safe, "gsub");
    lua_remove(L, stock);
}

void qz_open_safe_table(lua_State *L) {
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 0);
    int stock = lua_gettop(L);
    lua_newtable(L);
    int safe = lua_gettop(L);
    static const char *const names[] = {"concat", "insert", "move", "pack", "unpack", "remove", "sort", NULL};
    for (int i = 0; names[i]; i++) {
        lua_getfield(L, stock, names[i]);
        lua_setfield(L, safe, names[i]);
    }
    qz_charge_range_field(L, safe, "concat", 3, 1);
    qz_charge_range_field(L, safe, "unpack", 2, 1);
    qz_charge_range_field(L, safe, "move", 2, 0);
    qz_charge_field(L, safe, "insert", COST_LENGTH);
    qz_charge_field(L, safe, "remove", COST_LENGTH);
    qz_charge_field(L, safe, "sort", COST_SORT);
    qz_charge_field(L, safe, "pack", COST_ARG_COUNT);
    lua_remove(L, stock);
}
