/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ELF core parser and the search for a container's core: cores built here
 * byte by byte as the kernel lays them out (x86_64 and arm64 alike: 64-bit,
 * little-endian), and core_pattern as hosts set it. */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "basic/macro.h"
#include "basic/syscalls.h"
#include "coredump/elfcore.h"
#include "coredump/find.h"
#include "coredump/stored.h"
#include "harness.h"

#ifndef NT_FILE
#define NT_FILE 0x46494c45
#endif

struct corebuf {
        uint8_t b[4096];
        size_t n;
};

static size_t put(struct corebuf *c, const void *p, size_t len)
{
        size_t at = c->n;

        memcpy(c->b + c->n, p, len);
        c->n += len;
        while (c->n % 4)
                c->b[c->n++] = 0;
        return at;
}

static void note(struct corebuf *c, uint32_t type, const void *desc, uint32_t descsz)
{
        uint32_t h[3] = { 5, descsz, type };

        put(c, h, sizeof(h));
        put(c, "CORE", 5);
        put(c, desc, descsz);
}

#define EXEC_FN_ADDR 0x7ffc0000ULL

/* A core of /app/crasher killed by SIGSEGV: prstatus, prpsinfo, auxv, NT_FILE
 * (when with_file), and one PT_LOAD that holds AT_EXECFN's string. */
static void make_core(struct corebuf *c, bool with_file, uint64_t file_count)
{
        Elf64_Ehdr e = { .e_type = ET_CORE, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
                         .e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
                         .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2 };
        Elf64_Phdr ph[2] = {};
        uint8_t prstatus[336] = {}, prpsinfo[136] = {};
        uint64_t auxv[] = { AT_PHDR, 0x400040, AT_ENTRY, 0x401000, AT_EXECFN, EXEC_FN_ADDR, AT_NULL, 0 };
        uint16_t sig = 11;
        int32_t pid = 4242;
        size_t notes_at;

        memset(c, 0, sizeof(*c));
        memcpy(e.e_ident, ELFMAG, SELFMAG);
        e.e_ident[EI_CLASS] = ELFCLASS64;
        e.e_ident[EI_DATA] = ELFDATA2LSB;
        e.e_ident[EI_VERSION] = EV_CURRENT;
        c->n = sizeof(e) + sizeof(ph);
        notes_at = c->n;
        memcpy(prstatus + 12, &sig, 2);
        memcpy(prstatus + 32, &pid, 4);
        note(c, NT_PRSTATUS, prstatus, sizeof(prstatus));
        strcpy((char *)prpsinfo + 40, "crasher");
        strcpy((char *)prpsinfo + 56, "/app/crasher --flag");
        note(c, NT_PRPSINFO, prpsinfo, sizeof(prpsinfo));
        note(c, NT_AUXV, auxv, sizeof(auxv));
        if (with_file) {
                uint8_t f[256] = {};
                uint64_t head[] = { file_count, 4096, 0x7f0000000000, 0x7f0000001000, 0, 0x400000, 0x402000, 0 };
                static const char names[] = "/lib/libc.so.6\0/app/crasher";

                memcpy(f, head, sizeof(head));
                memcpy(f + sizeof(head), names, sizeof(names));
                note(c, NT_FILE, f, (uint32_t)(sizeof(head) + sizeof(names)));
        }
        ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = notes_at, .p_filesz = c->n - notes_at };
        ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = c->n, .p_vaddr = EXEC_FN_ADDR, .p_filesz = 64,
                              .p_memsz = 4096 };
        memcpy(c->b + c->n, "/app/./crasher", 15);
        c->n += 64;
        memcpy(c->b, &e, sizeof(e));
        memcpy(c->b + sizeof(e), ph, sizeof(ph));
}

struct view {
        const uint8_t *p;
        size_t n;
};

static ssize_t view_read(void *userdata, void *buf, size_t len, uint64_t offset)
{
        const struct view *v = userdata;

        if (offset >= v->n)
                return 0;
        if (len > v->n - offset)
                len = v->n - (size_t)offset;
        memcpy(buf, v->p + offset, len);
        return (ssize_t)len;
}

