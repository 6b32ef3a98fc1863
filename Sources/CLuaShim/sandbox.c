// The sandbox: what a plugin's environment holds, and how it is frozen after loading.
//
// Every plugin (and every eval chunk) gets its own environment: an empty proxy table whose
// __index is a private copy of the whitelisted globals. Libraries are shared read-only tables.
// io, os (but time/clock), debug, package/require, dofile/loadfile, string.dump and binary
// chunks are simply absent.
#include "qz_internal.h"

#include <stdlib.h>
#include <string.h>

#define OUTPUT_LIMIT_DEFAULT (64 * 1024)

static void mark_frozen(lua_State *L, int index) {
    index = lua_absindex(L, index);
    lua_getfield(L, LUA_REGISTRYINDEX, QZ_REG_FROZEN);
    lua_pushvalue(L, index);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

static int is_frozen(lua_State *L, int index) {
    index = lua_absindex(L, index);
    lua_getfield(L, LUA_REGISTRYINDEX, QZ_REG_FROZEN);
    lua_pushvalue(L, index);
    int frozen = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 2);
    return frozen;
}

static int readonly_table_newindex(lua_State *L) {
    if (lua_type(L, 2) == LUA_TSTRING)
        return luaL_error(L, "read-only: cannot set field '%s'", lua_tostring(L, 2));
    return luaL_error(L, "read-only: cannot set a field");
}

static int table_proxy_next(lua_State *L) {
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 2);
    if (lua_next(L, -2)) return 2;
    lua_pushnil(L);
    return 1;
}

static int table_proxy_pairs(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, table_proxy_next, 1);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

// Replaces the table on top of the stack by a read-only table proxy of it. Tables (not userdata)
// so that `string.format` is a plain table lookup on the hot path.
static void make_readonly_table(lua_State *L) {
    int backing = lua_gettop(L);
    lua_newtable(L);
    lua_createtable(L, 0, 4);
    lua_pushvalue(L, backing);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, readonly_table_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, backing);
    lua_pushcclosure(L, table_proxy_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    mark_frozen(L, -1);
    lua_remove(L, backing);
}

static int safe_rawset(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    if (is_frozen(L, 1)) return luaL_error(L, "read-only: rawset on a protected table");
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

// Finalizers run with hooks off (no budget can stop a loop in __gc), so no script may set one.
static int safe_setmetatable(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    int t = lua_type(L, 2);
    luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
    if (t == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) return luaL_error(L, "__gc metamethods are not allowed in the sandbox");
        lua_pop(L, 1);
    }
    if (is_frozen(L, 1)) return luaL_error(L, "read-only: cannot change a protected metatable");
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

static int safe_collectgarbage(lua_State *L) {
    const char *option = luaL_optstring(L, 1, "collect");
    if (strcmp(option, "count") != 0)
        return luaL_error(L, "collectgarbage('%s') is not allowed in the sandbox (only 'count')", option);
    int kb = lua_gc(L, LUA_GCCOUNT);
    int bytes = lua_gc(L, LUA_GCCOUNTB);
    lua_pushnumber(L, (lua_Number)kb + ((lua_Number)bytes / 1024));
    return 1;
}

static void output_append(qz_runtime *rt, const char *text, size_t length) {
    if (rt->output_truncated) return;
    if (rt->output_length + length > rt->output_limit_bytes) {
        length = rt->output_limit_bytes - rt->output_length;
        rt->output_truncated = 1;
    }
    if (rt->output_length + length > rt->output_capacity) {
        size_t capacity = rt->output_capacity ? rt->output_capacity : 1024;
        while (capacity < rt->output_length + length) capacity *= 2;
        char *grown = realloc(rt->output, capacity);
        if (grown == NULL) { rt->output_truncated = 1; return; }
        rt->output = grown;
        rt->output_capacity = capacity;
    }
    memcpy(rt->output + rt->output_length, text, length);
    rt->output_length += length;
}

// print() and quanzi.log() write into a bounded per-call buffer the host reads afterwards:
// scripts never reach a file descriptor.
static int safe_print(lua_State *L) {
    qz_runtime *rt = qz_runtime_of(L);
    int n = lua_gettop(L);
    for (int i = 1; i <= n; i++) {
        size_t length;
        const char *text = luaL_tolstring(L, i, &length);
        if (i > 1) output_append(rt, "\t", 1);
        output_append(rt, text, length);
        lua_pop(L, 1);
    }
    output_append(rt, "\n", 1);
    return 0;
}

static const char *reader_from_function(lua_State *L, void *ud, size_t *size) {
    (void)ud;
    luaL_checkstack(L, 2, "too many nested functions");
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        *size = 0;
        return NULL;
    }
    if (!lua_isstring(L, -1)) luaL_error(L, "reader function must return a string");
    lua_replace(L, 5);  // keep the piece alive in a fixed slot while the parser reads it
    return lua_tolstring(L, 5, size);
}

