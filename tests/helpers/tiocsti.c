/* A hostile program for the tests: after a delay, it pushes a command line into
 * the terminal on its standard input with TIOCSTI, as a process left behind in a
 * container might try to do to the operator's shell. Built static by make and
 * put in the test carts. Usage: tiocsti SECONDS TEXT */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc != 3)
                return 2;
        sleep((unsigned)atoi(argv[1]));
        for (const char *p = argv[2]; *p; p++)
                ioctl(0, TIOCSTI, p);
        ioctl(0, TIOCSTI, "\n");
        return 0;
}
