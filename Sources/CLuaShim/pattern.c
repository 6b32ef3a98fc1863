// Lua patterns with a step budget.
//
// Written by hand because the stock string.find/match/gmatch/gsub backtrack inside C, where the
// count hook never fires: `string.find(string.rep("a", 1e5), ".-.-.-.-b")` runs for hours. This
// matcher has the syntax and results of Lua 5.4 patterns (reference manual §6.4.1) and charges
// every matching step to the call's instruction budget, so a catastrophic pattern ends with
// `instruction limit exceeded` like any other runaway script.
#include "qz_internal.h"

#include <ctype.h>
#include <string.h>

#define MAX_CAPTURES 32
#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)
#define MAX_MATCH_DEPTH 200
#define ESCAPE '%'
#define SPECIALS "^$*+?.([%-"
#define STEPS_PER_CHARGE 4096

typedef struct MatchState {
    const char *src_init;
    const char *src_end;
    const char *p_end;
    lua_State *L;
    int depth_left;
    int level;
    int64_t steps;
    struct { const char *init; ptrdiff_t len; } capture[MAX_CAPTURES];
} MatchState;

static inline void step(MatchState *ms, int64_t count) {
    ms->steps += count;
    if (ms->steps >= STEPS_PER_CHARGE) {
        int64_t charged = ms->steps;
        ms->steps = 0;
        qz_charge(ms->L, charged);
    }
}

static const char *match(MatchState *ms, const char *s, const char *p);

static int capture_to_close(MatchState *ms) {
    for (int level = ms->level - 1; level >= 0; level--)
        if (ms->capture[level].len == CAP_UNFINISHED) return level;
    return luaL_error(ms->L, "invalid pattern capture");
}

static int check_capture_index(MatchState *ms, int c) {
    int index = c - '1';
    if (index < 0 || index >= ms->level || ms->capture[index].len == CAP_UNFINISHED)
        return luaL_error(ms->L, "invalid capture index %%%d", index + 1);
    return index;
}

// End of the single-character class starting at p.
static const char *class_end(MatchState *ms, const char *p) {
    char c = *p++;
    if (c == ESCAPE) {
        if (p >= ms->p_end) luaL_error(ms->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c == '[') {
        if (*p == '^') p++;
        do {  // the first ']' right after '[' or '[^' is a literal
            if (p >= ms->p_end) luaL_error(ms->L, "malformed pattern (missing ']')");
            c = *p++;
            if (c == ESCAPE && p < ms->p_end) p++;
        } while (*p != ']');
        return p + 1;
    }
    return p;
}

static int class_matches(int c, int class_letter) {
    int result;
    switch (tolower(class_letter)) {
    case 'a': result = isalpha(c); break;
    case 'c': result = iscntrl(c); break;
    case 'd': result = isdigit(c); break;
    case 'g': result = isgraph(c); break;
    case 'l': result = islower(c); break;
    case 'p': result = ispunct(c); break;
    case 's': result = isspace(c); break;
    case 'u': result = isupper(c); break;
    case 'w': result = isalnum(c); break;
    case 'x': result = isxdigit(c); break;
    default: return class_letter == c;
    }
    if (isupper(class_letter)) result = !result;
    return result != 0;
}

// p points at '[', end_class at the closing ']'.
static int set_matches(MatchState *ms, int c, const char *p, const char *end_class) {
    int negated = 0;
    step(ms, (end_class - p) / 8);
    p++;
    if (*p == '^') { negated = 1; p++; }
    while (p < end_class) {
        if (*p == ESCAPE) {
            p++;
            if (class_matches(c, (unsigned char)*p)) return !negated;
            p++;
        } else if (p + 2 < end_class && p[1] == '-') {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return !negated;
            p += 3;
        } else {
            if ((unsigned char)*p == c) return !negated;
            p++;
        }
    }
    return negated;
}

static int single_matches(MatchState *ms, const char *s, const char *p, const char *ep) {
    if (s >= ms->src_end) return 0;
    int c = (unsigned char)*s;
    switch (*p) {
    case '.': return 1;
    case ESCAPE: return class_matches(c, (unsigned char)p[1]);
    case '[': return set_matches(ms, c, p, ep - 1);
    default: return (unsigned char)*p == c;
    }
}

static const char *match_balance(MatchState *ms, const char *s, const char *p) {
    if (p + 1 >= ms->p_end) luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= ms->src_end || *s != *p) return NULL;
    int open = *p, close = p[1], depth = 1;
    while (++s < ms->src_end) {
        step(ms, 1);
        if (*s == close) {
            if (--depth == 0) return s + 1;
        } else if (*s == open) {
            depth++;
        }
    }
    return NULL;
}

