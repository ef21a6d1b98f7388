/* For the tests: prints the effective user ID it runs with (made setuid root
 * in a container, it shows whether the exec gained privileges). */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
        printf("%d\n", (int)geteuid());
        return 0;
}
