/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handler.h"
#include "sig.h"
#include "suites.h"

#define MAX_PARAMS	16

/* One request as a server would hand it over, and what came back. */
struct fake {
	const char	*params[MAX_PARAMS][2];
	size_t		 nparams;
	const char	*body;
	size_t		 len;
	size_t		 pos;
	unsigned	 reads;		/* read callback calls */
	struct buf	 out;
};

static char		*dir;
static char		*conf_path;
static char		*events;	/* dir/events.ndjson */
static char		*rejects;	/* dir/rejected.ndjson */
static struct handler	 h;

static void		 setup(void);
static void		 teardown(void);
static void		 write_conf(const char *);
static const char	*fake_param(void *, const char *);
static ssize_t		 fake_read(void *, char *, size_t);
static int		 fake_write(void *, const char *, size_t);
static void		 fake_init(struct fake *, const char *, const char *,
			    size_t);
static void		 fake_set(struct fake *, const char *, const char *);
static void		 serve(struct fake *);
static const char	*answer_body(struct fake *);
static bool		 has_header(struct fake *, const char *);

static void
setup(void)
{
	dir = tu_tmpdir();
	conf_path = tu_join(dir, "ekahook.conf");
	events = tu_join(dir, "events.ndjson");
	rejects = tu_join(dir, "rejected.ndjson");
	/* Relative paths land in dir, next to the file. */
	write_conf("");
	ck_assert_int_eq(setenv("EKAHOOK_CONFIG", conf_path, 1), 0);
	handler_init(&h);
	/* The source tree's schemas, as a build tree's ekahook finds them. */
	free(h.shipped_schemas);
	h.shipped_schemas = strdup(SCHEMAS);
	ck_assert_ptr_nonnull(h.shipped_schemas);
}

static void
teardown(void)
{
	handler_free(&h);
	unsetenv("EKAHOOK_CONFIG");
	tu_rmtree(dir);
	free(conf_path);
	free(events);
	free(rejects);
	free(dir);
}

/* A config file: the test's lines after what every test wants. */
static void
write_conf(const char *extra)
{
	static time_t	 gen;
	struct timespec	 ts[2];
	char		 text[2048];

	snprintf(text, sizeof(text), "log_fsync = never\nmax_body_bytes = 4096\n"
	    "%s", extra);
	tu_write_str(conf_path, text);
	/* A new mtime each time, however fast the test. */
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec += ++gen * 10;
	ts[1] = ts[0];
	ck_assert_int_eq(utimensat(AT_FDCWD, conf_path, ts, 0), 0);
}

static const char *
fake_param(void *ctx, const char *name)
{
	struct fake	*f = ctx;
	size_t		 i;

	for (i = 0; i < f->nparams; i++)
		if (strcmp(f->params[i][0], name) == 0)
			return f->params[i][1];
	return NULL;
}

static ssize_t
fake_read(void *ctx, char *p, size_t n)
{
	struct fake	*f = ctx;

	f->reads++;
	if (n > f->len - f->pos)
		n = f->len - f->pos;
	memcpy(p, f->body + f->pos, n);
	f->pos += n;
	return (ssize_t)n;
}

static int
fake_write(void *ctx, const char *p, size_t n)
{
	struct fake	*f = ctx;

	buf_append(&f->out, p, n);
	return 0;
}

static void
fake_set(struct fake *f, const char *name, const char *value)
{
	ck_assert_uint_lt(f->nparams, MAX_PARAMS);
	f->params[f->nparams][0] = name;
	f->params[f->nparams][1] = value;
	f->nparams++;
}

/* A request with the method and body; CONTENT_LENGTH is the body's. */
static void
fake_init(struct fake *f, const char *method, const char *body, size_t len)
{
	static char	 lenbuf[32];

	memset(f, 0, sizeof(*f));
	buf_init(&f->out);
	f->body = body != NULL ? body : "";
	f->len = len;
	fake_set(f, "REQUEST_METHOD", method);
	fake_set(f, "REMOTE_ADDR", "203.0.113.9");
	if (body != NULL) {
		snprintf(lenbuf, sizeof(lenbuf), "%zu", len);
		fake_set(f, "CONTENT_LENGTH", lenbuf);
		fake_set(f, "CONTENT_TYPE", "application/json");
	}
}

