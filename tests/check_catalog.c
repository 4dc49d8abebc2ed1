/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "json.h"
#include "suites.h"

/* A shipped and an operator's directory of schemas, in a temp dir. */
struct dirs {
	char		*top;
	char		*shipped;
	char		*user;
	struct catalog	 cat;
};

static void	 dirs_new(struct dirs *, bool);
static void	 dirs_free(struct dirs *);
static void	 put(const char *, const char *, const char *);
static bool	 accepts(const struct jschema *, const char *);

static void
dirs_new(struct dirs *d, bool user)
{
	d->top = tu_tmpdir();
	d->shipped = tu_join(d->top, "shipped");
	d->user = tu_join(d->top, "mine");
	ck_assert_int_eq(mkdir(d->shipped, 0755), 0);
	ck_assert_int_eq(mkdir(d->user, 0755), 0);
	catalog_init(&d->cat);
	ck_assert_int_eq(catalog_configure(&d->cat, user ? d->user : NULL,
	    d->shipped), 0);
}

static void
dirs_free(struct dirs *d)
{
	catalog_free(&d->cat);
	tu_rmtree(d->top);
	free(d->top);
	free(d->shipped);
	free(d->user);
}

static void
put(const char *dir, const char *file, const char *text)
{
	char	*p = tu_join(dir, file);

	tu_write_str(p, text);
	free(p);
}

/* True when the schema finds no problem in body. */
static bool
accepts(const struct jschema *s, const char *body)
{
	static const char *const none[] = { "" };
	struct jschema_opts	 o = { false, none, 0 };
	struct json_doc		 doc;
	struct json_error	 err;
	struct notes		 d, w;
	bool			 ok;

	memset(&d, 0, sizeof(d));
	memset(&w, 0, sizeof(w));
	ck_assert(json_parse(body, strlen(body), &doc, &err) == JSON_OK);
	jschema_validate(s, &doc, doc.root, "", &o, &d, &w);
	ok = d.n == 0;
	notes_free(&d);
	notes_free(&w);
	json_doc_free(&doc);
	return ok;
}

#define NEEDS_A	"{\"required\":[\"a\"]}\n"
#define NEEDS_BB "{\"required\":[\"bb\"]}\n"

START_TEST(a_shipped_schema_is_found_by_the_event_name)
{
	const struct jschema	*s;
	struct dirs		 d;

	dirs_new(&d, false);
	put(d.shipped, "x.y.json", NEEDS_A);
	ck_assert_int_eq(catalog_find(&d.cat, "x.y", &s), CATALOG_FOUND);
	ck_assert(accepts(s, "{\"a\":1}"));
	ck_assert(!accepts(s, "{}"));
	ck_assert_int_eq(catalog_find(&d.cat, "x", &s), CATALOG_NONE);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(catalog_find(&d.cat, "x.y.z", &s), CATALOG_NONE);
	dirs_free(&d);
}
END_TEST

START_TEST(the_operators_schema_replaces_the_shipped_one)
{
	const struct jschema	*s;
	struct dirs		 d;
	char			*p;

	dirs_new(&d, true);
	put(d.shipped, "x.y.json", NEEDS_A);
	ck_assert_int_eq(catalog_find(&d.cat, "x.y", &s), CATALOG_FOUND);
	ck_assert(accepts(s, "{\"a\":1}"));
	/* A new file in schema_dir takes effect at the next event. */
	put(d.user, "x.y.json", NEEDS_BB);
	ck_assert_int_eq(catalog_find(&d.cat, "x.y", &s), CATALOG_FOUND);
	ck_assert(!accepts(s, "{\"a\":1}"));
	ck_assert(accepts(s, "{\"bb\":1}"));
	/* And an event new to ekahook gets a schema without a rebuild. */
	put(d.user, "new.event.json", NEEDS_A);
	ck_assert_int_eq(catalog_find(&d.cat, "new.event", &s), CATALOG_FOUND);
	/* Removed: the shipped one again. */
	p = tu_join(d.user, "x.y.json");
	ck_assert_int_eq(unlink(p), 0);
	free(p);
	ck_assert_int_eq(catalog_find(&d.cat, "x.y", &s), CATALOG_FOUND);
	ck_assert(accepts(s, "{\"a\":1}"));
	dirs_free(&d);
}
END_TEST

START_TEST(a_file_changed_in_place_is_read_again)
{
	const struct jschema	*s;
	struct dirs		 d;

	dirs_new(&d, true);
	put(d.user, "x.json", NEEDS_A);
	ck_assert_int_eq(catalog_find(&d.cat, "x", &s), CATALOG_FOUND);
	ck_assert(!accepts(s, "{\"bb\":1}"));
	/* Same inode, same directory: only the file's size and time move. */
	put(d.user, "x.json", NEEDS_BB);
	ck_assert_int_eq(catalog_find(&d.cat, "x", &s), CATALOG_FOUND);
	ck_assert(accepts(s, "{\"bb\":1}"));
	/* The shipped files too. */
	put(d.shipped, "s.json", NEEDS_A);
	ck_assert_int_eq(catalog_find(&d.cat, "s", &s), CATALOG_FOUND);
	put(d.shipped, "s.json", NEEDS_BB);
	ck_assert_int_eq(catalog_find(&d.cat, "s", &s), CATALOG_FOUND);
	ck_assert(accepts(s, "{\"bb\":1}"));
	dirs_free(&d);
}
END_TEST

