/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "suites.h"

/* A body given with its length, so it may hold NUL bytes. */
struct body {
	const char	*name;
	const char	*s;
	size_t		 n;
};
#define BODY(name, lit)	{ name, lit, sizeof(lit) - 1 }

static enum json_status	parse(const char *, size_t, struct json_doc *);
static enum json_status	parse_str(const char *);
static char		*nest(const char *, const char *, const char *,
			    size_t);
static void		 same_as_cjson(const cJSON *, const cJSON *,
			    const char *);
static void		 expect_number(const struct json_doc *, const cJSON *,
			    const char *);

/* Parses and frees; the status is all that is kept. */
static enum json_status
parse_str(const char *s)
{
	struct json_doc		 doc;
	enum json_status	 st;

	st = parse(s, strlen(s), &doc);
	if (st == JSON_OK)
		json_doc_free(&doc);
	return st;
}

static enum json_status
parse(const char *s, size_t n, struct json_doc *doc)
{
	struct json_error	 err;
	enum json_status	 st;

	st = json_parse(s, n, doc, &err);
	if (st == JSON_OK)
		ck_assert_ptr_nonnull(doc->root);
	else {
		/* A failed parse leaves nothing to free. */
		ck_assert_ptr_null(doc->root);
		ck_assert_ptr_null(doc->min);
		ck_assert_ptr_null(doc->side);
		ck_assert_uint_gt(strlen(err.message), 0);
	}
	return st;
}

/* head repeated depth times, then inner, then tail repeated depth times. */
static char *
nest(const char *head, const char *inner, const char *tail, size_t depth)
{
	size_t	 hl = strlen(head), il = strlen(inner), tl = strlen(tail), i;
	char	*p = malloc(depth * (hl + tl) + il + 1), *q;

	ck_assert_ptr_nonnull(p);
	q = p;
	for (i = 0; i < depth; i++, q += hl)
		memcpy(q, head, hl);
	memcpy(q, inner, il);
	q += il;
	for (i = 0; i < depth; i++, q += tl)
		memcpy(q, tail, tl);
	*q = '\0';
	return p;
}

static const char spaced[] =
    " {\n\t\"a\" : 1.50 ,\r\n \"b\":-0, \"c\": 1E+2 , "
    "\"d\" : 123456789012345678901234567890,"
    " \"e\": \"x\\/y\", \"f\": \"\\u00e9\\u00E9\", "
    "\"g\": \"\\ud83d\\ude00\", \"h\": \"\xc3\xa9\xf0\x9f\x98\x80\","
    " \"i\": [ true , false , null ], \"j\" : { } , \"k\" : [ ] ,"
    " \"l\": \" a b \", \"m\": \"\\\"\\\\\\b\\f\\n\\r\\t\","
    " \"n\": 0.0e-0 } \n";
static const char minified[] =
    "{\"a\":1.50,\"b\":-0,\"c\":1E+2,"
    "\"d\":123456789012345678901234567890,"
    "\"e\":\"x\\/y\",\"f\":\"\\u00e9\\u00E9\","
    "\"g\":\"\\ud83d\\ude00\",\"h\":\"\xc3\xa9\xf0\x9f\x98\x80\","
    "\"i\":[true,false,null],\"j\":{},\"k\":[],"
    "\"l\":\" a b \",\"m\":\"\\\"\\\\\\b\\f\\n\\r\\t\","
    "\"n\":0.0e-0}";

START_TEST(minify_keeps_every_byte_but_insignificant_whitespace)
{
	struct json_doc	 doc;

	ck_assert_int_eq(parse(spaced, sizeof(spaced) - 1, &doc), JSON_OK);
	ck_assert_uint_eq(doc.min_len, sizeof(minified) - 1);
	ck_assert_mem_eq(doc.min, minified, sizeof(minified) - 1);
	ck_assert_int_eq(doc.min[doc.min_len], '\0');
	json_doc_free(&doc);
}
END_TEST

START_TEST(minify_alone_gives_the_same_text_and_depth)
{
	struct json_error	 err;
	char			 out[sizeof(spaced)];
	size_t			 n, depth;

	ck_assert(json_minify(spaced, sizeof(spaced) - 1, out, &n, &depth,
	    &err));
	ck_assert_uint_eq(n, sizeof(minified) - 1);
	ck_assert_mem_eq(out, minified, n);
	ck_assert_uint_eq(depth, 2);
	ck_assert(!json_minify("{\"a\" 1}", 7, out, &n, NULL, &err));
	ck_assert_uint_eq(err.offset, 5);
}
END_TEST

START_TEST(tree_holds_decoded_strings)
{
	struct json_doc	 doc;

	ck_assert_int_eq(parse(spaced, sizeof(spaced) - 1, &doc), JSON_OK);
	ck_assert_str_eq(cJSON_GetObjectItem(doc.root, "e")->valuestring,
	    "x/y");
	ck_assert_str_eq(cJSON_GetObjectItem(doc.root, "f")->valuestring,
	    "\xc3\xa9\xc3\xa9");
	ck_assert_str_eq(cJSON_GetObjectItem(doc.root, "g")->valuestring,
	    "\xf0\x9f\x98\x80");
	ck_assert_str_eq(cJSON_GetObjectItem(doc.root, "h")->valuestring,
	    "\xc3\xa9\xf0\x9f\x98\x80");
	ck_assert_str_eq(cJSON_GetObjectItem(doc.root, "m")->valuestring,
	    "\"\\\b\f\n\r\t");
	json_doc_free(&doc);
}
END_TEST

