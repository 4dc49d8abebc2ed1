/* SPDX-License-Identifier: MIT */
/*
 * Fuzz harness: the whole request pipeline, from CGI parameters and
 * body to the answer and the log line, through handler_serve() with a
 * fake struct req_io.
 *
 * Input layout:
 *   byte 0  bits 0-1  configuration (see confs[] below)
 *           bits 2-3  signature: 0 the SIG field as sent; 1 a valid one
 *                     made here for the body; 2 a valid one followed by
 *                     ",<SIG field>"; 3 a valid MAC with t=<SIG field>
 *           bits 4-5  body delivery: 0 all at once; 1 one byte per
 *                     read; 2 seven bytes per read; 3 all, then a read
 *                     error instead of the end
 *           bit  6    CONTENT_LENGTH is the body's real length
 *           bit  7    sign with the second key instead of the first
 *   byte 1  bits 0-4  leave out (NULL) METHOD, CTYPE, CLEN, ADDR, SIG
 *   then five '\n'-terminated fields: REQUEST_METHOD, CONTENT_TYPE,
 *   CONTENT_LENGTH, REMOTE_ADDR, HTTP_EKA_WEBHOOK_SIGNATURE; the rest
 *   is the body.  Missing fields are NULL.
 *
 * Besides crashes and leaks (the sanitizers), each run checks what no
 * input may break: the answer is a well-formed CGI header block with a
 * JSON body of the declared length, the status is never 5xx (the logs
 * are writable and the configurations valid), the log line is one line
 * of valid JSON that holds the minified body exactly, a 401 line keeps
 * no body, and no signing key shows in any output.  An accepted event
 * then goes through the hook's environment builder (ekahook(8) "The
 * hook"), whose result must hold only allowed, well-formed, unique
 * names within the limits, with the top-level fields' values as sent.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "handler.h"
#include "hookenv.h"
#include "json.h"
#include "sig.h"

#include "fuzz_util.h"

#define NFIELDS		5
#define NCONFS		4
#define CLEAN_EVERY	1024	/* runs between emptying the logs */
#define KEY0		"fuzz-key-0-8f1c2d3e4a5b6c7d"
#define KEY1		"fuzz-key-1-0a9b8c7d6e5f4a3b"

enum field { F_METHOD, F_CTYPE, F_CLEN, F_ADDR, F_SIG };

static const char *const field_names[NFIELDS] = {
	"REQUEST_METHOD", "CONTENT_TYPE", "CONTENT_LENGTH", "REMOTE_ADDR",
	"HTTP_EKA_WEBHOOK_SIGNATURE"
};

/*
 * Four configurations covering the branches of the pipeline: unsigned
 * and signed, strict and relaxed, allow_from, rotation, duplicates,
 * with and without reject_file.  %s is the temporary directory.
 */
static const char *const confs[NCONFS] = {
	"log_file = %s/c0/events.ndjson\n"
	"reject_file = %s/c0/rejected.ndjson\n"
	"state_dir = %s/c0/state\n"
	"log_fsync = never\n"
	"max_body_bytes = 4096\n"
	"dedupe_window = 0\n",

	"log_file = %s/c1/events.ndjson\n"
	"reject_file = %s/c1/rejected.ndjson\n"
	"state_dir = %s/c1/state\n"
	"log_fsync = never\n"
	"log_max_bytes = 65536\n"
	"log_keep = 2\n"
	"max_body_bytes = 8192\n"
	"signing_key = " KEY0 "\n"
	"signing_key = " KEY1 "\n"
	"signature_tolerance = 180\n"
	"dedupe_window = 60\n"
	"hook = /bin/true\n",

	"log_file = %s/c2/events.ndjson\n"
	"reject_file = %s/c2/rejected.ndjson\n"
	"state_dir = %s/c2/state\n"
	"log_fsync = never\n"
	"max_body_bytes = 4096\n"
	"validation = relaxed\n"
	"allow_from = 127.0.0.1, 10.0.0.0/8 ,::1, 2001:db8::/32, ::ffff:192.0.2.0/120\n"
	"dedupe_window = 0\n"
	"hook = /bin/true\n"
	"hook_events = appointment.created, x\n",

	"log_file = %s/c3/events.ndjson\n"
	"reject_file =\n"
	"state_dir = %s/c3/state\n"
	"log_fsync = never\n"
	"max_body_bytes = 2048\n"
	"validation = relaxed\n"
	"signing_key = " KEY0 "\n"
	"signature_tolerance = 0\n"
	"dedupe_window = 1\n",
};

