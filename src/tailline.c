/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "event.h"
#include "logset.h"
#include "plain.h"
#include "reqline.h"
#include "tailline.h"

#define TIME_AT		16	/* {"received_at":" and {"finished_at":" */
#define COL_WHAT	11	/* "accepted", "hook failed" */
#define COL_SUBJECT	22	/* the event's name, "401 signature_invalid" */
#define CUT_NAME	64	/* characters shown of a value, then "…" */
#define CUT_VALUE	48
#define CUT_OUTPUT	80

static void	 put_head(struct buf *, const char *, const char *);
static void	 pad_to(struct buf *, size_t, size_t);
static void	 put_cstr(struct buf *, const char *, size_t);
static void	 put_event_id(struct buf *, const cJSON *);
static void	 put_last_line(struct buf *, const char *, size_t);
static int	 fmt_accepted(struct buf *, const char *, size_t);
static int	 fmt_rejected(struct buf *, const char *, size_t);
static int	 fmt_hook(struct buf *, const char *, size_t);

/* Its first member, in each of the three logs. */
int
tailline_time(const char *line, size_t len, long long *ms)
{
	if (len < TIME_AT + TAILLINE_TIME_LEN + 2 || line[len - 1] != '}' ||
	    (memcmp(line, "{\"received_at\":\"", TIME_AT) != 0 &&
	    memcmp(line, "{\"finished_at\":\"", TIME_AT) != 0) ||
	    line[TIME_AT + TAILLINE_TIME_LEN] != '"')
		return -1;
	return logline_time(line + TIME_AT, TAILLINE_TIME_LEN, ms);
}

/* Time, then what happened, in columns. */
static void
put_head(struct buf *b, const char *line, const char *what)
{
	/* As ekahook wrote it, checked by tailline_time(): plain ASCII. */
	buf_append(b, line + TIME_AT, TAILLINE_TIME_LEN);
	buf_printf(b, "  %-*s  ", COL_WHAT, what);
}

/* Blanks after what was appended since start, to width characters. */
static void
pad_to(struct buf *b, size_t start, size_t width)
{
	size_t	 i, chars = 0;

	for (i = start; i < b->len; i++)
		chars += ((unsigned char)b->data[i] & 0xc0) != 0x80;
	for (; chars < width; chars++)
		buf_putc(b, ' ');
	buf_puts(b, "  ");
}

/* A decoded string of the request, made safe, at most max characters. */
static void
put_cstr(struct buf *b, const char *s, size_t max)
{
	struct buf	 j;

	buf_init(&j);
	buf_json_str(&j, s, strlen(s));
	if (buf_ok(&j) && j.len >= 2)
		plain_json_str_max(b, j.data + 1, j.len - 2, max);
	buf_free(&j);
}

/*
 * The id a person looks for in an event: appointment_id (in data, or
 * at the top), else the first string member of data named *_id.
 */
static void
put_event_id(struct buf *b, const cJSON *body)
{
	const cJSON	*data, *it, *pick;
	size_t		 n;

	data = cJSON_GetObjectItemCaseSensitive(body, "data");
	if (!cJSON_IsString(pick = cJSON_GetObjectItemCaseSensitive(data,
	    "appointment_id")))
		pick = cJSON_GetObjectItemCaseSensitive(body, "appointment_id");
	for (it = cJSON_IsObject(data) ? data->child : NULL;
	    !cJSON_IsString(pick) && it != NULL; it = it->next)
		if (cJSON_IsString(it) && (n = strlen(it->string)) > 3 &&
		    strcmp(it->string + n - 3, "_id") == 0)
			pick = it;
	if (!cJSON_IsString(pick))
		return;
	buf_puts(b, "  ");
	put_cstr(b, pick->string, CUT_NAME);
	buf_putc(b, '=');
	put_cstr(b, pick->valuestring, CUT_VALUE);
}

/*
 * The last line with text of a hook's output, cut: the output as
 * logged is a JSON string's body, its lines ending in \n.
 */
static void
put_last_line(struct buf *b, const char *s, size_t n)
{
	size_t	 i, start = 0, ls = 0, le = 0;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\')
			continue;
		if (i + 1 < n && s[i + 1] == 'n') {
			if (i > start) {
				ls = start;
				le = i;
			}
			start = i + 2;
		}
		i++;		/* the escaped character */
	}
	if (n > start) {
		ls = start;
		le = n;
	}
	if (le > ls) {
		buf_puts(b, "  output: ");
		plain_json_str_max(b, s + ls, le - ls, CUT_OUTPUT);
	}
}