static void
serve(struct fake *f)
{
	struct req_io	 io = { fake_param, fake_read, fake_write, f };

	handler_serve(&h, &io);
	ck_assert(buf_ok(&f->out));
	buf_cstr(&f->out);
}

/* What follows the header block. */
static const char *
answer_body(struct fake *f)
{
	const char	*p = strstr(f->out.data, "\r\n\r\n");

	ck_assert_ptr_nonnull(p);
	return p + 4;
}

static bool
has_header(struct fake *f, const char *line)
{
	const char	*end = strstr(f->out.data, "\r\n\r\n");
	const char	*p = strstr(f->out.data, line);

	return p != NULL && p < end;
}

START_TEST(a_valid_event_is_answered_200_and_logged)
{
	struct fake	 f;
	char		*fx, *log, want[256], *id;
	size_t		 len, n;

	fx = tu_fixture("appointment.created.json", &len);
	fake_init(&f, "POST", fx, len);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	ck_assert(h.accepted);
	ck_assert(!h.hook_due);
	ck_assert_msg(strncmp(f.out.data, "Status: 200 OK\r\n", 16) == 0,
	    "%s", f.out.data);
	ck_assert(has_header(&f, "Content-Type: application/json\r\n"));
	/* {"ok":true,"request_id":"<id>","duplicate":false} */
	id = strstr(answer_body(&f), "\"request_id\":\"");
	ck_assert_ptr_nonnull(id);
	id += 14;
	n = strcspn(id, "\"");
	snprintf(want, sizeof(want), "{\"ok\":true,\"request_id\":\"%.*s\","
	    "\"duplicate\":false}\n", (int)n, id);
	ck_assert_str_eq(answer_body(&f), want);

	log = tu_read(events, &len);
	ck_assert_ptr_nonnull(log);
	ck_assert_uint_eq(tu_count_lines(log, len), 1);
	snprintf(want, sizeof(want), "\"request_id\":\"%.*s\"", (int)n, id);
	ck_assert_ptr_nonnull(strstr(log, want));
	ck_assert_ptr_nonnull(strstr(log, "\"remote_addr\":\"203.0.113.9\","
	    "\"signature\":\"unsigned\",\"duplicate\":false,\"warnings\":[],"
	    "\"event\":{\"service\":\"appointment\",\"event\":"
	    "\"appointment.created\","));
	ck_assert_str_eq(log + len - 6, "]}}}}\n");
	ck_assert(!tu_exists(rejects));
	free(log);
	buf_free(&f.out);

	/* The same body again: a duplicate, logged as one. */
	fake_init(&f, "POST", fx, strlen(fx));
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	ck_assert(!h.accepted);
	ck_assert_ptr_nonnull(strstr(answer_body(&f), "\"duplicate\":true}"));
	log = tu_read(events, &len);
	ck_assert_uint_eq(tu_count_lines(log, len), 2);
	ck_assert_ptr_nonnull(strstr(strchr(log, '\n'), "\"duplicate\":true"));
	free(log);
	buf_free(&f.out);
	free(fx);
}
END_TEST

START_TEST(hook_is_due_for_a_wanted_event)
{
	struct fake	 f;
	char		*fx;
	size_t		 len;

	write_conf("hook = /bin/true\nhook_events = appointment.created\n");
	fx = tu_fixture("appointment.created.json", &len);
	fake_init(&f, "POST", fx, len);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	ck_assert(h.hook_due);
	buf_free(&f.out);
	free(fx);
}
END_TEST

START_TEST(get_and_head_are_health)
{
	static const char health[] = "{\"ok\":true,\"service\":\"ekahook\","
	    "\"version\":\"" PACKAGE_VERSION "\"}\n";
	struct fake	 f;
	char		 clen[64];

	fake_init(&f, "GET", NULL, 0);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(answer_body(&f), health);
	ck_assert_uint_eq(f.reads, 0);
	buf_free(&f.out);

	fake_init(&f, "HEAD", NULL, 0);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	/* Headers only, with the length the body would have. */
	ck_assert_str_eq(answer_body(&f), "");
	snprintf(clen, sizeof(clen), "Content-Length: %zu\r\n",
	    sizeof(health) - 1);
	ck_assert(has_header(&f, clen));
	buf_free(&f.out);
}
END_TEST

