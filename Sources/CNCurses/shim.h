#ifndef SERFTOP_CNCURSES_SHIM_H
#define SERFTOP_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* ncurses keeps these as globals and macros, which Swift cannot use safely. */
static inline int serftop_colors(void) { return COLORS; }
static inline int serftop_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t serftop_pair_attr(int pair) { return COLOR_PAIR(pair); }
static inline attr_t serftop_bold(void) { return A_BOLD; }
static inline attr_t serftop_underline(void) { return A_UNDERLINE; }
static inline attr_t serftop_reverse(void) { return A_REVERSE; }
static inline attr_t serftop_normal(void) { return A_NORMAL; }
static inline mmask_t serftop_mouse_mask(void) { return BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED; }

/* Draws one cell: a character (as a wide string) with attributes and a pair. */
static inline void serftop_draw(WINDOW *w, int y, int x, const wchar_t *s, int n, attr_t attrs, short pair) {
    wattr_set(w, attrs, pair, NULL);
    mvwaddnwstr(w, y, x, s, n);
}
#endif