static int parse_buf(const void *p, size_t n, struct elfcore_info *info)
{
        struct view v = { p, n };

        return elfcore_parse(view_read, &v, info);
}

TEST(elfcore_program_from_nt_file_at_entry)
{
        static struct corebuf c;
        struct elfcore_info info;

        make_core(&c, true, 2);
        CHECK(parse_buf(c.b, c.n, &info) == 0);
        /* The mapping at AT_ENTRY, not the first one of NT_FILE. */
        CHECK_STR(info.exe, "/app/crasher");
        CHECK_STR(info.execfn, "/app/./crasher");
        CHECK_STR(info.fname, "crasher");
        CHECK_STR(info.psargs, "/app/crasher --flag");
        CHECK(info.signal == 11);
        CHECK(info.pid == 4242);
        CHECK(info.n_files == 2);
        elfcore_info_done(&info);
}

TEST(elfcore_program_from_execfn_without_nt_file)
{
        static struct corebuf c;
        struct elfcore_info info;

        make_core(&c, false, 0);
        CHECK(parse_buf(c.b, c.n, &info) == 0);
        CHECK_STR(info.exe, "/app/./crasher");
        CHECK(info.n_files == 0);
        elfcore_info_done(&info);
}

TEST(elfcore_rejects_what_is_not_a_core)
{
        static struct corebuf c;
        struct elfcore_info info;
        Elf64_Ehdr *e = (Elf64_Ehdr *)c.b;

        CHECK(parse_buf("#!/bin/sh\n", 10, &info) == -ENOEXEC);
        CHECK(parse_buf("", 0, &info) == -ENOEXEC);
        make_core(&c, true, 2);
        e->e_type = ET_EXEC;
        CHECK(parse_buf(c.b, c.n, &info) == -ENOEXEC);
        make_core(&c, true, 2);
        e->e_ident[EI_DATA] = ELFDATA2MSB;
        CHECK(parse_buf(c.b, c.n, &info) == -EPROTONOSUPPORT);
        /* NT_FILE's count claims more entries than the note holds. */
        make_core(&c, true, UINT64_C(1) << 60);
        CHECK(parse_buf(c.b, c.n, &info) == -EBADMSG);
        /* A program header table past the end. */
        make_core(&c, true, 2);
        e->e_phoff = 1u << 30;
        CHECK(parse_buf(c.b, c.n, &info) == -EBADMSG);
}

TEST(elfcore_every_truncation_fails_cleanly)
{
        static struct corebuf c;

        make_core(&c, true, 2);
        /* Each prefix: an error or a result, never a read past the end (the
         * ASan build checks). The last bytes are AT_EXECFN's, which is optional. */
        for (size_t n = 0; n < c.n; n++) {
                struct elfcore_info info;
                uint8_t *copy = malloc(n ? n : 1);

                memcpy(copy, c.b, n);
                if (parse_buf(copy, n, &info) == 0)
                        elfcore_info_done(&info);
                free(copy);
        }
        CHECK(true);
}

