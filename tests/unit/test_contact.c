/*
 * test_contact.c - account contacts (RFC 8555 §7.3): mailto: URLs only,
 * one plain address each.
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "contact.h"
#include "json.h"
#include "problem.h"
#include "testutil.h"

/* Runs contact_parse() on a JSON array text with at most max entries. */
static int
parse(const char *arr, unsigned max, char **out, struct problem *p)
{
	struct json_object	*o;
	const char		*err;
	int			 ok;

	memset(p, 0, sizeof(*p));
	if ((o = json_parse(arr, strlen(arr), 4, &err)) == NULL)
		fail_msg("test input is not JSON (%s): %s", err, arr);
	ok = contact_parse(o, max, out, p);
	json_object_put(o);
	return ok;
}

/* Asserts that arr is accepted and normalised to want. */
static void
accepted(const char *arr, const char *want)
{
	struct problem	 p;
	char		*out = NULL;

	if (!parse(arr, 4, &out, &p))
		fail_msg("refused (%s): %s", p.detail, arr);
	assert_string_equal(out, want);
	free(out);
}

/* Asserts that arr is refused with type t and detail s. */
#define assert_contact_refused(arr, max, t, s) do {			\
	struct problem	 p_;						\
	char		*out_ = (char *)&p_;				\
									\
	if (parse((arr), (max), &out_, &p_)) {				\
		free(out_);						\
		fail_msg("accepted: %s", (arr));			\
	}								\
	assert_null(out_);						\
	assert_problem(&p_, (t), (s));					\
} while (0)

static void
test_accepts_plain_address(void **state)
{
	(void)state;
	accepted("[\"mailto:admin@example.com\"]", "[\"mailto:admin@example.com\"]");
}

static void
test_accepts_empty_list(void **state)
{
	(void)state;
	accepted("[]", "[]");
}

static void
test_accepts_local_part_characters(void **state)
{
	(void)state;
	accepted("[\"mailto:first.last+tag@example.com\"]",
	    "[\"mailto:first.last+tag@example.com\"]");
	accepted("[\"mailto:o'hara_1!#$&*=^`{|}~-/@mail.example.co.uk\"]",
	    "[\"mailto:o'hara_1!#$&*=^`{|}~-/@mail.example.co.uk\"]");
	accepted("[\"mailto:a@x-1.example\"]", "[\"mailto:a@x-1.example\"]");
}

static void
test_keeps_order_of_several(void **state)
{
	(void)state;
	accepted("[\"mailto:b@example.com\",\"mailto:a@example.com\"]",
	    "[\"mailto:b@example.com\",\"mailto:a@example.com\"]");
}

/* RFC 3986 §3.1: schemes are case-insensitive; we store them lower-case. */
static void
test_lowercases_scheme(void **state)
{
	(void)state;
	accepted("[\"MAILTO:Admin@Example.com\"]", "[\"mailto:Admin@Example.com\"]");
	accepted("[\"MailTo:a@example.com\"]", "[\"mailto:a@example.com\"]");
}

static void
test_drops_duplicates(void **state)
{
	(void)state;
	accepted("[\"mailto:a@example.com\",\"MAILTO:a@example.com\","
	    "\"mailto:b@example.com\",\"mailto:a@example.com\"]",
	    "[\"mailto:a@example.com\",\"mailto:b@example.com\"]");
}

static void
test_rejects_other_schemes(void **state)
{
	(void)state;
	assert_contact_refused("[\"tel:+12025550123\"]", 4,
	    PROB_UNSUPPORTED_CONTACT, "only mailto:");
	assert_contact_refused("[\"https://example.com/contact\"]", 4,
	    PROB_UNSUPPORTED_CONTACT, "only mailto:");
	assert_contact_refused("[\"admin@example.com\"]", 4,
	    PROB_UNSUPPORTED_CONTACT, "only mailto:");
	assert_contact_refused("[\"mailto:a@example.com\",\"tel:+1\"]", 4,
	    PROB_UNSUPPORTED_CONTACT, "only mailto:");
}

