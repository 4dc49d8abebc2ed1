/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>

#include "suites.h"

/* Every module's suite, in the order the modules build on each other. */
static Suite *(*const suites[])(void) = {
	buf_suite,
	plain_suite,
	json_suite,
	timefmt_suite,
	jschema_suite,
	catalog_suite,
	schema_suite,
	addr_suite,
	conf_suite,
	sig_suite,
	logfile_suite,
	logset_suite,
	dedupe_suite,
	reqid_suite,
	answer_suite,
	record_suite,
	verify_suite,
	tailline_suite,
	handler_suite,
};

int
main(void)
{
	SRunner	*sr;
	size_t	 i;
	int	 failed;

	sr = srunner_create(NULL);
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	/*
	 * One process unless CK_FORK says otherwise: a fork per test costs
	 * ~0.3 s under ASan (LeakSanitizer runs at each child's exit), which
	 * turns seconds into minutes.  Tests therefore undo what they change
	 * (working directory, umask, environment, stderr) and free what
	 * they allocate, and LeakSanitizer checks it all once at the end.
	 */
	if (getenv("CK_FORK") == NULL)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
