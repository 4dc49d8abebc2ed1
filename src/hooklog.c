/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "hooklog.h"
#include "logfile.h"

#define UTF8_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

static void	null_or_int(struct buf *, const char *, long long, bool);


void
hooklog_json_text(struct buf *b, const char *s, size_t n, bool cut)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct buf		 clean;
	size_t			 i = 0, k, run;

	/* The first bytes may be the tail of a character cut in two. */
	if (cut)
		while (i < n && i < 3 && (p[i] & 0xc0) == 0x80)
			i++;
	buf_init(&clean);
	while (i < n) {
		for (run = 0; i + run < n; run += k)
			if ((k = buf_utf8_len(p + i + run, n - i - run)) == 0)
				break;
		buf_append(&clean, s + i, run);
		i += run;
		if (i < n) {
			buf_puts(&clean, UTF8_REPLACEMENT);
			i++;
		}
	}
	if (!buf_ok(&clean))
		b->broken = true;
	else
		buf_json_str(b, clean.data != NULL ? clean.data : "",
		    clean.len);
	buf_free(&clean);
}

static void
null_or_int(struct buf *b, const char *key, long long v, bool null)
{
	if (null)
		buf_printf(b, ",\"%s\":null", key);
	else
		buf_printf(b, ",\"%s\":%lld", key, v);
}

bool
hooklog_rec_ok(const struct hooklog_rec *r)
{
	return r->exit_code == 0 && r->signo == 0 && !r->timed_out;
}

void
hooklog_rec_of(struct hooklog_rec *r, const struct hookrun_result *res,
    char finished[TIMEFMT_LEN])
{
	struct timespec	 now;

	clock_gettime(CLOCK_REALTIME, &now);
	timefmt_iso_ms(&now, finished);
	memset(r, 0, sizeof(*r));
	r->finished_at = finished;
	r->exit_code = res->exit_code;
	r->signo = res->signo;
	r->timed_out = res->timed_out;
	r->duration_ms = res->duration_ms;
	r->output = res->out;
	r->output_len = res->out_len;
	r->output_cut = res->out_cut;
}

int
hooklog_append(const struct conf *c, const struct hooklog_rec *rec)
{
	struct logfile	 lf;
	struct buf	 b;
	int		 rc = -1;

	buf_init(&b);
	hooklog_format(&b, rec);
	logfile_init(&lf, c->hook_log, c->log_max_bytes, c->log_keep);
	if (buf_ok(&b))
		rc = logfile_append(&lf, b.data, b.len, c->log_fsync);
	if (rc == -1)
		fprintf(stderr, "ekahook: %s: cannot append: %s\n",
		    c->hook_log, strerror(errno));
	logfile_close(&lf);
	free(lf.path);
	buf_free(&b);
	return rc;
}

void
hooklog_format(struct buf *b, const struct hooklog_rec *r)
{
	buf_puts(b, "{\"finished_at\":");
	buf_json_cstr(b, r->finished_at);
	/* ekahook(8) "Alerts": an alert's run names its kind instead. */
	if (r->alert != NULL) {
		buf_puts(b, ",\"alert\":");
		buf_json_cstr(b, r->alert);
	} else {
		buf_puts(b, ",\"request_id\":");
		buf_json_cstr(b, r->request_id);
	}
	buf_puts(b, ",\"event\":");
	if (r->event != NULL)
		hooklog_json_text(b, r->event, strlen(r->event), false);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"hook\":");
	hooklog_json_text(b, r->hook, strlen(r->hook), false);
	buf_printf(b, ",\"attempt\":%u", r->attempt);
	null_or_int(b, "exit", r->exit_code, r->exit_code < 0);
	null_or_int(b, "signal", r->signo, r->signo == 0);
	buf_puts(b, r->timed_out ? ",\"timed_out\":true" :
	    ",\"timed_out\":false");
	buf_printf(b, ",\"duration_ms\":%lld", r->duration_ms);
	buf_puts(b, ",\"output\":");
	hooklog_json_text(b, r->output != NULL ? r->output : "",
	    r->output_len, r->output_cut);
	if (r->env_omitted > 0)
		buf_printf(b, ",\"env_omitted\":%zu", r->env_omitted);
	buf_puts(b, "}\n");
}

int
hooklog_parse(const char *line, size_t len, struct hooklog_entry *e)
{
	cJSON		*root;
	const cJSON	*id, *att, *ex, *sg, *to;
	int		 rc = -1;

	memset(e, 0, sizeof(*e));
	if ((root = cJSON_ParseWithLength(line, len)) == NULL)
		return -1;
	id = cJSON_GetObjectItemCaseSensitive(root, "request_id");
	att = cJSON_GetObjectItemCaseSensitive(root, "attempt");
	ex = cJSON_GetObjectItemCaseSensitive(root, "exit");
	sg = cJSON_GetObjectItemCaseSensitive(root, "signal");
	to = cJSON_GetObjectItemCaseSensitive(root, "timed_out");
	if (!cJSON_IsString(id) || !reqline_id_ok(id->valuestring) ||
	    !cJSON_IsNumber(att) || att->valuedouble < 0 ||
	    att->valuedouble > 1e9 || !cJSON_IsBool(to))
		goto done;
	snprintf(e->request_id, sizeof(e->request_id), "%s", id->valuestring);
	e->attempt = (unsigned)att->valuedouble;
	e->ok = cJSON_IsNumber(ex) && ex->valuedouble == 0 &&
	    cJSON_IsNull(sg) && cJSON_IsFalse(to);
	rc = 0;
done:
	cJSON_Delete(root);
	return rc;
}
