/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "answer.h"
#include "dedupe.h"
#include "handler.h"
#include "json.h"
#include "path.h"
#include "reqid.h"
#include "reqline.h"
#include "schema.h"
#include "sig.h"
#include "timefmt.h"

#define READ_CHUNK	16384
#define HEALTH_MIN_FREE	4096	/* bytes: less cannot hold a line */

/* What is known about the request being served. */
struct req {
	const struct req_io	*io;
	const struct conf	*conf;
	char			 id[REQID_LEN];
	char			 received_at[TIMEFMT_LEN];
	struct timespec		 now;
	const char		*method;
	const char		*remote_addr;
	long long		 content_length;	/* -1: not given */
	bool			 body_read;
	bool			 verified;
};

static const char	*param(const struct req *, const char *);
static long long	 parse_length(const char *);
static enum body_read	 read_body(struct handler *, struct req *);
static void		 respond(struct handler *, const struct req *,
			    const struct answer *);
static enum answer_kind	 reject(struct handler *, const struct req *,
			    enum answer_kind, const struct notes *);
static int		 append_line(void *);
static enum answer_kind	 accept_event(struct handler *, struct req *,
			    const struct json_doc *,
			    const struct schema_result *, bool *);
static enum answer_kind	 health(struct handler *, const struct conf *);
static bool		 hook_log_dir_ok(struct handler *,
			    const struct conf *);
static void		 storage_error(struct handler *, const char *,
			    const char *);
static void		 note_alert(struct handler *, const struct req *,
			    const struct answer *);
static void		 warn_open(struct handler *, const struct conf *);
static enum catalog_result find_schema(void *, const char *,
			    const struct jschema **);

void
handler_init(struct handler *h)
{
	memset(h, 0, sizeof(*h));
	h->exe_dir = path_exe_dir();
	h->shipped_schemas = catalog_shipped_dir(h->exe_dir);
	catalog_init(&h->schemas);
	logfile_init(&h->events, NULL, 0, 0);
	logfile_init(&h->rejects, NULL, 0, 0);
	spool_init(&h->spool);
	buf_init(&h->body);
	buf_init(&h->line);
	buf_init(&h->out);
	buf_init(&h->alert_msg);
	buf_init(&h->alert_details);
}

void
handler_free(struct handler *h)
{
	conf_cache_free(&h->cc);
	free(h->exe_dir);
	free(h->shipped_schemas);
	catalog_free(&h->schemas);
	logfile_close(&h->events);
	logfile_close(&h->rejects);
	free(h->events.path);
	free(h->rejects.path);
	spool_close(&h->spool);
	buf_free(&h->body);
	buf_free(&h->line);
	buf_free(&h->out);
	buf_free(&h->alert_msg);
	buf_free(&h->alert_details);
}

static const char *
param(const struct req *r, const char *name)
{
	return r->io->param(r->io->ctx, name);
}

/*
 * CONTENT_LENGTH: a plain decimal, or -2 when malformed.  A number too
 * large for a long long is still a number, over any max_body_bytes
 * (413): it is held at LLONG_MAX.
 */
static long long
parse_length(const char *s)
{
	long long	 v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -2;
		if (v > (LLONG_MAX - (*s - '0')) / 10)
			v = LLONG_MAX;
		else
			v = v * 10 + (*s - '0');
	}
	return v;
}

bool
handler_is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	size_t	 n = sizeof(want) - 1;

	if (ct == NULL)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static void
storage_error(struct handler *h, const char *path, const char *what)
{
	snprintf(h->trouble, sizeof(h->trouble), "%s: %s: %s",
	    path != NULL ? path : "(none)", what, strerror(errno));
	fprintf(stderr, "ekahook: storage unavailable: %s\n", h->trouble);
}

/*
 * ekahook(8) "Alerts": a 503, or a signature that did not verify (a
 * wrong key, a skewed clock), needs a person.  Raised after the answer
 * (handler_after), so it never delays one.
 */
