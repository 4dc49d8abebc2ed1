/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "ctl_show.h"
#include "json.h"
#include "logset.h"
#include "plain.h"
#include "reqline.h"
#include "timefmt.h"

/*
 * What ekahookctl(1) show prints.  For a person: every value that came
 * in a request or from a hook goes through plain.h, so no raw control
 * character reaches the terminal, and long texts are cut.  With --json:
 * each line whole, as logged.
 */

#define SHOW_TEXT_MAX	600	/* characters of an event shown to a person */
#define SHOW_LINES_MAX	40	/* lines of an output or a body */
#define SHOW_COLS_MAX	200	/* characters of each of those lines */

static const char *const kind_name[] = { "accepted", "duplicate",
    "rejected", "hook" };
static const char *const box_name[] = { "none", "waiting", "failed" };

static void	 fmt_ms(long long, char[TIMEFMT_LEN]);
static void	 put_time(struct buf *, long long);
static void	 put_lines(struct buf *, const char *, size_t);
static void	 put_cut(struct buf *, const char *, size_t);
static void	 put_problems(struct buf *, const cJSON *, const char *);
static void	 put_member(struct buf *, const struct show_entry *,
		    const char *, const char *);
static void	 put_head(struct buf *, const struct show_entry *);
static void	 put_accepted(struct buf *, const struct show_entry *);
static void	 put_rejected(struct buf *, const struct show_entry *);
static void	 put_hook(struct buf *, const struct show_entry *);
static void	 put_queue(struct buf *, const struct show_delivery *);
static void	 put_safe_json(struct buf *, const char *);
static cJSON	*json_entry(const struct show_entry *);
static cJSON	*json_delivery(const struct show *,
		    const struct show_delivery *);

/* Unix ms as the logs write a time. */
static void
fmt_ms(long long ms, char out[TIMEFMT_LEN])
{
	struct timespec	 ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	timefmt_iso_ms(&ts, out);
}

static void
put_time(struct buf *b, long long ms)
{
	char	 t[TIMEFMT_LEN];

	fmt_ms(ms, t);
	buf_puts(b, t);
}

/* A JSON string body (an output, a body) as indented lines, cut. */
static void
put_lines(struct buf *b, const char *s, size_t n)
{
	size_t	 start, i, lines = 0;

	for (start = 0; start < n; start = i + 2) {
		for (i = start; i < n; i += s[i] == '\\' ? 2 : 1)
			if (s[i] == '\\' && i + 1 < n && s[i + 1] == 'n')
				break;
		if (i > n)
			i = n;
		if (++lines > SHOW_LINES_MAX) {
			buf_puts(b, "      … (cut here; --json has it all)\n");
			break;
		}
		buf_puts(b, "      ");
		plain_json_str_max(b, s + start, i - start, SHOW_COLS_MAX);
		buf_putc(b, '\n');
	}
}

/* JSON text as logged (escapes kept), made safe and cut. */
static void
put_cut(struct buf *b, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, k, chars;

	for (chars = 0; i < n && chars < SHOW_TEXT_MAX; chars++)
		i += (k = buf_utf8_len(u + i, n - i)) > 0 ? k : 1;
	plain_text(b, s, i);
	if (i < n)
		buf_printf(b, "… (%zu bytes; --json has it whole)", n);
}

/* warnings or details: "field: problem; …" on one line. */
static void
put_problems(struct buf *b, const cJSON *arr, const char *label)
{
	const cJSON	*it, *v;
	const char	*sep = "";

	if (cJSON_GetArraySize(arr) == 0)
		return;
	buf_printf(b, "    %s: ", label);
	cJSON_ArrayForEach(it, arr) {
		buf_puts(b, sep);
		sep = "; ";
		if (cJSON_IsString(v = cJSON_GetObjectItem(it, "field")))
			plain_text(b, v->valuestring, strlen(v->valuestring));
		buf_puts(b, ": ");
		if (cJSON_IsString(v = cJSON_GetObjectItem(it, "problem")))
			plain_text(b, v->valuestring, strlen(v->valuestring));
	}
	buf_putc(b, '\n');
}

/* A member of the line, decoded and made safe, after a label. */
static void
put_member(struct buf *b, const struct show_entry *e, const char *label,
    const char *key)
{
	const char	*v;
	size_t		 n;

	if ((v = logline_str(e->line, e->len, key, &n)) == NULL)
		return;
	buf_puts(b, label);
	plain_json_str(b, v, n);
}

static void
put_head(struct buf *b, const struct show_entry *e)
{
	buf_puts(b, "  ");
	put_time(b, e->ms);
	buf_printf(b, " %s ", kind_name[e->kind]);
}

