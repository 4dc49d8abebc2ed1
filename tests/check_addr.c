/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <string.h>

#include "addr.h"
#include "suites.h"

static bool	matches(const char *, const char *);

/* Parses the list (which must be valid) and tries one address. */
static bool
matches(const char *list, const char *addr)
{
	struct addr_list	 l;
	char			 err[256];
	bool			 m;

	ck_assert_msg(addr_list_parse(list, &l, err, sizeof(err)) == 0,
	    "\"%s\": %s", list, err);
	m = addr_list_match(&l, addr);
	addr_list_free(&l);
	return m;
}

static const struct {
	const char	*list;
	const char	*addr;
	bool		 match;
} cases[] = {
	/* Single addresses. */
	{ "203.0.113.9", "203.0.113.9", true },
	{ "203.0.113.9", "203.0.113.10", false },
	{ "2001:db8::1", "2001:db8::1", true },
	{ "2001:db8::1", "2001:db8:0:0:0:0:0:1", true },
	{ "2001:db8::1", "2001:db8::2", false },
	/* CIDR ranges, on and off byte boundaries. */
	{ "10.0.0.0/8", "10.255.1.2", true },
	{ "10.0.0.0/8", "11.0.0.1", false },
	{ "192.168.4.0/22", "192.168.7.255", true },
	{ "192.168.4.0/22", "192.168.8.0", false },
	{ "192.168.4.0/22", "192.168.3.255", false },
	{ "10.1.2.3/8", "10.9.9.9", true },
	{ "203.0.113.9/32", "203.0.113.9", true },
	{ "203.0.113.9/32", "203.0.113.8", false },
	{ "2001:db8::/32", "2001:db8:ffff::1", true },
	{ "2001:db8::/32", "2001:db9::1", false },
	{ "2001:db8::/33", "2001:db8:7fff::1", true },
	{ "2001:db8::/33", "2001:db8:8000::1", false },
	{ "::1/128", "::1", true },
	/* /0 is everyone of that family. */
	{ "0.0.0.0/0", "198.51.100.1", true },
	{ "0.0.0.0/0", "::1", false },
	{ "::/0", "2001:db8::1", true },
	{ "::/0", "198.51.100.1", false },
	/* Blanks around commas; several entries. */
	{ " 10.0.0.1 ,\t2001:db8::1 , 192.0.2.0/24 ", "2001:db8::1", true },
	{ " 10.0.0.1 ,\t2001:db8::1 , 192.0.2.0/24 ", "192.0.2.77", true },
	{ " 10.0.0.1 ,\t2001:db8::1 , 192.0.2.0/24 ", "10.0.0.2", false },
	/* IPv4-mapped IPv6 remote addresses match IPv4 rules. */
	{ "10.0.0.0/8", "::ffff:10.1.2.3", true },
	{ "10.0.0.0/8", "::FFFF:10.1.2.3", true },
	{ "10.0.0.0/8", "::ffff:11.1.2.3", false },
	{ "203.0.113.9", "::ffff:203.0.113.9", true },
	/* ...and a mapped rule is an IPv4 rule. */
	{ "::ffff:10.0.0.0/104", "10.2.3.4", true },
	{ "::ffff:10.0.0.0/104", "11.2.3.4", false },
	{ "::ffff:203.0.113.9", "203.0.113.9", true },
	/* An IPv4 rule never matches a plain IPv6 address. */
	{ "0.0.0.0/0", "2001:db8::1", false },
	{ "10.0.0.1", "::10.0.0.1", false },
	/* Garbage or absent REMOTE_ADDR never matches. */
	{ "0.0.0.0/0, ::/0", "", false },
	{ "0.0.0.0/0, ::/0", "localhost", false },
	{ "0.0.0.0/0, ::/0", "10.0.0.1 ", false },
	{ "0.0.0.0/0, ::/0", "10.0.0.1/8", false },
	{ "0.0.0.0/0, ::/0", "10.0.0", false },
	{ "0.0.0.0/0, ::/0", "fe80::1%eth0", false },
	{ "0.0.0.0/0, ::/0", "10.0.0.1:8080", false },
};

START_TEST(addresses_match_their_rules)
{
	ck_assert_msg(matches(cases[_i].list, cases[_i].addr) ==
	    cases[_i].match, "\"%s\" vs \"%s\": want %s", cases[_i].list,
	    cases[_i].addr, cases[_i].match ? "match" : "no match");
}
END_TEST

START_TEST(null_remote_addr_never_matches)
{
	ck_assert(!matches("0.0.0.0/0, ::/0", NULL));
}
END_TEST

START_TEST(empty_list_parses_to_no_rules)
{
	struct addr_list	 l;
	char			 err[256];

	ck_assert_int_eq(addr_list_parse("", &l, err, sizeof(err)), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert(!addr_list_match(&l, "10.0.0.1"));
	addr_list_free(&l);
	ck_assert_int_eq(addr_list_parse("  \t ", &l, err, sizeof(err)), 0);
	ck_assert_uint_eq(l.n, 0);
	addr_list_free(&l);
}
END_TEST

static const char *const bad_lists[] = {
	"300.1.1.1",
	"10.0.0.0/33",
	"::1/129",
	"10.0.0.1,,10.0.0.2",
	"10.0.0.1, ,10.0.0.2",
	",10.0.0.1",
	"10.0.0.1,",
	",",
	"10.0.0.0/",
	"10.0.0.0/-1",
	"10.0.0.0/8x",
	"10.0.0.0/ 8",
	"10.0.0",
	"10.0.0.1 10.0.0.2",
	"example.com",
	"2001:db8::g",
	"fe80::1%eth0",
	"::ffff:10.0.0.0/95",
	"10.0.0.1/8/8",
	"0123456789012345678901234567890123456789012345678901234567890123456789",
};

START_TEST(bad_entries_are_errors)
{
	struct addr_list	 l;
	char			 err[256];

	err[0] = '\0';
	ck_assert_msg(addr_list_parse(bad_lists[_i], &l, err, sizeof(err)) ==
	    -1, "accepted \"%s\"", bad_lists[_i]);
	ck_assert_uint_gt(strlen(err), 0);
	ck_assert_ptr_null(l.v);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(error_quotes_the_bad_entry)
{
	struct addr_list	 l;
	char			 err[256];

	ck_assert_int_eq(addr_list_parse("10.0.0.1, 300.1.1.1 ,::1", &l, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "\"300.1.1.1\""));
}
END_TEST

Suite *
addr_suite(void)
{
	Suite	*s = suite_create("addr");
	TCase	*tc;

	tc = tcase_create("match");
	tcase_add_loop_test(tc, addresses_match_their_rules, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, null_remote_addr_never_matches);
	tcase_add_test(tc, empty_list_parses_to_no_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, bad_entries_are_errors, 0,
	    (int)(sizeof(bad_lists) / sizeof(bad_lists[0])));
	tcase_add_test(tc, error_quotes_the_bad_entry);
	suite_add_tcase(s, tc);
	return s;
}