/* RFC 8555 §7.3: the server may refuse hfields; we do. */
static void
test_rejects_hfields(void **state)
{
	(void)state;
	assert_contact_refused("[\"mailto:a@example.com?subject=hi\"]", 4,
	    PROB_INVALID_CONTACT, "hfields");
	assert_contact_refused("[\"mailto:a@example.com?\"]", 4,
	    PROB_INVALID_CONTACT, "hfields");
}

static void
test_rejects_two_addresses(void **state)
{
	(void)state;
	assert_contact_refused("[\"mailto:a@example.com,b@example.com\"]", 4,
	    PROB_INVALID_CONTACT, "not one plain e-mail address");
}

static void
test_rejects_percent_encoding(void **state)
{
	(void)state;
	assert_contact_refused("[\"mailto:a%40b@example.com\"]", 4,
	    PROB_INVALID_CONTACT, "not one plain e-mail address");
	assert_contact_refused("[\"mailto:a@ex%61mple.com\"]", 4,
	    PROB_INVALID_CONTACT, "not one plain e-mail address");
}

static void
test_rejects_no_at(void **state)
{
	(void)state;
	assert_contact_refused("[\"mailto:example.com\"]", 4,
	    PROB_INVALID_CONTACT, "contact 1 is not one plain e-mail address");
	assert_contact_refused("[\"mailto:\"]", 4,
	    PROB_INVALID_CONTACT, "not one plain e-mail address");
	assert_contact_refused("[\"mailto:a@b@example.com\"]", 4,
	    PROB_INVALID_CONTACT, "not one plain e-mail address");
}

static void
test_rejects_bad_domain(void **state)
{
	static const char *const bad[] = {
		"[\"mailto:a@localhost\"]",
		"[\"mailto:a@\"]",
		"[\"mailto:a@-example.com\"]",
		"[\"mailto:a@example-.com\"]",
		"[\"mailto:a@example..com\"]",
		"[\"mailto:a@.example.com\"]",
		"[\"mailto:a@example.com.\"]",
		"[\"mailto:a@exa_mple.com\"]",
		"[\"mailto:a@[192.0.2.1]\"]",
		"[\"mailto:a@exampl\xc3\xa9.com\"]",
		"[\"mailto:a@example.com \"]",
	};

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++)
		assert_contact_refused(bad[i], 4, PROB_INVALID_CONTACT,
		    "not one plain e-mail address");
}

/* RFC 1035 §2.3.4: labels of at most 63 octets. */
static void
test_rejects_overlong_label(void **state)
{
	struct problem	 p;
	char		 arr[160], *out;

	(void)state;
	snprintf(arr, sizeof(arr), "[\"mailto:a@%.*s.example\"]", 64,
	    "llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll");
	assert_contact_refused(arr, 4, PROB_INVALID_CONTACT,
	    "not one plain e-mail address");
	snprintf(arr, sizeof(arr), "[\"mailto:a@%.*s.example\"]", 63,
	    "llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll");
	assert_true(parse(arr, 4, &out, &p));
	free(out);
}

static void
test_rejects_empty_local_part(void **state)
{
	(void)state;
	assert_contact_refused("[\"mailto:@example.com\"]", 4,
	    PROB_INVALID_CONTACT, "not one plain e-mail address");
}

static void
test_rejects_bad_local_part(void **state)
{
	static const char *const bad[] = {
		"[\"mailto:.a@example.com\"]",
		"[\"mailto:a.@example.com\"]",
		"[\"mailto:a..b@example.com\"]",
		"[\"mailto:a b@example.com\"]",
		"[\"mailto:\\\"a\\\"@example.com\"]",
		"[\"mailto:a(b)@example.com\"]",
		"[\"mailto:a<b>@example.com\"]",
	};

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++)
		assert_contact_refused(bad[i], 4, PROB_INVALID_CONTACT,
		    "not one plain e-mail address");
}

