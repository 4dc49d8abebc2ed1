/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_HOOKATTEMPT_H
#define EKAHOOK_HOOKATTEMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

/*
 * One attempt of the hook for one logged event, as the runner and
 * `ekahookctl replay` both make it (SPEC §5): argv [hook, event name],
 * stdin a temporary regular file with the event as logged plus a
 * newline, the hook's directory as working directory, the environment
 * of hookenv.h, the deadline of hook_timeout, and then one hook_log
 * line.
 */

enum hookattempt_result {
	HOOKATTEMPT_OK,		/* ran, exit 0 in time */
	HOOKATTEMPT_FAILED,	/* ran and failed: a line says how */
	HOOKATTEMPT_NOT_RUN,	/* could not be started: no line */
	HOOKATTEMPT_BAD_EVENT	/* not an accepted-event line: never can */
};

/*
 * Runs attempt number attempt for the accepted-event line (line, len)
 * found in log_file.  Problems that prevent a run are written to
 * stderr.
 */
enum hookattempt_result hookattempt_run(const struct conf *,
		    const char *line, size_t len, const char *log_file,
		    unsigned attempt);

#endif
