/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_LOGSET_H
#define EKAHOOK_LOGSET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/*
 * Reading ekahook's logs back (ekahookctl status, show, tail, replay):
 * the files of one log, rotated ones included, and their lines; and
 * fields of ekahook's own lines found without parsing the whole line.
 */

#define LOGSET_EXTRA	1000	/* ranks looked at past log_keep */

/*
 * The files of the log at path, oldest first: path.N … path.1, path,
 * those that exist (path.K for K past keep too, left by a larger
 * log_keep).  0, or -1 when out of memory.
 */
int	logset_list(const char *path, unsigned keep, char ***names, size_t *n);
void	logset_free(char **, size_t);
/*
 * The file of the log at path that holds the line of request id, which
 * was received at *received (ekahook(8) EKAHOOK_LOG_FILE): the only file
 * written to since then, or else the oldest of those whose text holds
 * the id.  A new string, or NULL when no such file is left (rotated away
 * and deleted, or renamed by another tool) or out of memory.
 */
char	*logset_holder(const char *path, unsigned keep, const char *id,
	    const struct timespec *received);

/* Told each complete line (without its newline); true stops. */
typedef bool (*logset_line_fn)(const char *line, size_t len, void *arg);

/* Where reading a log's lines ended. */
enum logset_end {
	LOGSET_EOF,		/* every complete line was told */
	LOGSET_STOPPED,		/* fn said stop; *off is after that line */
	LOGSET_ERROR		/* the file cannot be read: errno */
};

/*
 * Every complete line of file from offset *off on; *off is left after
 * the last one (a line still being written waits for the next call).
 */
enum logset_end	logset_lines(const char *file, long long *off,
		    logset_line_fn fn, void *arg);
/* The same from an open file (one followed through a rename). */
enum logset_end	logset_lines_fd(int fd, long long *off, logset_line_fn fn,
		    void *arg);

/*
 * The text of string member key ("request_id") in one of ekahook's own
 * log lines, still JSON-escaped, or NULL (absent, or null).  ekahook's
 * own members come before the event or body they carry, and a quote in
 * a string is always escaped, so the first `"key":` is the member.
 */
const char *logline_str(const char *line, size_t len, const char *key,
	    size_t *vlen);
/* Number member key as a long long: 0, or -1. */
int	logline_int(const char *line, size_t len, const char *key,
	    long long *v);
/* true/false member key into *v: 0, or -1 when absent (or not a bool). */
int		 logline_bool(const char *line, size_t len, const char *key,
		    bool *v);
/* True when member key is there and true. */
bool		 logline_true(const char *line, size_t len, const char *key);
/* "2026-11-23T20:20:42.123Z" (as ekahook writes it) to Unix ms: 0 or -1. */
int	logline_time(const char *s, size_t n, long long *ms);

#endif
