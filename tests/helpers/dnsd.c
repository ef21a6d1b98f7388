/* For the tests: a DNS resolver for dig to ask, in a container's network
 * namespace. Answers A queries for NAME.crashcart.test with 192.0.2.53, and
 * NXDOMAIN for the rest; UDP on 127.0.0.1:53.
 * Usage: dnsd   (prints "ready" once it listens, then serves until killed) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* The question's name as dotted text; returns the offset after QTYPE/QCLASS, or 0. */
static size_t question(const unsigned char *q, size_t len, char *name, size_t size)
{
        size_t off = 12, n = 0;

        while (off < len && q[off]) {
                size_t l = q[off++];

                if (l > 63 || off + l > len || n + l + 2 > size)
                        return 0;
                if (n)
                        name[n++] = '.';
                memcpy(name + n, q + off, l);
                n += l;
                off += l;
        }
        name[n] = 0;
        off++;
        return off + 4 <= len ? off + 4 : 0;
}

int main(void)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(53) };
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        unsigned char buf[512];

        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
                perror("dnsd");
                return 1;
        }
        printf("ready\n");
        fflush(stdout);
        for (;;) {
                struct sockaddr_in peer;
                socklen_t plen = sizeof(peer);
                ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
                char name[256];
                size_t end, nl;
                int qtype;

                if (n < 12)
                        continue;
                end = question(buf, (size_t)n, name, sizeof(name));
                if (!end)
                        continue;
                qtype = buf[end - 4] << 8 | buf[end - 3];
                nl = strlen(name);
                buf[2] = 0x84 | (buf[2] & 0x01); /* response, authoritative, RD copied */
                buf[3] = 0x80;                   /* RA */
                buf[6] = buf[7] = buf[8] = buf[9] = buf[10] = buf[11] = 0;
                if (nl >= 14 && strcasecmp(name + nl - 14, "crashcart.test") == 0 && qtype == 1 &&
                    end + 16 <= sizeof(buf)) {
                        static const unsigned char answer[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 53 };

                        buf[7] = 1;
                        memcpy(buf + end, answer, sizeof(answer));
                        end += sizeof(answer);
                } else if (!(nl >= 14 && strcasecmp(name + nl - 14, "crashcart.test") == 0))
                        buf[3] |= 3; /* NXDOMAIN */
                sendto(fd, buf, end, 0, (struct sockaddr *)&peer, plen);
        }
}
