/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The resolvers against a fixture tree standing in for the host's / (tests/
 * fixtures/host): cgroup v2 paths of CRI-O, containerd under Kubernetes, kubepods
 * with cgroupfs, Podman's storage, runc, crun, rkt, LXC and nspawn. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "resolve/resolve.h"

#define A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"
#define B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2"
#define C "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc3"
#define D "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd4"

static struct resolve_ctx ctx;

/* Resolves id; returns the number of candidates, the first in *ret. */
static size_t resolve(const char *id, const char *runtime, struct candidate *ret)
{
        struct candidates c = {};
        char *asked = NULL;
        size_t n;

        if (resolve_id(&ctx, id, runtime, &c, &asked) < 0) {
                free(asked);
                return (size_t)-1;
        }
        n = c.n;
        if (n > 0 && ret) {
                *ret = c.v[0];
                ret->runtime = strdup(c.v[0].runtime);
                ret->id = c.v[0].id ? strdup(c.v[0].id) : NULL;
                ret->name = c.v[0].name ? strdup(c.v[0].name) : NULL;
                ret->ns = c.v[0].ns ? strdup(c.v[0].ns) : NULL;
        }
        candidates_done(&c);
        free(asked);
        return n;
}

static void expect(const char *id, const char *runtime_filter, const char *runtime, const char *full_id, pid_t pid,
                   bool running)
{
        struct candidate c = {};
        size_t n = resolve(id, runtime_filter, &c);

        CHECK(n == 1);
        if (n != 1) {
                fprintf(stderr, "  for id '%s': %zd candidates\n", id, (ssize_t)n);
                return;
        }
        CHECK_STR(c.runtime, runtime);
        CHECK_STR(c.id, full_id);
        CHECK(c.pid == pid);
        CHECK(c.running == running);
        free(c.runtime);
        free(c.id);
        free(c.name);
        free(c.ns);
}

/* Opens the fixture tree as the resolvers' root. */
static bool host_open(void)
{
        char path[512];

        snprintf(path, sizeof(path), "%s/host", harness_fixtures);
        ctx.root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        /* The fixtures are whoever checked them out's: theirs is "root's". */
        ctx.state_uid = getuid();
        CHECK(ctx.root_fd >= 0);
        return ctx.root_fd >= 0;
}

static void host_close(void)
{
        close(ctx.root_fd);
        ctx.root_fd = -EBADF;
}

/* containerd under Kubernetes: state dir in namespace k8s.io, by prefix and with
 * the containerd:// scheme. containerd's own ids are names of any kind; an exact
 * id beats a longer one. */
TEST(runtimes_containerd)
{
        if (!host_open())
                return;
        expect("aaaaaaaa", NULL, "containerd", A, 101, true);
        expect("containerd://" A, NULL, "containerd", A, 101, true);
        expect("web-1", NULL, "containerd", "web-1", 960, true);
        CHECK(resolve("web-", NULL, NULL) == 2);
        host_close();
}

/* A containerd whose state is in none of the usual places (srv/k3s-state): its
 * tasks' directory is the working directory of its shim (proc/970), whose
 * command line names the namespace, the id of the task it was started for, and
 * the socket. Every task of the directory is found, also one with no shim of
 * its own (a pod's containers share their sandbox's shim). */
TEST(runtimes_containerd_through_shims)
{
        struct candidates c = {};
        char *asked = NULL;

        if (!host_open())
                return;
        expect("sandbox-1", NULL, "containerd", "sandbox-1", 971, true);
        expect("containerd://app-1", NULL, "containerd", "app-1", 972, true);
        CHECK(resolve_id(&ctx, "app-1", NULL, &c, &asked) == 0);
        CHECK(c.n == 1);
        if (c.n == 1) {
                CHECK_STR(c.v[0].ns, "k8s.io");
                CHECK_STR(c.v[0].address, "/srv/k3s-state/containerd.sock");
        }
        candidates_done(&c);
        free(asked);
        host_close();
}

/* A process of a container's (not root's on the host) called containerd-shim,
 * whose command line and working directory point at a tree it made
 * (srv/forged): nothing of it is a container. The positive control trusts it. */
TEST(runtimes_containerd_forged_shim)
{
        if (!host_open())
                return;
        CHECK(resolve("evil-1", NULL, NULL) == 0);
        setenv("CRASHCART_FAULT_DISABLE", "trusted-runtime-state", 1);
        expect("evil-1", NULL, "containerd", "evil-1", 981, true);
        unsetenv("CRASHCART_FAULT_DISABLE");
        host_close();
}

