/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "suites.h"

/*
 * Every module's suite, in the order the modules build on each other.
 * Most run in this one process (see main).  The hook's suites run each
 * test in a child of its own, as Check does by default: they start
 * processes, reap them and catch SIGCHLD, and tcase_set_timeout (the
 * hookrun suite's) is only enforced in a child.
 */
static const struct {
	Suite	*(*make)(void);
	bool	  fork;
} suites[] = {
	{ buf_suite,		false },
	{ path_suite,		false },
	{ plain_suite,		false },
	{ json_suite,		false },
	{ timefmt_suite,	false },
	{ jschema_suite,	false },
	{ catalog_suite,	false },
	{ schema_suite,		false },
	{ addr_suite,		false },
	{ conf_suite,		false },
	{ sig_suite,		false },
	{ logfile_suite,	false },
	{ logset_suite,		false },
	{ dedupe_suite,		false },
	{ reqid_suite,		false },
	{ procname_suite,	false },
	{ answer_suite,		false },
	{ reqline_suite,	false },
	{ verifylog_suite,	false },
	{ tailline_suite,	false },
	{ handler_suite,	false },
	/* The hook's, pure ones first. */
	{ hookenv_suite,	true },
	{ hooklog_suite,	true },
	{ job_suite,		true },
	{ spool_suite,		true },
	{ migrate_suite,	true },
	{ hookrun_suite,	true },
};

int
main(void)
{
	SRunner	*sr[2];
	size_t	 i;
	int	 failed = 0;

	/* Check's fork mode is the runner's: one runner for each mode. */
	sr[0] = srunner_create(NULL);
	sr[1] = srunner_create(NULL);
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr[suites[i].fork], suites[i].make());
	/*
	 * One process unless CK_FORK says otherwise: a fork per test costs
	 * ~0.3 s under ASan (LeakSanitizer runs at each child's exit), which
	 * turns seconds into minutes.  Tests therefore undo what they change
	 * (working directory, umask, environment, stderr) and free what
	 * they allocate, and LeakSanitizer checks it all once at the end.
	 */
	if (getenv("CK_FORK") == NULL)
		srunner_set_fork_status(sr[0], CK_NOFORK);
	for (i = 0; i < 2; i++) {
		srunner_run_all(sr[i], CK_NORMAL);
		failed += srunner_ntests_failed(sr[i]);
		srunner_free(sr[i]);
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
