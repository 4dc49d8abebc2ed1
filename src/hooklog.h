/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_HOOKLOG_H
#define EKAHOOK_HOOKLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "conf.h"
#include "hookrun.h"
#include "reqline.h"
#include "timefmt.h"

/*
 * The hook_log line of one finished attempt (ekahook(8) "The hook queue"):
 * {"finished_at":…,"request_id":…,"event":…,"hook":…,"attempt":1,
 *  "exit":0,"signal":null,"timed_out":false,"duration_ms":41,
 *  "output":"…"}
 * plus "env_omitted":N when the limits of hookenv.h left EKA_ variables
 * out.  Formatting and reading back touch no file.
 */

struct hooklog_rec {
	const char	*finished_at;
	const char	*request_id;
	const char	*alert;		/* an alert's kind: no request_id */
	const char	*event;		/* NULL: null */
	const char	*hook;
	unsigned	 attempt;
	int		 exit_code;	/* -1: ended by a signal (null) */
	int		 signo;		/* 0: none (null) */
	bool		 timed_out;
	long long	 duration_ms;
	const char	*output;	/* the last bytes of stdout+stderr */
	size_t		 output_len;
	bool		 output_cut;	/* earlier bytes were dropped */
	size_t		 env_omitted;
};

/* What replay needs from a hook_log line. */
struct hooklog_entry {
	char		 request_id[REQLINE_ID_MAX];
	unsigned	 attempt;
	bool		 ok;
};

/*
 * A record of the run res that has just ended: finished_at now (its
 * text in finished), the outcome and output; the caller names the run
 * (request_id or alert, event, hook, attempt).
 */
void	hooklog_rec_of(struct hooklog_rec *, const struct hookrun_result *res,
	    char finished[TIMEFMT_LEN]);
void	hooklog_format(struct buf *, const struct hooklog_rec *);
/* Appends the line to c's hook_log; a failure is said on stderr.  0/-1. */
int	hooklog_append(const struct conf *, const struct hooklog_rec *);
/*
 * Appends bytes as a JSON string that is valid UTF-8 whatever they
 * are: an invalid byte becomes U+FFFD; with cut, a character whose
 * start was dropped is skipped rather than half shown.
 */
void	hooklog_json_text(struct buf *, const char *, size_t, bool cut);
/* True for a successful attempt: exit 0, no signal, not timed out. */
bool	hooklog_rec_ok(const struct hooklog_rec *);
/* Reads a hook_log line.  Returns 0, or -1 when it is not one. */
int	hooklog_parse(const char *line, size_t len, struct hooklog_entry *);

#endif