TEST(containerd_shim_cmdline)
{
        const char *ns, *id, *addr;
        const char cl1[] = "/usr/bin/containerd-shim-runc-v2\0-namespace\0k8s.io\0-id\0abc\0-address\0/run/k3s/containerd/"
                           "containerd.sock\0";
        const char cl2[] = "containerd-shim-runc-v2\0--namespace\0moby\0--id\0x1\0--address\0/s\0-publish-binary\0/b\0";
        const char cl3[] = "containerd-shim-runc-v2\0-namespace\0../etc\0-id\0x\0-address\0/s\0";
        const char cl4[] = "containerd-shim-runc-v2\0-namespace\0a\0-id\0x\0-address\0rel\0";
        const char cl5[] = "containerd-shim-runc-v2\0-namespace\0a\0-id\0";

        CHECK(containerd_shim_cmdline(cl1, sizeof(cl1) - 1, &ns, &id, &addr) == 0);
        CHECK_STR(ns, "k8s.io");
        CHECK_STR(id, "abc");
        CHECK_STR(addr, "/run/k3s/containerd/containerd.sock");
        CHECK(containerd_shim_cmdline(cl2, sizeof(cl2) - 1, &ns, &id, &addr) == 0);
        CHECK_STR(ns, "moby");
        CHECK_STR(addr, "/s");
        CHECK(containerd_shim_cmdline(cl3, sizeof(cl3) - 1, &ns, &id, &addr) == -EINVAL);
        CHECK(containerd_shim_cmdline(cl4, sizeof(cl4) - 1, &ns, &id, &addr) == -EINVAL);
        CHECK(containerd_shim_cmdline(cl5, sizeof(cl5) - 1, &ns, &id, &addr) == -EINVAL);
}

/* CRI-O: its container, never its conmon. */
TEST(runtimes_crio)
{
        if (!host_open())
                return;
        expect("cri-o://" B, NULL, "cri-o", B, 201, true);
        expect("k8s_nginx_web_default_1", NULL, "cri-o", B, 201, true);
        host_close();
}

TEST(runtimes_cgroup_scan)
{
        if (!host_open())
                return;
        /* kubepods with the cgroupfs driver: only the cgroup scan knows it. */
        expect("cccccccccccc", NULL, "cgroup", C, 300, true);
        /* The cgroup scan alone finds CRI-O's container by its scope, not conmon's. */
        expect("bbbbbbbbbbbb", "cgroup", "cgroup", B, 201, true);
        expect(A, "cgroup", "cgroup", A, 101, true);
        host_close();
}

/* Podman without its API: its storage, by name and by prefix; an ambiguous prefix
 * across two Podman containers. */
TEST(runtimes_podman_storage)
{
        if (!host_open())
                return;
        expect("mypod", NULL, "podman", D, 800, true);
        expect(D, "podman", "podman", D, 800, true);
        expect("stopped", NULL, "podman", "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd9", 0, false);
        CHECK(resolve("dddd", "podman", NULL) == 2);
        host_close();
}

/* The working directory a runtime's exec would start in: the OCI spec's
 * process.cwd of Podman's storage and of containerd's task bundle; none where
 * the spec has none. */
TEST(runtimes_oci_workdir)
{
        struct candidates c = {};
        bool seen_d = false, seen_a = false;

        if (!host_open())
                return;
        CHECK(resolve_list(&ctx, "podman", &c) == 0);
        for (size_t i = 0; i < c.n; i++)
                if (strcmp(c.v[i].id, D) == 0) {
                        CHECK_STR(c.v[i].workdir, "/srv/app");
                        CHECK(!c.v[i].has_labels);
                        seen_d = true;
                } else
                        CHECK(c.v[i].workdir == NULL);
        candidates_done(&c);
        CHECK(resolve_list(&ctx, "containerd", &c) == 0);
        for (size_t i = 0; i < c.n; i++)
                if (strcmp(c.v[i].id, A) == 0) {
                        CHECK_STR(c.v[i].workdir, "/app");
                        seen_a = true;
                }
        candidates_done(&c);
        CHECK(seen_d && seen_a);
        host_close();
}

/* runc with its recorded start time; a recycled PID (start differs) is not it. */
TEST(runtimes_runc_crun_start_time)
{
        if (!host_open())
                return;
        expect("ctr1", NULL, "runc", "ctr1", 700, true);
        expect("ctr3", NULL, "runc", "ctr3", 0, false);
        expect("ctr2", NULL, "crun", "ctr2", 900, true);
        host_close();
}

/* rkt by UUID prefix; a pod without pid is not running. */
TEST(runtimes_rkt)
{
        if (!host_open())
                return;
        expect("6f4b1c2d", NULL, "rkt", "6f4b1c2d-1111-2222-3333-444455556666", 600, true);
        expect("6f4b9999", NULL, "rkt", "6f4b9999-1111-2222-3333-444455556666", 0, false);
        CHECK(resolve("6f4b", NULL, NULL) == 2);
        host_close();
}

/* LXC: the monitor's child, never the monitor; the lxcpath from the monitor. */
TEST(runtimes_lxc)
{
        if (!host_open())
                return;
        /* Not 398, a container's process in a cgroup it named lxc.payload.web. */
        expect("web", NULL, "lxc", "web", 401, true);
        expect("off", NULL, "lxc", "off", 0, false);
        host_close();
}

/* Names only from root's runtime state: a monitor's title or an nspawn command
 * line of a container's process, a machined file anyone could write, name
 * nothing; the positive control trusts them all. */