// load(chunk [, chunkname [, mode [, env]]]): text only, and the environment defaults to the
// calling plugin's own (upvalue 1), never the host's globals.
static int safe_load(lua_State *L) {
    size_t length = 0;
    const char *code = lua_tolstring(L, 1, &length);
    const char *mode = luaL_optstring(L, 3, "t");
    if (strchr(mode, 'b') != NULL) return luaL_error(L, "binary chunks are not allowed in the sandbox");
    int env_index = lua_isnone(L, 4) ? 0 : 4;
    int status;
    if (code != NULL) {
        const char *chunkname = luaL_optstring(L, 2, code);
        qz_charge(L, 1 + (int64_t)(length / QZ_BYTES_PER_INSTRUCTION));
        status = luaL_loadbufferx(L, code, length, chunkname, "t");
    } else {
        const char *chunkname = luaL_optstring(L, 2, "=(load)");
        luaL_checktype(L, 1, LUA_TFUNCTION);
        lua_settop(L, 5);
        status = lua_load(L, reader_from_function, NULL, chunkname, "t");
    }
    qz_after_catch(L, status);
    if (status != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (env_index) lua_pushvalue(L, env_index);
    else lua_pushvalue(L, lua_upvalueindex(1));
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    return 1;
}

// --- quanzi.* ------------------------------------------------------------------------------

static int declare(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, QZ_REG_DECLARATIONS);
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_setfield(L, -2, "kind");
    lua_pushvalue(L, 1);
    lua_setfield(L, -2, "value");
    luaL_where(L, 1);
    lua_setfield(L, -2, "where");
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    lua_pop(L, 1);
    return 1;
}

static int call_binding(lua_State *L) {
    qz_runtime *rt = qz_runtime_of(L);
    int index = (int)lua_tointeger(L, lua_upvalueindex(1));
    if (rt->binding == NULL) return luaL_error(L, "%s is not available here", lua_tostring(L, lua_upvalueindex(2)));
    int n = lua_gettop(L);
    const qz_binding_spec *spec = &rt->binding_specs[index];
    if (qz_batch_memo_answer(L, index, spec, n)) return 1;
    // Bindings take users by id; a user proxy stands for its id.
    for (int i = 1; i <= n; i++) {
        if (qz_is_proxy(L, i)) {
            lua_getiuservalue(L, i, 1);
            if (lua_getfield(L, -1, "id") == LUA_TNUMBER) lua_replace(L, i);
            else lua_pop(L, 1);
            lua_pop(L, 1);
        }
    }
    qz_value results[8];
    memset(results, 0, sizeof results);
    int count = rt->binding(rt->binding_context, L, index, results, 8);
    if (count > 0 && results[0].type == QZ_VALUE_ERROR) {
        luaL_where(L, 1);
        lua_pushlstring(L, results[0].string, results[0].length);
        lua_concat(L, 2);
        return lua_error(L);
    }
    luaL_checkstack(L, count + 4, "too many results");
    for (int i = 0; i < count; i++) {
        if (results[i].type == QZ_VALUE_ARGUMENT) lua_pushvalue(L, (int)results[i].integer);
        else if (results[i].type == QZ_VALUE_REFERENCE) lua_rawgeti(L, LUA_REGISTRYINDEX, (lua_Integer)results[i].integer);
        else qz_push_value(L, &results[i]);
    }
    if (count == 1) qz_batch_memo_remember(L, index, spec, n, &results[0]);
    if (rt->tracing) {
        lua_createtable(L, 0, 4);
        lua_pushliteral(L, "call");
        lua_setfield(L, -2, "kind");
        lua_pushvalue(L, lua_upvalueindex(2));
        lua_setfield(L, -2, "name");
        lua_createtable(L, n, 0);
        for (int i = 1; i <= n; i++) {
            lua_pushvalue(L, i);
            lua_rawseti(L, -2, i);
        }
        lua_setfield(L, -2, "args");
        if (count > 0) {
            lua_pushvalue(L, -1 - count);  // the first result, below the trace table
        } else {
            lua_pushnil(L);
        }
        lua_setfield(L, -2, "result");
        qz_trace_append(L);
    }
    return count;
}