/* An accepted event or a duplicate (log_file). */
static int
fmt_accepted(struct buf *b, const char *line, size_t len)
{
	struct reqline	 ev;
	const cJSON	*addr, *warn;
	size_t		 col;
	int		 nwarn;

	if (reqline_parse(line, len, &ev) == -1)
		return -1;
	put_head(b, line, ev.duplicate ? "duplicate" : "accepted");
	col = b->len;
	put_cstr(b, ev.name != NULL ? ev.name : "-", CUT_NAME);
	pad_to(b, col, COL_SUBJECT);
	put_cstr(b, ev.request_id, CUT_NAME);
	addr = cJSON_GetObjectItemCaseSensitive(ev.doc.root, "remote_addr");
	if (cJSON_IsString(addr)) {
		buf_puts(b, "  from ");
		put_cstr(b, addr->valuestring, CUT_VALUE);
	}
	put_event_id(b, event_body(ev.event));
	warn = cJSON_GetObjectItemCaseSensitive(ev.doc.root, "warnings");
	if ((nwarn = cJSON_GetArraySize(warn)) > 0)
		buf_printf(b, "  %d warning%s", nwarn, nwarn > 1 ? "s" : "");
	reqline_free(&ev);
	return 0;
}

/*
 * A rejected request (reject_file).  Its "details" come before the
 * body, which is a string: the first "field" and "problem" are the
 * first detail's.
 */
static int
fmt_rejected(struct buf *b, const char *line, size_t len)
{
	const char	*id, *err, *addr, *field, *problem;
	size_t		 idn, errn, addrn, fieldn, problemn, col;
	long long	 status;

	if (logline_int(line, len, "status", &status) == -1 ||
	    status < 100 || status > 599 ||
	    (err = logline_str(line, len, "error", &errn)) == NULL ||
	    (id = logline_str(line, len, "request_id", &idn)) == NULL)
		return -1;
	put_head(b, line, "rejected");
	col = b->len;
	buf_printf(b, "%lld ", status);
	plain_json_str_max(b, err, errn, CUT_NAME);
	pad_to(b, col, COL_SUBJECT);
	plain_json_str_max(b, id, idn, CUT_NAME);
	if ((addr = logline_str(line, len, "remote_addr", &addrn)) != NULL) {
		buf_puts(b, "  from ");
		plain_json_str_max(b, addr, addrn, CUT_VALUE);
	}
	if ((field = logline_str(line, len, "field", &fieldn)) != NULL &&
	    (problem = logline_str(line, len, "problem", &problemn)) != NULL) {
		buf_puts(b, "  ");
		plain_json_str_max(b, field, fieldn, CUT_VALUE);
		buf_putc(b, ' ');
		plain_json_str_max(b, problem, problemn, CUT_VALUE);
	}
	return 0;
}

/* A hook's attempt, or an alert's run (hook_log). */
static int
fmt_hook(struct buf *b, const char *line, size_t len)
{
	const char	*id, *alert = NULL, *event, *out;
	size_t		 idn = 0, an = 0, en, on, col;
	long long	 attempt, ex = 0, sig = 0, ms;
	bool		 exited, signalled, ok, timed_out;

	if ((id = logline_str(line, len, "request_id", &idn)) == NULL &&
	    (alert = logline_str(line, len, "alert", &an)) == NULL)
		return -1;
	if (logline_int(line, len, "attempt", &attempt) == -1 ||
	    logline_int(line, len, "duration_ms", &ms) == -1 ||
	    logline_bool(line, len, "timed_out", &timed_out) == -1)
		return -1;
	/* null (not a number) when a signal ended it, or none did. */
	exited = logline_int(line, len, "exit", &ex) == 0;
	signalled = logline_int(line, len, "signal", &sig) == 0;
	ok = exited && ex == 0 && !signalled && !timed_out;
	put_head(b, line, alert != NULL ? "alert" : ok ? "hook ok" :
	    "hook failed");
	col = b->len;
	if (alert != NULL)
		plain_json_str_max(b, alert, an, CUT_NAME);
	else if ((event = logline_str(line, len, "event", &en)) != NULL)
		plain_json_str_max(b, event, en, CUT_NAME);
	else
		buf_putc(b, '-');
	pad_to(b, col, COL_SUBJECT);
	if (alert == NULL) {
		plain_json_str_max(b, id, idn, CUT_NAME);
		buf_printf(b, "  attempt %lld, ", attempt);
	}
	if (timed_out)
		buf_puts(b, "timed out, ");
	else if (signalled)
		buf_printf(b, "signal %lld, ", sig);
	else if (!ok || alert != NULL)
		buf_printf(b, "exit %lld, ", ex);
	buf_printf(b, "%lld ms", ms);
	if (!ok && (out = logline_str(line, len, "output", &on)) != NULL)
		put_last_line(b, out, on);
	return 0;
}

/*
 * Whichever log the line is from: an accepted event's line has
 * "duplicate" before its event, a rejected request's none.
 */
int
tailline_format(struct buf *b, const char *line, size_t len)
{
	long long	 ms;
	bool		 dup;

	if (tailline_time(line, len, &ms) == -1)
		return -1;
	if (memcmp(line, "{\"finished_at\":\"", TIME_AT) == 0)
		return fmt_hook(b, line, len);
	if (logline_bool(line, len, "duplicate", &dup) == 0)
		return fmt_accepted(b, line, len);
	return fmt_rejected(b, line, len);
}

