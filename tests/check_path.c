/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"
#include "suites.h"

static char	*dir;		/* a fresh directory per test */

static void	 setup(void);
static void	 teardown(void);
static void	 check_str(char *, const char *);

static void
setup(void)
{
	dir = tu_tmpdir();
}

static void
teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

/* got is want; got is freed. */
static void
check_str(char *got, const char *want)
{
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(join_keeps_an_absolute_path)
{
	check_str(path_join("/srv/eka", "events.ndjson"),
	    "/srv/eka/events.ndjson");
	check_str(path_join("/srv/eka", "logs/e.ndjson"),
	    "/srv/eka/logs/e.ndjson");
	check_str(path_join("rel", "x"), "rel/x");
	check_str(path_join("/srv/eka", "/var/log/e.ndjson"),
	    "/var/log/e.ndjson");
	/* No directory: the path as it is. */
	check_str(path_join(NULL, "x"), "x");
	check_str(path_join(NULL, "/x"), "/x");
}
END_TEST

START_TEST(dir_of_is_dot_or_slash_at_the_least)
{
	check_str(path_dir_of("ekahook.conf"), ".");
	check_str(path_dir_of("/ekahook.conf"), "/");
	check_str(path_dir_of("/etc/ekahook.conf"), "/etc");
	check_str(path_dir_of("etc/eka/ekahook.conf"), "etc/eka");
	check_str(path_dir_of("/srv/eka/"), "/srv/eka");
	check_str(path_dir_of(""), ".");
}
END_TEST

START_TEST(absolute_is_taken_against_the_working_directory)
{
	char	 cwd[PATH_MAX], want[PATH_MAX + 16];
	int	 home;

	check_str(path_absolute("/srv/eka"), "/srv/eka");
	ck_assert_int_ne(home = open(".", O_RDONLY | O_DIRECTORY), -1);
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	check_str(path_absolute("."), cwd);
	snprintf(want, sizeof(want), "%s/etc", cwd);
	check_str(path_absolute("etc"), want);
	ck_assert_int_eq(fchdir(home), 0);
	close(home);
}
END_TEST

/* The test program's own directory, where make built it. */
START_TEST(exe_dir_is_the_programs_directory)
{
	char	 exe[PATH_MAX], *want;
	ssize_t	 n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	want = path_dir_of(exe);
	ck_assert_ptr_nonnull(want);
	ck_assert_uint_eq(want[0], '/');
	check_str(path_exe_dir(), want);
	free(want);
}
END_TEST

START_TEST(trusted_only_in_a_safe_place)
{
	char	 why[512], *sub = tu_join(dir, "sub"), *f;

	ck_assert_int_eq(mkdir(sub, 0755), 0);
	f = tu_join(sub, "ekahook.conf");
	tu_write_str(f, "");
	ck_assert_int_eq(chmod(f, 0600), 0);
	ck_assert_msg(path_trusted(f, why, sizeof(why)), "%s", why);
	ck_assert_int_eq(chmod(f, 0620), 0);
	ck_assert(!path_trusted(f, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "writable by its group or others"));
	ck_assert_int_eq(chmod(f, 0600), 0);
	ck_assert_int_eq(chmod(sub, 0777), 0);
	ck_assert(!path_trusted(f, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "its directory"));
	ck_assert_int_eq(chmod(sub, 0755), 0);
	ck_assert(!path_trusted("relative.conf", why, sizeof(why)));
	ck_assert_str_eq(why, "relative.conf is not an absolute path");
	ck_assert(!path_trusted("/nonexistent/x.conf", why, sizeof(why)));
	ck_assert_str_eq(why, "/nonexistent/x.conf: No such file or directory");
	/* /tmp is everyone's. */
	ck_assert(!path_trusted("/tmp/ekahook-no-such.conf", why,
	    sizeof(why)));
	if (geteuid() == 0) {
		/* Owned by another user: refused. */
		ck_assert_int_eq(chown(f, 65534, 65534), 0);
		ck_assert(!path_trusted(f, why, sizeof(why)));
		ck_assert_ptr_nonnull(strstr(why, "owned by uid 65534"));
	}
	free(f);
	free(sub);
}
END_TEST

START_TEST(make_dirs_makes_every_missing_directory)
{
	struct stat	 st;
	char		*deep = tu_join(dir, "a/b/c");
	char		*mid = tu_join(dir, "a/b");
	char		*file = tu_join(dir, "f");
	char		*under = tu_join(dir, "f/x");
	char		 longp[PATH_MAX + 16];
	mode_t		 old;

	old = umask(022);
	ck_assert_int_eq(path_make_dirs(deep, 0750), 0);
	ck_assert_int_eq(stat(deep, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0750);
	ck_assert_int_eq(stat(mid, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0750);
	/* There already: fine. */
	ck_assert_int_eq(path_make_dirs(deep, 0750), 0);
	ck_assert_int_eq(path_make_dirs(dir, 0750), 0);
	/* A file in the way. */
	tu_write_str(file, "");
	ck_assert_int_eq(path_make_dirs(under, 0750), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	ck_assert_int_eq(path_make_dirs(longp, 0750), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	umask(old);
	free(under);
	free(file);
	free(mid);
	free(deep);
}
END_TEST

Suite *
path_suite(void)
{
	Suite	*s = suite_create("path");
	TCase	*tc;

	tc = tcase_create("names");
	tcase_add_test(tc, join_keeps_an_absolute_path);
	tcase_add_test(tc, dir_of_is_dot_or_slash_at_the_least);
	tcase_add_test(tc, exe_dir_is_the_programs_directory);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, absolute_is_taken_against_the_working_directory);
	tcase_add_test(tc, trusted_only_in_a_safe_place);
	tcase_add_test(tc, make_dirs_makes_every_missing_directory);
	suite_add_tcase(s, tc);
	return s;
}
