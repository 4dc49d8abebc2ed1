/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_TAILLINE_H
#define EKAHOOK_TAILLINE_H

#include <stddef.h>

#include "buf.h"

/*
 * One line of ekahook's logs (log_file, reject_file, hook_log) as one
 * line for a person (ekahookctl(1) tail): time, what happened, the
 * event's name or the error, the request id, and what helps most to
 * know it again, in columns.  What came in a request or from a hook
 * goes through plain.h: no raw control character comes out.
 */

#define TAILLINE_TIME_LEN	24	/* 2026-11-23T20:20:42.123Z */

/*
 * The time of one of ekahook's lines (received_at, or finished_at for
 * hook_log) in Unix ms: 0, or -1 for a line that is none of ekahook's
 * (torn, or another program's).  Cheap: the line is not parsed.
 */
int	tailline_time(const char *line, size_t len, long long *ms);
/*
 * Appends the line for a person, without a newline: 0, or -1 with
 * nothing appended for a line that is none of ekahook's.
 */
int	tailline_format(struct buf *, const char *line, size_t len);

#endif
