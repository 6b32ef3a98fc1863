// Read-only proxies: how core data (users, circles, binding results) and the sandbox's own
// libraries reach scripts. A data proxy is a userdata whose only user value is the backing table,
// so `rawset` cannot touch it and the backing table is never handed out.
#include "qz_internal.h"

static int proxy_index(lua_State *L) {
    lua_getiuservalue(L, 1, 1);
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    if (qz_runtime_of(L)->tracing) {
        int value = lua_gettop(L);
        lua_createtable(L, 0, 4);
        lua_pushliteral(L, "field");
        lua_setfield(L, -2, "kind");
        lua_getfield(L, value - 1, "id");
        lua_setfield(L, -2, "object");
        lua_pushvalue(L, 2);
        lua_setfield(L, -2, "key");
        lua_pushvalue(L, value);
        lua_setfield(L, -2, "value");
        qz_trace_append(L);
    }
    return 1;
}

void qz_trace_append(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, QZ_REG_TRACE);
    if (lua_type(L, -1) == LUA_TTABLE && lua_rawlen(L, -1) < QZ_TRACE_ENTRIES_MAX) {
        lua_pushvalue(L, -2);
        lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    }
    lua_pop(L, 2);
}

void qz_trace_begin(lua_State *L) {
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, QZ_REG_TRACE);
    qz_runtime_of(L)->tracing = 1;
}

void qz_trace_take(lua_State *L) {
    qz_runtime_of(L)->tracing = 0;
    lua_getfield(L, LUA_REGISTRYINDEX, QZ_REG_TRACE);
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, QZ_REG_TRACE);
}

static int readonly_newindex(lua_State *L) {
    if (lua_type(L, 2) == LUA_TSTRING)
        return luaL_error(L, "read-only: cannot set field '%s'", lua_tostring(L, 2));
    return luaL_error(L, "read-only: cannot set a field");
}

static int proxy_len(lua_State *L) {
    lua_getiuservalue(L, 1, 1);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
    return 1;
}

// Iterates the backing table without exposing it: pairs() gets this C closure, not `next` and
// the table (which would let a script write through it).
static int proxy_next(lua_State *L) {
    lua_settop(L, 2);
    lua_getiuservalue(L, 1, 1);
    lua_pushvalue(L, 2);
    if (lua_next(L, -2)) return 2;
    lua_pushnil(L);
    return 1;
}

static int proxy_pairs(lua_State *L) {
    lua_pushcfunction(L, proxy_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

// The registry key of the proxies' metatable: a C address, so no string is hashed to find it.
static char proxy_metatable_key;

// The metamethods every read-only proxy's metatable has besides __index (the table on top).
static void set_readonly_metamethods(lua_State *L) {
    lua_pushcfunction(L, readonly_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, proxy_len);
    lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, proxy_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_pushliteral(L, "read-only table");
    lua_setfield(L, -2, "__name");
}

static void push_proxy_metatable(lua_State *L) {
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &proxy_metatable_key) == LUA_TTABLE) return;
    lua_pop(L, 1);
    lua_createtable(L, 0, 6);
    lua_pushcfunction(L, proxy_index);
    lua_setfield(L, -2, "__index");
    set_readonly_metamethods(L);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &proxy_metatable_key);
    qz_runtime_of(L)->proxy_metatable = lua_topointer(L, -1);
}

int qz_push_readonly(lua_State *L, int backing_index) {
    backing_index = lua_absindex(L, backing_index);
    lua_newuserdatauv(L, 0, 1);
    lua_pushvalue(L, backing_index);
    lua_setiuservalue(L, -2, 1);
    push_proxy_metatable(L);
    lua_setmetatable(L, -2);
    return 1;
}

// Marks a record proxy's metatable (a key no script can make: a C address as light userdata).
static char record_marker;

void qz_make_record(lua_State *L, int index) {
    index = lua_absindex(L, index);
    if (!qz_is_proxy(L, index)) return;
    lua_createtable(L, 0, 7);
    lua_getiuservalue(L, index, 1);
    lua_setfield(L, -2, "__index");
    set_readonly_metamethods(L);
    lua_pushboolean(L, 1);
    lua_rawsetp(L, -2, &record_marker);
    lua_setmetatable(L, index);
}

int qz_is_proxy(lua_State *L, int index) {
    if (lua_type(L, index) != LUA_TUSERDATA || !lua_getmetatable(L, index)) return 0;
    // Before the first proxy there is no such metatable, and no userdata can have it.
    int same = lua_topointer(L, -1) == qz_runtime_of(L)->proxy_metatable;
    if (!same) {
        same = lua_rawgetp(L, -1, &record_marker) != LUA_TNIL;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return same;
}

void qz_proxy_backing(lua_State *L, int index) {
    lua_getiuservalue(L, index, 1);
}

size_t qz_proxy_field_count(lua_State *L, int index) {
    index = lua_absindex(L, index);
    lua_getiuservalue(L, index, 1);
    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        count++;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return count;
}

void qz_push_value(lua_State *L, const qz_value *value) {
    luaL_checkstack(L, 4, "nested value too deep");
    switch (value->type) {
    case QZ_VALUE_BOOLEAN: lua_pushboolean(L, value->integer != 0); break;
    case QZ_VALUE_INTEGER: lua_pushinteger(L, (lua_Integer)value->integer); break;
    case QZ_VALUE_NUMBER: lua_pushnumber(L, value->number); break;
    case QZ_VALUE_STRING: lua_pushlstring(L, value->string, value->length); break;
    case QZ_VALUE_TABLE: {
        lua_createtable(L, 0, (int)value->length);
        for (size_t i = 0; i < value->length; i++) {
            qz_push_value(L, &value->pairs[2 * i]);
            qz_push_value(L, &value->pairs[2 * i + 1]);
            lua_rawset(L, -3);
        }
        qz_push_readonly(L, -1);
        lua_remove(L, -2);
        break;
    }
    default: lua_pushnil(L); break;
    }
}
