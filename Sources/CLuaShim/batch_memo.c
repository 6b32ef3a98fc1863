// The batch memo: within one qz_call_batch about one user (a feed page's viewer), a binding that
// declares batch_memo_arguments answers a question it already answered in this batch from that
// first answer, in C, instead of crossing into Swift again. campus-diary's post rule asks
// quanzi.ab.param on every decision; in a batch of 64 the host now answers it once.
//
// It holds exactly what the host answered, so a decision reads what a single call would have
// read at the batch's first asking (a batch is one request's instant, as RequestDataSource's
// memo is); it starts empty with every batch, so nothing reaches another user, another batch or
// a later experiment phase. Only scalars and "the caller's argument N" are remembered (a table
// would come back as one shared proxy instead of a fresh one per call); errors never are. Off
// while tracing, which must see every call.
//
// The memo lives in the host's memory, not Lua's: remembering allocates nothing a script's
// memory cap or the collector could notice, and a hit pushes what the host's answer would have
// pushed (qz_push_value), so the script's memory use is the same as with the call into Swift.
#include "qz_internal.h"

#include <stdlib.h>
#include <string.h>

#define MEMO_ENTRIES_MAX 16
#define MEMO_DECIDING_ARGUMENTS_MAX 4   // the user and up to three keys
#define MEMO_KEY_BYTES_MAX 64
#define MEMO_ANSWER_BYTES_MAX 128

typedef struct memo_key {
    int type;                       // LUA_TSTRING, or LUA_TNUMBER for an integer
    int64_t integer;
    size_t length;
    char bytes[MEMO_KEY_BYTES_MAX];
} memo_key;

typedef struct memo_entry {
    int binding;
    memo_key keys[MEMO_DECIDING_ARGUMENTS_MAX - 1];   // arguments 2…batch_memo_arguments
    qz_value answer;                // QZ_VALUE_ARGUMENT: the caller's argument `integer`
    char answer_bytes[MEMO_ANSWER_BYTES_MAX];
} memo_entry;

struct qz_batch_memo {
    int active;
    int64_t user_id;
    const void *user_proxy;         // the batch user's proxy, alive on the stack all batch; or NULL
    int count;
    memo_entry entries[MEMO_ENTRIES_MAX];
};

void qz_batch_memo_start(lua_State *L, int64_t user_id, int user_index) {
    qz_runtime *rt = qz_runtime_of(L);
    if (rt->batch_memo == NULL) {
        rt->batch_memo = malloc(sizeof *rt->batch_memo);
        if (rt->batch_memo == NULL) return;  // no memo: every question goes to the host
    }
    struct qz_batch_memo *memo = rt->batch_memo;
    memo->active = 1;
    memo->user_id = user_id;
    memo->user_proxy = lua_type(L, user_index) == LUA_TUSERDATA ? lua_topointer(L, user_index) : NULL;
    memo->count = 0;
}

void qz_batch_memo_end(lua_State *L) {
    qz_runtime *rt = qz_runtime_of(L);
    if (rt->batch_memo != NULL) rt->batch_memo->active = 0;
}

void qz_batch_memo_free(qz_runtime *rt) {
    free(rt->batch_memo);
    rt->batch_memo = NULL;
}

static struct qz_batch_memo *active_memo(lua_State *L, const qz_binding_spec *spec, int argument_count) {
    qz_runtime *rt = qz_runtime_of(L);
    struct qz_batch_memo *memo = rt->batch_memo;
    int deciding = spec->batch_memo_arguments;
    if (memo == NULL || !memo->active || rt->tracing || deciding <= 0 || deciding > MEMO_DECIDING_ARGUMENTS_MAX ||
        argument_count < deciding)
        return NULL;
    return memo;
}

static int key_matches(lua_State *L, int index, const memo_key *key) {
    if (key->type == LUA_TSTRING) {
        if (lua_type(L, index) != LUA_TSTRING) return 0;
        size_t length = 0;
        const char *bytes = lua_tolstring(L, index, &length);
        return length == key->length && memcmp(bytes, key->bytes, length) == 0;
    }
    return lua_isinteger(L, index) && lua_tointeger(L, index) == key->integer;
}