TEST(core_pattern_as_hosts_set_it)
{
        struct core_pattern p;

        CHECK(core_pattern_parse("/tmp/core.%e.%p\n", false, &p) == 0);
        CHECK(p.pipe == NULL);
        CHECK_STR(p.dir, "/tmp");
        CHECK_STR(p.glob, "core.*.*");
        core_pattern_done(&p);
        /* The kernel's default, with core_uses_pid: core.PID in the working directory. */
        CHECK(core_pattern_parse("core\n", true, &p) == 0);
        CHECK(p.dir == NULL);
        CHECK_STR(p.glob, "core.*");
        core_pattern_done(&p);
        CHECK(core_pattern_parse("/cores/core-%e-%p-%t", true, &p) == 0);
        CHECK_STR(p.glob, "core-*-*-*"); /* %p there: no ".PID" added */
        core_pattern_done(&p);
        CHECK(core_pattern_parse("/c/x[1]%%%h*", false, &p) == 0);
        CHECK_STR(p.glob, "x\\[1]%*\\*");
        core_pattern_done(&p);
        CHECK(core_pattern_parse("|/usr/lib/systemd/systemd-coredump %P %u %g %s %t 9223372036854775808 %h\n", false,
                                 &p) == 0);
        CHECK_STR(p.pipe, "/usr/lib/systemd/systemd-coredump");
        core_pattern_done(&p);
        CHECK(core_pattern_parse("|/usr/share/apport/apport -p%p", false, &p) == 0);
        CHECK_STR(p.pipe, "/usr/share/apport/apport");
        core_pattern_done(&p);
        /* A directory per program: not a glob of one directory. */
        CHECK(core_pattern_parse("/var/crash/%e/core", false, &p) == -EOPNOTSUPP);
        CHECK(core_pattern_parse("", false, &p) == 0);
        CHECK_STR(p.glob, "core");
        core_pattern_done(&p);
}

static void write_file(int dirfd, const char *name, const void *p, size_t n, time_t mtime)
{
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };

        CHECK(fd >= 0 && write(fd, p, n) == (ssize_t)n);
        CHECK(futimens(fd, ts) == 0);
        close(fd);
}

/* Whether this kernel (or emulator) has openat2. */
static bool have_openat2(void)
{
        struct cc_open_how how = { .flags = O_PATH | O_CLOEXEC };
        int fd = sys_openat2(AT_FDCWD, "/", &how);

        if (fd >= 0)
                close(fd);
        return fd >= 0 || errno != ENOSYS;
}

