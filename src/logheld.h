/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_LOGHELD_H
#define EKAHOOK_LOGHELD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Rotated files held for the hook runner.  A rotation drops the oldest
 * file (log_keep); when the runner has not yet taken every event in it,
 * the file is moved instead into a directory beside the log,
 * ".<log name>.held", under a number one past the newest held there,
 * and the runner deletes it once it has read it (logtail.c: held files
 * are the ranks past log_keep, newest first).  So an event's hook is
 * never lost to a rotation; what waits costs disk only (SPEC §5).
 */

/* How many files are held for the log at path. */
size_t	logheld_count(const char *path);
/*
 * The name of the i-th newest held file (0: the newest) into out.
 * Returns 0, or -1 when there are not that many.
 */
int	logheld_name(const char *path, size_t i, char *out, size_t len);
/*
 * Moves the file called name into the log's held files as the newest
 * one (the directory made as needed, and synced).  Returns 0, or -1
 * with errno, the file left where it was.
 */
int	logheld_hold(const char *path, const char *name);

#endif
