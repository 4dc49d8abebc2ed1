/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl_status.h"
#include "plain.h"
#include "timefmt.h"

/* ekahookctl(1) status: the person's screen, --json, --prometheus. */

static void	 put_safe(struct buf *, const char *);
static void	 json_str_or_null(struct buf *, const char *);
static void	 prom(struct buf *, const char *, const char *);

/* A path or other configured text, safe for a terminal. */
static void
put_safe(struct buf *b, const char *s)
{
	plain_text(b, s, strlen(s));
}

void
status_print_person(struct status *st)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	buf_puts(&b, "configuration   ");
	put_safe(&b, st->file != NULL ? st->file : "(none: defaults)");
	buf_puts(&b, st->conf_ok ? ": ok\n" : ": ");
	if (!st->conf_ok) {
		buf_printf(&b, "%u problem%s\n", st->nproblems,
		    st->nproblems == 1 ? "" : "s");
		plain_text(&b, st->problems.data, st->problems.len);
		fwrite(b.data, 1, b.len, stdout);
		buf_free(&b);
		return;
	}
	for (i = 0; i < 3; i++) {
		struct logstat	*l = &st->logs[i];

		buf_printf(&b, "%-16s", i == 0 ? "log files" : "");
		buf_printf(&b, "%-12s ", l->key);
		if (l->path == NULL) {
			buf_puts(&b, "(none)\n");
			continue;
		}
		put_safe(&b, l->path);
		buf_puts(&b, "  ");
		plain_bytes(&b, l->bytes);
		if (l->rotated > 0) {
			buf_printf(&b, ", %zu rotated: ", l->rotated);
			plain_bytes(&b, l->rotated_bytes);
		}
		buf_puts(&b, l->writable ? "\n" : "  NOT WRITABLE\n");
	}
	buf_puts(&b, "free disk       ");
	if (st->have_free)
		plain_bytes(&b, st->free_bytes);
	else
		buf_puts(&b, "unknown");
	buf_puts(&b, "\nlast event      ");
	if (st->last_event > 0) {
		struct timespec	 ts = { st->last_event / 1000,
		    st->last_event % 1000 * 1000000 };
		char		 t[64];
		struct tm	 tm;

		gmtime_r(&ts.tv_sec, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
		buf_printf(&b, "%s (", t);
		plain_age(&b, (st->now - st->last_event) / 1000);
		buf_puts(&b, ")");
	} else
		buf_puts(&b, "none yet");
	buf_printf(&b, "\nlast 24 hours   accepted %lu, duplicate %lu, "
	    "rejected %lu", st->accepted, st->duplicate, st->rejected);
	for (i = 0; i < st->nerrs; i++)
		buf_printf(&b, "%s%s %lu", i == 0 ? " (" : ", ",
		    st->errs[i].name, st->errs[i].n);
	buf_puts(&b, st->nerrs > 0 ? ")\n" : "\n");
	buf_printf(&b, "hooks waiting   %lu", st->waiting);
	if (st->oldest_waiting > 0) {
		buf_puts(&b, " (oldest received ");
		plain_age(&b, (st->now - st->oldest_waiting) / 1000);
		buf_puts(&b, ")");
	}
	buf_printf(&b, "\ndead letters    %lu", st->dead);
	if (st->dead > 0)
		buf_puts(&b, " (ekahookctl replay --failed runs them again)");
	buf_printf(&b, "\nhook runs 24 h  ok %lu, failed %lu; alerts %lu\n",
	    st->runs_ok, st->runs_failed, st->alerts);
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

static void
json_str_or_null(struct buf *b, const char *s)
{
	if (s != NULL)
		buf_json_cstr(b, s);
	else
		buf_puts(b, "null");
}

void
status_print_json(struct status *st, const struct buf *problems)
{
	struct buf	 b;
	size_t		 i;
	const char	*p, *nl;

	buf_init(&b);
	buf_puts(&b, "{\"config\":{\"file\":");
	json_str_or_null(&b, st->file);
	buf_printf(&b, ",\"ok\":%s,\"problems\":[",
	    st->conf_ok ? "true" : "false");
	for (p = st->problems.data, i = 0; p != NULL && p < st->problems.data +
	    st->problems.len; p = nl + 1, i++) {
		nl = memchr(p, '\n', (size_t)(st->problems.data +
		    st->problems.len - p));
		if (nl == NULL)
			break;
		if (i > 0)
			buf_putc(&b, ',');
		buf_json_str(&b, p, (size_t)(nl - p));
	}
	buf_puts(&b, "]}");
	if (st->conf_ok) {
		buf_puts(&b, ",\"logs\":{");
		for (i = 0; i < 3; i++) {
			struct logstat	*l = &st->logs[i];

			buf_printf(&b, "%s\"%s\":", i > 0 ? "," : "", l->key);
			if (l->path == NULL) {
				buf_puts(&b, "null");
				continue;
			}
			buf_puts(&b, "{\"path\":");
			buf_json_cstr(&b, l->path);
			buf_printf(&b, ",\"bytes\":%llu,\"rotated\":%zu,"
			    "\"rotated_bytes\":%llu,\"writable\":%s}",
			    l->bytes, l->rotated, l->rotated_bytes,
			    l->writable ? "true" : "false");
		}
		buf_puts(&b, "},\"free_bytes\":");
		if (st->have_free)
			buf_printf(&b, "%llu", st->free_bytes);
		else
			buf_puts(&b, "null");
		buf_puts(&b, ",\"last_event\":");
		if (st->last_event > 0) {
			struct timespec	 ts = { st->last_event / 1000,
			    st->last_event % 1000 * 1000000 };
			char		 t[64];

			timefmt_iso_ms(&ts, t);
			buf_printf(&b, "{\"received_at\":\"%s\","
			    "\"age_seconds\":%lld}", t,
			    (st->now - st->last_event) / 1000);
		} else
			buf_puts(&b, "null");
		buf_printf(&b, ",\"last_24h\":{\"accepted\":%lu,"
		    "\"duplicate\":%lu,\"rejected\":%lu,\"rejects\":{",
		    st->accepted, st->duplicate, st->rejected);
		for (i = 0; i < st->nerrs; i++) {
			buf_puts(&b, i > 0 ? "," : "");
			buf_json_cstr(&b, st->errs[i].name);
			buf_printf(&b, ":%lu", st->errs[i].n);
		}
		buf_printf(&b, "},\"hook_runs_ok\":%lu,"
		    "\"hook_runs_failed\":%lu,\"alerts\":%lu},\"hooks\":{\"waiting\":%lu,"
		    "\"oldest_waiting_seconds\":", st->runs_ok,
		    st->runs_failed, st->alerts, st->waiting);
		if (st->oldest_waiting > 0)
			buf_printf(&b, "%lld",
			    (st->now - st->oldest_waiting) / 1000);
		else
			buf_puts(&b, "null");
		buf_printf(&b, ",\"dead_letters\":%lu}", st->dead);
	}
	if (problems != NULL) {
		buf_puts(&b, ",\"check\":[");
		for (p = problems->data, i = 0; p != NULL &&
		    p < problems->data + problems->len; p = nl + 1, i++) {
			nl = memchr(p, '\n', (size_t)(problems->data +
			    problems->len - p));
			if (nl == NULL)
				break;
			if (i > 0)
				buf_putc(&b, ',');
			buf_json_str(&b, p, (size_t)(nl - p));
		}
		buf_putc(&b, ']');
	}
	buf_puts(&b, "}\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

/* One metric: its HELP, TYPE and value lines. */
static void
prom(struct buf *b, const char *name, const char *help)
{
	buf_printf(b, "# HELP ekahook_%s %s\n# TYPE ekahook_%s gauge\n",
	    name, help, name);
}

void
status_print_prom(struct status *st)
{
	struct buf	 b;
	size_t		 i, k;

	buf_init(&b);
	prom(&b, "config_ok", "1 when the configuration loads, 0 when not.");
	buf_printf(&b, "ekahook_config_ok %d\n", st->conf_ok ? 1 : 0);
	if (st->conf_ok) {
		prom(&b, "requests_24h",
		    "Requests of the last 24 hours, by outcome.");
		buf_printf(&b,
		    "ekahook_requests_24h{outcome=\"accepted\"} %lu\n"
		    "ekahook_requests_24h{outcome=\"duplicate\"} %lu\n"
		    "ekahook_requests_24h{outcome=\"rejected\"} %lu\n",
		    st->accepted, st->duplicate, st->rejected);
		prom(&b, "rejects_24h",
		    "Rejected requests of the last 24 hours, by error.");
		for (i = 0; i < st->nerrs; i++) {
			/* A label value of [a-z0-9_] only: nothing to escape. */
			k = strspn(st->errs[i].name,
			    "abcdefghijklmnopqrstuvwxyz0123456789_");
			if (st->errs[i].name[k] == '\0')
				buf_printf(&b, "ekahook_rejects_24h"
				    "{error=\"%s\"} %lu\n", st->errs[i].name,
				    st->errs[i].n);
		}
		prom(&b, "hook_runs_24h",
		    "Hook runs of the last 24 hours, by result.");
		buf_printf(&b, "ekahook_hook_runs_24h{result=\"ok\"} %lu\n"
		    "ekahook_hook_runs_24h{result=\"failed\"} %lu\n",
		    st->runs_ok, st->runs_failed);
		prom(&b, "hooks_waiting", "Events in state_dir/hooks/new.");
		buf_printf(&b, "ekahook_hooks_waiting %lu\n", st->waiting);
		prom(&b, "hooks_oldest_waiting_seconds",
		    "Age of the oldest waiting event, 0 when none waits.");
		buf_printf(&b, "ekahook_hooks_oldest_waiting_seconds %lld\n",
		    st->oldest_waiting > 0 ?
		    (st->now - st->oldest_waiting) / 1000 : 0);
		prom(&b, "hooks_dead_letters",
		    "Events in state_dir/hooks/failed.");
		buf_printf(&b, "ekahook_hooks_dead_letters %lu\n", st->dead);
		prom(&b, "last_event_timestamp_seconds",
		    "Unix time of the last event received, 0 when none.");
		buf_printf(&b, "ekahook_last_event_timestamp_seconds "
		    "%lld.%03lld\n", st->last_event / 1000,
		    st->last_event % 1000);
		if (st->have_free) {
			prom(&b, "log_free_bytes",
			    "Free bytes of the file system holding log_file.");
			buf_printf(&b, "ekahook_log_free_bytes %llu\n",
			    st->free_bytes);
		}
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
}

/* ekahookctl(1) status --check: one line per threshold crossed. */
void
status_check(struct status *st, const struct status_opts *o,
    struct buf *out)
{
	size_t	 i;

	if (!st->conf_ok) {
		buf_printf(out, "configuration: %u problem%s\n",
		    st->nproblems, st->nproblems == 1 ? "" : "s");
		plain_text(out, st->problems.data, st->problems.len);
		return;
	}
	for (i = 0; i < 3; i++)
		if (st->logs[i].path != NULL && !st->logs[i].writable) {
			buf_printf(out, "%s: ", st->logs[i].key);
			put_safe(out, st->logs[i].path);
			buf_puts(out, " cannot be written\n");
		}
	if ((long long)st->dead > o->max_failed)
		buf_printf(out, "dead letters: %lu in state_dir/hooks/failed "
		    "(more than --max-failed %lld)\n", st->dead, o->max_failed);
	if (st->oldest_waiting > 0 &&
	    st->now - st->oldest_waiting > o->max_waiting * 1000)
		buf_printf(out, "a hook has waited %lld s (more than "
		    "--max-waiting %lld s)\n",
		    (st->now - st->oldest_waiting) / 1000, o->max_waiting);
	if (o->max_silence >= 0 && (st->last_event == 0 ||
	    st->now - st->last_event > o->max_silence * 1000)) {
		if (st->last_event == 0)
			buf_printf(out, "no event received yet (--max-silence "
			    "%lld s)\n", o->max_silence);
		else
			buf_printf(out, "no event for %lld s (more than "
			    "--max-silence %lld s)\n",
			    (st->now - st->last_event) / 1000, o->max_silence);
	}
}
