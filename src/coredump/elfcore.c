/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/macro.h"
#include "coredump/elfcore.h"

/* Notes are padded to 4 bytes in cores, 64-bit ones too. */
#define NOTE_ALIGN(n) (((n) + 3) & ~(size_t)3)

#ifndef NT_FILE
#define NT_FILE 0x46494c45
#endif

/* The core in the parser's hands: its class and reader. */
struct core {
        elfcore_read_fn read;
        void *userdata;
        bool is64;
        size_t word;            /* 8 or 4: the size of a long in its notes */
        Elf64_Phdr *phdrs;      /* every program header, widened */
        size_t n_phdrs;
};

static int read_exact(const struct core *c, void *buf, size_t len, uint64_t offset)
{
        ssize_t n = c->read(c->userdata, buf, len, offset);

        if (n < 0)
                return (int)n;
        return (size_t)n == len ? 0 : -EBADMSG;
}

static uint64_t get_word(const struct core *c, const uint8_t *p)
{
        if (c->is64) {
                uint64_t v;

                memcpy(&v, p, 8);
                return v;
        }
        uint32_t v;

        memcpy(&v, p, 4);
        return v;
}

static int read_phdrs(struct core *c, uint64_t phoff, size_t phentsize, size_t n)
{
        size_t want = c->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);

        if (n == 0 || n > ELFCORE_PHDRS_MAX || phentsize < want)
                return -EBADMSG;
        c->phdrs = calloc(n, sizeof(Elf64_Phdr));
        if (!c->phdrs)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                uint64_t off = phoff + (uint64_t)i * phentsize;
                int r;

                if (off < phoff)
                        return -EBADMSG;
                if (c->is64) {
                        r = read_exact(c, &c->phdrs[i], sizeof(Elf64_Phdr), off);
                } else {
                        Elf32_Phdr p;

                        r = read_exact(c, &p, sizeof(p), off);
                        c->phdrs[i] = (Elf64_Phdr){ .p_type = p.p_type, .p_offset = p.p_offset,
                                                    .p_vaddr = p.p_vaddr, .p_filesz = p.p_filesz,
                                                    .p_memsz = p.p_memsz };
                }
                if (r < 0)
                        return r;
        }
        c->n_phdrs = n;
        return 0;
}

/* A NUL-terminated string of the process's memory at addr, from the PT_LOAD
 * that holds it in the file; NULL when none does. */
static char *read_memory_string(const struct core *c, uint64_t addr)
{
        for (size_t i = 0; i < c->n_phdrs; i++) {
                const Elf64_Phdr *p = &c->phdrs[i];
                char buf[4097];
                uint64_t at, avail;
                ssize_t n;

                if (p->p_type != PT_LOAD || addr < p->p_vaddr || addr - p->p_vaddr >= p->p_filesz)
                        continue;
                at = p->p_offset + (addr - p->p_vaddr);
                if (at < p->p_offset)
                        return NULL;
                avail = p->p_filesz - (addr - p->p_vaddr);
                n = c->read(c->userdata, buf, avail < sizeof(buf) - 1 ? (size_t)avail : sizeof(buf) - 1, at);
                if (n <= 0)
                        return NULL;
                buf[n] = 0;
                if (strnlen(buf, (size_t)n) == (size_t)n || buf[0] == 0)
                        return NULL; /* no end within a page, or empty: not a path */
                return strdup(buf);
        }
        return NULL;
}

/* What the notes say, gathered before it is put together. */
struct notes {
        uint64_t entry, execfn;
        bool has_entry, has_execfn;
        char *file_at_entry;
        char *first_file;
};

static void notes_done(struct notes *n)
{
        free(n->file_at_entry);
        free(n->first_file);
}

static void parse_auxv(const struct core *c, const uint8_t *d, size_t len, struct notes *n)
{
        for (size_t off = 0; off + 2 * c->word <= len; off += 2 * c->word) {
                uint64_t type = get_word(c, d + off), val = get_word(c, d + off + c->word);

                if (type == AT_NULL)
                        break;
                if (type == AT_ENTRY) {
                        n->entry = val;
                        n->has_entry = true;
                } else if (type == AT_EXECFN) {
                        n->execfn = val;
                        n->has_execfn = true;
                }
        }
}

/* NT_FILE: count, page size, count × (start, end, offset), count names. The
 * mapping at the entry point is the program's; it is looked for once the auxv
 * is known, so the note is kept until then. */
static int parse_file_note(const struct core *c, const uint8_t *d, size_t len, struct elfcore_info *info,
                           struct notes *n)
{
        uint64_t count;
        const char *name;
        size_t table;

