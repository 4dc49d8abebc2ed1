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

#include <cjson/cJSON.h>

#include "buf.h"
#include "conf.h"
#include "ctl.h"
#include "ctl_show.h"
#include "job.h"
#include "json.h"
#include "logset.h"
#include "plain.h"
#include "reqline.h"
#include "spool.h"

/*
 * ekahookctl(1) show: what the three logs and the hook queue know of
 * the deliveries an ID names (a request id, or a string value anywhere
 * in the event), each delivery's lines in time order.  It only reads:
 * no directory is made, no job is touched.
 */

#define EVENT_KEY	",\"event\":"

static const char *const box_dir[] = { "", "new", "failed" };

static bool	 same(const char *, size_t, const char *);
static bool	 holds(const cJSON *, const char *);
static bool	 body_holds(const struct show *, const char *, size_t);
static void	 add(struct show *, enum show_kind, const char *, size_t);
static bool	 on_accepted(const char *, size_t, void *);
static bool	 on_same_event(const char *, size_t, void *);
static bool	 on_rejected(const char *, size_t, void *);
static bool	 wanted_rid(const struct show *, const char *, size_t);
static bool	 on_hook(const char *, size_t, void *);
static void	 read_log(struct show *, const char *, logset_line_fn);
static int	 entry_cmp(const void *, const void *);
static struct show_delivery *delivery(struct show *, const char *);
static void	 look_spool(const struct show *, struct show_delivery *);
static void	 gather(struct show *);
static int	 show_usage(void);
static int	 print_found(const struct show *, bool);
static void	 say_nothing(const char *);
static void	 show_free(struct show *);

static bool
same(const char *s, size_t n, const char *id)
{
	return strlen(id) == n && memcmp(s, id, n) == 0;
}

/*
 * True when a string value of node, at any depth, is id.  node is
 * cJSON_Parse's tree, which keeps no mark of \u0000: such a string is
 * compared as cJSON cut it, at the NUL.
 */
static bool
holds(const cJSON *node, const char *id)
{
	const cJSON	*it;

	if (cJSON_IsString(node))
		return strcmp(node->valuestring, id) == 0;
	cJSON_ArrayForEach(it, node)
		if (holds(it, id))
			return true;
	return false;
}

/*
 * A reject line's kept body holds id as a string value: judged on the
 * parsed body, or, for a body cut at reject_body_max (not JSON any
 * more), on "id" in its text not followed by a colon (not a key).
 */
static bool
body_holds(const struct show *s, const char *line, size_t len)
{
	cJSON		*root, *tree;
	const cJSON	*body;
	const char	*p, *q;
	bool		 found = false;

	if ((root = cJSON_ParseWithLength(line, len)) == NULL)
		return false;
	body = cJSON_GetObjectItemCaseSensitive(root, "body");
	if (cJSON_IsString(body) && (tree = cJSON_Parse(body->valuestring)) !=
	    NULL) {
		found = holds(tree, s->id);
		cJSON_Delete(tree);
	} else if (cJSON_IsString(body))
		for (p = body->valuestring; !found && (p = strstr(p,
		    s->quoted.data)) != NULL; p = q) {
			for (q = p + s->quoted.len; *q != '\0' &&
			    strchr(" \t\r\n", *q) != NULL; q++)
				;
			found = *q != ':';
		}
	cJSON_Delete(root);
	return found;
}

/* Keeps a matched line of ekahook's; one that is not whole is left out. */
static void
add(struct show *s, enum show_kind k, const char *line, size_t len)
{
	struct json_doc		 doc;
	struct json_error	 err;
	struct show_entry	*nv, e;
	const char		*t, *r;
	size_t			 tn, rn;

	memset(&e, 0, sizeof(e));
	t = logline_str(line, len, k == SHOW_HOOK ? "finished_at" :
	    "received_at", &tn);
	r = logline_str(line, len, "request_id", &rn);
	if (t == NULL || r == NULL || rn >= sizeof(e.rid) ||
	    logline_time(t, tn, &e.ms) == -1)
		return;
	memcpy(e.rid, r, rn);
	/* --json carries the line as it is: it must be JSON. */
	if (!reqline_id_ok(e.rid) || json_parse_depth(line, len, &doc, &err,
	    JSON_MAX_DEPTH + 1) != JSON_OK)
		return;
	json_doc_free(&doc);
	e.kind = k;
	e.seq = s->n;
	e.len = len;
	e.line = strndup(line, len);
	e.file = strdup(s->file);
	if (e.line == NULL || e.file == NULL ||
	    (nv = realloc(s->v, (s->n + 1) * sizeof(*nv))) == NULL) {
		free(e.line);
		free(e.file);
		s->nomem = true;
		return;
	}
	s->v = nv;
	s->v[s->n++] = e;
}

