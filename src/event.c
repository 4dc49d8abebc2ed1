/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "event.h"

const cJSON *
event_body(const cJSON *root)
{
	const cJSON	*c, *payload = NULL;

	if (!cJSON_IsObject(root))
		return root;
	/* One pass: this runs for every request. */
	for (c = root->child; c != NULL; c = c->next) {
		if (c->string[0] != 'e' && c->string[0] != 'p')
			continue;
		if (strcmp(c->string, "event") == 0 ||
		    strcmp(c->string, "event_type") == 0)
			return root;
		if (strcmp(c->string, "payload") == 0)
			payload = c;
	}
	if (cJSON_IsObject(payload) &&
	    cJSON_GetObjectItemCaseSensitive(payload, "event") != NULL)
		return payload;
	return root;
}

const char *
event_name(const struct json_doc *doc, const cJSON *body)
{
	const cJSON	*e;

	if ((e = cJSON_GetObjectItemCaseSensitive(body, "event")) == NULL)
		e = cJSON_GetObjectItemCaseSensitive(body, "event_type");
	return cJSON_IsString(e) && !json_string_has_nul(doc, e) ?
	    e->valuestring : NULL;
}

static bool
name_byte(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '.' || c == '_' || c == '-');
}

bool
event_name_ok(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (n >= EVENT_NAME_MAX || !name_byte(s[n], n == 0))
			return false;
	return n > 0;
}
