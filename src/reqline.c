/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha2.h>

#include "hookenv.h"
#include "reqline.h"

#define REJECT_ROOM	64	/* bytes of escapes given back for the line */

static void		 put_head(struct buf *, const char *, const char *,
			    const char *);
static void		 json_opt_str(struct buf *, const char *);
static void		 reject_body(struct buf *, const struct reject_rec *);
static const char	*str_member(const struct json_doc *, const cJSON *,
			    const char *);

/*
 * At most body_max bytes of the body: as text when the whole body is
 * UTF-8 (cut back to a character's start), else as base64.  A stranger
 * must not be able to make a line much longer than that.
 */
static void
reject_body(struct buf *b, const struct reject_rec *r)
{
	size_t	 n = r->body_bytes, e, start, esc;
	char	*b64;

	if (n > r->body_max)
		n = r->body_max;
	if (reqline_utf8_valid(r->body, r->body_bytes)) {
		buf_puts(b, ",\"body\":");
		start = b->len;
		for (;;) {
			while (n < r->body_bytes && n > 0 &&
			    ((unsigned char)r->body[n] & 0xc0) == 0x80)
				n--;
			buf_json_str(b, r->body, n);
			/*
			 * A cut body of escapes only (six bytes each) leaves
			 * room for the rest of the line within body_max * 6
			 * + 300 bytes, whatever the remote address.
			 */
			esc = b->len - start;
			if (n == r->body_bytes || b->broken ||
			    r->body_max * 6 <= REJECT_ROOM ||
			    esc <= r->body_max * 6 - REJECT_ROOM ||
			    n <= REJECT_ROOM)
				break;
			b->len = start;
			n -= (esc - (r->body_max * 6 - REJECT_ROOM)) / 6 + 1;
		}
	} else {
		e = BASE64_ENCODE_RAW_LENGTH(n);
		if ((b64 = malloc(e + 1)) == NULL) {
			b->broken = true;
			return;
		}
		base64_encode_raw(b64, n, (const uint8_t *)r->body);
		buf_puts(b, ",\"body_base64\":\"");
		buf_append(b, b64, e);
		free(b64);
		buf_putc(b, '"');
	}
	if (n < r->body_bytes)
		buf_puts(b, ",\"body_truncated\":true");
}

/* A string, or null when absent. */
static void
json_opt_str(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_puts(b, "null");
	else
		buf_json_cstr(b, s);
}

void
reqline_notes(struct buf *b, const struct notes *ns)
{
	size_t	 i;

	buf_putc(b, '[');
	for (i = 0; ns != NULL && i < ns->n; i++) {
		buf_puts(b, i ? ",{\"field\":" : "{\"field\":");
		buf_json_cstr(b, ns->v[i].field);
		buf_puts(b, ",\"problem\":");
		buf_json_cstr(b, ns->v[i].problem);
		buf_putc(b, '}');
	}
	if (ns != NULL && ns->more > 0)
		buf_printf(b, "%s{\"field\":\"\",\"problem\":\"%zu more "
		    "problems not listed\"}", ns->n ? "," : "", ns->more);
	buf_putc(b, ']');
}

/* The members every line of both logs opens with, in this order. */
static void
put_head(struct buf *b, const char *received_at, const char *request_id,
    const char *remote_addr)
{
	buf_puts(b, "{\"received_at\":");
	buf_json_cstr(b, received_at);
	buf_puts(b, ",\"request_id\":");
	buf_json_cstr(b, request_id);
	buf_puts(b, ",\"remote_addr\":");
	json_opt_str(b, remote_addr);
}

void
reqline_accept(struct buf *b, const struct accept_rec *r)
{
	put_head(b, r->received_at, r->request_id, r->remote_addr);
	buf_puts(b, r->verified ? ",\"signature\":\"verified\"" :
	    ",\"signature\":\"unsigned\"");
	buf_puts(b, r->duplicate ? ",\"duplicate\":true" :
	    ",\"duplicate\":false");
	buf_puts(b, ",\"warnings\":");
	reqline_notes(b, r->warnings);
	buf_puts(b, ",\"event\":");
	buf_append(b, r->event, r->event_len);
	buf_puts(b, "}\n");
}

void
reqline_reject(struct buf *b, const struct reject_rec *r)
{
	char	 hex[65];

	put_head(b, r->received_at, r->request_id, r->remote_addr);
	buf_printf(b, ",\"status\":%d,\"error\":", r->status);
	buf_json_cstr(b, r->error);
	buf_puts(b, ",\"details\":");
	reqline_notes(b, r->details);
	buf_printf(b, ",\"body_bytes\":%zu", r->body_bytes);
	if (r->body != NULL) {
		reqline_sha256_hex(r->body, r->body_bytes, hex);
		buf_puts(b, ",\"body_sha256\":\"");
		buf_puts(b, hex);
		buf_putc(b, '"');
	}
	if (r->body != NULL && r->keep_body && r->body_max > 0)
		reject_body(b, r);
	buf_puts(b, "}\n");
}

bool
reqline_utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, k;

	for (i = 0; i < n; i += k)
		if ((k = buf_utf8_len(p + i, n - i)) == 0)
			return false;
	return true;
}

void
reqline_sha256(const char *p, size_t n, unsigned char out[32])
{
	struct sha256_ctx	 ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, n, (const uint8_t *)p);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

void
reqline_sha256_hex(const char *p, size_t n, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t			 d[SHA256_DIGEST_SIZE];
	size_t			 i;

	reqline_sha256(p, n, d);
	for (i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}

static const char *
str_member(const struct json_doc *doc, const cJSON *obj, const char *key)
{
	const cJSON	*it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) && !json_string_has_nul(doc, it) ?
	    it->valuestring : NULL;
}

bool
reqline_id_ok(const char *id)
{
	size_t	 n;

	for (n = 0; id[n] != '\0'; n++)
		if (!((id[n] >= '0' && id[n] <= '9') ||
		    (id[n] >= 'a' && id[n] <= 'z') ||
		    (id[n] >= 'A' && id[n] <= 'Z') || id[n] == '-'))
			return false;
	return n > 0 && n < REQLINE_ID_MAX;
}

int
reqline_parse(const char *line, size_t len, struct reqline *ev)
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
	    !reqline_id_ok(ev->request_id)) {
		reqline_free(ev);
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
reqline_free(struct reqline *ev)
{
	json_doc_free(&ev->doc);
	memset(ev, 0, sizeof(*ev));
}
