/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_FDPASS_H
#define EKAHOOK_FDPASS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Short messages with open descriptors attached (SCM_RIGHTS) over a
 * SOCK_SEQPACKET pair: how the runner hands an attempt (the job's name,
 * its locked job file and its slot) to a waiting attempt watcher.  A
 * descriptor in flight keeps its open file, and so its flock(2), alive
 * until the receiver has it: the lock never lapses in between.
 */

#define FDPASS_MAX_FDS	2

/* Sends msg (len > 0) with nfds descriptors; 0, or -1 with errno. */
int	fdpass_send(int sock, const void *msg, size_t len, const int *fds,
	    size_t nfds);
/*
 * Receives one message into msg (up to cap bytes) and up to
 * FDPASS_MAX_FDS descriptors (close-on-exec) into fds, the count into
 * *nfds.  Returns its length, 0 at end of file, or -1 with errno.
 * Descriptors beyond FDPASS_MAX_FDS, or sent with a cut message, are
 * closed.
 */
ssize_t	fdpass_recv(int sock, void *msg, size_t cap, int *fds, size_t *nfds);

#endif
