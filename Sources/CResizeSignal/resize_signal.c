#include "resize_signal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static struct sigaction previous;
static volatile sig_atomic_t wake_fd = -1;
static volatile sig_atomic_t installed = 0;

static void on_resize(int sig, siginfo_t *info, void *context) {
    int saved = errno;
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) previous.sa_sigaction(sig, info, context);
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
    }
    int fd = wake_fd;
    if (fd >= 0) {
        char byte = 2;
        ssize_t ignored = write(fd, &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

void serftop_wake_on_resize(int fd) {
    if (installed) return;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_resize;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    wake_fd = fd;
    if (sigaction(SIGWINCH, &action, &previous) == 0) installed = 1;
}

void serftop_stop_waking_on_resize(void) {
    wake_fd = -1;
    if (installed) {
        sigaction(SIGWINCH, &previous, NULL);
        installed = 0;
    }
}