// Argument `index` as the host saw it: call_binding hands a user proxy over as its id.
static void push_argument_as_the_host_saw_it(lua_State *L, int index, int argument_count) {
    if (index <= argument_count && qz_is_proxy(L, index)) {
        lua_getiuservalue(L, index, 1);
        if (lua_getfield(L, -1, "id") == LUA_TNUMBER) {
            lua_remove(L, -2);
            return;
        }
        lua_pop(L, 2);
    }
    lua_pushvalue(L, index);
}

int qz_batch_memo_answer(lua_State *L, int index, const qz_binding_spec *spec, int argument_count) {
    struct qz_batch_memo *memo = active_memo(L, spec, argument_count);
    if (memo == NULL || memo->count == 0) return 0;
    int is_user = lua_isinteger(L, 1) ? lua_tointeger(L, 1) == memo->user_id
                                      : memo->user_proxy != NULL && lua_type(L, 1) == LUA_TUSERDATA &&
                                            lua_topointer(L, 1) == memo->user_proxy;
    if (!is_user) return 0;
    for (int e = 0; e < memo->count; e++) {
        const memo_entry *entry = &memo->entries[e];
        if (entry->binding != index) continue;
        int matches = 1;
        for (int i = 2; matches && i <= spec->batch_memo_arguments; i++) matches = key_matches(L, i, &entry->keys[i - 2]);
        if (!matches) continue;
        if (entry->answer.type == QZ_VALUE_ARGUMENT) {
            push_argument_as_the_host_saw_it(L, (int)entry->answer.integer, argument_count);
        } else {
            qz_push_value(L, &entry->answer);
        }
        return 1;
    }
    return 0;
}

static int remember_key(lua_State *L, int index, memo_key *key) {
    if (lua_type(L, index) == LUA_TSTRING) {
        size_t length = 0;
        const char *bytes = lua_tolstring(L, index, &length);
        if (length > MEMO_KEY_BYTES_MAX) return 0;
        key->type = LUA_TSTRING;
        key->length = length;
        memcpy(key->bytes, bytes, length);
        return 1;
    }
    if (!lua_isinteger(L, index)) return 0;
    key->type = LUA_TNUMBER;
    key->integer = lua_tointeger(L, index);
    return 1;
}

void qz_batch_memo_remember(lua_State *L, int index, const qz_binding_spec *spec, int argument_count, const qz_value *answer) {
    struct qz_batch_memo *memo = active_memo(L, spec, argument_count);
    if (memo == NULL || memo->count >= MEMO_ENTRIES_MAX) return;
    // The arguments are as the host saw them: a user proxy is its id by now.
    if (!lua_isinteger(L, 1) || lua_tointeger(L, 1) != memo->user_id) return;
    memo_entry *entry = &memo->entries[memo->count];
    entry->binding = index;
    for (int i = 2; i <= spec->batch_memo_arguments; i++)
        if (!remember_key(L, i, &entry->keys[i - 2])) return;
    entry->answer = *answer;
    entry->answer.pairs = NULL;
    switch (answer->type) {
    case QZ_VALUE_NIL:
    case QZ_VALUE_BOOLEAN:
    case QZ_VALUE_INTEGER:
    case QZ_VALUE_NUMBER:
        break;
    case QZ_VALUE_STRING:
        if (answer->length > MEMO_ANSWER_BYTES_MAX) return;
        memcpy(entry->answer_bytes, answer->string, answer->length);
        entry->answer.string = entry->answer_bytes;
        break;
    case QZ_VALUE_ARGUMENT:
        if (answer->integer < 1 || answer->integer > argument_count + LUA_MINSTACK) return;
        break;
    default:
        return;  // tables, cached proxies, errors
    }
    memo->count++;
}