static const char *max_expand(MatchState *ms, const char *s, const char *p, const char *ep) {
    ptrdiff_t count = 0;
    while (single_matches(ms, s + count, p, ep)) { count++; step(ms, 1); }
    // Try the longest repetition first, then back off one at a time.
    while (count >= 0) {
        step(ms, 1);
        const char *result = match(ms, s + count, ep + 1);
        if (result) return result;
        count--;
    }
    return NULL;
}

static const char *min_expand(MatchState *ms, const char *s, const char *p, const char *ep) {
    for (;;) {
        step(ms, 1);
        const char *result = match(ms, s, ep + 1);
        if (result) return result;
        if (!single_matches(ms, s, p, ep)) return NULL;
        s++;
    }
}

static const char *start_capture(MatchState *ms, const char *s, const char *p, int what) {
    if (ms->level >= MAX_CAPTURES) luaL_error(ms->L, "too many captures");
    ms->capture[ms->level].init = s;
    ms->capture[ms->level].len = what;
    ms->level++;
    const char *result = match(ms, s, p);
    if (result == NULL) ms->level--;
    return result;
}

static const char *end_capture(MatchState *ms, const char *s, const char *p) {
    int index = capture_to_close(ms);
    ms->capture[index].len = s - ms->capture[index].init;
    const char *result = match(ms, s, p);
    if (result == NULL) ms->capture[index].len = CAP_UNFINISHED;
    return result;
}

static const char *match_backreference(MatchState *ms, const char *s, int c) {
    int index = check_capture_index(ms, c);
    size_t len = (size_t)ms->capture[index].len;
    step(ms, (int64_t)(len / QZ_BYTES_PER_INSTRUCTION) + 1);
    if ((size_t)(ms->src_end - s) >= len && memcmp(ms->capture[index].init, s, len) == 0) return s + len;
    return NULL;
}

static const char *match_frontier(MatchState *ms, const char *s, const char *p, int *matched) {
    p += 2;
    if (*p != '[') luaL_error(ms->L, "missing '[' after '%%f' in pattern");
    const char *ep = class_end(ms, p);
    int previous = (s == ms->src_init) ? '\0' : (unsigned char)s[-1];
    int current = (s < ms->src_end) ? (unsigned char)*s : '\0';
    *matched = !set_matches(ms, previous, p, ep - 1) && set_matches(ms, current, p, ep - 1);
    return ep;
}

static const char *match(MatchState *ms, const char *s, const char *p) {
    if (ms->depth_left-- == 0) luaL_error(ms->L, "pattern too complex");
    step(ms, 1);
    while (p != ms->p_end) {
        switch (*p) {
        case '(':
            s = (p[1] == ')') ? start_capture(ms, s, p + 2, CAP_POSITION) : start_capture(ms, s, p + 1, CAP_UNFINISHED);
            goto done;
        case ')':
            s = end_capture(ms, s, p + 1);
            goto done;
        case '$':
            if (p + 1 != ms->p_end) goto single;  // '$' is special only at the end
            s = (s == ms->src_end) ? s : NULL;
            goto done;
        case ESCAPE:
            if (p + 1 < ms->p_end && p[1] == 'b') {
                s = match_balance(ms, s, p + 2);
                if (s != NULL) { p += 4; continue; }
                goto done;
            }
            if (p + 1 < ms->p_end && p[1] == 'f') {
                int matched;
                p = match_frontier(ms, s, p, &matched);
                if (matched) continue;
                s = NULL;
                goto done;
            }
            if (p + 1 < ms->p_end && isdigit((unsigned char)p[1])) {
                s = match_backreference(ms, s, (unsigned char)p[1]);
                if (s != NULL) { p += 2; continue; }
                goto done;
            }
            goto single;
        default:
        single: {
            const char *ep = class_end(ms, p);
            if (!single_matches(ms, s, p, ep)) {
                if (*ep == '*' || *ep == '?' || *ep == '-') { p = ep + 1; continue; }  // zero repetitions
                s = NULL;
                goto done;
            }
            switch (*ep) {
            case '?': {
                const char *result = match(ms, s + 1, ep + 1);
                if (result != NULL) { s = result; goto done; }
                p = ep + 1;
                continue;
            }
            case '+': s = max_expand(ms, s + 1, p, ep); goto done;
            case '*': s = max_expand(ms, s, p, ep); goto done;
            case '-': s = min_expand(ms, s, p, ep); goto done;
            default: s++; p = ep; continue;
            }
        }
        }
    }
done:
    ms->depth_left++;
    return s;
}

