/* SPDX-License-Identifier: MIT */
#include "config.h"

#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "procname.h"

void
proc_name(const char *name)
{
#if defined(HAVE_SYS_PRCTL_H) && defined(PR_SET_NAME)
	/* A name to read, no more: a failure changes nothing else. */
	(void)prctl(PR_SET_NAME, name, 0, 0, 0);
#else
	(void)name;
#endif
}
