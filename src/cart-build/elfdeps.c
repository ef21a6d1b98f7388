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

int elf_parse(const unsigned char *buf, size_t len, struct elf_info *ret)
{
        struct elf_info e = {};
        const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
        const Elf64_Phdr *ph;
        const Elf64_Dyn *dyn = NULL;
        uint64_t strtab = 0, strsz = 0, stroff, ndyn = 0;

        *ret = e;
        if (len < sizeof(*eh) || memcmp(buf, ELFMAG, SELFMAG) != 0)
                return -ENOEXEC;
        e.is_elf = true;
        if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
                return -EBADMSG;
        if (eh->e_phentsize != sizeof(Elf64_Phdr) || !in_range(len, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(*ph)))
                return -EBADMSG;
        if (eh->e_phoff % _Alignof(Elf64_Phdr))
                return -EBADMSG;
        ph = (const Elf64_Phdr *)(buf + eh->e_phoff);
        for (size_t i = 0; i < eh->e_phnum; i++) {
                if (ph[i].p_type == PT_INTERP)
                        e.has_interp = true;
                if (ph[i].p_type == PT_DYNAMIC) {
                        if (!in_range(len, ph[i].p_offset, ph[i].p_filesz) || ph[i].p_offset % _Alignof(Elf64_Dyn))
                                return -EBADMSG;
                        dyn = (const Elf64_Dyn *)(buf + ph[i].p_offset);
                        ndyn = ph[i].p_filesz / sizeof(*dyn);
                }
        }
        if (!dyn) {
                *ret = e;
                return 0;
        }
        e.is_dynamic = true;
        for (uint64_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
                if (dyn[i].d_tag == DT_STRTAB)
                        strtab = dyn[i].d_un.d_ptr;
                else if (dyn[i].d_tag == DT_STRSZ)
                        strsz = dyn[i].d_un.d_val;
        }
        if (vaddr_to_offset(ph, eh->e_phnum, strtab, &stroff) < 0 || !in_range(len, stroff, strsz))
                return -EBADMSG;
        for (uint64_t i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
                const char *name;
                char **v;

                if (dyn[i].d_tag != DT_NEEDED)
                        continue;
                if (dyn[i].d_un.d_val >= strsz)
                        goto bad;
                name = (const char *)buf + stroff + dyn[i].d_un.d_val;
                if (!memchr(name, 0, strsz - dyn[i].d_un.d_val))
                        goto bad;
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
        *e = (struct elf_info){};
}