// Registers every function of the binding table on the `quanzi` table on top: Swift bindings
// as one C closure (call_binding) whose upvalues are the binding's index and full name, so no
// binding needs C of its own. Namespaces ("credit" of "credit.score") become read-only tables.
static void set_bindings(lua_State *L, const qz_binding_spec *specs, int count) {
    int quanzi = lua_gettop(L);
    for (int i = 0; i < count; i++) {
        const char *path = specs[i].path;
        const char *dot = strchr(path, '.');
        const char *field = path;
        if (dot != NULL) {
            lua_pushlstring(L, path, (size_t)(dot - path));
            if (lua_rawget(L, quanzi) != LUA_TTABLE) {
                lua_pop(L, 1);
                lua_newtable(L);
                lua_pushlstring(L, path, (size_t)(dot - path));
                lua_pushvalue(L, -2);
                lua_rawset(L, quanzi);
            }
            field = dot + 1;
        }
        switch (specs[i].native) {
        case QZ_NATIVE_PRINT:
            lua_pushcfunction(L, safe_print);
            break;
        default:
            lua_pushinteger(L, i);
            lua_pushfstring(L, "quanzi.%s", path);
            lua_pushcclosure(L, call_binding, 2);
            break;
        }
        lua_setfield(L, -2, field);
        lua_settop(L, quanzi);
    }
    lua_pushnil(L);
    while (lua_next(L, quanzi)) {
        if (lua_type(L, -1) != LUA_TTABLE) {
            lua_pop(L, 1);
            continue;
        }
        make_readonly_table(L);
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, quanzi);  // replacing an existing field keeps the traversal valid
    }
}

static void push_quanzi_table(lua_State *L) {
    lua_newtable(L);
    // Declarations are not bindings: they record a plugin's table and its file:line for the loader.
    static const char *const kinds[] = {"circle", "experiment", "metrics", NULL};
    for (int i = 0; kinds[i]; i++) {
        lua_pushstring(L, kinds[i]);
        lua_pushcclosure(L, declare, 1);
        lua_setfield(L, -2, kinds[i]);
    }
    qz_runtime *rt = qz_runtime_of(L);
    set_bindings(L, rt->binding_specs, rt->binding_count);
    make_readonly_table(L);
}

// --- the base environment --------------------------------------------------------------------

static void copy_fields(lua_State *L, int from, int to, const char *const *names) {
    for (int i = 0; names[i]; i++) {
        lua_getfield(L, from, names[i]);
        lua_setfield(L, to, names[i]);
    }
}

