/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_RUNNER_H
#define EKAHOOK_RUNNER_H

#include <stdbool.h>

#include "conf.h"

/*
 * The hook runner (SPEC §5; the design and its reasons are in
 * src/RUNNER.md).  The event log is the queue.  One runner per
 * state_dir, elected with flock(2) on state_dir/hooks/runner.lock,
 * follows log_file from a saved position and starts hooks up to
 * hook_max_running; each attempt is watched by a process of its own
 * that writes the hook_log line and the job's new state, so a runner
 * killed in the middle loses no attempt.  Responders start a runner
 * when none is alive; it leaves by itself once idle.
 */

/*
 * Before an event can be accepted under c (handler): with a hook
 * configured, makes sure state_dir/hooks and the position exist, a new
 * position starting at the end of the log as it is now, so events
 * accepted before a hook was ever configured never run it.  Cheap after
 * the first call for a state_dir.
 */
void	runner_prepare(const struct conf *c);

/*
 * After the answer has reached the server (main.c): starts a runner
 * unless one is alive, when hook_due, or otherwise when work was left
 * behind (a runner that died, retries pending after a reboot).  Costs
 * a flock(2) probe when a runner is alive; never waits for a hook.
 */
void	runner_after_request(const struct conf *c, bool hook_due);

/*
 * A logfile_hold_fn for log_file (arg: the conf): true when the file a
 * rotation is about to drop holds events the runner has not taken yet,
 * judged from the saved position, so that it is held for it
 * (logheld.h) instead of deleted with their hooks not run (SPEC §5).
 */
bool	runner_holds(const char *name, unsigned rank, void *arg);

#endif