static void
note_alert(struct handler *h, const struct req *r, const struct answer *a)
{
	struct buf	*m = &h->alert_msg, *d = &h->alert_details;

	buf_reset(m);
	buf_reset(d);
	h->alert_kind = NULL;
	if (r->conf == NULL || r->conf->alert_command == NULL)
		return;
	if (a->kind == ANS_STORAGE) {
		h->alert_kind = ALERT_STORAGE;
		buf_printf(m, "ekahook answered 503 storage_unavailable: %s. "
		    "Events are refused (their senders retry) until this is "
		    "fixed.", h->trouble);
		buf_puts(d, "{\"kind\":\"" ALERT_STORAGE "\",\"problem\":");
		buf_json_cstr(d, h->trouble);
	} else if (a->kind == ANS_SIG_INVALID || a->kind == ANS_SIG_EXPIRED) {
		h->alert_kind = ALERT_SIGNATURE;
		buf_printf(m, "A request was refused with 401 %s: a wrong "
		    "signing_key, or a clock that is off.",
		    answer_error(a->kind));
		buf_puts(d, "{\"kind\":\"" ALERT_SIGNATURE "\",\"error\":");
		buf_json_cstr(d, answer_error(a->kind));
		buf_puts(d, ",\"remote_addr\":");
		buf_json_cstr(d, r->remote_addr != NULL ? r->remote_addr : "");
	} else
		return;
	buf_puts(d, ",\"request_id\":");
	buf_json_cstr(d, r->id);
	buf_puts(d, ",\"received_at\":");
	buf_json_cstr(d, r->received_at);
	buf_putc(d, '}');
	if (!buf_ok(m) || !buf_ok(d))
		h->alert_kind = NULL;
}

/* How reading a body ended. */
enum body_read {
	BODY_WHOLE,		/* every byte announced, within the limit */
	BODY_TOO_LARGE,		/* more than max_body_bytes */
	BODY_SHORT,		/* it ended before Content-Length bytes */
	BODY_NOMEM
};

/* Reads the body, never more than max_body_bytes + 1 bytes. */
static enum body_read
read_body(struct handler *h, struct req *r)
{
	size_t	 limit = r->conf->max_body_bytes, want;
	ssize_t	 n;

	buf_reset(&h->body);
	r->body_read = true;
	want = r->content_length >= 0 ? (size_t)r->content_length : limit + 1;
	while (h->body.len < want) {
		size_t chunk = want - h->body.len;

		if (chunk > READ_CHUNK)
			chunk = READ_CHUNK;
		if (!buf_grow(&h->body, chunk))
			return BODY_NOMEM;
		n = r->io->read(r->io->ctx, h->body.data + h->body.len, chunk);
		if (n <= 0)
			break;
		h->body.len += (size_t)n;
	}
	if (h->body.len > limit)
		return BODY_TOO_LARGE;
	if (r->content_length >= 0 && h->body.len < want)
		return BODY_SHORT;
	return BODY_WHOLE;
}

/* The answers to a failed signature check (ekahook(8) "Signatures"). */
static const enum answer_kind sig_answer[] = {
	[SIG_MISSING] = ANS_SIG_MISSING,
	[SIG_INVALID] = ANS_SIG_INVALID,
	[SIG_EXPIRED] = ANS_SIG_EXPIRED
};

/* The answers to a body that is not a JSON object (ekahook(8) "Requests"). */
static const enum answer_kind json_answer[] = {
	[JSON_INVALID] = ANS_INVALID_JSON,
	[JSON_DUPLICATE_KEY] = ANS_DUPLICATE_KEY,
	[JSON_NOT_OBJECT] = ANS_NOT_OBJECT,
	[JSON_TOO_DEEP] = ANS_TOO_DEEP,
	[JSON_NOMEM] = ANS_STORAGE
};

static void
respond(struct handler *h, const struct req *r, const struct answer *a)
{
	struct buf	 body;
	bool		 head = r->method != NULL &&
			    strcmp(r->method, "HEAD") == 0;

	buf_init(&body);
	answer_body(&body, a);
	buf_putc(&body, '\n');
	buf_reset(&h->out);
	answer_headers(&h->out, a, body.len);
	if (!head)
		buf_append(&h->out, body.data, body.len);
	if (buf_ok(&h->out))
		(void)r->io->write(r->io->ctx, h->out.data, h->out.len);
	buf_free(&body);
	h->status = answer_status(a->kind);
}

/*
 * Keeps a rejected request in reject_file (ekahook(8) "Logs").  Returns the
 * answer to give: the rejection, or 503 when it could not be kept.
 */