START_TEST(other_methods_get_405_with_allow)
{
	static const char *const methods[] = { "PUT", "DELETE", "post", "" };
	struct fake	 f;
	size_t		 i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		fake_init(&f, methods[i], "{}", 2);
		serve(&f);
		ck_assert_int_eq(h.status, 405);
		ck_assert(has_header(&f, "Allow: POST, GET, HEAD\r\n"));
		ck_assert_ptr_nonnull(strstr(answer_body(&f),
		    "\"error\":\"method_not_allowed\""));
		ck_assert_uint_eq(f.reads, 0);
		buf_free(&f.out);
	}
	/* Not kept in reject_file (ekahook(8) "Logs"). */
	ck_assert(!tu_exists(rejects));
}
END_TEST

START_TEST(wrong_content_type_gets_415)
{
	static const char *const types[] = {
		"text/plain", "application/jsonx", "application/x-www-form-"
		"urlencoded", "json", "",
	};
	struct fake	 f;
	char		*log;
	size_t		 i, len;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		fake_init(&f, "POST", "{}", 2);
		f.params[3][1] = types[i];
		serve(&f);
		ck_assert_msg(h.status == 415, "%s: %d", types[i], h.status);
		ck_assert_ptr_nonnull(strstr(answer_body(&f),
		    "\"error\":\"unsupported_media_type\""));
		buf_free(&f.out);
	}
	log = tu_read(rejects, &len);
	ck_assert_uint_eq(tu_count_lines(log, len), i);
	ck_assert_ptr_nonnull(strstr(log, "\"status\":415,"));
	free(log);
	ck_assert(!tu_exists(events));

	/* Parameters and case are allowed. */
	fake_init(&f, "POST", "{\"event\":\"x.y\",\"data\":{}}",
	    strlen("{\"event\":\"x.y\",\"data\":{}}"));
	f.params[3][1] = "Application/JSON; charset=utf-8";
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	buf_free(&f.out);
}
END_TEST

START_TEST(a_body_over_the_limit_gets_413_unread)
{
	struct fake	 f;
	char		*log;
	size_t		 len;

	fake_init(&f, "POST", "{}", 2);
	f.params[2][1] = "1000000";
	serve(&f);
	ck_assert_int_eq(h.status, 413);
	ck_assert_uint_eq(f.reads, 0);
	ck_assert_ptr_nonnull(strstr(answer_body(&f),
	    "\"error\":\"body_too_large\""));
	buf_free(&f.out);
	log = tu_read(rejects, &len);
	ck_assert_ptr_nonnull(strstr(log, "\"status\":413,\"error\":"
	    "\"body_too_large\",\"details\":[],\"body_bytes\":1000000}\n"));
	free(log);
}
END_TEST

START_TEST(a_body_over_the_limit_without_length_stops_reading)
{
	struct fake	 f;
	char		*big;
	size_t		 n = 1000000;

	big = malloc(n);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	fake_init(&f, "POST", big, n);
	/* No CONTENT_LENGTH: read until the limit is passed, no further. */
	f.params[2][0] = "X_NO_LENGTH";
	serve(&f);
	ck_assert_int_eq(h.status, 413);
	ck_assert_uint_le(f.pos, 4097 + 16384);
	ck_assert_uint_le(f.reads, 2);
	buf_free(&f.out);
	free(big);
}
END_TEST

