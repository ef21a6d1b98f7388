/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crashcart run from a container of its own on the node (a Kubernetes pod with
 * hostPID, `docker run --privileged --pid=host`): the host it works on is the
 * one its container runtime runs in, not the container's filesystem crashcart
 * was started in. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* The mount namespace of the nearest ancestor of crashcart's whose root is not
 * crashcart's: in a pod, the runtime's shim (containerd-shim, conmon), which is
 * the host's; started on the host, none (every ancestor that can be seen has
 * crashcart's root), and *ret_mntns_fd is -EBADF. The nearest and not PID 1:
 * on a node that is itself a container (k3d, kind) the runtime whose
 * containers crashcart is to find is the node container's, not the machine's.
 * procfd: /proc (a fixture tree in unit tests). 0 or -errno. */
int hostns_find(int procfd, int *ret_mntns_fd, pid_t *ret_pid);

/* Joins the mount namespace found (root and working directory become its /):
 * the runtimes' state and sockets, /proc, cgroups, /dev's loop devices and the
 * containers' mounts are then the host's, wherever crashcart's container keeps
 * its own. Anything of crashcart's own filesystem (the cart image) must be
 * opened before. 0 or -errno (-EPERM: not privileged enough). */
int hostns_join(int mntns_fd);
