/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "evline.h"
#include "hookenv.h"

static const char	*str_member(const struct json_doc *, const cJSON *,
			    const char *);

static const char *
str_member(const struct json_doc *doc, const cJSON *obj, const char *key)
{
	const cJSON	*it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) && !json_string_has_nul(doc, it) ?
	    it->valuestring : NULL;
}

bool
evline_id_ok(const char *id)
{
	size_t	 n;

	for (n = 0; id[n] != '\0'; n++)
		if (!((id[n] >= '0' && id[n] <= '9') ||
		    (id[n] >= 'a' && id[n] <= 'z') ||
		    (id[n] >= 'A' && id[n] <= 'Z') || id[n] == '-'))
			return false;
	return n > 0 && n < EVLINE_ID_MAX;
}

int
evline_parse(const char *line, size_t len, struct evline *ev)
{
	static const char	 key[] = ",\"event\":";
	struct json_error	 err;
	const cJSON		*dup;
	const char		*p, *end;

	memset(ev, 0, sizeof(*ev));
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len < 2 || line[len - 1] != '}')
		return -1;
	if ((p = memmem(line, len, key, sizeof(key) - 1)) == NULL)
		return -1;
	/* The line is one level around an event of up to JSON_MAX_DEPTH. */
	if (json_parse_depth(line, len, &ev->doc, &err, JSON_MAX_DEPTH + 1) !=
	    JSON_OK)
		return -1;
	ev->event = cJSON_GetObjectItemCaseSensitive(ev->doc.root, "event");
	ev->request_id = str_member(&ev->doc, ev->doc.root, "request_id");
	ev->received_at = str_member(&ev->doc, ev->doc.root, "received_at");
	dup = cJSON_GetObjectItemCaseSensitive(ev->doc.root, "duplicate");
	/* Not a line of ours: a torn line, or a rejected request's line. */
	if (!cJSON_IsObject(ev->event) || ev->request_id == NULL ||
	    ev->received_at == NULL || !cJSON_IsBool(dup) ||
	    !evline_id_ok(ev->request_id)) {
		evline_free(ev);
		return -1;
	}
	ev->duplicate = cJSON_IsTrue(dup);
	ev->name = hookenv_event_name(&ev->doc, ev->event);
	p += sizeof(key) - 1;
	end = line + len - 1;		/* the line's closing brace */
	ev->event_text = p;
	ev->event_len = (size_t)(end - p);
	return 0;
}

void
evline_free(struct evline *ev)
{
	json_doc_free(&ev->doc);
	memset(ev, 0, sizeof(*ev));
}