static enum answer_kind
reject(struct handler *h, const struct req *r, enum answer_kind k,
    const struct notes *details)
{
	struct reject_rec	 rec;

	if (!answer_is_logged_reject(k) || r->conf->reject_file == NULL)
		return k;
	memset(&rec, 0, sizeof(rec));
	rec.received_at = r->received_at;
	rec.request_id = r->id;
	rec.remote_addr = r->remote_addr;
	rec.status = answer_status(k);
	rec.error = answer_error(k);
	rec.details = details;
	if (r->body_read && k != ANS_TOO_LARGE) {
		rec.body = h->body.data != NULL ? h->body.data : "";
		rec.body_bytes = h->body.len;
	} else
		rec.body_bytes = r->content_length > 0 ?
		    (size_t)r->content_length : h->body.len;
	/*
	 * ekahook.conf(5) reject_body_max: while a key is set, only a body
	 * whose signature verified is stored, so that nobody without the
	 * key can make ekahook keep their bytes.
	 */
	rec.keep_body = r->conf->nsigning_keys == 0 || r->verified;
	rec.body_max = r->conf->reject_body_max;
	buf_reset(&h->line);
	reqline_reject(&h->line, &rec);
	if (!buf_ok(&h->line))
		return ANS_STORAGE;
	if (logfile_append(&h->rejects, h->line.data, h->line.len,
	    r->conf->log_fsync) == -1) {
		storage_error(h, h->rejects.path, "cannot append");
		return ANS_STORAGE;
	}
	return k;
}

/* spool_log_fn: h->line, an accepted event's, into the event log. */
static int
append_line(void *arg)
{
	struct handler	*h = arg;

	if (buf_ok(&h->line) && logfile_append(&h->events, h->line.data,
	    h->line.len, h->conf->log_fsync) == 0)
		return 0;
	storage_error(h, h->events.path, "cannot append");
	return -1;
}

static enum answer_kind
accept_event(struct handler *h, struct req *r, const struct json_doc *doc,
    const struct schema_result *sr, bool *duplicate)
{
	const struct conf	*c = r->conf;
	struct dedupe_claim	 claim = { .fd = -1 };
	struct accept_rec	 rec;
	unsigned char		 hash[DEDUPE_HASH_LEN];
	enum spool_added	 added;

	*duplicate = false;
	if (c->dedupe_window > 0) {
		reqline_sha256(h->body.data, h->body.len, hash);
		if (dedupe_claim(c->state_dir, hash, c->dedupe_window,
		    r->now.tv_sec, &claim) == -1) {
			storage_error(h, c->state_dir,
			    "cannot record duplicates");
			return ANS_STORAGE;
		}
		*duplicate = claim.duplicate;
		h->deduped = true;
	}
	memset(&rec, 0, sizeof(rec));
	rec.received_at = r->received_at;
	rec.request_id = r->id;
	rec.remote_addr = r->remote_addr;
	rec.verified = r->verified;
	rec.duplicate = *duplicate;
	rec.warnings = &sr->warnings;
	rec.event = doc->min;
	rec.event_len = doc->min_len;
	buf_reset(&h->line);
	reqline_accept(&h->line, &rec);
	/*
	 * ekahook(8) "The hook queue": queued before the answer, around the
	 * log's line, so that with log_fsync = always one journal commit
	 * can carry the line and the queued file.
	 */
	if (*duplicate || !conf_hook_wants(c, sr->event))
		added = append_line(h) == 0 ? SPOOL_ADDED : SPOOL_NOT_LOGGED;
	else
		added = spool_add_logged(&h->spool, c->state_dir, r->id,
		    &r->now, doc->min, doc->min_len, c->log_fsync,
		    append_line, h);
	if (added == SPOOL_NOT_QUEUED)
		storage_error(h, c->state_dir, "cannot queue the hook");
	if (added != SPOOL_ADDED) {
		dedupe_abort(&claim);
		return ANS_STORAGE;
	}
	dedupe_commit(&claim);
	return ANS_OK;
}

/*
 * ekahook.conf(5): the directories of the log files must exist and be
 * writable, hook_log's too.  Its lines are written after the answer,
 * by the hook's attempt process; a directory they cannot go into is a storage
 * failure found before the event is taken (the sender retries), not a
 * hook whose line is lost.  Named on stderr.
 */
static bool
hook_log_dir_ok(struct handler *h, const struct conf *c)
{
	char	*dir;
	int	 rc, saved;

	if ((dir = path_dir_of(c->hook_log)) == NULL)
		return false;
	rc = faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS);
	saved = errno;
	free(dir);
	if (rc == 0)
		return true;
	errno = saved;
	storage_error(h, c->hook_log, "cannot write in its directory");
	return false;
}

