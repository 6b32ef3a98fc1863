// libedit (BSD licence) from Debian's libedit-dev: line editing, history and completion for
// the REPL through its readline-compatible API.
#include <stdio.h>
#include <editline/readline.h>

// Swift 6 refuses to touch C globals directly (shared mutable state); these set them.
static inline void qz_editline_set_completion(rl_completion_func_t *function) {
    rl_attempted_completion_function = function;
}

// Completed names are usually followed by `(` or `.`, not a space.
static inline void qz_editline_no_append_character(void) {
    rl_completion_append_character = '\0';
}