START_TEST(number_text_is_returned_as_sent)
{
	static const struct {
		const char	*key;
		const char	*text;
	} want[] = {
		{ "a", "1.50" }, { "b", "-0" }, { "c", "1E+2" },
		{ "d", "123456789012345678901234567890" }, { "n", "0.0e-0" },
	};
	struct json_doc	 doc;
	const char	*t;
	size_t		 i, n;

	ck_assert_int_eq(parse(spaced, sizeof(spaced) - 1, &doc), JSON_OK);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		t = json_number_text(&doc,
		    cJSON_GetObjectItem(doc.root, want[i].key), &n);
		ck_assert_ptr_nonnull(t);
		ck_assert_uint_eq(n, strlen(want[i].text));
		ck_assert_mem_eq(t, want[i].text, n);
	}
	/* Not a number: no text. */
	ck_assert_ptr_null(json_number_text(&doc,
	    cJSON_GetObjectItem(doc.root, "e"), &n));
	ck_assert_ptr_null(json_number_text(&doc,
	    cJSON_GetObjectItem(doc.root, "i"), &n));
	json_doc_free(&doc);
}
END_TEST

START_TEST(number_text_survives_numbers_longer_than_a_double)
{
	struct json_doc	 doc;
	char		 digits[1001], *body;
	const cJSON	*arr;
	const char	*t;
	size_t		 n, len;

	memset(digits, '7', 1000);
	digits[1000] = '\0';
	len = strlen(digits) * 2 + 64;
	body = malloc(len);
	ck_assert_ptr_nonnull(body);
	snprintf(body, len, "{\"big\":[%s,-%s.5e-3,1]}", digits, digits);
	ck_assert_int_eq(parse(body, strlen(body), &doc), JSON_OK);
	arr = cJSON_GetObjectItem(doc.root, "big");
	ck_assert_int_eq(cJSON_GetArraySize(arr), 3);
	t = json_number_text(&doc, cJSON_GetArrayItem(arr, 0), &n);
	ck_assert_uint_eq(n, 1000);
	ck_assert_mem_eq(t, digits, 1000);
	t = json_number_text(&doc, cJSON_GetArrayItem(arr, 1), &n);
	ck_assert_uint_eq(n, 1006);
	ck_assert_mem_eq(t + 1001, ".5e-3", 5);
	t = json_number_text(&doc, cJSON_GetArrayItem(arr, 2), &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(t[0], '1');
	ck_assert(!json_is_int64(&doc, cJSON_GetArrayItem(arr, 0)));
	ck_assert(json_is_int64(&doc, cJSON_GetArrayItem(arr, 2)));
	json_doc_free(&doc);
	free(body);
}
END_TEST

static const struct body invalid_bodies[] = {
	BODY("empty", ""),
	BODY("only whitespace", " \n\t\r "),
	BODY("byte order mark", "\xef\xbb\xbf{}"),
	BODY("leading zero", "{\"a\":01}"),
	BODY("leading zero negative", "{\"a\":-01}"),
	BODY("plus sign", "{\"a\":+1}"),
	BODY("bare fraction", "{\"a\":.5}"),
	BODY("trailing dot", "{\"a\":1.}"),
	BODY("dot before exponent", "{\"a\":1.e5}"),
	BODY("empty exponent", "{\"a\":1e}"),
	BODY("signed empty exponent", "{\"a\":1e+}"),
	BODY("lone minus", "{\"a\":-}"),
	BODY("double minus", "{\"a\":--1}"),
	BODY("hex number", "{\"a\":0x10}"),
	BODY("NaN", "{\"a\":NaN}"),
	BODY("Infinity", "{\"a\":Infinity}"),
	BODY("-Infinity", "{\"a\":-Infinity}"),
	BODY("single-quoted key", "{'a':1}"),
	BODY("single-quoted value", "{\"a\":'x'}"),
	BODY("unquoted key", "{a:1}"),
	BODY("number key", "{1:2}"),
	BODY("raw tab in string", "{\"a\":\"x\ty\"}"),
	BODY("raw newline in string", "{\"a\":\"x\ny\"}"),
	BODY("raw NUL in string", "{\"a\":\"x\0y\"}"),
	BODY("raw 0x1f in string", "{\"a\":\"\x1f\"}"),
	BODY("overlong NUL C0 80", "{\"a\":\"\xc0\x80\"}"),
	BODY("overlong C1 BF", "{\"a\":\"\xc1\xbf\"}"),
	BODY("overlong 3 bytes", "{\"a\":\"\xe0\x80\xaf\"}"),
	BODY("overlong 4 bytes", "{\"a\":\"\xf0\x80\x80\xaf\"}"),
	BODY("UTF-8 surrogate ED A0 80", "{\"a\":\"\xed\xa0\x80\"}"),
	BODY("UTF-8 surrogate ED BF BF", "{\"a\":\"\xed\xbf\xbf\"}"),
	BODY("F5 lead byte", "{\"a\":\"\xf5\x80\x80\x80\"}"),
	BODY("FF byte", "{\"a\":\"\xff\"}"),
	BODY("past U+10FFFF", "{\"a\":\"\xf4\x90\x80\x80\"}"),
	BODY("lone continuation byte", "{\"a\":\"\x80\"}"),
	BODY("truncated 2-byte sequence", "{\"a\":\"\xc3\"}"),
	BODY("truncated 3-byte sequence", "{\"a\":\"\xe2\x82\"}"),
	BODY("truncated 4-byte sequence", "{\"a\":\"\xf0\x9f\x98\"}"),
	BODY("truncated sequence at the end", "{\"a\":\"\xe2\x82"),
	BODY("UTF-8 outside strings", "{\"a\":1}\xc3\xa9"),
	BODY("invalid UTF-8 in a key", "{\"\xc0\x80\":1}"),
	BODY("lone high surrogate", "{\"a\":\"\\ud800\"}"),
	BODY("lone low surrogate", "{\"a\":\"\\udc00\"}"),
	BODY("high surrogate then letter", "{\"a\":\"\\ud800\\u0041\"}"),
	BODY("high surrogate then text", "{\"a\":\"\\ud83dxxxxxx\"}"),
	BODY("two high surrogates", "{\"a\":\"\\ud83d\\ud83d\"}"),
	BODY("reversed surrogate pair", "{\"a\":\"\\ude00\\ud83d\"}"),
	BODY("escape \\x", "{\"a\":\"\\x41\"}"),
	BODY("escape \\'", "{\"a\":\"\\'\"}"),
	BODY("escape \\U", "{\"a\":\"\\U0041\"}"),
	BODY("short \\u", "{\"a\":\"\\u12\"}"),
	BODY("non-hex \\u", "{\"a\":\"\\u12G4\"}"),
	BODY("backslash at the end", "{\"a\":\"\\"),
	BODY("unterminated string", "{\"a\":\"abc"),
	BODY("data after the value", "{} {}"),
	BODY("letter after the value", "{}x"),
	BODY("comma after the value", "{},"),
	BODY("NUL after the value", "{}\0"),
	BODY("extra closing brace", "{\"a\":1}}"),
	BODY("trailing comma in object", "{\"a\":1,}"),
	BODY("trailing comma in array", "{\"a\":[1,]}"),
	BODY("missing value", "{\"a\":}"),
	BODY("missing colon", "{\"a\" 1}"),
	BODY("key without value", "{\"a\"}"),
	BODY("lone comma", "{,}"),
	BODY("mismatched brackets", "{\"a\":[1}"),
	BODY("closing bracket alone", "]"),
	BODY("truncated true", "{\"a\":tru}"),
	BODY("capitalised literal", "{\"a\":True}"),
	BODY("comment", "{\"a\":1 /* no */}"),
	BODY("form feed as whitespace", "{\f\"a\":1}"),
	BODY("vertical tab as whitespace", "{\v\"a\":1}"),
	BODY("no-break space as whitespace", "{\xc2\xa0\"a\":1}"),
};

START_TEST(rejects_what_is_not_one_json_value)
{
	const struct body	*b = &invalid_bodies[_i];
	struct json_doc		 doc;
	struct json_error	 err;
	enum json_status	 st;

	st = json_parse(b->s, b->n, &doc, &err);
	ck_assert_msg(st == JSON_INVALID, "%s: status %d, want invalid",
	    b->name, st);
	ck_assert_ptr_null(doc.root);
	ck_assert_msg(strncmp(err.message, "Invalid JSON at byte ", 21) == 0,
	    "%s: message \"%s\"", b->name, err.message);
	ck_assert_uint_le(err.offset, b->n);
}
END_TEST

START_TEST(error_offset_points_at_the_bad_byte)
{
	struct json_doc		 doc;
	struct json_error	 err;

	ck_assert_int_eq(json_parse("{\"a\":x}", 7, &doc, &err), JSON_INVALID);
	ck_assert_uint_eq(err.offset, 5);
	ck_assert_str_eq(err.message,
	    "Invalid JSON at byte 5: unexpected character.");
	ck_assert_int_eq(json_parse("{\"a\":\"\xc0\x80\"}", 10, &doc, &err),
	    JSON_INVALID);
	ck_assert_uint_eq(err.offset, 6);
	ck_assert_int_eq(json_parse("{} x", 4, &doc, &err), JSON_INVALID);
	ck_assert_uint_eq(err.offset, 3);
}
END_TEST

START_TEST(truncation_at_every_byte_of_the_fixture_is_invalid)
{
	struct json_doc	 doc;
	char		*fx;
	size_t		 len, end, i;

	fx = tu_fixture("appointment.created.json", &len);
	end = (size_t)(strrchr(fx, '}') - fx);
	for (i = 0; i <= end; i++)
		ck_assert_msg(parse(fx, i, &doc) == JSON_INVALID,
		    "prefix of %zu bytes accepted", i);
	/* Whatever follows the last brace is whitespace. */
	for (i = end + 1; i <= len; i++) {
		ck_assert_int_eq(parse(fx, i, &doc), JSON_OK);
		json_doc_free(&doc);
	}
	free(fx);
}
END_TEST

START_TEST(duplicate_keys_are_found_wherever_they_are)
{
	static const char *const dup[] = {
		"{\"a\":1,\"a\":2}",
		"{\"a\":1,\"b\":2,\"a\":1}",
		"{\"x\":{\"a\":1,\"a\":2}}",
		"{\"x\":[1,{\"a\":1,\"a\":2}]}",
		"{\"x\":{\"y\":{\"z\":{\"q\":true,\"q\":true}}}}",
		"{\"a\":1,\"\\u0061\":2}",
		"{\"\\u00e9\":1,\"\xc3\xa9\":2}",
		"{\"\\/\":1,\"/\":2}",
		"{\"a\":{},\"a\":[]}",
	};
	static const char *const distinct[] = {
		"{\"a\":1,\"A\":2}",
		"{\"a\":{\"a\":1},\"b\":{\"a\":2}}",
		"{\"x\":[{\"a\":1},{\"a\":2}]}",
		"{\"a\":1,\"a \":2,\" a\":3}",
		"{\"\":1,\"a\":2}",
	};
	size_t	 i;

	for (i = 0; i < sizeof(dup) / sizeof(dup[0]); i++)
		ck_assert_msg(parse_str(dup[i]) == JSON_DUPLICATE_KEY,
		    "not a duplicate: %s", dup[i]);
	for (i = 0; i < sizeof(distinct) / sizeof(distinct[0]); i++)
		ck_assert_msg(parse_str(distinct[i]) == JSON_OK,
		    "not accepted: %s", distinct[i]);
}
END_TEST

/* More than 16 keys take the sorted path; the repeat may be anywhere. */
START_TEST(duplicate_keys_among_many_keys)
{
	char	 body[4096], key[16];
	size_t	 nkeys, dupat;
	int	 pass;

	for (nkeys = 2; nkeys <= 40; nkeys += 19) {
		for (pass = 0; pass < 3; pass++) {
			size_t	 i, n = 0;

			/* pass 0: all distinct; 1: last repeats first; 2: middle. */
			dupat = pass == 1 ? 0 : nkeys / 2;
			n += (size_t)snprintf(body + n, sizeof(body) - n, "{");
			for (i = 0; i < nkeys; i++) {
				snprintf(key, sizeof(key), "k%02zu", i);
				n += (size_t)snprintf(body + n, sizeof(body) - n,
				    "%s\"%s\":%zu", i ? "," : "", key, i);
			}
			if (pass > 0)
				n += (size_t)snprintf(body + n, sizeof(body) - n,
				    ",\"k%02zu\":0", dupat);
			snprintf(body + n, sizeof(body) - n, "}");
			ck_assert_msg(parse_str(body) == (pass == 0 ? JSON_OK :
			    JSON_DUPLICATE_KEY), "%zu keys, pass %d", nkeys, pass);
		}
	}
}
END_TEST

START_TEST(top_level_must_be_an_object)
{
	static const char *const bodies[] = {
		"[]", "[{\"a\":1}]", "1", "-0.5", "\"s\"", "null", "true",
		"false", " [ ] ",
	};
	size_t	 i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		ck_assert_msg(parse_str(bodies[i]) == JSON_NOT_OBJECT,
		    "accepted as an object: %s", bodies[i]);
	ck_assert_int_eq(parse_str("{}"), JSON_OK);
	ck_assert_int_eq(parse_str(" {} "), JSON_OK);
}
END_TEST

/*
 * ekahook(8) "Requests": more than 64 nested objects/arrays, the top
 * level counting 1.
 */
START_TEST(depth_64_is_allowed_and_65_is_too_deep)
{
	char	*b;

	b = nest("{\"a\":", "{}", "}", 63);
	ck_assert_int_eq(parse_str(b), JSON_OK);
	free(b);
	b = nest("{\"a\":", "{}", "}", 64);
	ck_assert_int_eq(parse_str(b), JSON_TOO_DEEP);
	free(b);
	b = nest("[", "{}", "]", 63);
	ck_assert_int_eq(parse_str(b), JSON_NOT_OBJECT);
	free(b);

	/* Arrays count too. */
	b = nest("[", "1", "]", 63);
	{
		size_t	 n = strlen(b) + 8;
		char	*o = malloc(n);

		ck_assert_ptr_nonnull(o);
		snprintf(o, n, "{\"a\":%s}", b);
		ck_assert_int_eq(parse_str(o), JSON_OK);
		free(o);
	}
	free(b);
	b = nest("[", "1", "]", 64);
	{
		size_t	 n = strlen(b) + 8;
		char	*o = malloc(n);

		ck_assert_ptr_nonnull(o);
		snprintf(o, n, "{\"a\":%s}", b);
		ck_assert_int_eq(parse_str(o), JSON_TOO_DEEP);
		free(o);
	}
	free(b);
}
END_TEST

/* Around cJSON's own nesting limit (1000) the answer stays too_deep. */
START_TEST(depth_around_the_cjson_limit_is_too_deep)
{
	size_t	 depth;
	char	*b;

	for (depth = 998; depth <= 1002; depth++) {
		b = nest("{\"a\":", "{}", "}", depth);
		ck_assert_msg(parse_str(b) == JSON_TOO_DEEP, "depth %zu",
		    depth + 1);
		free(b);
	}
}
END_TEST

START_TEST(hostile_nesting_does_not_crash)
{
	size_t	 n = 100000;
	char	*b;

	/* Unclosed: invalid after 100000 levels. */
	b = nest("[", "", "", n);
	ck_assert_int_eq(parse_str(b), JSON_INVALID);
	free(b);
	b = nest("{\"a\":", "", "", n);
	ck_assert_int_eq(parse_str(b), JSON_INVALID);
	free(b);
	/* Closed: too deep, judged before cJSON would recurse. */
	b = nest("[", "", "]", n);
	ck_assert_int_eq(parse_str(b), JSON_TOO_DEEP);
	free(b);
	b = nest("{\"a\":", "1", "}", n);
	ck_assert_int_eq(parse_str(b), JSON_TOO_DEEP);
	free(b);
	/* Short ones, where the nesting is most of the body. */
	for (n = 1; n <= 8; n++) {
		b = nest("[", "", "", n);
		ck_assert_int_eq(parse_str(b), JSON_INVALID);
		free(b);
	}
}
END_TEST

START_TEST(int64_text_edges)
{
	static const struct {
		const char	*t;
		bool		 ok;
	} cases[] = {
		{ "0", true }, { "-0", true }, { "1", true }, { "-1", true },
		{ "9223372036854775807", true },
		{ "-9223372036854775808", true },
		{ "9223372036854775808", false },
		{ "-9223372036854775809", false },
		{ "9999999999999999999", false },
		{ "10000000000000000000", false },
		{ "1000000000000000000", true },
		{ "-1000000000000000000", true },
		{ "00", false }, { "01", false }, { "-00", false },
		{ "-01", false }, { "", false }, { "-", false },
		{ "1.0", false }, { "1e2", false }, { "1E2", false },
		{ "+1", false }, { " 1", false }, { "1 ", false },
		{ "--1", false }, { "0x1", false },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(json_text_is_int64(cases[i].t,
		    strlen(cases[i].t)) == cases[i].ok, "\"%s\"", cases[i].t);
	/* Judged on the given length, not on a NUL. */
	ck_assert(json_text_is_int64("12x", 2));
	ck_assert(!json_text_is_int64("92233720368547758070", 20));
	ck_assert(json_text_is_int64("92233720368547758070", 19));
}
END_TEST

START_TEST(int64_is_judged_on_the_text_of_each_number)
{
	static const char body[] =
	    "{\"a\":1,\"b\":1.0,\"c\":1e2,\"d\":9223372036854775808,"
	    "\"e\":\"1\",\"f\":-9223372036854775808,\"g\":[5,6.5,7],"
	    "\"h\":9007199254740993}";
	struct json_doc	 doc;
	const cJSON	*g;

	ck_assert_int_eq(parse(body, sizeof(body) - 1, &doc), JSON_OK);
	ck_assert(json_is_int64(&doc, cJSON_GetObjectItem(doc.root, "a")));
	ck_assert(!json_is_int64(&doc, cJSON_GetObjectItem(doc.root, "b")));
	ck_assert(!json_is_int64(&doc, cJSON_GetObjectItem(doc.root, "c")));
	ck_assert(!json_is_int64(&doc, cJSON_GetObjectItem(doc.root, "d")));
	ck_assert(!json_is_int64(&doc, cJSON_GetObjectItem(doc.root, "e")));
	ck_assert(json_is_int64(&doc, cJSON_GetObjectItem(doc.root, "f")));
	/* 2^53 + 1 is no double, but it is an int64. */
	ck_assert(json_is_int64(&doc, cJSON_GetObjectItem(doc.root, "h")));
	g = cJSON_GetObjectItem(doc.root, "g");
	ck_assert(json_is_int64(&doc, cJSON_GetArrayItem(g, 0)));
	ck_assert(!json_is_int64(&doc, cJSON_GetArrayItem(g, 1)));
	ck_assert(json_is_int64(&doc, cJSON_GetArrayItem(g, 2)));
	ck_assert(!json_is_int64(&doc, NULL));
	json_doc_free(&doc);
}
END_TEST

START_TEST(string_nul_is_flagged_per_string)
{
	static const char body[] =
	    "{\"a\":\"x\\u0000y\",\"b\":\"xy\",\"c\":[\"ok\",\"\\u0000\"],"
	    "\"d\":\"\\\\u0000\",\"e\":{\"f\":\"\\u0000\"},\"g\":1,"
	    "\"h\":\"\\u0100\"}";
	struct json_doc	 doc;
	const cJSON	*c;

	ck_assert_int_eq(parse(body, sizeof(body) - 1, &doc), JSON_OK);
	ck_assert(json_string_has_nul(&doc,
	    cJSON_GetObjectItem(doc.root, "a")));
	ck_assert(!json_string_has_nul(&doc,
	    cJSON_GetObjectItem(doc.root, "b")));
	c = cJSON_GetObjectItem(doc.root, "c");
	ck_assert(!json_string_has_nul(&doc, cJSON_GetArrayItem(c, 0)));
	ck_assert(json_string_has_nul(&doc, cJSON_GetArrayItem(c, 1)));
	/* An escaped backslash then "u0000" is text, not a NUL. */
	ck_assert(!json_string_has_nul(&doc,
	    cJSON_GetObjectItem(doc.root, "d")));
	ck_assert(json_string_has_nul(&doc, cJSON_GetObjectItem(
	    cJSON_GetObjectItem(doc.root, "e"), "f")));
	ck_assert(!json_string_has_nul(&doc,
	    cJSON_GetObjectItem(doc.root, "g")));
	ck_assert(!json_string_has_nul(&doc,
	    cJSON_GetObjectItem(doc.root, "h")));
	ck_assert_uint_eq(doc.nnul_keys, 0);
	/* The minified text keeps the escape. */
	ck_assert_ptr_nonnull(strstr(doc.min, "\"x\\u0000y\""));
	json_doc_free(&doc);
}
END_TEST

START_TEST(key_nul_is_recorded)
{
	static const char body[] = "{\"ok\":\"\\u0000\",\"k\\u0000ey\":1,"
	    "\"n\":{\"\\u0000\":2}}";
	struct json_doc	 doc;

	ck_assert_int_eq(parse(body, sizeof(body) - 1, &doc), JSON_OK);
	ck_assert_uint_eq(doc.nnul_keys, 2);
	ck_assert(json_string_has_nul(&doc,
	    cJSON_GetObjectItem(doc.root, "ok")));
	/* The value after a NUL key still has its own number text. */
	ck_assert(json_is_int64(&doc, doc.nul_keys[0]));
	json_doc_free(&doc);
}
END_TEST

/* item is a number of doc whose text is want. */
static void
expect_number(const struct json_doc *doc, const cJSON *item, const char *want)
{
	const char	*t;
	size_t		 n = 0;

	ck_assert_msg(cJSON_IsNumber(item), "%s: not a number", want);
	t = json_number_text(doc, item, &n);
	ck_assert_msg(t != NULL, "%s: no text", want);
	ck_assert_msg(n == strlen(want) && memcmp(t, want, n) == 0,
	    "text \"%.*s\", want \"%s\"", (int)n, t, want);
	ck_assert(!json_string_has_nul(doc, item));
}

/*
 * Our tree and cJSON_Parse's of the same body, node by node: every
 * cJSON field as cJSON sets it (valueint included, never a side index).
 */
static void
same_as_cjson(const cJSON *a, const cJSON *b, const char *body)
{
	for (; a != NULL || b != NULL; a = a->next, b = b->next) {
		ck_assert_msg(a != NULL && b != NULL, "%s: node counts differ",
		    body);
		ck_assert_msg(a->type == b->type, "%s: type %d, cJSON %d",
		    body, a->type, b->type);
		if (b->string == NULL)
			ck_assert_ptr_null(a->string);
		else
			ck_assert_str_eq(a->string, b->string);
		if (b->valuestring == NULL)
			ck_assert_ptr_null(a->valuestring);
		else
			ck_assert_str_eq(a->valuestring, b->valuestring);
		ck_assert_msg(a->valueint == b->valueint,
		    "%s: valueint %d, cJSON %d", body, a->valueint, b->valueint);
		ck_assert_msg(memcmp(&a->valuedouble, &b->valuedouble,
		    sizeof(double)) == 0, "%s: valuedouble %.17g, cJSON %.17g",
		    body, a->valuedouble, b->valuedouble);
		same_as_cjson(a->child, b->child, body);
	}
}

static const char edge_numbers[] =
    "{\"a\":1.0,\"b\":1e400,\"c\":-0,\"d\":12345678901234567890,"
    "\"e\":-1e400,\"f\":2147483647,\"g\":2147483648,\"h\":-2147483648,"
    "\"i\":-2147483649,\"j\":2.9,\"k\":-2.9,\"l\":0.1,\"m\":1E-400,"
    "\"n\":123456789012345,\"o\":-0.0,\"p\":[1.0,[1e400,[-0]]]}";

START_TEST(numbers_keep_their_exact_text)
{
	static const struct {
		const char	*key;
		const char	*text;
	} want[] = {
		{ "a", "1.0" }, { "b", "1e400" }, { "c", "-0" },
		{ "d", "12345678901234567890" }, { "e", "-1e400" },
		{ "g", "2147483648" }, { "m", "1E-400" }, { "o", "-0.0" },
	};
	struct json_doc	 doc;
	const cJSON	*p;
	size_t		 i;

	ck_assert_int_eq(parse(edge_numbers, sizeof(edge_numbers) - 1, &doc),
	    JSON_OK);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		expect_number(&doc, cJSON_GetObjectItem(doc.root, want[i].key),
		    want[i].text);
	p = cJSON_GetObjectItem(doc.root, "p");
	expect_number(&doc, cJSON_GetArrayItem(p, 0), "1.0");
	p = cJSON_GetArrayItem(p, 1);
	expect_number(&doc, cJSON_GetArrayItem(p, 0), "1e400");
	expect_number(&doc, cJSON_GetArrayItem(cJSON_GetArrayItem(p, 1), 0),
	    "-0");
	json_doc_free(&doc);
}
END_TEST

/* valueint and valuedouble are cJSON's: saturated, never an index. */
START_TEST(number_fields_are_what_cjson_sets)
{
	struct json_doc	 doc;
	const cJSON	*it;

	ck_assert_int_eq(parse(edge_numbers, sizeof(edge_numbers) - 1, &doc),
	    JSON_OK);
	it = cJSON_GetObjectItem(doc.root, "a");
	ck_assert_int_eq(it->valueint, 1);
	ck_assert(it->valuedouble == 1.0);
	it = cJSON_GetObjectItem(doc.root, "b");
	ck_assert(isinf(it->valuedouble) && it->valuedouble > 0);
	ck_assert_int_eq(it->valueint, INT_MAX);
	it = cJSON_GetObjectItem(doc.root, "c");
	ck_assert(it->valuedouble == 0 && signbit(it->valuedouble));
	ck_assert_int_eq(it->valueint, 0);
	it = cJSON_GetObjectItem(doc.root, "d");
	ck_assert(it->valuedouble == 12345678901234567890.0);
	ck_assert_int_eq(it->valueint, INT_MAX);
	ck_assert_int_eq(cJSON_GetObjectItem(doc.root, "e")->valueint,
	    INT_MIN);
	ck_assert_int_eq(cJSON_GetObjectItem(doc.root, "f")->valueint,
	    INT_MAX);
	ck_assert_int_eq(cJSON_GetObjectItem(doc.root, "h")->valueint,
	    INT_MIN);
	ck_assert_int_eq(cJSON_GetObjectItem(doc.root, "j")->valueint, 2);
	ck_assert_int_eq(cJSON_GetObjectItem(doc.root, "k")->valueint, -2);
	json_doc_free(&doc);
}
END_TEST

START_TEST(every_field_is_what_cjson_parse_sets)
{
	static const char *const bodies[] = {
		edge_numbers, minified,
		"{\"s\":\"x\\u0000y\",\"t\":\"\",\"u\":\"plain\","
		"\"v\":[true,false,null,\"\\u0000\",{},[]],"
		"\"w\":{\"x\":[1,[2,[3.5,\"\\u0000\"]]]},\"k\\u0000\":7}",
	};
	struct json_doc	 doc;
	cJSON		*ref;
	char		*fx;
	size_t		 i, len;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		ck_assert_int_eq(parse(bodies[i], strlen(bodies[i]), &doc),
		    JSON_OK);
		ref = cJSON_Parse(bodies[i]);
		ck_assert_ptr_nonnull(ref);
		same_as_cjson(doc.root, ref, bodies[i]);
		cJSON_Delete(ref);
		json_doc_free(&doc);
	}
	fx = tu_fixture("appointment.created.json", &len);
	ck_assert_int_eq(parse(fx, len, &doc), JSON_OK);
	ref = cJSON_ParseWithLength(fx, len);
	ck_assert_ptr_nonnull(ref);
	same_as_cjson(doc.root, ref, "appointment.created.json");
	cJSON_Delete(ref);
	json_doc_free(&doc);
	free(fx);
}
END_TEST

/*
 * Thousands of numbers, \u0000 strings and plain strings in turn: each
 * node finds its own entry of the side table, and only its own.
 */
START_TEST(side_table_holds_each_node_apart)
{
	enum { N = 3000 };
	struct json_doc	 doc;
	const cJSON	*arr, *it;
	char		*body, want[32];
	size_t		 cap = N * 16 + 16, len, i, n;

	body = malloc(cap);
	ck_assert_ptr_nonnull(body);
	/* Numbers go in as their index with a ".0" a double would lose. */
	len = (size_t)snprintf(body, cap, "{\"a\":[");
	for (i = 0; i < N; i++) {
		if (i > 0)
			body[len++] = ',';
		if (i % 3 == 0)
			len += (size_t)snprintf(body + len, cap - len, "%zu.0",
			    i);
		else
			len += (size_t)snprintf(body + len, cap - len, "%s",
			    i % 3 == 1 ? "\"\\u0000\"" : "\"x\"");
	}
	len += (size_t)snprintf(body + len, cap - len, "]}");
	ck_assert_uint_lt(len, cap);
	ck_assert_int_eq(parse(body, len, &doc), JSON_OK);
	ck_assert_uint_eq(doc.nnul_strs, N / 3);
	arr = cJSON_GetObjectItem(doc.root, "a");
	i = 0;
	cJSON_ArrayForEach(it, arr) {
		if (i % 3 == 0) {
			snprintf(want, sizeof(want), "%zu.0", i);
			expect_number(&doc, it, want);
		} else {
			ck_assert(cJSON_IsString(it));
			ck_assert_ptr_null(json_number_text(&doc, it, &n));
			ck_assert(json_string_has_nul(&doc, it) == (i % 3 == 1));
			/* cJSON's fields, not ours: a string's valueint is 0. */
			ck_assert_int_eq(it->valueint, 0);
			ck_assert(it->valuedouble == 0);
		}
		i++;
	}
	ck_assert_uint_eq(i, N);
	json_doc_free(&doc);
	free(body);
}
END_TEST

/* A node of another tree is no node of doc: no text, no flag. */
START_TEST(accessors_answer_only_for_their_own_tree)
{
	static const char body[] = "{\"n\":1.0,\"s\":\"\\u0000\"}";
	struct json_doc	 doc, other, empty;
	cJSON		*ref, local;
	size_t		 n;

	ck_assert_int_eq(parse(body, sizeof(body) - 1, &doc), JSON_OK);
	ck_assert_int_eq(parse(body, sizeof(body) - 1, &other), JSON_OK);
	ck_assert_int_eq(parse("{}", 2, &empty), JSON_OK);
	ck_assert_ptr_null(empty.side);
	expect_number(&doc, cJSON_GetObjectItem(doc.root, "n"), "1.0");
	ck_assert(json_string_has_nul(&doc,
	    cJSON_GetObjectItem(doc.root, "s")));
	ck_assert_ptr_null(json_number_text(&doc,
	    cJSON_GetObjectItem(other.root, "n"), &n));
	ck_assert(!json_string_has_nul(&doc,
	    cJSON_GetObjectItem(other.root, "s")));
	ck_assert_ptr_null(json_number_text(&empty,
	    cJSON_GetObjectItem(doc.root, "n"), &n));
	ck_assert(!json_string_has_nul(&empty,
	    cJSON_GetObjectItem(doc.root, "s")));
	ref = cJSON_Parse(body);
	ck_assert_ptr_nonnull(ref);
	ck_assert_ptr_null(json_number_text(&doc,
	    cJSON_GetObjectItem(ref, "n"), &n));
	ck_assert(!json_string_has_nul(&doc, cJSON_GetObjectItem(ref, "s")));
	cJSON_Delete(ref);
	memset(&local, 0, sizeof(local));
	local.type = cJSON_Number;
	ck_assert_ptr_null(json_number_text(&doc, &local, &n));
	ck_assert_ptr_null(json_number_text(&doc, NULL, &n));
	ck_assert(!json_string_has_nul(&doc, NULL));
	json_doc_free(&empty);
	json_doc_free(&other);
	json_doc_free(&doc);
}
END_TEST

/* Side data at every level of the deepest body allowed. */
START_TEST(side_data_at_every_depth)
{
	struct json_doc	 doc;
	const cJSON	*it;
	char		*b;
	size_t		 depth = 0;

	b = nest("{\"n\":-0.0,\"s\":\"\\u0000\",\"a\":", "{\"z\":1e400}", "}",
	    63);
	ck_assert_int_eq(parse(b, strlen(b), &doc), JSON_OK);
	ck_assert_uint_eq(doc.nnul_strs, 63);
	for (it = doc.root; cJSON_GetObjectItem(it, "a") != NULL;
	    it = cJSON_GetObjectItem(it, "a"), depth++) {
		expect_number(&doc, cJSON_GetObjectItem(it, "n"), "-0.0");
		ck_assert(json_string_has_nul(&doc,
		    cJSON_GetObjectItem(it, "s")));
		ck_assert_int_eq(cJSON_GetObjectItem(it, "s")->valueint, 0);
	}
	ck_assert_uint_eq(depth, 63);
	expect_number(&doc, cJSON_GetObjectItem(it, "z"), "1e400");
	json_doc_free(&doc);
	free(b);
	/* One level more: too deep, and parse() sees nothing left behind. */
	b = nest("{\"n\":-0.0,\"s\":\"\\u0000\",\"a\":", "{\"z\":1e400}", "}",
	    64);
	ck_assert_int_eq(parse(b, strlen(b), &doc), JSON_TOO_DEEP);
	free(b);
	b = nest("{\"n\":1.0,\"a\":", "1", "}", 1001);
	ck_assert_int_eq(parse(b, strlen(b), &doc), JSON_TOO_DEEP);
	free(b);
}
END_TEST

/* Repeats are judged on keys alone, whatever the side data says. */
START_TEST(duplicate_keys_with_side_data)
{
	static const char *const dup[] = {
		"{\"a\":1.0,\"a\":1.0}",
		"{\"a\":1.0,\"a\":1}",
		"{\"a\":\"\\u0000\",\"a\":\"\\u0000\"}",
		"{\"x\":[1e400,{\"a\":-0,\"b\":\"\\u0000\",\"a\":\"x\"}]}",
	};
	struct json_doc	 doc;
	size_t		 i;

	for (i = 0; i < sizeof(dup) / sizeof(dup[0]); i++)
		ck_assert_msg(parse(dup[i], strlen(dup[i]), &doc) ==
		    JSON_DUPLICATE_KEY, "not a duplicate: %s", dup[i]);
	ck_assert_int_eq(parse("{\"a\":1.0,\"b\":1.0}", 17, &doc), JSON_OK);
	expect_number(&doc, cJSON_GetObjectItem(doc.root, "a"), "1.0");
	expect_number(&doc, cJSON_GetObjectItem(doc.root, "b"), "1.0");
	json_doc_free(&doc);
}
END_TEST

Suite *
json_suite(void)
{
	Suite	*s = suite_create("json");
	TCase	*tc;

	tc = tcase_create("minify");
	tcase_add_test(tc, minify_keeps_every_byte_but_insignificant_whitespace);
	tcase_add_test(tc, minify_alone_gives_the_same_text_and_depth);
	tcase_add_test(tc, tree_holds_decoded_strings);
	tcase_add_test(tc, number_text_is_returned_as_sent);
	tcase_add_test(tc, number_text_survives_numbers_longer_than_a_double);
	suite_add_tcase(s, tc);

	tc = tcase_create("reject");
	tcase_add_loop_test(tc, rejects_what_is_not_one_json_value, 0,
	    (int)(sizeof(invalid_bodies) / sizeof(invalid_bodies[0])));
	tcase_add_test(tc, error_offset_points_at_the_bad_byte);
	tcase_add_test(tc, truncation_at_every_byte_of_the_fixture_is_invalid);
	tcase_add_test(tc, duplicate_keys_are_found_wherever_they_are);
	tcase_add_test(tc, duplicate_keys_among_many_keys);
	tcase_add_test(tc, top_level_must_be_an_object);
	suite_add_tcase(s, tc);

	tc = tcase_create("depth");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, depth_64_is_allowed_and_65_is_too_deep);
	tcase_add_test(tc, depth_around_the_cjson_limit_is_too_deep);
	tcase_add_test(tc, hostile_nesting_does_not_crash);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_test(tc, int64_text_edges);
	tcase_add_test(tc, int64_is_judged_on_the_text_of_each_number);
	tcase_add_test(tc, string_nul_is_flagged_per_string);
	tcase_add_test(tc, key_nul_is_recorded);
	suite_add_tcase(s, tc);

	tc = tcase_create("side");
	tcase_add_test(tc, numbers_keep_their_exact_text);
	tcase_add_test(tc, number_fields_are_what_cjson_sets);
	tcase_add_test(tc, every_field_is_what_cjson_parse_sets);
	tcase_add_test(tc, side_table_holds_each_node_apart);
	tcase_add_test(tc, accessors_answer_only_for_their_own_tree);
	tcase_add_test(tc, side_data_at_every_depth);
	tcase_add_test(tc, duplicate_keys_with_side_data);
	suite_add_tcase(s, tc);
	return s;
}
