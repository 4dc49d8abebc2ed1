/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_hook.h"

static int	rm_one(const char *, const struct stat *, int, struct FTW *);

/* The hook's suites, pure ones first. */
static Suite *(*const suites[])(void) = {
	hookenv_suite,
	hooklog_suite,
	evline_suite,
	logtail_suite,
	hookq_suite,
	hookrun_suite,
};

char *
hk_tmpdir(void)
{
	const char	*base = getenv("TMPDIR");
	char		*p;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	p = hk_join(base, "ekahook-check-hook.XXXXXX");
	ck_assert_msg(mkdtemp(p) != NULL, "mkdtemp %s: %s", p,
	    strerror(errno));
	return p;
}

static int
rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_DP)
		(void)rmdir(p);
	else
		(void)unlink(p);
	return 0;
}

void
hk_rmtree(const char *dir)
{
	if (dir != NULL)
		(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
hk_join(const char *dir, const char *name)
{
	size_t	 n = strlen(dir) + strlen(name) + 2;
	char	*p = malloc(n);

	ck_assert_ptr_nonnull(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

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
