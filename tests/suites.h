/* SPDX-License-Identifier: MIT */
#ifndef EKAHOOK_TESTS_SUITES_H
#define EKAHOOK_TESTS_SUITES_H

#include <stddef.h>

#include <check.h>

/*
 * One suite per module of src/, each in tests/check_<module>.c, all run
 * by tests/check_ekahook (tests/check_main.c).
 */
Suite	*addr_suite(void);
Suite	*answer_suite(void);
Suite	*buf_suite(void);
Suite	*catalog_suite(void);
Suite	*conf_suite(void);
Suite	*dedupe_suite(void);
Suite	*handler_suite(void);
Suite	*hookenv_suite(void);
Suite	*hooklog_suite(void);
Suite	*hookrun_suite(void);
Suite	*job_suite(void);
Suite	*jschema_suite(void);
Suite	*json_suite(void);
Suite	*logfile_suite(void);
Suite	*logset_suite(void);
Suite	*migrate_suite(void);
Suite	*path_suite(void);
Suite	*plain_suite(void);
Suite	*procname_suite(void);
Suite	*reqid_suite(void);
Suite	*reqline_suite(void);
Suite	*schema_suite(void);
Suite	*sig_suite(void);
Suite	*spool_suite(void);
Suite	*tailline_suite(void);
Suite	*timefmt_suite(void);
Suite	*verifylog_suite(void);

/*
 * Helpers shared by the suites (tests/check_util.c).  Each fails the
 * running test on error, so callers need no checks of their own.
 */

/* A new private directory under $TMPDIR or /tmp, malloc'd. */
char	*tu_tmpdir(void);
/* Removes a directory tree; quiet about what is already gone. */
void	 tu_rmtree(const char *);
/* "dir/name" into a malloc'd string. */
char	*tu_join(const char *dir, const char *name);
/* The whole file, NUL-terminated, malloc'd; NULL if it does not exist. */
char	*tu_read(const char *path, size_t *len);
/* Creates or replaces the file with n bytes. */
void	 tu_write(const char *path, const char *data, size_t n);
void	 tu_write_str(const char *path, const char *s);
/* A file of tests/fixtures, malloc'd, NUL-terminated. */
char	*tu_fixture(const char *name, size_t *len);
/* Number of '\n' in s[0..n). */
size_t	 tu_count_lines(const char *s, size_t n);
/* True when the path exists. */
int	 tu_exists(const char *path);
/* Sends stderr to /dev/null; returns what tu_stderr_on() restores. */
int	 tu_stderr_off(void);
void	 tu_stderr_on(int);

#endif