static void prepare(MatchState *ms, lua_State *L, const char *s, size_t ls, const char *p, size_t lp) {
    ms->L = L;
    ms->depth_left = MAX_MATCH_DEPTH;
    ms->src_init = s;
    ms->src_end = s + ls;
    ms->p_end = p + lp;
    ms->steps = 0;
}

static void reprepare(MatchState *ms) {
    ms->level = 0;
}

// Pushes capture i (or the whole match when there are no captures and i == 0).
static size_t push_capture(MatchState *ms, int i, const char *s, const char *e) {
    if (i >= ms->level) {
        if (i != 0) luaL_error(ms->L, "invalid capture index %%%d", i + 1);
        lua_pushlstring(ms->L, s, (size_t)(e - s));
        return (size_t)(e - s);
    }
    ptrdiff_t len = ms->capture[i].len;
    if (len == CAP_UNFINISHED) luaL_error(ms->L, "unfinished capture");
    if (len == CAP_POSITION) {
        lua_pushinteger(ms->L, (ms->capture[i].init - ms->src_init) + 1);
        return 0;
    }
    lua_pushlstring(ms->L, ms->capture[i].init, (size_t)len);
    return (size_t)len;
}

static int push_captures(MatchState *ms, const char *s, const char *e, int whole_if_none) {
    int count = (ms->level == 0 && whole_if_none) ? 1 : ms->level;
    luaL_checkstack(ms->L, count, "too many captures");
    for (int i = 0; i < count; i++) push_capture(ms, i, s, e);
    return count;
}

static size_t start_position(lua_Integer init, size_t len) {
    if (init > 0) return (size_t)init;
    if (init == 0) return 1;
    if (init < -(lua_Integer)len) return 1;
    return len + (size_t)init + 1;
}

static int has_specials(const char *p, size_t lp) {
    size_t upto = 0;
    do {
        if (strpbrk(p + upto, SPECIALS)) return 1;
        upto += strlen(p + upto) + 1;  // patterns may hold embedded zeros
    } while (upto <= lp);
    return 0;
}

static const char *find_plain(lua_State *L, const char *s, size_t ls, const char *p, size_t lp) {
    qz_charge(L, (int64_t)(ls / QZ_BYTES_PER_INSTRUCTION) + 1);
    if (lp == 0) return s;
    if (lp > ls) return NULL;
    const char *last = s + (ls - lp);
    for (const char *at = s; at <= last; at++) {
        at = memchr(at, *p, (size_t)(last - at) + 1);
        if (at == NULL) return NULL;
        if (memcmp(at + 1, p + 1, lp - 1) == 0) return at;
    }
    return NULL;
}

static int find_or_match(lua_State *L, int find) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_position(luaL_optinteger(L, 3, 1), ls);
    if (init > ls + 1) { luaL_pushfail(L); return 1; }
    if (find && (lua_toboolean(L, 4) || !has_specials(p, lp))) {
        const char *at = find_plain(L, s + init - 1, ls - init + 1, p, lp);
        if (at != NULL) {
            lua_pushinteger(L, (at - s) + 1);
            lua_pushinteger(L, (at - s) + (lua_Integer)lp);
            return 2;
        }
        luaL_pushfail(L);
        return 1;
    }
    MatchState ms;
    const char *s1 = s + init - 1;
    int anchor = (*p == '^');
    if (anchor) { p++; lp--; }
    prepare(&ms, L, s, ls, p, lp);
    do {
        reprepare(&ms);
        const char *e = match(&ms, s1, p);
        if (e != NULL) {
            qz_charge(L, ms.steps);
            if (find) {
                lua_pushinteger(L, (s1 - s) + 1);
                lua_pushinteger(L, e - s);
                return push_captures(&ms, NULL, NULL, 0) + 2;
            }
            return push_captures(&ms, s1, e, 1);
        }
    } while (s1++ < ms.src_end && !anchor);
    qz_charge(L, ms.steps);
    luaL_pushfail(L);
    return 1;
}