/* RFC 5321 §4.5.3.1.1: a local part of at most 64 octets. */
static void
test_rejects_overlong_local_part(void **state)
{
	char	 arr[160];
	struct problem	 p;
	char	*out;

	(void)state;
	snprintf(arr, sizeof(arr), "[\"mailto:%.*s@example.com\"]", 65,
	    "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll");
	assert_contact_refused(arr, 4, PROB_INVALID_CONTACT,
	    "not one plain e-mail address");
	snprintf(arr, sizeof(arr), "[\"mailto:%.*s@example.com\"]", 64,
	    "lllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll");
	assert_true(parse(arr, 4, &out, &p));
	free(out);
}

static void
test_rejects_non_string_entry(void **state)
{
	(void)state;
	assert_contact_refused("[1]", 4, PROB_INVALID_CONTACT,
	    "contact 1 is not a string");
	assert_contact_refused("[\"mailto:a@example.com\",null]", 4,
	    PROB_INVALID_CONTACT, "contact 2 is not a string");
	assert_contact_refused("[[\"mailto:a@example.com\"]]", 4,
	    PROB_INVALID_CONTACT, "contact 1 is not a string");
}

/*
 * A contact of n characters in a JSON array: a local part of 64 characters
 * so that the domain stays within 253 (RFC 1035 §2.3.4).
 */
static void
long_contact(char *arr, size_t n)
{
	char entry[CONTACT_MAX_LEN + 16];

	strcpy(entry, "mailto:");
	memset(entry + 7, 'l', 64);
	strcpy(entry + 71, "@");
	while (strlen(entry) + 11 + 7 <= n)
		strcat(entry, "abcdefghij.");
	while (strlen(entry) + 7 < n)
		strcat(entry, "x");
	strcat(entry, "example");
	assert_int_equal(strlen(entry), n);
	sprintf(arr, "[\"%s\"]", entry);
}

static void
test_rejects_overlong_entry(void **state)
{
	struct problem	 p;
	char		 arr[CONTACT_MAX_LEN + 32], *out;

	(void)state;
	long_contact(arr, CONTACT_MAX_LEN + 1);
	assert_contact_refused(arr, 4, PROB_INVALID_CONTACT,
	    "not a string of at most 320 characters");
	long_contact(arr, CONTACT_MAX_LEN);
	assert_true(parse(arr, 4, &out, &p));
	free(out);
}

static void
test_rejects_too_many(void **state)
{
	struct problem	 p;
	char		*out;

	(void)state;
	assert_contact_refused("[\"mailto:a@example.com\",\"mailto:b@example.com\","
	    "\"mailto:c@example.com\"]", 2, PROB_MALFORMED,
	    "at most 2 contacts are accepted, not 3");
	/* Duplicates count: the limit is on what was sent. */
	assert_contact_refused("[\"mailto:a@example.com\",\"mailto:a@example.com\","
	    "\"mailto:a@example.com\"]", 2, PROB_MALFORMED, "at most 2 contacts");
	assert_true(parse("[\"mailto:a@example.com\",\"mailto:b@example.com\"]", 2,
	    &out, &p));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_plain_address),
		cmocka_unit_test(test_accepts_empty_list),
		cmocka_unit_test(test_accepts_local_part_characters),
		cmocka_unit_test(test_keeps_order_of_several),
		cmocka_unit_test(test_lowercases_scheme),
		cmocka_unit_test(test_drops_duplicates),
		cmocka_unit_test(test_rejects_other_schemes),
		cmocka_unit_test(test_rejects_hfields),
		cmocka_unit_test(test_rejects_two_addresses),
		cmocka_unit_test(test_rejects_percent_encoding),
		cmocka_unit_test(test_rejects_no_at),
		cmocka_unit_test(test_rejects_bad_domain),
		cmocka_unit_test(test_rejects_overlong_label),
		cmocka_unit_test(test_rejects_empty_local_part),
		cmocka_unit_test(test_rejects_bad_local_part),
		cmocka_unit_test(test_rejects_overlong_local_part),
		cmocka_unit_test(test_rejects_non_string_entry),
		cmocka_unit_test(test_rejects_overlong_entry),
		cmocka_unit_test(test_rejects_too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
