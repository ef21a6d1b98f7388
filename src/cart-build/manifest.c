/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "basic/fileio.h"
#include "basic/macro.h"
#include "cart-build/manifest.h"
#include "cart/layout.h"

int json_quote(const char *s, char **ret)
{
        size_t n = 2;
        char *out, *w;

        for (const char *p = s; *p; p++)
                n += (unsigned char)*p < 0x20 ? 6 : (*p == '"' || *p == '\\') ? 2 : 1;
        out = malloc(n + 1);
        if (!out)
                return -ENOMEM;
        w = out;
        *w++ = '"';
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p < 0x20)
                        w += sprintf(w, "\\u%04x", *p);
                else {
                        if (*p == '"' || *p == '\\')
                                *w++ = '\\';
                        *w++ = (char)*p;
                }
        }
        *w++ = '"';
        *w = 0;
        *ret = out;
        return 0;
}

int purl_deb(const struct apt_pkg *p, const struct cart_release *release, char **ret)
{
        _cleanup_free_ char *version = malloc(strlen(p->version) * 3 + 1);
        char *w = version;

        if (!version)
                return -ENOMEM;
        for (const unsigned char *c = (const unsigned char *)p->version; *c; c++) {
                if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                    strchr(".~_:-", *c))
                        *w++ = (char)*c;
                else
                        w += sprintf(w, "%%%02X", *c);
        }
        *w = 0;
        /* Qualifiers in the order of their keys, as the purl spec wants. */
        return asprintf(ret, "pkg:deb/debian/%s@%s?arch=%s&distro=debian-%s", p->name, version, p->arch,
                        release->version) < 0
                       ? -ENOMEM
                       : 0;
}

/* Writes s to f as a JSON string. */
static int put_str(FILE *f, const char *s)
{
        _cleanup_free_ char *q = NULL;

        if (!s) {
                fputs("null", f);
                return 0;
        }
        if (json_quote(s, &q) < 0)
                return -ENOMEM;
        fputs(q, f);
        return 0;
}

static int close_stream(FILE *f, char **buf)
{
        if (fclose(f) != 0) {
                free(*buf);
                *buf = NULL;
                return -ENOMEM;
        }
        return 0;
}