TEST(core_find_newest_in_a_root)
{
        static struct corebuf c;
        char root[] = "/tmp/cc-unit-core-XXXXXX";
        int r;
        struct core_found f = {};
        int rootfd, tmp;

        CHECK(mkdtemp(root) != NULL);
        rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        CHECK(mkdirat(rootfd, "tmp", 0755) == 0);
        tmp = openat(rootfd, "tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
        make_core(&c, true, 2);
        write_file(tmp, "core.old.1", c.b, c.n, 1000);
        write_file(tmp, "core.new.2", c.b, c.n, 2000);
        /* Newer still, but not cores, or not matching, or not a file. */
        write_file(tmp, "core.text.3", "hello", 5, 3000);
        write_file(tmp, "other.4", c.b, c.n, 4000);
        CHECK(symlinkat("/etc/passwd", tmp, "core.link.5") == 0);
        CHECK(core_find_newest(rootfd, "/tmp", "core.*.*", &f) == 0);
        CHECK_STR(f.path, "/tmp/core.new.2");
        CHECK_STR(f.info.exe, "/app/crasher");
        CHECK(f.mtime.tv_sec == 2000);
        core_found_done(&f);
        CHECK(core_find_newest(rootfd, "/tmp", "nothing.*", &f) == -ENOENT);
        CHECK(core_find_newest(rootfd, "/missing", "core.*", &f) == -ENOENT);
        /* --core=FILE, relative to the container's root. */
        CHECK(core_open_path(rootfd, "tmp/core.old.1", &f) == 0);
        CHECK_STR(f.path, "/tmp/core.old.1");
        core_found_done(&f);
        CHECK(core_open_path(rootfd, "/tmp/core.text.3", &f) == -ENOEXEC);
        /* A symlink out of the root resolves inside it (without openat2, as
         * under qemu-user, no symlink is followed). */
        CHECK(symlinkat("/../../../../tmp/core.new.2", tmp, "escape") == 0);
        r = core_open_path(rootfd, "/tmp/escape", &f);
        CHECK(r == 0 || (r == -ELOOP && !have_openat2()));
        core_found_done(&f);
        static const char *const names[] = { "core.old.1", "core.new.2", "core.text.3", "other.4", "core.link.5",
                                             "escape" };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                unlinkat(tmp, names[i], 0);
        close(tmp);
        unlinkat(rootfd, "tmp", AT_REMOVEDIR);
        close(rootfd);
        rmdir(root);
}

TEST(stored_core_names_as_systemd_coredump_gives_them)
{
        enum stored_compression comp;
        uint64_t usec;

        CHECK(stored_core_parse_name("core.crasher.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.4242.1764612345678901.zst", &comp,
                                     &usec) == 0);
        CHECK(comp == STORED_ZSTD && usec == 1764612345678901ULL);
        CHECK(stored_core_parse_name("core.crasher.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.4242.17", &comp, &usec) == 0);
        CHECK(comp == STORED_PLAIN && usec == 17);
        /* A comm with its dots escaped, and lz4 and xz. */
        CHECK(stored_core_parse_name("core.a\\x2eout.1000.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.1.2.lz4", &comp, NULL) == 0);
        CHECK(comp == STORED_LZ4);
        CHECK(stored_core_parse_name("core.x.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.1.2.xz", &comp, NULL) == 0);
        CHECK(comp == STORED_XZ);
        /* An empty comm (a process that named itself ""). */
        CHECK(stored_core_parse_name("core..0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.1.2.zst", &comp, &usec) == 0);
        CHECK(comp == STORED_ZSTD && usec == 2);
        /* Not its names: no comm field, a short or upper-case boot id, words for numbers. */
        CHECK(stored_core_parse_name("core.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.1.2", NULL, NULL) == -EINVAL);
        CHECK(stored_core_parse_name("core.x.0.3f1c0d2b.1.2", NULL, NULL) == -EINVAL);
        CHECK(stored_core_parse_name("core.x.0.3F1C0D2B8E8A4A6C9B1F0E2D3C4B5A69.1.2", NULL, NULL) == -EINVAL);
        CHECK(stored_core_parse_name("core.x.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.1.now", NULL, NULL) == -EINVAL);
        CHECK(stored_core_parse_name("core.x.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.1.2.gz", NULL, NULL) == -EINVAL);
        CHECK(stored_core_parse_name("core.x.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.1.99999999999999999999999", NULL,
                                     NULL) == -EINVAL);
        CHECK(stored_core_parse_name("other.x.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.1.2", NULL, NULL) == -EINVAL);
        CHECK(stored_core_parse_name("core.", NULL, NULL) == -EINVAL);
        CHECK(stored_core_parse_name("core....", NULL, NULL) == -EINVAL);
        CHECK(stored_core_parse_name("", NULL, NULL) == -EINVAL);
}

/* A file of the store: its name, its contents, its hostname attribute. */
static void put_stored(int dirfd, const char *name, const void *p, size_t n, const char *hostname)
{
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);

        CHECK(fd >= 0 && write(fd, p, n) == (ssize_t)n);
        if (hostname)
                CHECK(fsetxattr(fd, "user.coredump.hostname", hostname, strlen(hostname), 0) == 0);
        close(fd);
}

/* What stored_unzstd makes of n bytes of in: the decompressed size, or -errno. */
static long unzstd_buf(const void *in, size_t n, void *out, size_t out_max)
{
        char path[] = "/var/tmp/cc-unit-zst-XXXXXX";
        int fd = mkstemp(path), outfd = memfd_create("out", MFD_CLOEXEC);
        long r;

        CHECK(fd >= 0 && outfd >= 0);
        unlink(path);
        CHECK(write(fd, in, n) == (ssize_t)n && lseek(fd, 0, SEEK_SET) == 0);
        r = stored_unzstd(fd, outfd);
        if (r == 0)
                r = pread(outfd, out, out_max, 0);
        close(fd);
        close(outfd);
        return r;
}