/* One request as the fake server sees it. */
struct fake_req {
	const char	*params[NFIELDS];
	const char	*conf_path;
	const char	*body;
	size_t		 body_len;
	size_t		 pos;
	unsigned	 chunk;		/* 0: everything at once */
	bool		 read_error;
	struct buf	 out;
};

static char		 conf_paths[NCONFS][PATH_MAX];
static char		 dirs[NCONFS][PATH_MAX];
static struct handler	 handlers[NCONFS];
static unsigned long	 runs;
/* The run being checked, for fail(). */
static const struct fake_req	*cur_req;
static const struct handler	*cur_handler;
static const uint8_t		*cur_input;
static size_t			 cur_len;

static void		 setup(void);
static void		 clean_logs(void);
static const char	*fake_param(void *, const char *);
static ssize_t		 fake_read(void *, char *, size_t);
static int		 fake_write(void *, const char *, size_t);
static char		*take_field(const uint8_t **, size_t *, bool);
static void		 fail(const char *) __attribute__((noreturn));
static void		 check_answer(const struct fake_req *, int);
static void		 check_line(const struct handler *,
			    const struct fake_req *);
static void		 check_no_key(const char *, size_t);
static void		 check_hookenv(const struct fake_req *);
static bool		 env_name_ok(const char *, size_t);

static void
setup(void)
{
	const char	*t = fuzz_tmpdir("request");
	char		 text[2048];
	int		 i, n;

	fuzz_clean_env();
	for (i = 0; i < NCONFS; i++) {
		snprintf(dirs[i], sizeof(dirs[i]), "%s/c%d", t, i);
		if (mkdir(dirs[i], 0700) == -1 && errno != EEXIST)
			abort();
		snprintf(conf_paths[i], sizeof(conf_paths[i]),
		    "%s/c%d.conf", t, i);
		n = snprintf(text, sizeof(text), confs[i], t, t, t);
		if (n < 0 || (size_t)n >= sizeof(text))
			abort();
		fuzz_write_file(conf_paths[i], text, (size_t)n);
		handler_init(&handlers[i]);
		/* The source tree's schemas, wherever the harness runs. */
		free(handlers[i].shipped_schemas);
		if ((handlers[i].shipped_schemas = strdup(FUZZ_SCHEMAS)) == NULL)
			abort();
	}
}

/* Keeps the disk from filling: logs emptied, markers dropped. */
static void
clean_logs(void)
{
	static const char *const files[] = {
		"events.ndjson", "events.ndjson.1", "events.ndjson.2",
		"rejected.ndjson", "rejected.ndjson.1", "rejected.ndjson.2"
	};
	char	 p[PATH_MAX + 64];
	size_t	 f;
	int	 i;

	for (i = 0; i < NCONFS; i++) {
		for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
			if (snprintf(p, sizeof(p), "%s/%s", dirs[i],
			    files[f]) >= (int)sizeof(p))
				abort();
			/* The open log keeps its inode: truncate it. */
			if ((f == 0 || f == 3) && truncate(p, 0) == -1 &&
			    errno != ENOENT)
				perror(p);
			if (f != 0 && f != 3)
				(void)unlink(p);
		}
		if (snprintf(p, sizeof(p), "%s/state/seen", dirs[i]) >=
		    (int)sizeof(p))
			abort();
		fuzz_rm_rf(p);
	}
}

static const char *
fake_param(void *ctx, const char *name)
{
	const struct fake_req	*r = ctx;
	int			 i;

	if (strcmp(name, "EKAHOOK_CONFIG") == 0)
		return r->conf_path;
	for (i = 0; i < NFIELDS; i++)
		if (strcmp(name, field_names[i]) == 0)
			return r->params[i];
	return NULL;
}

static ssize_t
fake_read(void *ctx, char *p, size_t n)
{
	struct fake_req	*r = ctx;
	size_t		 left = r->body_len - r->pos;

	if (left == 0)
		return r->read_error ? -1 : 0;
	if (n > left)
		n = left;
	if (r->chunk != 0 && n > r->chunk)
		n = r->chunk;
	memcpy(p, r->body + r->pos, n);
	r->pos += n;
	return (ssize_t)n;
}

static int
fake_write(void *ctx, const char *p, size_t n)
{
	struct fake_req	*r = ctx;

	buf_append(&r->out, p, n);
	return buf_ok(&r->out) ? 0 : -1;
}

/* The next '\n'-terminated field, malloc'd; NULL when input ran out. */
static char *
take_field(const uint8_t **p, size_t *n, bool absent)
{
	const uint8_t	*nl;
	char		*s;
	size_t		 len;

	if ((nl = memchr(*p, '\n', *n)) == NULL)
		return NULL;
	len = (size_t)(nl - *p);
	if ((s = strndup((const char *)*p, len)) == NULL)
		abort();
	*p = nl + 1;
	*n -= len + 1;
	if (absent) {
		free(s);
		return NULL;
	}
	return s;
}