int manifest_json(const struct manifest *m, char **ret)
{
        char *buf = NULL;
        size_t len;
        FILE *f = open_memstream(&buf, &len);
        int r = 0;

        if (!f)
                return -ENOMEM;
        fputs("{\n  \"manifest_version\": 1,\n  \"builder\": { \"name\": \"crashcart-build\", \"version\": ", f);
        r |= put_str(f, CRASHCART_VERSION);
        fputs(" },\n  \"architecture\": ", f);
        r |= put_str(f, m->arch);
        fputs(",\n  \"release\": ", f);
        r |= put_str(f, m->release->name);
        fputs(",\n  \"mirror\": ", f);
        r |= put_str(f, m->mirror);
        fputs(",\n  \"format\": ", f);
        r |= put_str(f, m->format);
        fputs(",\n  \"compression\": ", f);
        r |= put_str(f, m->compression);
        fprintf(f, ",\n  \"source_date_epoch\": %lld,\n  \"requested\": [", m->epoch);
        for (size_t i = 0; i < m->want->n; i++) {
                fputs(i ? ", " : "", f);
                r |= put_str(f, m->want->names[i]);
        }
        fputs("],\n  \"packages\": [", f);
        for (size_t i = 0; i < m->pkgs->n; i++) {
                fputs(i ? ",\n    { \"name\": " : "\n    { \"name\": ", f);
                r |= put_str(f, m->pkgs->v[i].name);
                fputs(", \"version\": ", f);
                r |= put_str(f, m->pkgs->v[i].version);
                fputs(", \"architecture\": ", f);
                r |= put_str(f, m->pkgs->v[i].arch);
                fputs(" }", f);
        }
        fputs("\n  ]\n}\n", f);
        if (close_stream(f, &buf) < 0 || r != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

int sbom_cyclonedx(const struct manifest *m, const char *image_name, const char *uuid, char **ret)
{
        time_t t = (time_t)m->epoch;
        struct tm tm;
        char when[32], *buf = NULL;
        size_t len;
        FILE *f;
        int r = 0;

        if (!gmtime_r(&t, &tm) || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return -ERANGE;
        f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        fprintf(f,
                "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\",\n"
                "  \"serialNumber\": \"urn:uuid:%s\",\n  \"version\": 1,\n"
                "  \"metadata\": {\n    \"timestamp\": \"%s\",\n"
                "    \"tools\": { \"components\": [ { \"type\": \"application\", \"name\": \"crashcart-build\", "
                "\"version\": ",
                uuid, when);
        r |= put_str(f, CRASHCART_VERSION);
        fputs(" } ] },\n    \"component\": { \"type\": \"file\", \"bom-ref\": \"cart\", \"name\": ", f);
        r |= put_str(f, image_name);
        fputs(",\n      \"properties\": [\n        { \"name\": \"crashcart:architecture\", \"value\": ", f);
        r |= put_str(f, m->arch);
        fputs(" },\n        { \"name\": \"crashcart:release\", \"value\": ", f);
        r |= put_str(f, m->release->name);
        fputs(" },\n        { \"name\": \"crashcart:format\", \"value\": ", f);
        r |= put_str(f, m->format);
        fputs(" } ] }\n  },\n  \"components\": [", f);
        for (size_t i = 0; i < m->pkgs->n; i++) {
                _cleanup_free_ char *purl = NULL;

                if (purl_deb(&m->pkgs->v[i], m->release, &purl) < 0) {
                        r = -1;
                        break;
                }
                fputs(i ? ",\n    { \"type\": \"library\", \"bom-ref\": " : "\n    { \"type\": \"library\", \"bom-ref\": ",
                      f);
                r |= put_str(f, purl);
                fputs(", \"name\": ", f);
                r |= put_str(f, m->pkgs->v[i].name);
                fputs(", \"version\": ", f);
                r |= put_str(f, m->pkgs->v[i].version);
                fputs(", \"purl\": ", f);
                r |= put_str(f, purl);
                fputs(" }", f);
        }
        fputs("\n  ],\n  \"dependencies\": [ { \"ref\": \"cart\", \"dependsOn\": [", f);
        for (size_t i = 0; i < m->pkgs->n; i++) {
                _cleanup_free_ char *purl = NULL;

                if (purl_deb(&m->pkgs->v[i], m->release, &purl) < 0) {
                        r = -1;
                        break;
                }
                fputs(i ? ", " : "", f);
                r |= put_str(f, purl);
        }
        fputs("] } ]\n}\n", f);
        if (close_stream(f, &buf) < 0 || r != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

static struct manifest manifest_of(const struct build *b)
{
        return (struct manifest){
                .arch = b->arch->debian,
                .release = b->release,
                .mirror = b->mirror,
                .format = b->format,
                .compression = b->compression,
                .epoch = b->epoch,
                .want = &b->want,
                .pkgs = &b->pkgs,
        };
}

int manifest_write(struct build *b)
{
        struct manifest m = manifest_of(b);
        _cleanup_free_ char *text = NULL, *path = path_join(b->root, CART_MANIFEST_NAME), *sbom = NULL;
        int r;

        if (!path || manifest_json(&m, &text) < 0)
                return -ENOMEM;
        /* The last build's SBOM goes before this build can fail. */
        if (asprintf(&sbom, "%s.cdx.json", b->output) < 0)
                return -ENOMEM;
        (void)unlink(sbom);
        r = write_whole(path, text, strlen(text), 0644);
        return r < 0 ? build_fail_errno(b, r, "cannot write '%s'", path) : 0;
}

int manifest_write_sbom(struct build *b)
{
        struct manifest m = manifest_of(b);
        _cleanup_free_ char *text = NULL, *path = NULL;
        const char *slash = strrchr(b->output, '/');
        int r;

        if (asprintf(&path, "%s.cdx.json", b->output) < 0)
                return -ENOMEM;
        r = sbom_cyclonedx(&m, slash ? slash + 1 : b->output, b->uuid, &text);
        if (r < 0)
                return build_fail_errno(b, r, "cannot make the SBOM");
        r = write_whole(path, text, strlen(text), 0644);
        return r < 0 ? build_fail_errno(b, r, "cannot write '%s'", path) : 0;
}