START_TEST(bad_json_gets_400_and_is_kept)
{
	static const struct {
		const char	*body;
		const char	*error;
	} cases[] = {
		{ "{\"a\":", "invalid_json" },
		{ "{\"a\":1,\"a\":2}", "duplicate_key" },
		{ "[1,2]", "not_an_object" },
	};
	struct fake	 f;
	char		 want[128], *log;
	size_t		 i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_init(&f, "POST", cases[i].body, strlen(cases[i].body));
		serve(&f);
		ck_assert_int_eq(h.status, 400);
		snprintf(want, sizeof(want), "\"error\":\"%s\"",
		    cases[i].error);
		ck_assert_msg(strstr(answer_body(&f), want) != NULL, "%s",
		    answer_body(&f));
		buf_free(&f.out);
	}
	log = tu_read(rejects, &len);
	ck_assert_uint_eq(tu_count_lines(log, len), 3);
	ck_assert_ptr_nonnull(strstr(log, "\"body\":\"{\\\"a\\\":\"}\n"));
	free(log);

	/* The body ends before CONTENT_LENGTH. */
	fake_init(&f, "POST", "{}", 2);
	f.params[2][1] = "10";
	serve(&f);
	ck_assert_int_eq(h.status, 400);
	buf_free(&f.out);
	/* CONTENT_LENGTH that is no number. */
	fake_init(&f, "POST", "{}", 2);
	f.params[2][1] = "2x";
	serve(&f);
	ck_assert_int_eq(h.status, 400);
	ck_assert_uint_eq(f.reads, 0);
	buf_free(&f.out);
	/* A number past 2^64 is still a number, and too large. */
	fake_init(&f, "POST", "{}", 2);
	f.params[2][1] = "99999999999999999999";
	serve(&f);
	ck_assert_int_eq(h.status, 413);
	ck_assert_uint_eq(f.reads, 0);
	buf_free(&f.out);
}
END_TEST

START_TEST(a_schema_failure_gets_422_with_details)
{
	static const char body[] = "{\"event\":\"appointment.created\","
	    "\"data\":{}}";
	struct fake	 f;
	const char	*a;

	fake_init(&f, "POST", body, sizeof(body) - 1);
	serve(&f);
	ck_assert_int_eq(h.status, 422);
	a = answer_body(&f);
	ck_assert_ptr_nonnull(strstr(a, "\"error\":\"invalid_event\""));
	ck_assert_ptr_nonnull(strstr(a, "{\"field\":\"event_time\","
	    "\"problem\":\"is required\"}"));
	ck_assert_ptr_nonnull(strstr(a, "{\"field\":\"data.sa_ids\","
	    "\"problem\":\"is required\"}"));
	buf_free(&f.out);
	ck_assert(!tu_exists(events));
}
END_TEST

START_TEST(a_config_error_gets_500_on_every_request)
{
	struct fake	 f;
	int		 quiet;

	quiet = tu_stderr_off();
	write_conf("log_keep = many\n");
	fake_init(&f, "POST", "{}", 2);
	serve(&f);
	ck_assert_int_eq(h.status, 500);
	ck_assert_ptr_nonnull(strstr(answer_body(&f),
	    "\"error\":\"config_error\""));
	ck_assert_uint_eq(f.reads, 0);
	buf_free(&f.out);
	fake_init(&f, "GET", NULL, 0);
	serve(&f);
	ck_assert_int_eq(h.status, 500);
	buf_free(&f.out);
	/* Fixed: served again without a restart. */
	write_conf("log_keep = 2\n");
	fake_init(&f, "GET", NULL, 0);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	buf_free(&f.out);
	tu_stderr_on(quiet);
}
END_TEST

START_TEST(an_address_outside_allow_from_gets_403)
{
	struct fake	 f;
	char		*fx;
	size_t		 len;

	write_conf("allow_from = 10.0.0.0/8, ::1\n");
	fx = tu_fixture("appointment.created.json", &len);
	fake_init(&f, "POST", fx, len);
	serve(&f);
	ck_assert_int_eq(h.status, 403);
	ck_assert_uint_eq(f.reads, 0);
	buf_free(&f.out);
	fake_init(&f, "POST", fx, len);
	f.params[1][1] = "::ffff:10.9.8.7";
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	buf_free(&f.out);
	/* Health stays open. */
	fake_init(&f, "GET", NULL, 0);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	buf_free(&f.out);
	ck_assert(!tu_exists(rejects));
	free(fx);
}
END_TEST

