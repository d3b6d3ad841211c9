#ifndef SERFTOP_RESIZE_SIGNAL_H
#define SERFTOP_RESIZE_SIGNAL_H

/* From now on a SIGWINCH also writes a byte to `fd`, after whatever handler
   was installed (ncurses's, which notes the new size), so that a thread
   sleeping in poll() on `fd` wakes at once. */
void serftop_wake_on_resize(int fd);

/* Puts the previous handler back; `fd` is no longer written to. */
void serftop_stop_waking_on_resize(void);

#endif