        if (len < 2 * c->word)
                return -EBADMSG;
        count = get_word(c, d);
        if (count > len / (3 * c->word))
                return -EBADMSG;
        table = 2 * c->word + (size_t)count * 3 * c->word;
        if (table > len)
                return -EBADMSG;
        name = (const char *)d + table;
        for (uint64_t i = 0; i < count; i++) {
                const uint8_t *e = d + 2 * c->word + (size_t)i * 3 * c->word;
                uint64_t start = get_word(c, e), end = get_word(c, e + c->word);
                size_t left = len - (size_t)(name - (const char *)d), l = strnlen(name, left);

                if (l == left)
                        return -EBADMSG; /* a name without its end */
                if (i == 0 && !n->first_file && l > 0 && !(n->first_file = strdup(name)))
                        return -ENOMEM;
                if (n->has_entry && !n->file_at_entry && l > 0 && start <= n->entry && n->entry < end &&
                    !(n->file_at_entry = strdup(name)))
                        return -ENOMEM;
                name += l + 1;
        }
        info->n_files = (size_t)count;
        return 0;
}

static void parse_prpsinfo(const uint8_t *d, size_t len, struct elfcore_info *info)
{
        /* pr_fname[16] and pr_psargs[80] end the structure on every
         * architecture; what precedes them differs. */
        if (len < 96)
                return;
        memcpy(info->fname, d + len - 96, 16);
        info->fname[16] = 0;
        memcpy(info->psargs, d + len - 80, 80);
        info->psargs[80] = 0;
}

static void parse_prstatus(const struct core *c, const uint8_t *d, size_t len, struct elfcore_info *info)
{
        /* elf_siginfo (3 ints), pr_cursig (short, padded), pr_sigpend and
         * pr_sighold (longs), then pr_pid: the common head of every
         * architecture's elf_prstatus. */
        size_t pid_off = 16 + 2 * c->word;
        uint16_t sig;
        int32_t pid;

        if (info->signal || len < pid_off + 4)
                return; /* the first thread's: the one that took the signal */
        memcpy(&sig, d + 12, 2);
        memcpy(&pid, d + pid_off, 4);
        info->signal = sig;
        info->pid = pid > 0 ? pid : 0;
}

/* Walks the notes of one PT_NOTE segment (4-byte aligned in cores). */
static int walk_notes(const struct core *c, const uint8_t *d, size_t len, int pass, struct elfcore_info *info,
                      struct notes *n)
{
        size_t off = 0;

        while (off + 12 <= len) {
                uint32_t namesz, descsz, type;
                size_t name_off, desc_off, next;
                const char *name;

                memcpy(&namesz, d + off, 4);
                memcpy(&descsz, d + off + 4, 4);
                memcpy(&type, d + off + 8, 4);
                name_off = off + 12;
                if (namesz > len - name_off)
                        return -EBADMSG;
                desc_off = name_off + NOTE_ALIGN((size_t)namesz);
                if (desc_off > len || descsz > len - desc_off)
                        return -EBADMSG;
                next = desc_off + NOTE_ALIGN((size_t)descsz);
                name = (const char *)d + name_off;
                /* The kernel's own notes: "CORE" (and "LINUX" for registers). */
                if (namesz == 5 && memcmp(name, "CORE", 5) == 0) {
                        const uint8_t *desc = d + desc_off;
                        int r = 0;

                        if (pass == 0 && type == NT_AUXV)
                                parse_auxv(c, desc, descsz, n);
                        else if (pass == 0 && type == NT_PRPSINFO)
                                parse_prpsinfo(desc, descsz, info);
                        else if (pass == 0 && type == NT_PRSTATUS)
                                parse_prstatus(c, desc, descsz, info);
                        else if (pass == 1 && type == NT_FILE)
                                r = parse_file_note(c, desc, descsz, info, n);
                        if (r < 0)
                                return r;
                }
                if (next <= off)
                        return -EBADMSG;
                off = next;
        }
        return 0;
}

