/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macro.h"
#include "cart-build/elfdeps.h"

static bool in_range(size_t len, uint64_t off, uint64_t size)
{
        return off <= len && size <= len - off;
}

/* File offset of a virtual address, through the PT_LOAD segments. */
static int vaddr_to_offset(const Elf64_Phdr *ph, size_t n, uint64_t vaddr, uint64_t *ret)
{
        for (size_t i = 0; i < n; i++)
                if (ph[i].p_type == PT_LOAD && vaddr >= ph[i].p_vaddr && vaddr - ph[i].p_vaddr < ph[i].p_filesz) {
                        *ret = ph[i].p_offset + (vaddr - ph[i].p_vaddr);
                        return 0;
                }
        return -EBADMSG;
}

/* Where an ELF64 little-endian image keeps its dynamic array and string table. */
struct elf_dynamic {
        const Elf64_Phdr *ph;
        size_t n_ph;
        Elf64_Dyn *dyn;         /* NULL: a static file */
        uint64_t n_dyn;
        const char *strtab;
        uint64_t strsz;
        bool has_interp;
};

static int elf_dynamic(unsigned char *buf, size_t len, struct elf_dynamic *ret)
{
        const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
        struct elf_dynamic d = {};
        uint64_t strtab = 0, stroff;

        if (len < sizeof(*eh) || memcmp(buf, ELFMAG, SELFMAG) != 0)
                return -ENOEXEC;
        if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
                return -EBADMSG;
        if (eh->e_phentsize != sizeof(Elf64_Phdr) || !in_range(len, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(*d.ph)))
                return -EBADMSG;
        if (eh->e_phoff % _Alignof(Elf64_Phdr))
                return -EBADMSG;
        d.ph = (const Elf64_Phdr *)(buf + eh->e_phoff);
        d.n_ph = eh->e_phnum;
        for (size_t i = 0; i < d.n_ph; i++) {
                if (d.ph[i].p_type == PT_INTERP)
                        d.has_interp = true;
                if (d.ph[i].p_type == PT_DYNAMIC) {
                        if (!in_range(len, d.ph[i].p_offset, d.ph[i].p_filesz) ||
                            d.ph[i].p_offset % _Alignof(Elf64_Dyn))
                                return -EBADMSG;
                        d.dyn = (Elf64_Dyn *)(buf + d.ph[i].p_offset);
                        d.n_dyn = d.ph[i].p_filesz / sizeof(*d.dyn);
                }
        }
        if (!d.dyn) {
                *ret = d;
                return 0;
        }
        for (uint64_t i = 0; i < d.n_dyn && d.dyn[i].d_tag != DT_NULL; i++) {
                if (d.dyn[i].d_tag == DT_STRTAB)
                        strtab = d.dyn[i].d_un.d_ptr;
                else if (d.dyn[i].d_tag == DT_STRSZ)
                        d.strsz = d.dyn[i].d_un.d_val;
        }
        if (vaddr_to_offset(d.ph, d.n_ph, strtab, &stroff) < 0 || !in_range(len, stroff, d.strsz))
                return -EBADMSG;
        d.strtab = (const char *)buf + stroff;
        *ret = d;
        return 0;
}

/* The string a dynamic entry names, or NULL when it is out of the table. */
static const char *dyn_string(const struct elf_dynamic *d, const Elf64_Dyn *e)
{
        if (e->d_un.d_val >= d->strsz || !memchr(d->strtab + e->d_un.d_val, 0, d->strsz - e->d_un.d_val))
                return NULL;
        return d->strtab + e->d_un.d_val;
}

int elf_parse(const unsigned char *buf, size_t len, struct elf_info *ret)
{
        struct elf_info e = {};
        struct elf_dynamic d;
        int r;

        *ret = e;
        /* Read only: elf_dynamic's pointers are not written through here. */
        r = elf_dynamic((unsigned char *)buf, len, &d);
        if (r == -ENOEXEC)
                return r;
        e.is_elf = true;
        if (r < 0) {
                *ret = e;
                return r;
        }
        e.has_interp = d.has_interp;
        if (!d.dyn) {
                *ret = e;
                return 0;
        }
        e.is_dynamic = true;
        for (uint64_t i = 0; i < d.n_dyn && d.dyn[i].d_tag != DT_NULL; i++) {
                const char *name;
                char **v;

                if (d.dyn[i].d_tag != DT_NEEDED && d.dyn[i].d_tag != DT_AUDIT)
                        continue;
                name = dyn_string(&d, &d.dyn[i]);
                if (!name)
                        goto bad;
                if (d.dyn[i].d_tag == DT_AUDIT) {
                        free(e.audit);
                        e.audit = strdup(name);
                        if (!e.audit)
                                goto nomem;
                        continue;
                }
                v = realloc(e.needed, (e.n_needed + 2) * sizeof(char *));
                if (!v)
                        goto nomem;
                e.needed = v;
                e.needed[e.n_needed] = strdup(name);
                if (!e.needed[e.n_needed])
                        goto nomem;
                e.needed[++e.n_needed] = NULL;
        }
        *ret = e;
        return 0;
bad:
        elf_info_done(&e);
        return -EBADMSG;
nomem:
        elf_info_done(&e);
        return -ENOMEM;
}

int elf_needed_to_audit(unsigned char *buf, size_t len, const char *name)
{
        struct elf_dynamic d;
        int r = elf_dynamic(buf, len, &d);

        if (r < 0)
                return r;
        for (uint64_t i = 0; d.dyn && i < d.n_dyn && d.dyn[i].d_tag != DT_NULL; i++) {
                const char *s;

                if (d.dyn[i].d_tag != DT_NEEDED)
                        continue;
                s = dyn_string(&d, &d.dyn[i]);
                if (!s)
                        return -EBADMSG;
                if (strcmp(s, name) == 0) {
                        d.dyn[i].d_tag = DT_AUDIT;
                        return 0;
                }
        }
        return -ENOENT;
}

int elf_read_file(int dirfd, const char *path, struct elf_info *ret)
{
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        void *map;
        int r;

        *ret = (struct elf_info){};
        fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return NEG_ERRNO();
        if (fstat(fd, &st) < 0)
                return NEG_ERRNO();
        if (!S_ISREG(st.st_mode) || st.st_size < 64)
                return -ENOEXEC;
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED)
                return NEG_ERRNO();
        r = elf_parse(map, (size_t)st.st_size, ret);
        munmap(map, (size_t)st.st_size);
        return r;
}

void elf_info_done(struct elf_info *e)
{
        for (size_t i = 0; i < e->n_needed; i++)
                free(e->needed[i]);
        free(e->needed);
        free(e->audit);
        *e = (struct elf_info){};
}
