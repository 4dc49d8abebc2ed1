/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_HOOKATTEMPT_H
#define EKAHOOK_HOOKATTEMPT_H

#include "conf.h"
#include "job.h"
#include "spool.h"

/*
 * One attempt of a queued event's hook (ekahook(8) "The hook"): the
 * spool file taken with spool_take() as fd is the hook's stdin and the
 * source of its environment; the attempt's line goes to hook_log, and
 * the job is settled in the spool before the call returns.
 */

#define HOOKATTEMPT_NOT_RUN	(-1)	/* no process could be made */

/* Returns where the job went (enum job_where), or HOOKATTEMPT_NOT_RUN. */
int	hookattempt_run(const struct conf *, const struct spool *,
	    const char *id, int fd, const struct job_policy *);

#endif
