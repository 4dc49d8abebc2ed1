/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_MIGRATE_H
#define EKAHOOK_MIGRATE_H

#include "conf.h"
#include "spool.h"

/*
 * ekahook before the spool kept its hook queue as a position in the
 * event log (state_dir/hooks/position), a file per unfinished event
 * (hooks/jobs/) and rotated logs held back (.<log>.held/).  The first
 * runner to find them queues every event they still owed into new/
 * and removes them; after that this does nothing but two stat(2)s.
 */
void	migrate_queue(const struct conf *, struct spool *);

#endif
