/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_REQID_H
#define EKAHOOK_REQID_H

#define REQID_LEN	48

/*
 * A request id unique across processes and restarts: milliseconds
 * since the epoch, the process id, 32 random bits drawn when the
 * process (or a fork of it) first asks, and a per-process counter.
 */
void	reqid_new(char out[REQID_LEN]);

#endif