int qz_str_find(lua_State *L) { return find_or_match(L, 1); }
int qz_str_match(lua_State *L) { return find_or_match(L, 0); }

typedef struct GmatchState {
    const char *src;
    const char *p;
    const char *last_match;
    MatchState ms;
} GmatchState;

static int gmatch_next(lua_State *L) {
    GmatchState *gm = (GmatchState *)lua_touserdata(L, lua_upvalueindex(3));
    gm->ms.L = L;
    for (const char *src = gm->src; src <= gm->ms.src_end; src++) {
        reprepare(&gm->ms);
        const char *e = match(&gm->ms, src, gm->p);
        if (e != NULL && e != gm->last_match) {
            gm->src = gm->last_match = e;
            return push_captures(&gm->ms, src, e, 1);
        }
    }
    return 0;
}

int qz_str_gmatch(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_position(luaL_optinteger(L, 3, 1), ls);
    if (init > ls + 1) init = ls + 1;
    lua_settop(L, 2);  // keep the subject and the pattern alive as upvalues
    GmatchState *gm = (GmatchState *)lua_newuserdatauv(L, sizeof(GmatchState), 0);
    prepare(&gm->ms, L, s, ls, p, lp);
    gm->src = s + init - 1;
    gm->p = p;
    gm->last_match = NULL;
    lua_pushcclosure(L, gmatch_next, 3);
    return 1;
}

static void add_string_replacement(MatchState *ms, luaL_Buffer *b, const char *s, const char *e) {
    size_t l;
    lua_State *L = ms->L;
    const char *news = lua_tolstring(L, 3, &l);
    const char *p;
    while ((p = memchr(news, ESCAPE, l)) != NULL) {
        luaL_addlstring(b, news, (size_t)(p - news));
        p++;
        if (*p == ESCAPE) {
            luaL_addchar(b, *p);
        } else if (*p == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (isdigit((unsigned char)*p)) {
            push_capture(ms, *p - '1', s, e);
            luaL_tolstring(L, -1, NULL);
            lua_remove(L, -2);
            luaL_addvalue(b);
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", ESCAPE);
        }
        l -= (size_t)(p + 1 - news);
        news = p + 1;
    }
    luaL_addlstring(b, news, l);
}

// Returns 1 when the match was replaced, 0 when the original text is kept.
static int add_replacement(MatchState *ms, luaL_Buffer *b, const char *s, const char *e, int repl_type) {
    lua_State *L = ms->L;
    switch (repl_type) {
    case LUA_TFUNCTION: {
        lua_pushvalue(L, 3);
        int n = push_captures(ms, s, e, 1);
        lua_call(L, n, 1);
        break;
    }
    case LUA_TTABLE:
        push_capture(ms, 0, s, e);
        lua_gettable(L, 3);
        break;
    default:
        add_string_replacement(ms, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

int qz_str_gsub(lua_State *L) {
    size_t srcl, lp;
    const char *src = luaL_checklstring(L, 1, &srcl);
    const char *p = luaL_checklstring(L, 2, &lp);
    const char *last_match = NULL;
    int repl_type = lua_type(L, 3);
    lua_Integer max_s = luaL_optinteger(L, 4, (lua_Integer)srcl + 1);
    int anchor = (*p == '^');
    lua_Integer n = 0;
    int changed = 0;
    luaL_argexpected(L, repl_type == LUA_TNUMBER || repl_type == LUA_TSTRING ||
                     repl_type == LUA_TFUNCTION || repl_type == LUA_TTABLE, 3, "string/function/table");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    if (anchor) { p++; lp--; }
    MatchState ms;
    prepare(&ms, L, src, srcl, p, lp);
    while (n < max_s) {
        reprepare(&ms);
        const char *e = match(&ms, src, p);
        if (e != NULL && e != last_match) {
            n++;
            changed = add_replacement(&ms, &b, src, e, repl_type) | changed;
            src = last_match = e;
        } else if (src < ms.src_end) {
            luaL_addchar(&b, *src++);
        } else {
            break;
        }
        if (anchor) break;
    }
    qz_charge(L, ms.steps + (int64_t)(srcl / QZ_BYTES_PER_INSTRUCTION));
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}
