/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_ALERT_H
#define EKAHOOK_ALERT_H

#include "conf.h"

/*
 * ekahook(8) "Alerts": alert_command, run when something needs a
 * person, at most once per kind and alert_interval per state_dir; the
 * ones held back are counted in the next one's message.
 */

#define ALERT_HOOK_FAILED	"hook_failed"
#define ALERT_STORAGE		"storage_unavailable"
#define ALERT_SIGNATURE		"signature_rejected"

/*
 * Raises an alert of kind: message is one sentence for a person,
 * details one JSON object (its stdin; "held_back" is added).  Returns
 * at once: the command runs in a process of its own, detached, which
 * writes its hook_log line.  Nothing happens without alert_command.
 */
void	alert_raise(const struct conf *, const char *kind,
	    const char *message, const char *details);

#endif
