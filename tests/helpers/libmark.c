/* For the tests of what the cart's programs load (tests/integration/cart-loads.bats):
 * a shared object a hostile container plants where a loader of the cart might
 * look. Its constructor leaves /tmp/MARK-TAG and appends TAG to /tmp/MARK.log,
 * with raw system calls: it needs no libc, so no loader refuses it for a missing
 * library or version, and it runs in whatever process maps it.
 *
 * TAG is written into each planted copy, in place of the placeholder below (one
 * build, a tag per plant: the tests find the placeholder's offset and overwrite
 * it, NUL-padded). */
#include <stddef.h>

#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_APPEND 02000
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3

/* Not const: kept in .data, where the compiler cannot fold it into code. */
__attribute__((used)) static volatile char tag[64] = "@@CRASHCART-TEST-MARK-TAG@@";

static long sys3(long n, long a, long b, long c)
{
        long r;

        __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
        return r;
}

/* dst = a + b + c, truncated to n bytes (NUL included); returns its length. */
static size_t join(char *dst, size_t n, const char *a, const volatile char *b, const char *c)
{
        size_t i = 0;

        for (; *a && i + 1 < n; a++)
                dst[i++] = *a;
        for (; *b && i + 1 < n; b++)
                dst[i++] = *b;
        for (; *c && i + 1 < n; c++)
                dst[i++] = *c;
        dst[i] = 0;
        return i;
}

__attribute__((constructor)) static void mark(void)
{
        char path[128], line[80];
        size_t n;
        long fd;

        join(path, sizeof(path), "/tmp/MARK-", tag, "");
        fd = sys3(SYS_open, (long)path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0)
                sys3(SYS_close, fd, 0, 0);
        n = join(line, sizeof(line), "", tag, "\n");
        fd = sys3(SYS_open, (long)"/tmp/MARK.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
                sys3(SYS_write, fd, (long)line, (long)n);
                sys3(SYS_close, fd, 0, 0);
        }
}

/* What loaders look up in a module after loading it (the constructor has run by
 * then), so that none gives up on this one first: gconv, OpenSSL providers and
 * engines, PKCS#11, SASL, PAM, GSS-API, NSS. */
int gconv(void);
int gconv_init(void);
void gconv_end(void);
int OSSL_provider_init(void);
int bind_engine(void);
unsigned long v_check(unsigned long v);
void *C_GetFunctionList(void);
int sasl_client_plug_init(void);
int sasl_server_plug_init(void);
int sasl_auxprop_plug_init(void);
int sasl_canonuser_init(void);
int pam_sm_authenticate(void);
int pam_sm_setcred(void);
int pam_sm_acct_mgmt(void);
int pam_sm_open_session(void);
int pam_sm_close_session(void);
int pam_sm_chauthtok(void);
void *gss_mech_initialize(void);
int _nss_evil_gethostbyname_r(void);
int _nss_evil_getpwnam_r(void);

int gconv(void) { return 0; }
int gconv_init(void) { return 0; }
void gconv_end(void) {}
int OSSL_provider_init(void) { return 0; }
int bind_engine(void) { return 0; }
unsigned long v_check(unsigned long v) { (void)v; return 0; }
void *C_GetFunctionList(void) { return NULL; }
int sasl_client_plug_init(void) { return -1; }
int sasl_server_plug_init(void) { return -1; }
int sasl_auxprop_plug_init(void) { return -1; }
int sasl_canonuser_init(void) { return -1; }
int pam_sm_authenticate(void) { return 0; }
int pam_sm_setcred(void) { return 0; }
int pam_sm_acct_mgmt(void) { return 0; }
int pam_sm_open_session(void) { return 0; }
int pam_sm_close_session(void) { return 0; }
int pam_sm_chauthtok(void) { return 0; }
void *gss_mech_initialize(void) { return NULL; }
int _nss_evil_gethostbyname_r(void) { return 0; }
int _nss_evil_getpwnam_r(void) { return 0; }