int qz_sandbox_open(lua_State *L) {
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, QZ_REG_FROZEN);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, QZ_REG_DECLARATIONS);

    lua_newtable(L);
    int base = lua_gettop(L);

    luaL_requiref(L, LUA_GNAME, luaopen_base, 0);
    int stock = lua_gettop(L);
    static const char *const base_names[] = {"assert", "error", "ipairs", "next", "pairs", "rawequal",
                                             "rawget", "rawlen", "select", "tonumber", "tostring",
                                             "type", "getmetatable", "_VERSION", NULL};
    copy_fields(L, stock, base, base_names);
    lua_pop(L, 1);
    // The host's globals table is never reachable from a script: empty it.
    lua_pushglobaltable(L);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);

    static const struct { const char *name; lua_CFunction f; } replaced[] = {
        {"pcall", qz_pcall}, {"xpcall", qz_xpcall}, {"rawset", safe_rawset},
        {"setmetatable", safe_setmetatable}, {"collectgarbage", safe_collectgarbage},
        {"print", safe_print}, {NULL, NULL}};
    for (int i = 0; replaced[i].name; i++) {
        lua_pushcfunction(L, replaced[i].f);
        lua_setfield(L, base, replaced[i].name);
    }

    // string: the safe copy serves both `string.x` and method calls on strings, and the string
    // metatable is locked so `getmetatable("")` gives nothing to change.
    qz_open_safe_string(L);
    int safe_string = lua_gettop(L);
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushvalue(L, safe_string);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    make_readonly_table(L);
    lua_setfield(L, base, "string");

    qz_open_safe_table(L);
    make_readonly_table(L);
    lua_setfield(L, base, "table");

    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 0);
    lua_pushnil(L);
    lua_setfield(L, -2, "randomseed");  // shared generator state: one plugin must not steer another
    make_readonly_table(L);
    lua_setfield(L, base, "math");

    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 0);
    int stock_utf8 = lua_gettop(L);
    lua_newtable(L);
    static const char *const utf8_names[] = {"char", "charpattern", "codes", "codepoint", "len", "offset", NULL};
    copy_fields(L, stock_utf8, stock_utf8 + 1, utf8_names);
    static const char *const utf8_charged[] = {"char", "codes", "codepoint", "len", "offset", NULL};
    for (int i = 0; utf8_charged[i]; i++) qz_charge_field(L, -1, utf8_charged[i], COST_STRING_BYTES);
    make_readonly_table(L);
    lua_setfield(L, base, "utf8");
    lua_pop(L, 1);

    luaL_requiref(L, LUA_COLIBNAME, luaopen_coroutine, 0);
    int stock_co = lua_gettop(L);
    lua_newtable(L);
    static const char *const co_names[] = {"create", "isyieldable", "running", "status", "yield", NULL};
    copy_fields(L, stock_co, stock_co + 1, co_names);
    lua_pushcfunction(L, qz_co_resume);
    lua_setfield(L, -2, "resume");
    lua_pushcfunction(L, qz_co_wrap);
    lua_setfield(L, -2, "wrap");
    lua_getfield(L, stock_co, "close");
    lua_pushcclosure(L, qz_guard_closure, 1);
    lua_setfield(L, -2, "close");
    make_readonly_table(L);
    lua_setfield(L, base, "coroutine");
    lua_pop(L, 1);

    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
    int stock_os = lua_gettop(L);
    lua_newtable(L);
    static const char *const os_names[] = {"time", "clock", NULL};
    copy_fields(L, stock_os, stock_os + 1, os_names);
    make_readonly_table(L);
    lua_setfield(L, base, "os");
    lua_pop(L, 1);

    push_quanzi_table(L);
    lua_setfield(L, base, "quanzi");

    // Drop the stock libraries from the host's tables too; only the base copy survives.
    lua_pushglobaltable(L);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);

    lua_pushvalue(L, base);
    lua_setfield(L, LUA_REGISTRYINDEX, QZ_REG_BASE);
    qz_runtime *rt = qz_runtime_of(L);
    if (rt->output_limit_bytes == 0) rt->output_limit_bytes = OUTPUT_LIMIT_DEFAULT;
    return 0;
}

// Globals assigned while a plugin's top level runs land in its private globals table.
static int loading_newindex(lua_State *L) {
    lua_settop(L, 3);
    lua_rawset(L, lua_upvalueindex(1));
    return 0;
}