/* Shows what was produced, then reports the broken invariant. */
static void
fail(const char *what)
{
	if (cur_req != NULL && cur_req->out.data != NULL)
		fprintf(stderr, "--- answer:\n%.*s\n", (int)cur_req->out.len,
		    cur_req->out.data);
	if (cur_handler != NULL && cur_handler->line.data != NULL)
		fprintf(stderr, "--- log line:\n%.*s\n",
		    (int)cur_handler->line.len, cur_handler->line.data);
	fuzz_fail(what, cur_len);
}

/* The answer: headers of printable ASCII, then a JSON body. */
static void
check_answer(const struct fake_req *r, int status)
{
	const char		*o = r->out.data, *end, *cl;
	struct json_doc		 doc;
	struct json_error	 jerr;
	size_t			 hlen, i;
	bool			 head;
	char			 want[32];
	cJSON			*ok;

	if (!buf_ok(&r->out) || r->out.len == 0)
		fail("no answer");
	if ((end = memmem(o, r->out.len, "\r\n\r\n", 4)) == NULL)
		fail("answer without the end of its headers");
	hlen = (size_t)(end - o) + 4;
	for (i = 0; i < hlen; i++)
		if ((o[i] < 0x20 || o[i] > 0x7e) && o[i] != '\r' &&
		    o[i] != '\n')
			fail("a byte in the headers that is not text");
	for (i = 0; i + 1 < hlen; i++)
		if ((o[i] == '\n') != (i > 0 && o[i - 1] == '\r'))
			fail("a bare LF or CR in the headers");
	snprintf(want, sizeof(want), "Status: %d ", status);
	if (strncmp(o, want, strlen(want)) != 0)
		fail("the Status header differs from the status");
	if (status >= 500)
		fail("a 5xx answer with writable logs");
	head = r->params[F_METHOD] != NULL &&
	    strcmp(r->params[F_METHOD], "HEAD") == 0;
	if ((cl = memmem(o, hlen, "\r\nContent-Length: ", 18)) == NULL)
		fail("no Content-Length");
	if (strtoul(cl + 18, NULL, 10) == 0)
		fail("an empty body declared");
	if (head) {
		if (r->out.len != hlen)
			fail("a body in the answer to HEAD");
		return;
	}
	if (strtoul(cl + 18, NULL, 10) != r->out.len - hlen)
		fail("Content-Length differs from the body");
	if (o[r->out.len - 1] != '\n')
		fail("the answer body does not end in a newline");
	if (json_parse(o + hlen, r->out.len - hlen, &doc, &jerr) != JSON_OK)
		fail("the answer body is not a JSON object");
	ok = cJSON_GetObjectItemCaseSensitive(doc.root, "ok");
	if (!cJSON_IsBool(ok) || cJSON_IsTrue(ok) != (status == 200))
		fail("\"ok\" disagrees with the status");
	json_doc_free(&doc);
	check_no_key(o, r->out.len);
}

/*
 * The log line written for this request: one line of JSON (an accepted
 * event may nest one level past 64, hence JSON_TOO_DEEP is fine), an
 * accepted line ending in the minified body, a rejected line keeping
 * the body exactly, or not at all for 401.
 */
static void
check_line(const struct handler *h, const struct fake_req *r)
{
	const char		*l = h->line.data;
	size_t			 n = h->line.len, mlen;
	struct json_doc		 doc;
	struct json_error	 jerr;
	enum json_status	 st;
	char			*min;
	const cJSON		*body, *b64, *status;

	if (n == 0 || l[n - 1] != '\n' || memchr(l, '\n', n - 1) != NULL)
		fail("the log line is not exactly one line");
	check_no_key(l, n);
	st = json_parse(l, n, &doc, &jerr);
	if (st != JSON_OK && st != JSON_TOO_DEEP)
		fail("the log line is not valid JSON");
	if (st == JSON_TOO_DEEP || cJSON_GetObjectItemCaseSensitive(doc.root,
	    "event") != NULL) {
		/* Accepted: the event is the body, minified, byte for byte. */
		if ((min = malloc(r->body_len + 1)) == NULL)
			abort();
		if (!json_minify(r->body, r->body_len, min, &mlen, NULL, NULL))
			fail("an invalid body was accepted");
		if (n < mlen + 12 || memcmp(l + n - mlen - 2, min, mlen) != 0 ||
		    memcmp(l + n - mlen - 11, ",\"event\":", 9) != 0)
			fail("the logged event is not the minified body");
		free(min);
		json_doc_free(&doc);
		return;
	}
	status = cJSON_GetObjectItemCaseSensitive(doc.root, "status");
	body = cJSON_GetObjectItemCaseSensitive(doc.root, "body");
	b64 = cJSON_GetObjectItemCaseSensitive(doc.root, "body_base64");
	if (!cJSON_IsNumber(status))
		fail("a rejected line without its status");
	if (status->valueint == 401 && (body != NULL || b64 != NULL))
		fail("an unauthenticated body was kept");
	if (body != NULL && (!cJSON_IsString(body) ||
	    (memchr(r->body, '\0', r->body_len) == NULL &&
	    (strlen(body->valuestring) != h->body.len || (h->body.len > 0 &&
	    memcmp(body->valuestring, h->body.data, h->body.len) != 0)))))
		fail("the rejected body is not kept as it came");
	json_doc_free(&doc);
}

