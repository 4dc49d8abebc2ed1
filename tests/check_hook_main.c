/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdlib.h>

#include "check_hook.h"

/* The hook's suites, pure ones first. */
static Suite *(*const suites[])(void) = {
	hookenv_suite,
	hooklog_suite,
	evline_suite,
	job_suite,
	spool_suite,
	migrate_suite,
	hookrun_suite,
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
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