static int frozen_newindex(lua_State *L) {
    if (lua_type(L, 2) == LUA_TSTRING)
        return luaL_error(L, "cannot set global '%s': globals are read-only once a plugin is loaded (use a local)",
                          lua_tostring(L, 2));
    return luaL_error(L, "cannot set a global: globals are read-only once a plugin is loaded (use a local)");
}

// Pushes a new environment: an empty proxy over a private copy of the base globals.
static int push_new_env(lua_State *L) {
    lua_newtable(L);
    int globals = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, QZ_REG_BASE);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, globals);
    }
    lua_pop(L, 1);
    lua_newtable(L);
    int env = lua_gettop(L);
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, globals);
    lua_setfield(L, -2, "__index");
    lua_pushvalue(L, globals);
    lua_pushcclosure(L, loading_newindex, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, env);
    lua_pushvalue(L, env);
    lua_setfield(L, globals, "_G");
    lua_pushvalue(L, env);
    lua_pushcclosure(L, safe_load, 1);
    lua_setfield(L, globals, "load");
    lua_remove(L, globals);
    return 1;
}

static int load_chunk(lua_State *L) {
    size_t length;
    const char *code = lua_tolstring(L, 1, &length);
    const char *chunkname = lua_tostring(L, 2);
    push_new_env(L);
    int status = luaL_loadbufferx(L, code, length, chunkname, "t");
    if (status != LUA_OK) return lua_error(L);
    lua_pushvalue(L, -2);
    lua_setupvalue(L, -2, 1);
    return 2;  // env, function
}

static int set_field(lua_State *L) {
    lua_settable(L, 1);
    return 0;
}

int qz_set_field(lua_State *L, int table_index, const char *key) {
    table_index = lua_absindex(L, table_index);
    int value = lua_gettop(L);
    lua_pushcfunction(L, set_field);
    lua_pushvalue(L, table_index);
    lua_pushstring(L, key);
    lua_pushvalue(L, value);
    int status = lua_pcall(L, 3, 0, 0);
    if (status != LUA_OK) lua_pop(L, 1);
    lua_pop(L, 1);
    return status;
}

static int new_env(lua_State *L) {
    return push_new_env(L);
}

void qz_new_env(lua_State *L) {
    lua_pushcfunction(L, new_env);
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
        lua_pop(L, 1);
        lua_pushnil(L);
    }
}

static int load_in_env(lua_State *L) {
    size_t length;
    const char *code = lua_tolstring(L, 1, &length);
    const char *chunkname = lua_tostring(L, 2);
    int status = luaL_loadbufferx(L, code, length, chunkname, "t");
    if (status != LUA_OK) return lua_error(L);
    lua_pushvalue(L, 3);
    lua_setupvalue(L, -2, 1);
    return 1;
}

int qz_load_in_env(lua_State *L, const char *code, size_t length, const char *chunkname, int env_index) {
    env_index = lua_absindex(L, env_index);
    lua_pushcfunction(L, load_in_env);
    lua_pushlstring(L, code, length);
    lua_pushstring(L, chunkname);
    lua_pushvalue(L, env_index);
    return lua_pcall(L, 3, 1, 0);
}

int qz_load_sandboxed(lua_State *L, const char *code, size_t length, const char *chunkname) {
    lua_pushcfunction(L, load_chunk);
    lua_pushlstring(L, code, length);
    lua_pushstring(L, chunkname);
    return lua_pcall(L, 2, 2, 0);
}

void qz_env_freeze(lua_State *L, int env_index) {
    env_index = lua_absindex(L, env_index);
    if (!lua_getmetatable(L, env_index)) return;
    lua_pushcfunction(L, frozen_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pop(L, 1);
    mark_frozen(L, env_index);
}

void qz_take_declarations(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, QZ_REG_DECLARATIONS);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, QZ_REG_DECLARATIONS);
}

const char *qz_output(qz_runtime *rt, size_t *length, int *truncated) {
    *length = rt->output_length;
    *truncated = rt->output_truncated;
    return rt->output;
}

void qz_output_reset(qz_runtime *rt) {
    rt->output_length = 0;
    rt->output_truncated = 0;
}