START_TEST(signatures_are_required_once_a_key_is_set)
{
	struct fake	 f;
	char		*fx, sig[SIG_VALUE_LEN], *log;
	size_t		 len;

	write_conf("signing_key = whsec_one\nsigning_key = whsec_two\n");
	fx = tu_fixture("appointment.created.json", &len);
	fake_init(&f, "POST", fx, len);
	serve(&f);
	ck_assert_int_eq(h.status, 401);
	ck_assert_ptr_nonnull(strstr(answer_body(&f),
	    "\"error\":\"signature_missing\""));
	buf_free(&f.out);

	sig_format("whsec_two", (long long)time(NULL) - 1000, fx, len, sig);
	fake_init(&f, "POST", fx, len);
	fake_set(&f, "HTTP_EKA_WEBHOOK_SIGNATURE", sig);
	serve(&f);
	ck_assert_int_eq(h.status, 401);
	ck_assert_ptr_nonnull(strstr(answer_body(&f),
	    "\"error\":\"signature_expired\""));
	buf_free(&f.out);

	sig_format("whsec_two", (long long)time(NULL), fx, len, sig);
	fake_init(&f, "POST", fx, len);
	fake_set(&f, "HTTP_EKA_WEBHOOK_SIGNATURE", sig);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	buf_free(&f.out);
	log = tu_read(events, NULL);
	ck_assert_ptr_nonnull(strstr(log, "\"signature\":\"verified\""));
	free(log);
	/* 401s are kept without the unauthenticated body. */
	log = tu_read(rejects, &len);
	ck_assert_uint_eq(tu_count_lines(log, len), 2);
	ck_assert_ptr_null(strstr(log, "\"body\":"));
	ck_assert_ptr_nonnull(strstr(log, "\"body_sha256\":"));
	free(log);
	free(fx);
}
END_TEST

START_TEST(storage_failure_gets_503_and_leaves_no_marker)
{
	struct fake	 f;
	char		*fx, *logdir, text[512];
	size_t		 len;
	int		 quiet;

	logdir = tu_join(dir, "logs");
	snprintf(text, sizeof(text), "log_file = logs/events.ndjson\n");
	write_conf(text);
	fx = tu_fixture("appointment.created.json", &len);
	quiet = tu_stderr_off();
	fake_init(&f, "POST", fx, len);
	serve(&f);
	ck_assert_int_eq(h.status, 503);
	ck_assert(has_header(&f, "Retry-After: 60\r\n"));
	ck_assert_ptr_nonnull(strstr(answer_body(&f),
	    "\"error\":\"storage_unavailable\""));
	buf_free(&f.out);
	fake_init(&f, "GET", NULL, 0);
	serve(&f);
	ck_assert_int_eq(h.status, 503);
	buf_free(&f.out);
	tu_stderr_on(quiet);

	/* The directory appears: the retry is a new event, not a duplicate. */
	ck_assert_int_eq(mkdir(logdir, 0750), 0);
	fake_init(&f, "POST", fx, len);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	ck_assert_ptr_nonnull(strstr(answer_body(&f), "\"duplicate\":false"));
	buf_free(&f.out);
	free(logdir);
	free(fx);
}
END_TEST

/*
 * ekahook.conf(5): hook_log's directory missing is a storage failure
 * too, for the events that would run the hook, and for health while a
 * hook is set; nothing is taken (the sender retries).
 */
START_TEST(a_missing_hook_log_directory_gets_503)
{
	struct fake	 f;
	char		*fx, *hookdir;
	size_t		 len;
	int		 quiet;

	hookdir = tu_join(dir, "hooklogs");
	write_conf("hook = /bin/true\nhook_log = hooklogs/hooks.ndjson\n"
	    "hook_events = appointment.created\n");
	fx = tu_fixture("appointment.created.json", &len);
	quiet = tu_stderr_off();
	fake_init(&f, "POST", fx, len);
	serve(&f);
	ck_assert_int_eq(h.status, 503);
	ck_assert(!h.hook_due);
	buf_free(&f.out);
	fake_init(&f, "GET", NULL, 0);
	serve(&f);
	ck_assert_int_eq(h.status, 503);
	buf_free(&f.out);
	tu_stderr_on(quiet);
	/* Health made the log; no line went into it. */
	free(tu_read(events, &len));
	ck_assert_uint_eq(len, 0);
	free(fx);
	fx = tu_fixture("appointment.created.json", &len);

	/* An event the hook does not want is taken as usual. */
	write_conf("hook = /bin/true\nhook_log = hooklogs/hooks.ndjson\n"
	    "hook_events = appointment.cancelled\n");
	fake_init(&f, "POST", fx, len);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	buf_free(&f.out);

	write_conf("hook = /bin/true\nhook_log = hooklogs/hooks.ndjson\n"
	    "hook_events = appointment.created\ndedupe_window = 0\n");
	ck_assert_int_eq(mkdir(hookdir, 0750), 0);
	fake_init(&f, "POST", fx, len);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	ck_assert(h.hook_due);
	buf_free(&f.out);
	fake_init(&f, "GET", NULL, 0);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	buf_free(&f.out);
	free(hookdir);
	free(fx);
}
END_TEST