static void
put_accepted(struct buf *b, const struct show_entry *e)
{
	struct reqline	 ev;

	if (reqline_parse(e->line, e->len, &ev) == -1)
		return;
	put_head(b, e);
	if (ev.name != NULL)
		plain_text(b, ev.name, strlen(ev.name));
	put_member(b, e, " from ", "remote_addr");
	put_member(b, e, ", signature ", "signature");
	buf_puts(b, "\n    in ");
	plain_text(b, e->file, strlen(e->file));
	buf_putc(b, '\n');
	put_problems(b, cJSON_GetObjectItem(ev.doc.root, "warnings"),
	    "warnings");
	buf_puts(b, "    event: ");
	put_cut(b, ev.event_text, ev.event_len);
	buf_putc(b, '\n');
	reqline_free(&ev);
}

static void
put_rejected(struct buf *b, const struct show_entry *e)
{
	struct json_doc		 doc;
	struct json_error	 err;
	const char		*body;
	long long		 v;
	size_t			 n;

	if (json_parse_depth(e->line, e->len, &doc, &err, JSON_MAX_DEPTH +
	    1) != JSON_OK)
		return;
	put_head(b, e);
	if (logline_int(e->line, e->len, "status", &v) == 0)
		buf_printf(b, "%lld", v);
	put_member(b, e, " ", "error");
	put_member(b, e, " from ", "remote_addr");
	if (logline_int(e->line, e->len, "body_bytes", &v) == 0 && v >= 0) {
		buf_puts(b, ", body of ");
		plain_bytes(b, (unsigned long long)v);
	}
	buf_puts(b, "\n    in ");
	plain_text(b, e->file, strlen(e->file));
	buf_putc(b, '\n');
	put_problems(b, cJSON_GetObjectItem(doc.root, "details"), "details");
	if ((body = logline_str(e->line, e->len, "body", &n)) != NULL) {
		buf_printf(b, "    body%s:\n", logline_true(e->line, e->len,
		    "body_truncated") ? " (its start)" : "");
		put_lines(b, body, n);
	} else
		buf_puts(b, logline_str(e->line, e->len, "body_base64", &n) ?
		    "    body: not UTF-8, kept as base64 (--json)\n" :
		    "    body: not kept\n");
	json_doc_free(&doc);
}

static void
put_hook(struct buf *b, const struct show_entry *e)
{
	const char	*out;
	long long	 a = 0, x, ms = 0;
	size_t		 n;
	bool		 ok, to;

	to = logline_true(e->line, e->len, "timed_out");
	ok = logline_int(e->line, e->len, "exit", &x) == 0 && x == 0 && !to;
	(void)logline_int(e->line, e->len, "attempt", &a);
	(void)logline_int(e->line, e->len, "duration_ms", &ms);
	put_head(b, e);
	buf_printf(b, "attempt %lld %s:", a, ok ? "ok" : "failed");
	if (logline_int(e->line, e->len, "exit", &x) == 0)
		buf_printf(b, " exit %lld,", x);
	if (logline_int(e->line, e->len, "signal", &x) == 0)
		buf_printf(b, " signal %lld,", x);
	buf_printf(b, "%s %lld ms\n    in ", to ? " timed out," : "", ms);
	plain_text(b, e->file, strlen(e->file));
	put_member(b, e, ", hook ", "hook");
	/* ekahook(8): EKA_ variables past the limits were left out. */
	if (logline_int(e->line, e->len, "env_omitted", &x) == 0)
		buf_printf(b, "\n    %lld EKA_ variables left out", x);
	out = logline_str(e->line, e->len, "output", &n);
	buf_puts(b, out != NULL && n > 0 ? "\n    output:\n" :
	    "\n    output: none\n");
	if (out != NULL)
		put_lines(b, out, n);
}

/* ekahook(8) "The hook queue", for this delivery. */
static void
put_queue(struct buf *b, const struct show_delivery *d)
{
	buf_puts(b, "  hook queue: ");
	if (d->box == SHOW_NONE) {
		buf_puts(b, "none (not waiting, not a dead letter)\n");
		return;
	}
	buf_puts(b, d->box == SHOW_WAITING ? "waiting or running, " :
	    "dead letter, ");
	plain_text(b, d->path, strlen(d->path));
	if (d->box == SHOW_FAILED)
		buf_printf(b, ", after %u attempt%s; `ekahookctl replay "
		    "--failed --request-id %s` runs it again\n", d->attempts,
		    d->attempts == 1 ? "" : "s", d->rid);
	else if (d->job.attempts == 0)
		buf_puts(b, "; no attempt started yet\n");
	else {
		buf_printf(b, "; %u attempt%s started, %u failed in a row, "
		    "next not before ", d->job.attempts,
		    d->job.attempts == 1 ? "" : "s", d->job.fails);
		put_time(b, d->job.due_ms);
		buf_putc(b, '\n');
	}
}

