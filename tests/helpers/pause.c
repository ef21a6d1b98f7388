/* The only program of the "scratch" test image: no shell, no libc to borrow. It
 * waits for a signal and exits. Built static by make (build/helpers/pause), and
 * against musl and glibc (pause-musl, pause-glibc) for the libc test images. */
#include <signal.h>
#include <unistd.h>

static void done(int sig)
{
        (void)sig;
        _exit(0);
}

int main(void)
{
        signal(SIGTERM, done);
        signal(SIGINT, done);
        for (;;)
                pause();
}
