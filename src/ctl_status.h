/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_CTL_STATUS_H
#define EKAHOOK_CTL_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "conf.h"

/*
 * ekahookctl(1) status: what ctl_status.c gathers from the logs and the
 * spool, and what ctl_status_out.c prints of it.
 */

#define NERRORS		32	/* distinct reject errors counted */

enum status_out { OUT_PERSON, OUT_JSON, OUT_PROM };

struct logstat {
	const char		*key;		/* "log_file", … */
	const char		*path;		/* NULL: not configured */
	unsigned long long	 bytes;
	size_t			 rotated;
	unsigned long long	 rotated_bytes;
	bool			 writable;
};

struct status {
	struct conf		 c;
	char			*file;
	struct buf		 problems;	/* lines of the configuration */
	unsigned		 nproblems;
	bool			 conf_ok;
	long long		 now;		/* Unix ms */
	struct logstat		 logs[3];
	unsigned long long	 free_bytes;
	bool			 have_free;
	long long		 last_event;	/* received_at, 0: none */
	unsigned long		 accepted, duplicate, rejected;
	struct { char name[40]; unsigned long n; } errs[NERRORS];
	size_t			 nerrs;
	unsigned long		 waiting, dead, runs_ok, runs_failed, alerts;
	long long		 oldest_waiting;	/* received_at, 0: none */
};

struct status_opts {
	enum status_out	 out;
	bool		 check;
	long long	 max_silence;	/* seconds, -1: not checked */
	long long	 max_failed;
	long long	 max_waiting;
};

/* The person's screen, --json (with the --check lines when given),
 * --prometheus; and the --check lines themselves. */
void	status_print_person(struct status *);
void	status_print_json(struct status *, const struct buf *check);
void	status_print_prom(struct status *);
void	status_check(struct status *, const struct status_opts *,
	    struct buf *);

#endif
