// Lua API macros and non-raising accessors as plain functions, for Swift.
#include "qz_internal.h"

#include <stdio.h>

int qz_gettop(lua_State *L) { return lua_gettop(L); }
void qz_settop(lua_State *L, int index) { lua_settop(L, index); }
void qz_pop(lua_State *L, int count) { lua_pop(L, count); }
int qz_type(lua_State *L, int index) { return lua_type(L, index); }
int qz_isinteger(lua_State *L, int index) { return lua_isinteger(L, index); }
int64_t qz_tointeger(lua_State *L, int index) { return (int64_t)lua_tointeger(L, index); }
double qz_tonumber(lua_State *L, int index) { return (double)lua_tonumber(L, index); }
int qz_toboolean(lua_State *L, int index) { return lua_toboolean(L, index); }
int qz_rawnext(lua_State *L, int table_index) { return lua_next(L, table_index); }
int qz_checkstack(lua_State *L, int extra) { return lua_checkstack(L, extra); }
int qz_absindex(lua_State *L, int index) { return lua_absindex(L, index); }
void qz_pushnil(lua_State *L) { lua_pushnil(L); }
void qz_pushvalue(lua_State *L, int index) { lua_pushvalue(L, index); }
int qz_ref(lua_State *L) { return luaL_ref(L, LUA_REGISTRYINDEX); }
void qz_unref(lua_State *L, int ref) { luaL_unref(L, LUA_REGISTRYINDEX, ref); }
void qz_push_ref(lua_State *L, int ref) { lua_rawgeti(L, LUA_REGISTRYINDEX, ref); }
void qz_gc_collect(lua_State *L) { lua_gc(L, LUA_GCCOLLECT); }

// Only real strings: lua_tolstring would convert a number in place (allocating), which must
// not happen outside a protected call.
const char *qz_tolstring_raw(lua_State *L, int index, size_t *length) {
    if (lua_type(L, index) != LUA_TSTRING) return NULL;
    return lua_tolstring(L, index, length);
}

int qz_function_line(lua_State *L, int index, char *source, size_t capacity, int *last_line) {
    *last_line = -1;
    if (lua_type(L, index) != LUA_TFUNCTION) return -1;
    lua_Debug ar;
    lua_pushvalue(L, index);
    if (!lua_getinfo(L, ">S", &ar)) return -1;
    // A file's whole path ("@plugins/x.lua"): short_src cuts paths past LUA_IDSIZE (60) to
    // "...tail", which names no file. Chunks from strings keep their short form.
    if (ar.source[0] == '@' || ar.source[0] == '=') {
        snprintf(source, capacity, "%s", ar.source + 1);
    } else {
        snprintf(source, capacity, "%s", ar.short_src);
    }
    *last_line = ar.lastlinedefined;
    return ar.linedefined;
}