START_TEST(a_broken_file_is_an_error_for_every_event_until_fixed)
{
	const struct jschema	*s;
	struct dirs		 d;
	int			 saved;

	dirs_new(&d, true);
	put(d.shipped, "x.json", NEEDS_A);
	ck_assert_int_eq(catalog_find(&d.cat, "x", &s), CATALOG_FOUND);
	put(d.user, "other.json", "{\"type\":\"object\",\"minimum\":3}\n");
	saved = tu_stderr_off();
	ck_assert_int_eq(catalog_find(&d.cat, "x", &s), CATALOG_ERROR);
	ck_assert_ptr_nonnull(strstr(catalog_error(&d.cat), "other.json"));
	ck_assert_ptr_nonnull(strstr(catalog_error(&d.cat),
	    "keyword \"minimum\" is not supported"));
	ck_assert_int_eq(catalog_find(&d.cat, NULL, &s), CATALOG_ERROR);
	/* Not JSON. */
	put(d.user, "other.json", "{\"type\":\n");
	ck_assert_int_eq(catalog_find(&d.cat, "x", &s), CATALOG_ERROR);
	ck_assert_ptr_nonnull(strstr(catalog_error(&d.cat), "not valid JSON"));
	tu_stderr_on(saved);
	/* Fixed in place. */
	put(d.user, "other.json", "{\"type\":\"object\"}\n");
	ck_assert_int_eq(catalog_find(&d.cat, "x", &s), CATALOG_FOUND);
	ck_assert_int_eq(catalog_find(&d.cat, NULL, &s), CATALOG_NONE);
	dirs_free(&d);
}
END_TEST

START_TEST(missing_directories_are_errors)
{
	const struct jschema	*s;
	struct catalog		 cat;
	int			 saved;

	catalog_init(&cat);
	ck_assert_int_eq(catalog_configure(&cat, NULL,
	    "/nonexistent/ekahook/schemas"), 0);
	saved = tu_stderr_off();
	ck_assert_int_eq(catalog_find(&cat, "x", &s), CATALOG_ERROR);
	ck_assert_ptr_nonnull(strstr(catalog_error(&cat),
	    "/nonexistent/ekahook/schemas"));
	ck_assert_int_eq(catalog_configure(&cat, "/nonexistent/mine",
	    SCHEMAS), 0);
	ck_assert_int_eq(catalog_find(&cat, "x", &s), CATALOG_ERROR);
	ck_assert_ptr_nonnull(strstr(catalog_error(&cat), "schema_dir"));
	tu_stderr_on(saved);
	catalog_free(&cat);
}
END_TEST

static void
count(const char *line, void *arg)
{
	(void)line;
	(*(int *)arg)++;
}

START_TEST(check_dir_reads_every_file_and_reports_each_problem)
{
	struct dirs	 d;
	int		 problems = 0;

	dirs_new(&d, false);
	put(d.user, "a.json", NEEDS_A);
	put(d.user, "b.json", "{\"oneOf\":[]}");
	put(d.user, "c.json", "nope");
	put(d.user, ".hidden.json", "nope");
	put(d.user, "README", "not a schema");
	ck_assert_int_eq(catalog_check_dir(d.user, count, &problems), -1);
	ck_assert_int_eq(problems, 2);
	problems = 0;
	ck_assert_int_eq(catalog_check_dir(SCHEMAS, count, &problems), 30);
	ck_assert_int_eq(problems, 0);
	dirs_free(&d);
}
END_TEST

START_TEST(the_shipped_dir_beside_the_program_comes_first)
{
	char	*top = tu_tmpdir(), *sub, *p;

	p = catalog_shipped_dir(top);
	ck_assert_str_eq(p, PKGDATADIR "/schemas");
	free(p);
	sub = tu_join(top, "schemas");
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	p = catalog_shipped_dir(top);
	ck_assert_str_eq(p, sub);
	free(p);
	free(sub);
	tu_rmtree(top);
	free(top);
}
END_TEST

Suite *
catalog_suite(void)
{
	Suite	*s = suite_create("catalog");
	TCase	*tc = tcase_create("files");

	tcase_add_test(tc, a_shipped_schema_is_found_by_the_event_name);
	tcase_add_test(tc, the_operators_schema_replaces_the_shipped_one);
	tcase_add_test(tc, a_file_changed_in_place_is_read_again);
	tcase_add_test(tc, a_broken_file_is_an_error_for_every_event_until_fixed);
	tcase_add_test(tc, missing_directories_are_errors);
	tcase_add_test(tc, check_dir_reads_every_file_and_reports_each_problem);
	tcase_add_test(tc, the_shipped_dir_beside_the_program_comes_first);
	suite_add_tcase(s, tc);
	return s;
}
