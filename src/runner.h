/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_RUNNER_H
#define EKAHOOK_RUNNER_H

#include <stdbool.h>

#include "conf.h"

/*
 * The hook runner, ekahook(8) "The hook queue": one process per
 * state_dir, elected with flock(2) on state_dir/hooks/runner.lock,
 * hands the events in state_dir/hooks/new/ to long-lived attempt
 * processes, at most hook_max_running at once, and leaves when the spool
 * has been empty for a while.  Nobody installs or supervises it: responders
 * start it.
 */

/*
 * After the answer: tells c's runner that an event was queued (queued),
 * or only makes sure one runs when new/ holds work (at start, after a
 * request that queued nothing); starts one when none runs.
 */
void	runner_kick(const struct conf *c, bool queued);

#endif