void
show_put_person(struct buf *b, const struct show *s)
{
	const struct show_entry	*e;
	size_t			 i, k;

	for (i = 0; i < s->nd; i++) {
		buf_printf(b, "%sdelivery %s", i > 0 ? "\n" : "", s->d[i].rid);
		for (k = 0; k < s->n; k++)
			if (strcmp(s->v[k].rid, s->d[i].rid) == 0)
				break;
		if (k < s->n) {
			buf_puts(b, ", first seen ");
			plain_age(b, (long long)time(NULL) - s->v[k].ms / 1000);
		}
		buf_putc(b, '\n');
		put_queue(b, &s->d[i]);
		for (; k < s->n; k++) {
			e = &s->v[k];
			if (strcmp(e->rid, s->d[i].rid) != 0)
				continue;
			if (e->kind == SHOW_HOOK)
				put_hook(b, e);
			else if (e->kind == SHOW_REJECTED)
				put_rejected(b, e);
			else
				put_accepted(b, e);
		}
	}
}

/*
 * cJSON's text with what it leaves raw (DEL, C1 controls, U+2028/9,
 * bidirectional controls, bytes that are not UTF-8) as \u escapes:
 * outside strings its text is ASCII, so these are inside one.
 */
static void
put_safe_json(struct buf *b, const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, k, n = strlen(s);
	unsigned		 cp;

	while (i < n) {
		k = u[i] < 0x80 ? 1 : buf_utf8_len(u + i, n - i);
		if (k == 0 || u[i] == 0x7f) {
			buf_puts(b, k == 0 ? "\\ufffd" : "\\u007f");
			i++;
			continue;
		}
		if (k > 1 && buf_unsafe_char(u + i, k)) {
			cp = k == 2 ? (u[i] & 0x1fu) << 6 | (u[i + 1] & 0x3fu) :
			    (u[i] & 0x0fu) << 12 | (u[i + 1] & 0x3fu) << 6 |
			    (u[i + 2] & 0x3fu);
			buf_printf(b, "\\u%04x", cp);
		} else
			buf_append(b, s + i, k);
		i += k;
	}
}

/* An entry of --json: its line whole, as logged (found to be JSON). */
static cJSON *
json_entry(const struct show_entry *e)
{
	cJSON	*o;
	char	 t[TIMEFMT_LEN];

	fmt_ms(e->ms, t);
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "time", t) == NULL ||
	    cJSON_AddStringToObject(o, "kind", kind_name[e->kind]) == NULL ||
	    cJSON_AddStringToObject(o, "file", e->file) == NULL ||
	    cJSON_AddRawToObject(o, "line", e->line) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* A delivery of --json: its place in the hook queue, its entries. */
static cJSON *
json_delivery(const struct show *s, const struct show_delivery *d)
{
	cJSON	*o, *es, *e;
	char	 t[TIMEFMT_LEN];
	size_t	 k;
	bool	 due = d->box == SHOW_WAITING && d->job.attempts > 0;

	fmt_ms(d->job.due_ms, t);
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "request_id", d->rid) == NULL ||
	    cJSON_AddStringToObject(o, "spool", box_name[d->box]) == NULL ||
	    (d->box != SHOW_NONE ? cJSON_AddStringToObject(o, "spool_file",
	    d->path) : cJSON_AddNullToObject(o, "spool_file")) == NULL ||
	    cJSON_AddNumberToObject(o, "attempts", d->attempts) == NULL ||
	    cJSON_AddNumberToObject(o, "fails", d->job.fails) == NULL ||
	    (due ? cJSON_AddStringToObject(o, "next_due", t) :
	    cJSON_AddNullToObject(o, "next_due")) == NULL ||
	    (es = cJSON_AddArrayToObject(o, "entries")) == NULL)
		goto fail;
	for (k = 0; k < s->n; k++)
		if (strcmp(s->v[k].rid, d->rid) == 0 &&
		    ((e = json_entry(&s->v[k])) == NULL ||
		    !cJSON_AddItemToArray(es, e)))
			goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* ekahookctl(1) show --json: one object, then a newline. */
int
show_put_json(struct buf *b, const struct show *s)
{
	cJSON	*root, *ds, *d = NULL;
	char	*out = NULL;
	size_t	 i;

	if ((root = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(root, "id", s->id) == NULL ||
	    (ds = cJSON_AddArrayToObject(root, "deliveries")) == NULL)
		goto done;
	for (i = 0; i < s->nd; i++)
		if ((d = json_delivery(s, &s->d[i])) == NULL ||
		    !cJSON_AddItemToArray(ds, d)) {
			cJSON_Delete(d);
			goto done;
		}
	out = cJSON_PrintUnformatted(root);
done:
	cJSON_Delete(root);
	if (out == NULL)
		return -1;
	put_safe_json(b, out);
	buf_putc(b, '\n');
	free(out);
	return 0;
}
