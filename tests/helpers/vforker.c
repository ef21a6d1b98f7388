/* For the tests: a container's init that vfork()s a child which never execs,
 * so that the init waits, uninterruptibly, where ptrace cannot stop it. */
#include <unistd.h>

int main(void)
{
        if (vfork() == 0)
                for (;;)
                        pause();
        return 0;
}