/* log_file: the id's own line, or an event holding id as a value. */
static bool
on_accepted(const char *line, size_t len, void *arg)
{
	struct show	*s = arg;
	struct reqline	 ev;
	const char	*r;
	size_t		 rn;
	bool		 own;

	r = logline_str(line, len, "request_id", &rn);
	own = r != NULL && same(r, rn, s->id);
	if (!own && memmem(line, len, s->quoted.data, s->quoted.len) == NULL)
		return false;
	if (reqline_parse(line, len, &ev) == -1)
		return false;
	if (own && s->text == NULL &&
	    (s->text = strndup(ev.event_text, ev.event_len)) != NULL)
		s->text_len = ev.event_len;
	if (own || holds(ev.event, s->id))
		add(s, ev.duplicate ? SHOW_DUPLICATE : SHOW_ACCEPTED, line,
		    len);
	reqline_free(&ev);
	return false;
}

/* log_file again: the other deliveries of the same bytes (duplicates). */
static bool
on_same_event(const char *line, size_t len, void *arg)
{
	struct show	*s = arg;
	const char	*p, *r;
	size_t		 rn;

	if ((p = memmem(line, len, EVENT_KEY, sizeof(EVENT_KEY) - 1)) == NULL)
		return false;
	p += sizeof(EVENT_KEY) - 1;
	if ((size_t)(line + len - 1 - p) != s->text_len ||
	    memcmp(p, s->text, s->text_len) != 0 ||
	    (r = logline_str(line, len, "request_id", &rn)) == NULL ||
	    wanted_rid(s, r, rn))
		return false;
	add(s, logline_true(line, len, "duplicate") ? SHOW_DUPLICATE :
	    SHOW_ACCEPTED, line, len);
	return false;
}

/* reject_file: the id's own line, or a kept body holding id. */
static bool
on_rejected(const char *line, size_t len, void *arg)
{
	struct show	*s = arg;
	const char	*r;
	size_t		 rn;

	r = logline_str(line, len, "request_id", &rn);
	if ((r != NULL && same(r, rn, s->id)) || (memmem(line, len,
	    s->inbody.data, s->inbody.len) != NULL &&
	    body_holds(s, line, len)))
		add(s, SHOW_REJECTED, line, len);
	return false;
}

/* The id itself, or the request id of an event found. */
static bool
wanted_rid(const struct show *s, const char *r, size_t rn)
{
	size_t	 i;

	if (same(r, rn, s->id))
		return true;
	for (i = 0; i < s->n; i++)
		if (s->v[i].kind != SHOW_REJECTED && same(r, rn, s->v[i].rid))
			return true;
	return false;
}

/* hook_log: runs of the events found; an alert's run has no request_id. */
static bool
on_hook(const char *line, size_t len, void *arg)
{
	struct show	*s = arg;
	const char	*r;
	size_t		 rn;

	if ((r = logline_str(line, len, "request_id", &rn)) != NULL &&
	    wanted_rid(s, r, rn))
		add(s, SHOW_HOOK, line, len);
	return false;
}