/* Whether P[AT] is a backslash that starts an escape (not one escaped). */
static bool
escapes(const char *p, size_t at)
{
	size_t	 run = 0;

	while (run <= at && p[at - run] == '\\')
		run++;
	return run % 2 == 1;
}

/*
 * Whether the byte at P[AT] belongs to a JSON escape: the letter of
 * "\f" or the last hex digit of "\u007f".  Input bytes 0x0c or 0x7f
 * followed by "uzz-key-..." come out as "\fuzz-key-..." or
 * "\u007fuzz-key-...", which spell a key without leaking one.
 */
static bool
in_escape(const char *p, size_t at)
{
	size_t	 i;

	if (at >= 1 && escapes(p, at - 1))
		return true;
	if (at < 5 || p[at - 4] != 'u' || !escapes(p, at - 5))
		return false;
	for (i = at - 3; i < at; i++)
		if (!isxdigit((unsigned char)p[i]))
			return false;
	return true;
}

/* A key in the output that the input did not carry itself. */
static void
check_no_key(const char *p, size_t n)
{
	static const char *const keys[] = { KEY0, KEY1 };
	const char	*at, *end = p + n;
	size_t		 i, klen;

	for (i = 0; i < 2; i++) {
		klen = strlen(keys[i]);
		if (memmem(cur_input, cur_len, keys[i], klen) != NULL)
			continue;
		for (at = p; (at = memmem(at, (size_t)(end - at), keys[i],
		    klen)) != NULL; at++)
			if (!in_escape(p, (size_t)(at - p)))
				fail("a signing key in the output");
	}
}

/* NAME of NAME=value: A-Z, 0-9 and '_', not empty. */
static bool
env_name_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/*
 * The accepted event's hook environment: PATH and LANG first, then
 * only EKAHOOK_ and EKA_ names, each once, within the limits of
 * ekahook(8) "The hook"; a top-level string field that made it in holds
 * its decoded value.
 */
