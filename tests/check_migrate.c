/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "migrate.h"
#include "spool.h"
#include "suites.h"

/*
 * An older ekahook's queue: a position into the rotated log (past its
 * first line), a job file for an event being retried, a held log file
 * and a slot lock.  One runner start moves what it owed into new/.
 */

#define LINE(id, dup) "{\"received_at\":\"2026-11-23T20:20:42.123Z\"," \
	"\"request_id\":\"" id "\",\"remote_addr\":\"203.0.113.9\"," \
	"\"signature\":\"unsigned\",\"duplicate\":" dup ",\"warnings\":[]," \
	"\"event\":{\"event\":\"appointment.created\",\"n\":\"" id "\"}}\n"
#define ID_DONE	"0190f2c3d4e5-00abcd-12345678-000001"
#define ID_A	"0190f2c3d4e5-00abcd-12345678-000002"
#define ID_DUP	"0190f2c3d4e5-00abcd-12345678-000003"
#define ID_B	"0190f2c3d4e5-00abcd-12345678-000004"
#define ID_JOB	"0190f2c3d4e5-00abcd-12345678-000009"

static char *
path2(const char *a, const char *b)
{
	return tu_join(a, b);
}

START_TEST(an_old_queue_moves_into_new)
{
	char		*dir = tu_tmpdir(), *cf, *ev1, *ev, *hooks, *p, *got;
	char		 text[512], err[256];
	struct conf	 c;
	struct spool	 sp;
	struct stat	 st;
	struct job	 j;
	char		**v;
	size_t		 n;
	int		 fd;

	cf = path2(dir, "ekahook.conf");
	snprintf(text, sizeof(text), "log_file = %s/events.ndjson\n"
	    "state_dir = %s/state\nhook = /bin/true\nlog_keep = 2\n", dir,
	    dir);
	tu_write_str(cf, text);
	ck_assert_int_eq(conf_load(cf, dir, NULL, NULL, &c, err,
	    sizeof(err)), 0);
	ev1 = path2(dir, "events.ndjson.1");
	ev = path2(dir, "events.ndjson");
	tu_write_str(ev1, LINE(ID_DONE, "false") LINE(ID_A, "false"));
	tu_write_str(ev, LINE(ID_DUP, "true") LINE(ID_B, "false"));
	p = path2(dir, ".events.ndjson.held");
	ck_assert_int_eq(mkdir(p, 0750), 0);
	free(p);
	p = path2(dir, ".events.ndjson.held/00000000000000000001");
	tu_write_str(p, LINE(ID_DONE, "false"));
	spool_init(&sp);
	ck_assert_int_eq(spool_open(&sp, c.state_dir), 0);
	hooks = path2(c.state_dir, "hooks");
	ck_assert_int_eq(stat(ev1, &st), 0);
	snprintf(text, sizeof(text), "ekahook-pos 2 %ju %ju 12345 64 %zu\n",
	    (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
	    strlen(LINE(ID_DONE, "false")));
	free(p);
	p = path2(hooks, "position");
	tu_write_str(p, text);
	free(p);
	p = path2(hooks, "jobs");
	ck_assert_int_eq(mkdir(p, 0750), 0);
	free(p);
	p = path2(hooks, "jobs/" ID_JOB);
	tu_write_str(p, "ekahook-job 1 next=0000000003 fails=0000000002 "
	    "due=00000001764000000000 run=0\npos 1 2 3 4 5\npath /x\n"
	    LINE(ID_JOB, "false"));
	free(p);
	p = path2(hooks, "slot.0");
	tu_write_str(p, "");
	free(p);

	migrate_queue(&c, &sp);

	ck_assert_int_eq(spool_list(&sp, SPOOL_NEW, &v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0], ID_A);
	ck_assert_str_eq(v[1], ID_B);
	ck_assert_str_eq(v[2], ID_JOB);
	spool_list_free(v, n);
	/* The hook's stdin, as the event was logged. */
	p = path2(hooks, "new/" ID_B);
	got = tu_read(p, NULL);
	ck_assert_str_eq(got,
	    "{\"event\":\"appointment.created\",\"n\":\"" ID_B "\"}\n");
	free(got);
	free(p);
	/* The job goes on from its attempts and failures. */
	fd = spool_take(&sp, ID_JOB);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(spool_job(&sp, ID_JOB, fd, &j), 0);
	ck_assert_uint_eq(job_attempt(&j), 3);
	ck_assert_uint_eq(j.fails, 2);
	close(fd);
	/* Nothing of the old queue is left. */
	p = path2(hooks, "position");
	ck_assert(!tu_exists(p));
	free(p);
	p = path2(hooks, "jobs");
	ck_assert(!tu_exists(p));
	free(p);
	p = path2(hooks, "slot.0");
	ck_assert(!tu_exists(p));
	free(p);
	p = path2(dir, ".events.ndjson.held");
	ck_assert(!tu_exists(p));
	free(p);
	/* A second start does nothing. */
	migrate_queue(&c, &sp);
	ck_assert_int_eq(spool_list(&sp, SPOOL_NEW, &v, &n), 0);
	ck_assert_uint_eq(n, 3);
	spool_list_free(v, n);

	spool_close(&sp);
	conf_free(&c);
	free(hooks);
	free(ev);
	free(ev1);
	free(cf);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

Suite *
migrate_suite(void)
{
	Suite	*s = suite_create("migrate");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, an_old_queue_moves_into_new);
	suite_add_tcase(s, tc);
	return s;
}