static int parse(struct core *c, struct elfcore_info *info)
{
        unsigned char ident[EI_NIDENT];
        uint64_t phoff, total = 0;
        size_t phentsize, phnum;
        struct notes n = {};
        uint8_t **seg = NULL;
        size_t *seglen = NULL;
        int r;

        r = read_exact(c, ident, sizeof(ident), 0);
        if (r < 0)
                return r == -EBADMSG ? -ENOEXEC : r;
        if (memcmp(ident, ELFMAG, SELFMAG) != 0 || (ident[EI_CLASS] != ELFCLASS64 && ident[EI_CLASS] != ELFCLASS32))
                return -ENOEXEC;
#if __BYTE_ORDER == __LITTLE_ENDIAN
        if (ident[EI_DATA] != ELFDATA2LSB)
#else
        if (ident[EI_DATA] != ELFDATA2MSB)
#endif
                return -EPROTONOSUPPORT;
        c->is64 = ident[EI_CLASS] == ELFCLASS64;
        c->word = c->is64 ? 8 : 4;
        if (c->is64) {
                Elf64_Ehdr e;

                r = read_exact(c, &e, sizeof(e), 0);
                if (r < 0)
                        return r == -EBADMSG ? -ENOEXEC : r;
                if (e.e_type != ET_CORE)
                        return -ENOEXEC;
                phoff = e.e_phoff, phentsize = e.e_phentsize, phnum = e.e_phnum;
                if (phnum == PN_XNUM) {
                        /* More headers than e_phnum holds: the count is section 0's sh_info. */
                        Elf64_Shdr s;

                        if (e.e_shoff == 0 || read_exact(c, &s, sizeof(s), e.e_shoff) < 0)
                                return -EBADMSG;
                        phnum = s.sh_info;
                }
        } else {
                Elf32_Ehdr e;

                r = read_exact(c, &e, sizeof(e), 0);
                if (r < 0)
                        return r == -EBADMSG ? -ENOEXEC : r;
                if (e.e_type != ET_CORE)
                        return -ENOEXEC;
                phoff = e.e_phoff, phentsize = e.e_phentsize, phnum = e.e_phnum;
                if (phnum == PN_XNUM) {
                        Elf32_Shdr s;

                        if (e.e_shoff == 0 || read_exact(c, &s, sizeof(s), e.e_shoff) < 0)
                                return -EBADMSG;
                        phnum = s.sh_info;
                }
        }
        r = read_phdrs(c, phoff, phentsize, phnum);
        if (r < 0)
                return r;

        /* The notes, read once: the auxv first (pass 0), then NT_FILE, whose
         * mapping at the entry point needs it (pass 1). */
        seg = calloc(c->n_phdrs, sizeof(*seg));
        seglen = calloc(c->n_phdrs, sizeof(*seglen));
        if (!seg || !seglen) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < c->n_phdrs; i++) {
                const Elf64_Phdr *p = &c->phdrs[i];

                if (p->p_type != PT_NOTE || p->p_filesz == 0)
                        continue;
                if (p->p_filesz > ELFCORE_NOTES_MAX - total) {
                        r = -EBADMSG;
                        goto out;
                }
                total += p->p_filesz;
                seg[i] = malloc((size_t)p->p_filesz);
                if (!seg[i]) {
                        r = -ENOMEM;
                        goto out;
                }
                seglen[i] = (size_t)p->p_filesz;
                r = read_exact(c, seg[i], seglen[i], p->p_offset);
                if (r < 0)
                        goto out;
        }
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < c->n_phdrs; i++)
                        if (seg[i]) {
                                r = walk_notes(c, seg[i], seglen[i], pass, info, &n);
                                if (r < 0)
                                        goto out;
                        }
        if (n.has_execfn)
                info->execfn = read_memory_string(c, n.execfn);
        if (n.file_at_entry)
                info->exe = TAKE_PTR(n.file_at_entry);
        else if (info->execfn && !(info->exe = strdup(info->execfn)))
                r = -ENOMEM;
        else if (!info->execfn && n.first_file)
                info->exe = TAKE_PTR(n.first_file);
out:
        for (size_t i = 0; seg && i < c->n_phdrs; i++)
                free(seg[i]);
        free(seg);
        free(seglen);
        notes_done(&n);
        return r;
}

int elfcore_parse(elfcore_read_fn read, void *userdata, struct elfcore_info *ret)
{
        struct core c = { .read = read, .userdata = userdata };
        struct elfcore_info info = {};
        int r;

        r = parse(&c, &info);
        free(c.phdrs);
        if (r < 0) {
                elfcore_info_done(&info);
                return r;
        }
        *ret = info;
        return 0;
}

static ssize_t fd_read(void *userdata, void *buf, size_t len, uint64_t offset)
{
        int fd = *(int *)userdata;
        size_t done = 0;

        if (offset > (uint64_t)INT64_MAX - len)
                return -EBADMSG;
        while (done < len) {
                ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(offset + done));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                done += (size_t)n;
        }
        return (ssize_t)done;
}

int elfcore_parse_fd(int fd, struct elfcore_info *ret)
{
        return elfcore_parse(fd_read, &fd, ret);
}

void elfcore_info_done(struct elfcore_info *info)
{
        free(info->exe);
        free(info->execfn);
        *info = (struct elfcore_info){};
}