static void
check_hookenv(const struct fake_req *r)
{
	static const char *const fixed[] = {
		"EKAHOOK_REQUEST_ID", "EKAHOOK_RECEIVED_AT", "EKAHOOK_ATTEMPT",
		"EKAHOOK_LOG_FILE"
	};
	struct hookenv_base	 base = {
		"01a20e9070fc-00308c-0a40dfd9-000251",
		"2026-11-23T20:20:42.123Z", "/var/log/ekahook/events.ndjson", 1
	};
	struct json_doc		 doc;
	struct json_error	 jerr;
	struct hookenv		 env;
	const cJSON		*c;
	const char		*e, *eq, *v;
	size_t			 i, j, neka = 0, total = 0, nlen;
	bool			 known;

	if (json_parse(r->body, r->body_len, &doc, &jerr) != JSON_OK)
		fail("an accepted body does not parse again");
	if (hookenv_build(&doc, doc.root, &base, &env) == -1)
		fail("the hook environment ran out of memory");
	if (env.n < 2 || env.envp == NULL || env.envp[env.n] != NULL ||
	    strcmp(env.envp[0], HOOKENV_PATH) != 0 ||
	    strcmp(env.envp[1], HOOKENV_LANG) != 0)
		fail("the hook environment does not start with PATH and LANG");
	for (i = 0; i < env.n; i++) {
		e = env.envp[i];
		if ((eq = strchr(e, '=')) == NULL)
			fail("a hook variable without '='");
		nlen = (size_t)(eq - e);
		if (!env_name_ok(e, nlen))
			fail("a hook variable name outside A-Z0-9_");
		for (j = 0; j < i; j++)
			if (strncmp(env.envp[j], e, nlen + 1) == 0)
				fail("a hook variable set twice");
		if (i < 2)
			continue;
		known = false;
		for (j = 0; j < sizeof(fixed) / sizeof(fixed[0]); j++)
			known |= strlen(fixed[j]) == nlen &&
			    memcmp(e, fixed[j], nlen) == 0;
		if (known)
			continue;
		if (nlen < 4 || memcmp(e, "EKA_", 4) != 0)
			fail("a hook variable that is neither EKAHOOK_ nor EKA_");
		if (strlen(eq + 1) > HOOKENV_MAX_VALUE ||
		    nlen > HOOKENV_MAX_NAME)
			fail("a hook variable over the limits");
		total += strlen(e) + 1;
		neka++;
	}
	if (neka != env.neka || neka > HOOKENV_MAX_VARS ||
	    total > HOOKENV_MAX_TOTAL)
		fail("more hook variables than the limits allow");
	/*
	 * "event" and the other top-level strings named in a-z: the decoded
	 * text, unless another top-level key differs only in case (then the
	 * first in the body wins the name).
	 */
	for (c = doc.root->child; c != NULL; c = c->next) {
		const cJSON	*d;
		char		 name[64];
		bool		 clash = false;

		if (!cJSON_IsString(c) || json_string_has_nul(&doc, c) ||
		    strlen(c->string) > 32 ||
		    strspn(c->string, "abcdefghijklmnopqrstuvwxyz") !=
		    strlen(c->string) || strcmp(c->string, "data") == 0)
			continue;
		for (d = doc.root->child; d != NULL; d = d->next)
			clash |= d != c && strcasecmp(d->string, c->string) == 0;
		if (clash)
			continue;
		snprintf(name, sizeof(name), "EKA_%s", c->string);
		for (j = 4; name[j] != '\0'; j++)
			name[j] = (char)(name[j] - 'a' + 'A');
		if ((v = hookenv_get(&env, name)) != NULL &&
		    strcmp(v, c->valuestring) != 0)
			fail("a top-level field's hook variable is not its value");
	}
	hookenv_free(&env);
	json_doc_free(&doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool		 ready;
	struct fake_req		 r;
	struct req_io		 io = { fake_param, fake_read, fake_write, &r };
	struct handler		*h;
	const uint8_t		*p = data;
	size_t			 n = size;
	char			*fields[NFIELDS] = { NULL }, *sig = NULL;
	char			 clen[32], value[SIG_VALUE_LEN];
	unsigned		 flags, absent, sigmode;
	int			 i;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 2)
		return 0;
	flags = p[0];
	absent = p[1];
	p += 2;
	n -= 2;
	for (i = 0; i < NFIELDS; i++)
		fields[i] = take_field(&p, &n, (absent >> i) & 1);

	memset(&r, 0, sizeof(r));
	buf_init(&r.out);
	h = &handlers[flags & 3];
	r.conf_path = conf_paths[flags & 3];
	r.body = (const char *)p;
	r.body_len = n;
	r.chunk = ((flags >> 4) & 3) == 1 ? 1 : ((flags >> 4) & 3) == 2 ? 7 : 0;
	r.read_error = ((flags >> 4) & 3) == 3;
	for (i = 0; i < NFIELDS; i++)
		r.params[i] = fields[i];
	if (flags & 0x40) {
		snprintf(clen, sizeof(clen), "%zu", n);
		r.params[F_CLEN] = clen;
	}
	sigmode = (flags >> 2) & 3;
	if (sigmode != 0) {
		long long t = (long long)time(NULL);

		if (sigmode == 3 && fields[F_SIG] != NULL)
			t = strtoll(fields[F_SIG], NULL, 10);
		sig_format(flags & 0x80 ? KEY1 : KEY0, t, r.body, r.body_len,
		    value);
		if (sigmode == 2 && fields[F_SIG] != NULL) {
			if (asprintf(&sig, "%s,%s", value, fields[F_SIG]) == -1)
				abort();
		} else if ((sig = strdup(value)) == NULL)
			abort();
		r.params[F_SIG] = sig;
	}

	buf_reset(&h->line);
	handler_serve(h, &io);
	cur_req = &r;
	cur_handler = h;
	cur_input = data;
	cur_len = size;
	check_answer(&r, h->status);
	if (h->line.len > 0)
		check_line(h, &r);
	if (h->accepted)
		check_hookenv(&r);
	cur_req = NULL;
	cur_handler = NULL;

	buf_free(&r.out);
	free(sig);
	for (i = 0; i < NFIELDS; i++)
		free(fields[i]);
	if (++runs % CLEAN_EVERY == 0)
		clean_logs();
	return 0;
}