static enum answer_kind
health(struct handler *h, const struct conf *c)
{
	struct statvfs	 vfs;

	if (logfile_ready(&h->events) == -1) {
		storage_error(h, h->events.path, "cannot open");
		return ANS_STORAGE;
	}
	/* Opening still works on a full disk; appending would not. */
	if (fstatvfs(h->events.fd, &vfs) == 0 &&
	    (unsigned long long)vfs.f_bavail * vfs.f_frsize < HEALTH_MIN_FREE) {
		errno = ENOSPC;
		storage_error(h, h->events.path, "no room for a line");
		return ANS_STORAGE;
	}
	if (dedupe_mkdirs(c->state_dir) == -1) {
		storage_error(h, c->state_dir, "cannot create");
		return ANS_STORAGE;
	}
	if (c->hook != NULL && !hook_log_dir_ok(h, c))
		return ANS_STORAGE;
	return ANS_HEALTH;
}

/* The event schemas of the configuration in use (schema_check's lookup). */
static enum catalog_result
find_schema(void *arg, const char *event, const struct jschema **schema)
{
	struct handler	*h = arg;

	if (catalog_configure(&h->schemas, h->conf->schema_dir,
	    h->shipped_schemas != NULL ? h->shipped_schemas : "") == -1)
		return CATALOG_ERROR;
	return catalog_find(&h->schemas, event, schema);
}

/*
 * ekahook(8) "Security": with no signing_key anyone who finds the URL
 * runs the hook.  A FastCGI process says so once, not every request.
 */
static void
warn_open(struct handler *h, const struct conf *c)
{
	if (!h->warn_open || c == NULL || c->nsigning_keys > 0)
		return;
	fprintf(stderr, "ekahook: warning: no signing_key is set (%s): "
	    "anyone who finds this URL can post events%s\n",
	    c->file != NULL ? c->file : "no configuration file",
	    c->hook != NULL ? " and run the hook" : "");
	h->warn_open = false;
}

const struct conf *
handler_startup_conf(struct handler *h)
{
	char	*file;

	file = conf_find(getenv("EKAHOOK_CONFIG"), h->exe_dir);
	h->conf = conf_cache_get(&h->cc, file, h->exe_dir);
	free(file);
	warn_open(h, h->conf);
	return h->conf;
}

void
handler_after(struct handler *h)
{
	if (h->alert_kind != NULL)
		alert_raise(h->conf, h->alert_kind, buf_cstr(&h->alert_msg),
		    buf_cstr(&h->alert_details));
	/* Set only where dedupe_window > 0 made a marker. */
	if (h->deduped)
		dedupe_prune_due(h->conf->state_dir, h->conf->dedupe_window,
		    time(NULL));
}