/* Every file of one log, rotated ones first (oldest first). */
static void
read_log(struct show *s, const char *path, logset_line_fn fn)
{
	char		**names;
	size_t		 n, i;
	long long	 off;

	if (path == NULL)
		return;
	if (logset_list(path, s->c.log_keep, &names, &n) == -1) {
		s->nomem = true;
		return;
	}
	for (i = 0; i < n; i++) {
		off = 0;
		s->file = names[i];
		if (logset_lines(names[i], &off, fn, s) == LOGSET_ERROR)
			fprintf(stderr, "ekahookctl: %s: %s\n", names[i],
			    strerror(errno));
	}
	s->file = NULL;
	logset_free(names, n);
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct show_entry	*x = a, *y = b;

	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The delivery of request id rid, added when new; NULL when out of memory. */
static struct show_delivery *
delivery(struct show *s, const char *rid)
{
	struct show_delivery	*nd;
	size_t			 i;

	for (i = 0; i < s->nd; i++)
		if (strcmp(s->d[i].rid, rid) == 0)
			return &s->d[i];
	if ((nd = realloc(s->d, (s->nd + 1) * sizeof(*nd))) == NULL) {
		s->nomem = true;
		return NULL;
	}
	s->d = nd;
	memset(&nd[s->nd], 0, sizeof(*nd));
	snprintf(nd[s->nd].rid, sizeof(nd->rid), "%s", rid);
	look_spool(s, &nd[s->nd]);
	return &nd[s->nd++];
}

/* ekahook(8) "The hook queue": new/<rid> or failed/<rid>, tries/<rid>. */
static void
look_spool(const struct show *s, struct show_delivery *d)
{
	char		 name[REQLINE_ID_MAX + 16], tries[PATH_MAX];
	char		 text[JOB_TEXT_MAX];
	struct stat	 st;
	enum show_box	 b;
	ssize_t		 n;
	int		 fd;

	for (b = SHOW_WAITING; b <= SHOW_FAILED && d->box == SHOW_NONE; b++) {
		snprintf(name, sizeof(name), "%s/%s", box_dir[b], d->rid);
		if (spool_path(d->path, sizeof(d->path), s->c.state_dir,
		    name) == 0 && stat(d->path, &st) == 0)
			d->box = b;
	}
	if (d->box == SHOW_NONE)
		d->path[0] = '\0';
	snprintf(name, sizeof(name), "tries/%s", d->rid);
	if (spool_path(tries, sizeof(tries), s->c.state_dir, name) == 0 &&
	    (fd = open(tries, O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, text, sizeof(text));
		if (n <= 0 || job_parse(text, (size_t)n, &d->job) == -1)
			memset(&d->job, 0, sizeof(d->job));
		close(fd);
	}
	d->attempts = d->job.attempts;
}

/* Reads the three logs, then groups what was found by request id. */
static void
gather(struct show *s)
{
	struct show_delivery	*d;
	long long		 a;
	size_t			 i, nd;

	read_log(s, s->c.log_file, on_accepted);
	if (s->text != NULL)
		read_log(s, s->c.log_file, on_same_event);
	read_log(s, s->c.reject_file, on_rejected);
	read_log(s, s->c.hook_log, on_hook);
	if (s->n > 0)
		qsort(s->v, s->n, sizeof(*s->v), entry_cmp);
	for (i = 0; i < s->n; i++) {
		if ((d = delivery(s, s->v[i].rid)) == NULL)
			return;
		if (s->v[i].kind == SHOW_HOOK && logline_int(s->v[i].line,
		    s->v[i].len, "attempt", &a) == 0 && a > d->attempts &&
		    a <= UINT_MAX)
			d->attempts = (unsigned)a;
	}
	/* A request id still in the queue, its lines gone with old logs. */
	nd = s->nd;
	if (reqline_id_ok(s->id) && (d = delivery(s, s->id)) != NULL &&
	    s->nd > nd && d->box == SHOW_NONE)
		s->nd--;
}

static int
show_usage(void)
{
	fprintf(stderr, "usage: ekahookctl show ID [--config FILE] "
	    "[--json]\n  ID: a request id, or a string value of the "
	    "event (an appointment_id, …)\n");
	return 2;
}

/* What was found, on standard output.  0, or -1 when it cannot be. */
static int
print_found(const struct show *s, bool json)
{
	struct buf	 b;
	int		 rc = 0;

	buf_init(&b);
	if (json)
		rc = show_put_json(&b, s);
	else
		show_put_person(&b, s);
	if (rc == -1 || !buf_ok(&b) || fwrite(b.data, 1, b.len, stdout) !=
	    b.len || fflush(stdout) != 0)
		rc = -1;
	buf_free(&b);
	return rc;
}

/* The ID came from a person, maybe pasted from a log: made safe too. */
static void
say_nothing(const char *id)
{
	struct buf	 b;

	buf_init(&b);
	buf_puts(&b, "ekahookctl: nothing matches ");
	plain_text(&b, id, strlen(id));
	buf_puts(&b, " in the logs or the hook queue\n");
	if (buf_ok(&b))
		fwrite(b.data, 1, b.len, stderr);
	buf_free(&b);
}

static void
show_free(struct show *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].line);
		free(s->v[i].file);
	}
	free(s->v);
	free(s->d);
	free(s->text);
	buf_free(&s->quoted);
	buf_free(&s->inbody);
	conf_free(&s->c);
}

/* ekahookctl show ID [--config FILE] [--json] */
int
ctl_show(int argc, char **argv)
{
	struct show	 s;
	const char	*config = NULL;
	bool		 json = false;
	int		 a, rc = 1;

	memset(&s, 0, sizeof(s));
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			json = true;
		else if (strcmp(argv[a], "--config") == 0 && a + 1 < argc)
			config = argv[++a];
		else if (s.id == NULL && strcmp(argv[a], "--") == 0 &&
		    a + 1 < argc)
			s.id = argv[++a];
		else if (s.id == NULL && argv[a][0] != '-')
			s.id = argv[a];
		else
			return show_usage();
	}
	if (s.id == NULL || s.id[0] == '\0')
		return show_usage();
	if (ctl_load_conf(config, &s.c) == -1)
		return 1;
	buf_init(&s.quoted);
	buf_init(&s.inbody);
	buf_json_cstr(&s.quoted, s.id);
	buf_json_str(&s.inbody, s.quoted.data, s.quoted.len);
	if (buf_cstr(&s.quoted) == NULL || buf_cstr(&s.inbody) == NULL)
		s.nomem = true;
	else {
		/* Inside a body the line's quotes are its own: \"id\". */
		memmove(s.inbody.data, s.inbody.data + 1, s.inbody.len - 2);
		s.inbody.len -= 2;
		gather(&s);
	}
	if (s.nomem)
		fprintf(stderr, "ekahookctl: out of memory\n");
	else if (s.nd == 0)
		say_nothing(s.id);
	else if (print_found(&s, json) == 0)
		rc = 0;
	else
		fprintf(stderr, "ekahookctl: cannot write the output\n");
	show_free(&s);
	return rc;
}
