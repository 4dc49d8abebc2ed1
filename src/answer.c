/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <stddef.h>

#include "answer.h"
#include "reqline.h"

struct answer_def {
	int		 status;
	const char	*error;
	const char	*message;
};

/* ekahook(8) "Requests", the list, in the order of enum answer_kind. */
static const struct answer_def defs[ANS_COUNT] = {
	[ANS_OK] =		{ 200, NULL, NULL },
	[ANS_HEALTH] =		{ 200, NULL, NULL },
	[ANS_METHOD] =		{ 405, "method_not_allowed",
	    "Only POST, GET and HEAD are allowed." },
	[ANS_ADDRESS] =		{ 403, "address_not_allowed",
	    "This address may not post events here." },
	[ANS_MEDIA_TYPE] =	{ 415, "unsupported_media_type",
	    "The body must be sent as Content-Type: application/json." },
	[ANS_TOO_LARGE] =	{ 413, "body_too_large",
	    "The body is larger than max_body_bytes." },
	[ANS_SIG_MISSING] =	{ 401, "signature_missing",
	    "The Eka-Webhook-Signature header is missing." },
	[ANS_SIG_INVALID] =	{ 401, "signature_invalid",
	    "The Eka-Webhook-Signature header does not match the body." },
	[ANS_SIG_EXPIRED] =	{ 401, "signature_expired",
	    "The Eka-Webhook-Signature timestamp is outside the allowed tolerance." },
	[ANS_INVALID_JSON] =	{ 400, "invalid_json",
	    "The body is not one JSON value in UTF-8." },
	[ANS_DUPLICATE_KEY] =	{ 400, "duplicate_key",
	    "An object in the body repeats a key." },
	[ANS_NOT_OBJECT] =	{ 400, "not_an_object",
	    "The top level of the body is not a JSON object." },
	[ANS_TOO_DEEP] =	{ 400, "too_deep",
	    "The body nests more than 64 objects and arrays." },
	[ANS_INVALID_EVENT] =	{ 422, "invalid_event",
	    "The event does not match the schema; see details." },
	[ANS_STORAGE] =		{ 503, "storage_unavailable",
	    "The event could not be stored; retry later." },
	[ANS_CONFIG] =		{ 500, "config_error",
	    "The receiver's configuration is invalid; see the server's error log." },
};

static const struct {
	int		 status;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 405, "Method Not Allowed" },
	{ 413, "Payload Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Entity" },
	{ 500, "Internal Server Error" },
	{ 503, "Service Unavailable" },
};

static void	put_uint(struct buf *, unsigned long);

/* Appends v in decimal. */
static void
put_uint(struct buf *b, unsigned long v)
{
	char	 d[24];
	size_t	 i = sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	buf_append(b, d + i, sizeof(d) - i);
}

int
answer_status(enum answer_kind k)
{
	return defs[k].status;
}

const char *
answer_error(enum answer_kind k)
{
	return defs[k].error;
}

const char *
answer_reason(int status)
{
	size_t	 i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

bool
answer_is_logged_reject(enum answer_kind k)
{
	int	 s = defs[k].status;

	return s >= 400 && s < 500 && k != ANS_METHOD && k != ANS_ADDRESS;
}

void
answer_body(struct buf *b, const struct answer *a)
{
	const struct answer_def	*d = &defs[a->kind];

	if (a->kind == ANS_HEALTH) {
		buf_puts(b, "{\"ok\":true,\"service\":\"ekahook\",\"version\":\""
		    PACKAGE_VERSION "\"}");
		return;
	}
	buf_puts(b, d->error == NULL ? "{\"ok\":true,\"request_id\":" :
	    "{\"ok\":false,\"request_id\":");
	buf_json_cstr(b, a->request_id != NULL ? a->request_id : "");
	if (d->error == NULL) {
		buf_puts(b, a->duplicate ? ",\"duplicate\":true}" :
		    ",\"duplicate\":false}");
		return;
	}
	buf_puts(b, ",\"error\":");
	buf_json_cstr(b, d->error);
	buf_puts(b, ",\"message\":");
	buf_json_cstr(b, a->message != NULL ? a->message : d->message);
	buf_puts(b, ",\"details\":");
	reqline_notes(b, a->details);
	buf_putc(b, '}');
}

void
answer_headers(struct buf *b, const struct answer *a, size_t body_len)
{
	int	 s = defs[a->kind].status;

	/* Without printf: this runs for every request. */
	buf_puts(b, "Status: ");
	put_uint(b, (unsigned long)s);
	buf_putc(b, ' ');
	buf_puts(b, answer_reason(s));
	buf_puts(b, "\r\n");
	buf_puts(b, "Content-Type: application/json\r\n");
	buf_puts(b, "Content-Length: ");
	put_uint(b, body_len);
	buf_puts(b, "\r\n");
	buf_puts(b, "Cache-Control: no-store\r\n");
	if (a->kind == ANS_METHOD)
		buf_puts(b, "Allow: POST, GET, HEAD\r\n");
	if (a->kind == ANS_STORAGE)
		buf_puts(b, "Retry-After: 60\r\n");
	buf_puts(b, "\r\n");
}