TEST(stored_core_zstd_streams)
{
        static uint8_t plain[300000], z[400000], out[300001];
        size_t zn, half;

        for (size_t i = 0; i < sizeof(plain); i++)
                plain[i] = (uint8_t)(i * 7 / 1000);
        zn = ZSTD_compress(z, sizeof(z), plain, sizeof(plain), 3);
        CHECK(!ZSTD_isError(zn));
        CHECK(unzstd_buf(z, zn, out, sizeof(out)) == (long)sizeof(plain));
        CHECK(memcmp(out, plain, sizeof(plain)) == 0);
        /* Two frames one after the other, as a stream may be. */
        half = ZSTD_compress(z, sizeof(z), plain, 1000, 1);
        zn = ZSTD_compress(z + half, sizeof(z) - half, plain + 1000, 2000, 1);
        CHECK(unzstd_buf(z, half + zn, out, sizeof(out)) == 3000);
        CHECK(memcmp(out, plain, 3000) == 0);
        /* Cut short, empty, or not zstd at all: broken. */
        zn = ZSTD_compress(z, sizeof(z), plain, sizeof(plain), 3);
        CHECK(unzstd_buf(z, zn - 5, out, sizeof(out)) == -EBADMSG);
        CHECK(unzstd_buf(z, 0, out, sizeof(out)) == -EBADMSG);
        CHECK(unzstd_buf("\x7f" "ELF not zstd", 12, out, sizeof(out)) == -EBADMSG);
        /* A complete frame, then bytes that are not one. */
        zn = ZSTD_compress(z, sizeof(z), plain, 5000, 3);
        memcpy(z + zn, "garbage", 7);
        CHECK(unzstd_buf(z, zn + 7, out, sizeof(out)) == -EBADMSG);
}

TEST(stored_core_zeros_become_holes)
{
        static uint8_t plain[1 << 22], z[1 << 16];
        char path[] = "/var/tmp/cc-unit-zst-XXXXXX";
        int fd = mkstemp(path), outfd = memfd_create("out", MFD_CLOEXEC);
        struct stat st;
        size_t zn;

        /* 4 MiB: a page of data, zeros, a page of data at the end, a last odd byte. */
        memset(plain, 0, sizeof(plain));
        memset(plain + 100, 'a', 4000);
        memset(plain + sizeof(plain) - 5000, 'b', 4999);
        zn = ZSTD_compress(z, sizeof(z), plain, sizeof(plain), 3);
        CHECK(!ZSTD_isError(zn) && fd >= 0 && outfd >= 0);
        unlink(path);
        CHECK(write(fd, z, zn) == (ssize_t)zn && lseek(fd, 0, SEEK_SET) == 0);
        CHECK(stored_unzstd(fd, outfd) == 0);
        CHECK(fstat(outfd, &st) == 0 && st.st_size == (off_t)sizeof(plain));
        /* What is stored: the blocks with data, not the megabytes of zeros. */
        CHECK(st.st_blocks * 512 <= 4 * 4096);
        {
                static uint8_t back[sizeof(plain)];

                CHECK(pread(outfd, back, sizeof(back), 0) == (ssize_t)sizeof(back));
                CHECK(memcmp(back, plain, sizeof(plain)) == 0);
        }
        close(fd);
        close(outfd);
}

static void set_mtime(int dirfd, const char *name, time_t t, long nsec)
{
        struct timespec ts[2] = { { t, nsec }, { t, nsec } };

        CHECK(utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) == 0);
}