void
handler_serve(struct handler *h, const struct req_io *io)
{
	struct req		 r;
	struct answer		 a;
	struct json_doc		 doc;
	struct json_error	 jerr;
	struct schema_result	 sr;
	struct schema_opts	 so;
	const struct conf	*c;
	const char		*cfg, *sigh;
	char			*file, why[400];
	enum json_status	 js;
	enum sig_result		 sg;

	memset(&r, 0, sizeof(r));
	memset(&a, 0, sizeof(a));
	memset(&sr, 0, sizeof(sr));
	memset(&doc, 0, sizeof(doc));
	h->accepted = h->hook_due = h->deduped = false;
	h->alert_kind = NULL;
	r.io = io;
	reqid_new(r.id);
	a.request_id = r.id;
	clock_gettime(CLOCK_REALTIME, &r.now);
	timefmt_iso_ms(&r.now, r.received_at);
	r.method = param(&r, "REQUEST_METHOD");
	r.remote_addr = param(&r, "REMOTE_ADDR");

	/*
	 * ekahook(8) "Configuration": the environment first, then the
	 * request's parameters, trusted only in a safe place (whoever can
	 * reach the FastCGI socket must not choose the hook).
	 */
	if ((cfg = getenv("EKAHOOK_CONFIG")) == NULL &&
	    (cfg = param(&r, "EKAHOOK_CONFIG")) != NULL && *cfg != '\0' &&
	    !path_trusted(cfg, why, sizeof(why))) {
		if (strcmp(why, h->said) != 0) {
			fprintf(stderr, "ekahook: configuration error: "
			    "EKAHOOK_CONFIG from the request: %s\n", why);
			snprintf(h->said, sizeof(h->said), "%s", why);
		}
		a.kind = ANS_CONFIG;
		goto answer;
	}
	file = conf_find(cfg, h->exe_dir);
	c = h->conf = conf_cache_get(&h->cc, file, h->exe_dir);
	free(file);
	if (c == NULL) {
		a.kind = ANS_CONFIG;
		goto answer;
	}
	r.conf = c;
	warn_open(h, c);
	logfile_configure(&h->events, c->log_file, c->log_max_bytes,
	    c->log_keep);
	logfile_configure(&h->rejects, c->reject_file, c->log_max_bytes,
	    c->log_keep);

	if (r.method == NULL || (strcmp(r.method, "POST") != 0 &&
	    strcmp(r.method, "GET") != 0 && strcmp(r.method, "HEAD") != 0)) {
		a.kind = ANS_METHOD;
		goto answer;
	}
	if (strcmp(r.method, "POST") != 0) {
		const struct jschema *none;

		/* A broken schema file fails health too: it is configuration. */
		a.kind = find_schema(h, NULL, &none) == CATALOG_ERROR ?
		    ANS_CONFIG : health(h, c);
		goto answer;
	}
	if (c->allow_from.n > 0 &&
	    !addr_list_match(&c->allow_from, r.remote_addr)) {
		a.kind = ANS_ADDRESS;
		goto answer;
	}
	r.content_length = parse_length(param(&r, "CONTENT_LENGTH"));
	if (!handler_is_json_type(param(&r, "CONTENT_TYPE"))) {
		/* Kept in reject_file with its body when that is small enough. */
		if (r.content_length >= -1 &&
		    r.content_length <= (long long)c->max_body_bytes)
			(void)read_body(h, &r);
		a.kind = reject(h, &r, ANS_MEDIA_TYPE, NULL);
		goto answer;
	}
	if (r.content_length > (long long)c->max_body_bytes) {
		a.kind = reject(h, &r, ANS_TOO_LARGE, NULL);
		goto answer;
	}
	if (r.content_length == -2) {
		a.kind = reject(h, &r, ANS_INVALID_JSON, NULL);
		a.message = "The Content-Length of the request is not a number.";
		goto answer;
	}
	switch (read_body(h, &r)) {
	case BODY_WHOLE:
		break;
	case BODY_TOO_LARGE:
		r.body_read = false;
		r.content_length = (long long)h->body.len;
		a.kind = reject(h, &r, ANS_TOO_LARGE, NULL);
		goto answer;
	case BODY_SHORT:
		a.kind = reject(h, &r, ANS_INVALID_JSON, NULL);
		a.message = "The body ended before Content-Length bytes.";
		goto answer;
	case BODY_NOMEM:
		a.kind = ANS_STORAGE;
		goto answer;
	}
	if (c->nsigning_keys > 0) {
		sigh = param(&r, "HTTP_EKA_WEBHOOK_SIGNATURE");
		sg = sig_verify(sigh, h->body.data ? h->body.data : "",
		    h->body.len, c->signing_keys, c->nsigning_keys,
		    c->signature_tolerance, r.now.tv_sec);
		if (sg != SIG_OK) {
			a.kind = reject(h, &r, sig_answer[sg], NULL);
			goto answer;
		}
		r.verified = true;
	}
	js = json_parse(h->body.data ? h->body.data : "", h->body.len, &doc,
	    &jerr);
	if (js != JSON_OK) {
		a.kind = json_answer[js];
		/* Out of memory is ours, not the sender's: not kept. */
		if (a.kind != ANS_STORAGE) {
			a.kind = reject(h, &r, a.kind, NULL);
			a.message = jerr.message;
		}
		goto answer;
	}
	so.mode = c->validation;
	so.unknown_reject = c->unknown_reject;
	so.lookup = find_schema;
	so.lookup_arg = h;
	if (!schema_check(&doc, &so, &sr)) {
		a.details = &sr.details;
		if (sr.config_error)
			a.kind = ANS_CONFIG;
		else if (sr.nomem)
			a.kind = ANS_STORAGE;
		else
			a.kind = reject(h, &r, ANS_INVALID_EVENT, &sr.details);
		goto answer;
	}
	if (conf_hook_wants(c, sr.event) && !hook_log_dir_ok(h, c)) {
		a.kind = ANS_STORAGE;
		goto answer;
	}
	a.kind = accept_event(h, &r, &doc, &sr, &a.duplicate);
	if (a.kind == ANS_OK) {
		h->accepted = !a.duplicate;
		h->hook_due = !a.duplicate && conf_hook_wants(c, sr.event);
	}
answer:
	if (a.kind == ANS_STORAGE || a.kind == ANS_CONFIG)
		a.details = NULL;
	respond(h, &r, &a);
	note_alert(h, &r, &a);
	schema_result_free(&sr);
	json_doc_free(&doc);
}
