/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_PROCNAME_H
#define EKAHOOK_PROCNAME_H

/*
 * Names the calling process as ps(1) and top(1) show it (its comm, cut
 * to 15 bytes) where the system has prctl(2) PR_SET_NAME; elsewhere
 * does nothing.  The hook runner and each attempt of ekahook(8) "The
 * hook queue" are named so, for people and for tests/hook/hooklib.sh.
 */
void	proc_name(const char *);

#endif
