/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a cart holds, said twice: the manifest in the cart (CART_MANIFEST_NAME,
 * which `crashcart --manifest` prints), and an SBOM beside the image (CycloneDX
 * 1.5 JSON, IMAGE.cdx.json, with a Package URL for every package, which syft and
 * grype read). Both name the packages with version and architecture, the
 * builder's version and the options that change the image; nothing that
 * differs between two builds of the same cart (paths, the time of the build). */
#pragma once

#include "cart-build/archive.h"
#include "cart-build/build.h"
#include "cart-build/pkglist.h"

/* What both say. */
struct manifest {
        const char *arch;
        const struct cart_release *release;
        const char *mirror;
        const char *format, *compression;       /* compression: NULL for the tool's default */
        long long epoch;                        /* SOURCE_DATE_EPOCH of the image */
        const struct pkglist *want;             /* the list, as asked for */
        const struct apt_pkgs *pkgs;            /* what is in the cart */
};

/* s as a JSON string, quotes included. */
int json_quote(const char *s, char **ret);

/* The Package URL of a Debian package: pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=debian-N,
 * the version percent-encoded but for [A-Za-z0-9.~_:-]. */
int purl_deb(const struct apt_pkg *p, const struct cart_release *release, char **ret);

/* The manifest, JSON. */
int manifest_json(const struct manifest *m, char **ret);

/* The CycloneDX 1.5 SBOM: the image (named image_name) as the subject, a
 * component with a purl for every package; serial the image's UUID; its time
 * the epoch. */
int sbom_cyclonedx(const struct manifest *m, const char *image_name, const char *uuid, char **ret);

/* The stages: the manifest into the cart's tree; the SBOM beside the image. */
int manifest_write(struct build *b);
int manifest_write_sbom(struct build *b);