TEST(stored_core_find_by_hostname_newest_first)
{
        static struct corebuf c;
        static uint8_t z[8192], out[8192];
        char dir[] = "/var/tmp/cc-unit-store-XXXXXX";
        struct stored_core sc = STORED_CORE_INIT;
        size_t older = 99, outside = 99, zn;
        int dfd, outfd;
        static const char *const names[] = {
                "core.crasher.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.10.1000000000.zst",
                "core.crasher.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.11.3000000000.zst",
                "core.crasher.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.12.2000000000",
                "core.crasher.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.13.9000000000.zst",
                "core.crasher.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.14.9500000000.zst",
                "core.crasher.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.15.9900000000.lz4",
                "notes.txt",
                /* Two in one second: the one written later is the newer. */
                "core.b.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.2.7000000000.zst",
                "core.a.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.9.7000000000.zst",
        };

        CHECK(mkdtemp(dir) != NULL);
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        make_core(&c, true, 2);
        zn = ZSTD_compress(z, sizeof(z), c.b, c.n, 3);
        put_stored(dfd, names[0], z, zn, "abc123def456");
        put_stored(dfd, names[1], z, zn, "abc123def456");
        put_stored(dfd, names[2], c.b, c.n, "abc123def456");
        /* Newer, but another container's, or one without the attribute. */
        put_stored(dfd, names[3], z, zn, "0123456789ab");
        put_stored(dfd, names[4], z, zn, NULL);
        put_stored(dfd, names[6], "x", 1, "abc123def456");
        CHECK(stored_core_find(dfd, "abc123def456", 0, 0, &sc, &older, &outside) == 0);
        CHECK_STR(sc.name, names[1]);
        CHECK(sc.usec == 3000000000ULL && sc.compression == STORED_ZSTD && older == 2 && outside == 0);
        outfd = memfd_create("core", MFD_CLOEXEC);
        CHECK(stored_core_extract(&sc, outfd) == 0);
        CHECK(pread(outfd, out, sizeof(out), 0) == (ssize_t)c.n && memcmp(out, c.b, c.n) == 0);
        close(outfd);
        stored_core_done(&sc);
        /* Within a run's times: the newest of those; the others counted. */
        CHECK(stored_core_find(dfd, "abc123def456", 1500000000ULL, 2500000000ULL, &sc, &older, &outside) == 0);
        CHECK_STR(sc.name, names[2]);
        CHECK(older == 0 && outside == 2 && sc.compression == STORED_PLAIN);
        outfd = memfd_create("core", MFD_CLOEXEC);
        CHECK(stored_core_extract(&sc, outfd) == 0);
        CHECK(pread(outfd, out, sizeof(out), 0) == (ssize_t)c.n && memcmp(out, c.b, c.n) == 0);
        close(outfd);
        stored_core_done(&sc);
        CHECK(stored_core_find(dfd, "abc123def456", 4000000000ULL, 0, &sc, &older, &outside) == -ENOENT);
        CHECK(outside == 3);
        CHECK(stored_core_find(dfd, "0123456789ab", 0, 0, &sc, &older, NULL) == 0 && older == 0);
        stored_core_done(&sc);
        CHECK(stored_core_find(dfd, "nobody", 0, 0, &sc, &older, NULL) == -ENOENT);
        /* lz4: found, said, not read. */
        put_stored(dfd, names[5], z, zn, "abc123def456");
        CHECK(stored_core_find(dfd, "abc123def456", 0, 0, &sc, &older, NULL) == 0 && sc.compression == STORED_LZ4);
        outfd = memfd_create("core", MFD_CLOEXEC);
        CHECK(stored_core_extract(&sc, outfd) == -EOPNOTSUPP);
        close(outfd);
        stored_core_done(&sc);
        unlinkat(dfd, names[5], 0);
        /* A second's tie: by when each was written, not by name. */
        put_stored(dfd, names[7], z, zn, "tie");
        put_stored(dfd, names[8], z, zn, "tie");
        set_mtime(dfd, names[7], 7000, 500);
        set_mtime(dfd, names[8], 7000, 100);
        CHECK(stored_core_find(dfd, "tie", 0, 0, &sc, &older, NULL) == 0);
        CHECK_STR(sc.name, names[7]);
        stored_core_done(&sc);
        /* A symlink in the store is never followed. */
        CHECK(symlinkat("/etc/passwd", dfd, "core.crasher.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.16.99999999999") == 0);
        CHECK(stored_core_find(dfd, "abc123def456", 0, 0, &sc, &older, NULL) == 0);
        CHECK_STR(sc.name, names[1]);
        stored_core_done(&sc);
        unlinkat(dfd, "core.crasher.0.3f1c0d2b8e8a4a6c9b1f0e2d3c4b5a69.16.99999999999", 0);
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                unlinkat(dfd, names[i], 0);
        close(dfd);
        CHECK(rmdir(dir) == 0);
}