TEST(runtimes_forged_names)
{
        char path[512];

        if (!host_open())
                return;
        CHECK(resolve("evil", NULL, NULL) == 0);        /* its own PID namespace */
        CHECK(resolve("forged", NULL, NULL) == 0);      /* its own root */
        CHECK(resolve("mapped", NULL, NULL) == 0);      /* root of a user namespace */
        setenv("CRASHCART_FAULT_DISABLE", "trusted-runtime-state", 1);
        expect("evil", NULL, "lxc", "evil", 411, true);
        expect("forged", NULL, "nspawn", "forged", 521, true);
        expect("mapped", NULL, "nspawn", "mapped", 531, true);
        unsetenv("CRASHCART_FAULT_DISABLE");

        /* machined's registration, writable by others, or its directory. */
        snprintf(path, sizeof(path), "%s/host/run/systemd/machines/vm1", harness_fixtures);
        CHECK(chmod(path, 0666) == 0);
        CHECK(resolve("vm1", NULL, NULL) == 0);
        CHECK(chmod(path, 0644) == 0);
        snprintf(path, sizeof(path), "%s/host/run/systemd/machines", harness_fixtures);
        CHECK(chmod(path, 0757) == 0);
        CHECK(resolve("vm1", NULL, NULL) == 0);
        CHECK(chmod(path, 0755) == 0);
        expect("vm1", NULL, "nspawn", "vm1", 950, true);
        /* An LXC config not root's: the monitor names nothing. */
        snprintf(path, sizeof(path), "%s/host/srv/lxc/web/config", harness_fixtures);
        CHECK(chmod(path, 0646) == 0);
        CHECK(resolve("web", "lxc", NULL) == 0);
        CHECK(chmod(path, 0644) == 0);
        host_close();
}

/* nspawn: registered (LEADER=), and unregistered by -D's last component or -M. */
TEST(runtimes_nspawn)
{
        if (!host_open())
                return;
        expect("vm1", NULL, "nspawn", "vm1", 950, true);
        expect("box1", NULL, "nspawn", "box1", 501, true);
        expect("box2", NULL, "nspawn", "box2", 511, true);
        CHECK(resolve("qemu1", NULL, NULL) == 0);
        host_close();
}

/* A live PID is a PID. */
TEST(runtimes_live_pid)
{
        if (!host_open())
                return;
        expect("700", NULL, "pid", "700", 700, true);
        host_close();
}

/* Nothing, and things that are never looked up. */
TEST(runtimes_no_match_and_invalid_ids)
{
        if (!host_open())
                return;
        CHECK(resolve("nosuch", NULL, NULL) == 0);
        CHECK(resolve("../etc", NULL, NULL) == 0);
        CHECK(resolve("", NULL, NULL) == 0);
        host_close();
}

/* The listing sees each running container once: the runtimes' and the one only a
 * cgroup names (kubepods, cgroupfs). */
TEST(runtimes_list_each_container_once)
{
        struct candidates all = {};
        size_t running = 0;

        if (!host_open())
                return;
        CHECK(resolve_list(&ctx, NULL, &all) == 0);
        for (size_t i = 0; i < all.n; i++) {
                running += all.v[i].running;
                if (getenv("CC_DEBUG"))
                        fprintf(stderr, "%s %s %d %d\n", all.v[i].runtime, all.v[i].id, all.v[i].pid, all.v[i].running);
        }
        CHECK(running == 14);
        CHECK(all.n == 18);
        candidates_done(&all);
        host_close();
}

TEST(cgroup_component_id)
{
        const char *buf, *idp;

        buf = "docker-" A ".scope";
        CHECK(cgroup_component_id(buf, strlen(buf), &idp) == 64 && strncmp(idp, A, 64) == 0);
        buf = "libpod-conmon-" A ".scope";
        CHECK(cgroup_component_id(buf, strlen(buf), &idp) == 0);
        buf = "session-1.scope";
        CHECK(cgroup_component_id(buf, strlen(buf), &idp) == 0);
        buf = "abc";
        CHECK(cgroup_component_id(buf, strlen(buf), &idp) == 0);
}

TEST(nspawn_machine_name)
{
        char name[64];
        const char cl1[] = "systemd-nspawn\0-M\0m1\0-D\0/x/y\0";
        const char cl2[] = "systemd-nspawn\0--directory=/srv/r//\0";
        const char cl3[] = "systemd-nspawn\0-Mshort\0";
        const char cl4[] = "systemd-nspawn\0-D\0/\0";

        CHECK_STR(nspawn_machine_name(cl1, sizeof(cl1) - 1, name, sizeof(name)), "m1");
        CHECK_STR(nspawn_machine_name(cl2, sizeof(cl2) - 1, name, sizeof(name)), "r");
        CHECK_STR(nspawn_machine_name(cl3, sizeof(cl3) - 1, name, sizeof(name)), "short");
        CHECK(nspawn_machine_name(cl4, sizeof(cl4) - 1, name, sizeof(name)) == NULL);
}
