/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha2.h>

#include "record.h"

static void	json_opt_str(struct buf *, const char *);

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
record_notes(struct buf *b, const struct notes *ns)
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
	buf_putc(b, ']');
}

void
record_accept(struct buf *b, const struct accept_rec *r)
{
	buf_puts(b, "{\"received_at\":");
	buf_json_cstr(b, r->received_at);
	buf_puts(b, ",\"request_id\":");
	buf_json_cstr(b, r->request_id);
	buf_puts(b, ",\"remote_addr\":");
	json_opt_str(b, r->remote_addr);
	buf_puts(b, r->verified ? ",\"signature\":\"verified\"" :
	    ",\"signature\":\"unsigned\"");
	buf_puts(b, r->duplicate ? ",\"duplicate\":true" :
	    ",\"duplicate\":false");
	buf_puts(b, ",\"warnings\":");
	record_notes(b, r->warnings);
	buf_puts(b, ",\"event\":");
	buf_append(b, r->event, r->event_len);
	buf_puts(b, "}\n");
}

void
record_reject(struct buf *b, const struct reject_rec *r)
{
	char	 hex[65], *b64;
	size_t	 n;

	buf_puts(b, "{\"received_at\":");
	buf_json_cstr(b, r->received_at);
	buf_puts(b, ",\"request_id\":");
	buf_json_cstr(b, r->request_id);
	buf_puts(b, ",\"remote_addr\":");
	json_opt_str(b, r->remote_addr);
	buf_printf(b, ",\"status\":%d,\"error\":", r->status);
	buf_json_cstr(b, r->error);
	buf_puts(b, ",\"details\":");
	record_notes(b, r->details);
	buf_printf(b, ",\"body_bytes\":%zu", r->body_bytes);
	if (r->body != NULL) {
		record_sha256_hex(r->body, r->body_bytes, hex);
		buf_puts(b, ",\"body_sha256\":\"");
		buf_puts(b, hex);
		buf_putc(b, '"');
	}
	if (r->body != NULL && r->keep_body) {
		if (record_utf8_valid(r->body, r->body_bytes)) {
			buf_puts(b, ",\"body\":");
			buf_json_str(b, r->body, r->body_bytes);
		} else {
			n = BASE64_ENCODE_RAW_LENGTH(r->body_bytes);
			if ((b64 = malloc(n + 1)) == NULL) {
				b->broken = true;
				return;
			}
			base64_encode_raw(b64, r->body_bytes,
			    (const uint8_t *)r->body);
			buf_puts(b, ",\"body_base64\":\"");
			buf_append(b, b64, n);
			free(b64);
			buf_putc(b, '"');
		}
	}
	buf_puts(b, "}\n");
}

bool
record_utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, k;

	for (i = 0; i < n; i += k)
		if ((k = buf_utf8_len(p + i, n - i)) == 0)
			return false;
	return true;
}

void
record_sha256(const char *p, size_t n, unsigned char out[32])
{
	struct sha256_ctx	 ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, n, (const uint8_t *)p);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

void
record_sha256_hex(const char *p, size_t n, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t			 d[SHA256_DIGEST_SIZE];
	size_t			 i;

	record_sha256(p, n, d);
	for (i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}