/*
 * ekahook(8) "Configuration": the environment first, then the request's
 * parameters.
 */
START_TEST(config_path_may_come_from_a_request_parameter)
{
	struct fake	 f;
	char		*other, *other_log, text[512];

	other = tu_join(dir, "other.conf");
	other_log = tu_join(dir, "other.ndjson");
	snprintf(text, sizeof(text), "log_file = %s\nlog_fsync = never\n",
	    other_log);
	tu_write_str(other, text);

	/* Only as a parameter (Apache SetEnv through .htaccess). */
	ck_assert_int_eq(unsetenv("EKAHOOK_CONFIG"), 0);
	fake_init(&f, "POST", "{\"event\":\"x.y\",\"data\":{}}",
	    strlen("{\"event\":\"x.y\",\"data\":{}}"));
	fake_set(&f, "EKAHOOK_CONFIG", other);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	ck_assert(tu_exists(other_log));
	ck_assert(!tu_exists(events));
	buf_free(&f.out);

	/* Both: the process environment wins. */
	ck_assert_int_eq(setenv("EKAHOOK_CONFIG", conf_path, 1), 0);
	fake_init(&f, "POST", "{\"event\":\"x.z\",\"data\":{}}",
	    strlen("{\"event\":\"x.z\",\"data\":{}}"));
	fake_set(&f, "EKAHOOK_CONFIG", other);
	serve(&f);
	ck_assert_int_eq(h.status, 200);
	ck_assert(tu_exists(events));
	buf_free(&f.out);
	free(other);
	free(other_log);
}
END_TEST

START_TEST(json_type_names)
{
	ck_assert(handler_is_json_type("application/json"));
	ck_assert(handler_is_json_type(" application/json "));
	ck_assert(handler_is_json_type("APPLICATION/JSON;charset=utf-8"));
	ck_assert(!handler_is_json_type(NULL));
	ck_assert(!handler_is_json_type(""));
	ck_assert(!handler_is_json_type("application/json-patch+json"));
	ck_assert(!handler_is_json_type("text/json"));
}
END_TEST

Suite *
handler_suite(void)
{
	Suite	*s = suite_create("handler");
	TCase	*tc;

	tc = tcase_create("serve");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, a_valid_event_is_answered_200_and_logged);
	tcase_add_test(tc, hook_is_due_for_a_wanted_event);
	tcase_add_test(tc, get_and_head_are_health);
	tcase_add_test(tc, other_methods_get_405_with_allow);
	tcase_add_test(tc, wrong_content_type_gets_415);
	tcase_add_test(tc, a_body_over_the_limit_gets_413_unread);
	tcase_add_test(tc, a_body_over_the_limit_without_length_stops_reading);
	tcase_add_test(tc, bad_json_gets_400_and_is_kept);
	tcase_add_test(tc, a_schema_failure_gets_422_with_details);
	tcase_add_test(tc, a_config_error_gets_500_on_every_request);
	tcase_add_test(tc, an_address_outside_allow_from_gets_403);
	tcase_add_test(tc, signatures_are_required_once_a_key_is_set);
	tcase_add_test(tc, storage_failure_gets_503_and_leaves_no_marker);
	tcase_add_test(tc, a_missing_hook_log_directory_gets_503);
	tcase_add_test(tc, config_path_may_come_from_a_request_parameter);
	tcase_add_test(tc, json_type_names);
	suite_add_tcase(s, tc);
	return s;
}
