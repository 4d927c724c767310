/*
 * test_json.c - the strict JSON parser (RFC 8259) and the typed getters.
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

#include "json.h"
#include "testutil.h"

/* Parses a NUL-terminated text with max_depth 10; err through *err. */
static struct json_object *
parse(const char *text, const char **err)
{
	return json_parse(text, strlen(text), 10, err);
}

/* Asserts that text is rejected with an error containing want. */
#define assert_rejected(text, want) do {				\
	const char		*err_ = NULL;				\
	struct json_object	*o_ = parse((text), &err_);		\
									\
	if (o_ != NULL) {						\
		json_object_put(o_);					\
		fail_msg("accepted: %s", (text));			\
	}								\
	assert_contains(err_, (want));					\
} while (0)

/* Asserts that text is accepted with no error. */
#define assert_accepted(text) do {					\
	const char		*err_ = "unset";			\
	struct json_object	*o_ = parse((text), &err_);		\
									\
	if (o_ == NULL)							\
		fail_msg("rejected (%s): %s", err_, (text));		\
	assert_null(err_);						\
	json_object_put(o_);						\
} while (0)

/* Parses text that must be valid; the caller puts the result. */
static struct json_object *
must_parse(const char *text)
{
	const char		*err;
	struct json_object	*o = parse(text, &err);

	if (o == NULL)
		fail_msg("rejected (%s): %s", err, text);
	return o;
}

static void
test_valid_object(void **state)
{
	struct json_object	*o, *v;
	const char		*err = "unset";

	(void)state;
	o = parse("{\"a\":1,\"b\":\"x\",\"c\":[true,null,1.5],\"d\":{\"e\":-2},"
	    "\"f\":\"\\u00e9\\n\"}", &err);
	assert_non_null(o);
	assert_null(err);
	assert_true(json_object_is_type(o, json_type_object));
	assert_int_equal(json_object_object_length(o), 5);
	assert_true(json_object_object_get_ex(o, "f", &v));
	assert_string_equal(json_object_get_string(v), "\xc3\xa9\n");
	json_object_put(o);
}

static void
test_valid_with_whitespace(void **state)
{
	(void)state;
	assert_accepted(" \t\r\n{ \"a\" : [ 1 , 2 ] }\r\n ");
	assert_accepted("{}");
	assert_accepted("[]");
}

static void
test_valid_utf8(void **state)
{
	(void)state;
	assert_accepted("{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}");
	assert_accepted("{\"\xc3\xa9\":1}");
}

static void
test_rejects_duplicate_member(void **state)
{
	(void)state;
	assert_rejected("{\"a\":1,\"a\":2}", "duplicate");
	assert_rejected("{\"a\":1,\"b\":2,\"a\":1}", "duplicate");
	assert_accepted("{\"a\":1,\"b\":2}");
}

/* "a" and "\u0061" are the same member name once unescaped. */
static void
test_rejects_duplicate_escaped_member(void **state)
{
	(void)state;
	assert_rejected("{\"a\":1,\"\\u0061\":2}", "duplicate");
	assert_rejected("{\"\\u0061\":1,\"a\":2}", "duplicate");
	assert_rejected("{\"\\u00e9\":1,\"\xc3\xa9\":2}", "duplicate");
	assert_accepted("{\"a\":1,\"\\u0062\":2}");
}

static void
test_rejects_duplicate_in_nested_object(void **state)
{
	(void)state;
	assert_rejected("{\"x\":{\"a\":1,\"a\":2}}", "duplicate");
	assert_rejected("{\"x\":[{\"a\":1,\"a\":2}]}", "duplicate");
	/* The same name in two different objects is no duplicate. */
	assert_accepted("{\"x\":{\"a\":1},\"y\":{\"a\":2},\"a\":3}");
}

/* Escaped quotes inside values and names do not confuse the member scan. */
static void
test_duplicate_scan_skips_strings(void **state)
{
	(void)state;
	assert_accepted("{\"a\":\"\\\",\\\"a\\\":\",\"b\\\"\":\"}{\"}");
	assert_rejected("{\"a\\\"\":1,\"a\\u0022\":2}", "duplicate");
}

/* max_depth counts levels down to a scalar: 4 allows {"a":{"b":{"c":1}}}. */
static void
test_rejects_too_deep(void **state)
{
	static const char	 ok[] = "{\"a\":{\"b\":{\"c\":1}}}";
	static const char	 deep[] = "{\"a\":{\"b\":{\"c\":{\"d\":1}}}}";
	struct json_object	*o;
	const char		*err;

	(void)state;
	o = json_parse(ok, strlen(ok), 4, &err);
	assert_non_null(o);
	json_object_put(o);
	o = json_parse(deep, strlen(deep), 4, &err);
	assert_null(o);
	assert_string_equal(err, "JSON nested too deeply");
	o = json_parse("[[[[1]]]]", 9, 4, &err);
	assert_null(o);
	assert_string_equal(err, "JSON nested too deeply");
}

static void
test_rejects_nul_byte(void **state)
{
	static const char	 doc[] = "{\"a\":\"b\0c\"}";
	struct json_object	*o;
	const char		*err;

	(void)state;
	o = json_parse(doc, sizeof(doc) - 1, 10, &err);
	assert_null(o);
	assert_string_equal(err, "NUL byte in JSON document");
	o = json_parse("{}\0", 3, 10, &err);
	assert_null(o);
	assert_string_equal(err, "NUL byte in JSON document");
}

static void
test_rejects_invalid_utf8_byte(void **state)
{
	(void)state;
	assert_rejected("{\"a\":\"\xff\"}", "not valid UTF-8");
	assert_rejected("{\"a\":\"\x80\"}", "not valid UTF-8");
}

static void
test_rejects_truncated_utf8_sequence(void **state)
{
	(void)state;
	assert_rejected("{\"a\":\"\xe2\x82\"}", "not valid UTF-8");
	assert_rejected("{\"\xc3\":1}", "not valid UTF-8");
}

/* RFC 3629 §3: an overlong form ("/" as C0 AF) is not UTF-8. */
static void
test_rejects_overlong_utf8(void **state)
{
	(void)state;
	assert_rejected("{\"a\":\"\xc0\xaf\"}", "not valid UTF-8");
	assert_rejected("{\"a\":\"\xe0\x80\xaf\"}", "not valid UTF-8");
}

/* RFC 3629 §3: UTF-16 surrogates (ED A0 80) and code points above U+10FFFF. */
static void
test_rejects_utf8_surrogate_and_out_of_range(void **state)
{
	(void)state;
	assert_rejected("{\"a\":\"\xed\xa0\x80\"}", "not valid UTF-8");
	assert_rejected("{\"a\":\"\xf4\x90\x80\x80\"}", "not valid UTF-8");
}

/* RFC 8259 §7: control characters in strings must be escaped. */
static void
test_rejects_raw_control_character(void **state)
{
	(void)state;
	assert_rejected("{\"a\":\"x\ty\"}", "JSON");
	assert_rejected("{\"a\":\"x\ny\"}", "JSON");
	assert_accepted("{\"a\":\"x\\ty\"}");
}

/* RFC 8259 §6: NaN and Infinity are not JSON numbers. */
static void
test_rejects_nan_and_infinity(void **state)
{
	(void)state;
	assert_rejected("{\"a\":NaN}", "JSON");
	assert_rejected("{\"a\":Infinity}", "JSON");
	assert_rejected("{\"a\":-Infinity}", "JSON");
	assert_accepted("{\"a\":1e3}");
}

/*
 * A second document or garbage after the first.  json-c's strict mode
 * already stops at it ("syntax error"); json_parse() also checks the end.
 */
static void
test_rejects_trailing_data(void **state)
{
	static const char *const bad[] = {
		"{} x", "{}x", "{}{}", "{} {}", "{}]", "[1] 2", "{} \"a\""
	};

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++)
		assert_rejected(bad[i], "JSON");
	assert_accepted("{} \r\n\t");
}

static void
test_rejects_truncated(void **state)
{
	(void)state;
	assert_rejected("{\"a\":1", "truncated JSON document");
	assert_rejected("{\"a\":", "truncated JSON document");
	assert_rejected("{", "truncated JSON document");
	assert_rejected("{\"a\":\"xy", "truncated JSON document");
}

/* RFC 8259 §2: any value is a document; a bare null is none we can use. */
static void
test_top_level_scalars(void **state)
{
	(void)state;
	assert_accepted("0");
	assert_accepted("true\n");
	assert_accepted("1.5 ");
	assert_accepted("\"x\"");
	assert_rejected("null", "null");
	assert_rejected("null ", "null");
	assert_rejected("nul", "JSON");
	assert_rejected("tru", "JSON");
	assert_rejected("1.", "JSON");
}

static void
test_rejects_empty(void **state)
{
	struct json_object	*o;
	const char		*err;

	(void)state;
	o = json_parse("", 0, 10, &err);
	assert_null(o);
	assert_string_equal(err, "empty JSON document");
	/* The length is what counts, not a terminating NUL. */
	o = json_parse("{}", 0, 10, &err);
	assert_null(o);
	assert_string_equal(err, "empty JSON document");
}

static void
test_rejects_syntax_errors(void **state)
{
	static const char *const bad[] = {
		"{\"a\":1,}", "{\"a\":[1,2,]}", "{a:1}", "{\"a\" 1}",
		"{\"a\":01}", "{\"a\":+1}", "{\"a\":.5}", "{\"a\":0x10}",
		"{\"a\":True}", "{\"a\":\"\\x\"}", "{\"a\":1 /* c */}",
	};

	(void)state;
	for (size_t i = 0; i < nitems(bad); i++)
		assert_rejected(bad[i], "JSON syntax error");
}

/* Builds an object of n members "m0".."m{n-1}". */
static char *
members(size_t n)
{
	char	*s, *p;
	size_t	 i;

	assert_non_null(s = malloc(n * 16 + 3));
	p = s;
	*p++ = '{';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s\"m%zu\":%zu", i ? "," : "", i, i);
	*p++ = '}';
	*p = '\0';
	return s;
}

static void
test_rejects_too_many_members(void **state)
{
	char *text;

	(void)state;
	text = members(JSON_MAX_MEMBERS + 1);
	assert_rejected(text, "too many members");
	free(text);
	text = members(JSON_MAX_MEMBERS);
	assert_accepted(text);
	free(text);
}

/* The bound is per object: members of nested objects do not add up. */
static void
test_member_bound_is_per_object(void **state)
{
	char	*inner, *text;
	size_t	 len;

	(void)state;
	inner = members(JSON_MAX_MEMBERS);
	len = strlen(inner) * 2 + 16;
	assert_non_null(text = malloc(len));
	snprintf(text, len, "{\"x\":%s,\"y\":%s}", inner, inner);
	assert_accepted(text);
	free(text);
	free(inner);
}

static void
test_get_string(void **state)
{
	struct json_object	*o;
	const char		*s = NULL;

	(void)state;
	o = must_parse("{\"s\":\"abc\",\"n\":1,\"b\":true,\"o\":{},\"a\":[],"
	    "\"z\":null}");
	assert_int_equal(json_get_string(o, "s", 3, &s), JGET_OK);
	assert_string_equal(s, "abc");
	assert_int_equal(json_get_string(o, "x", 3, &s), JGET_ABSENT);
	assert_int_equal(json_get_string(o, "n", 3, &s), JGET_BAD);
	assert_int_equal(json_get_string(o, "b", 3, &s), JGET_BAD);
	assert_int_equal(json_get_string(o, "o", 3, &s), JGET_BAD);
	assert_int_equal(json_get_string(o, "a", 3, &s), JGET_BAD);
	assert_int_equal(json_get_string(o, "z", 3, &s), JGET_BAD);
	json_object_put(o);
}

static void
test_get_string_too_long(void **state)
{
	struct json_object	*o;
	const char		*s = NULL;

	(void)state;
	o = must_parse("{\"s\":\"abcd\",\"u\":\"\xc3\xa9\xc3\xa9\"}");
	assert_int_equal(json_get_string(o, "s", 3, &s), JGET_BAD);
	assert_int_equal(json_get_string(o, "s", 4, &s), JGET_OK);
	/* The bound is in bytes, not characters. */
	assert_int_equal(json_get_string(o, "u", 3, &s), JGET_BAD);
	assert_int_equal(json_get_string(o, "u", 4, &s), JGET_OK);
	json_object_put(o);
}

static void
test_get_string_embedded_nul(void **state)
{
	struct json_object	*o, *arr;
	const char		*s = NULL;

	(void)state;
	o = must_parse("{\"s\":\"ab\\u0000cd\",\"t\":\"abcd\",\"a\":[\"x\\u0000\"]}");
	assert_int_equal(json_get_string(o, "s", 100, &s), JGET_BAD);
	assert_int_equal(json_get_string(o, "t", 100, &s), JGET_OK);
	assert_int_equal(json_get_array(o, "a", 1, &arr), JGET_OK);
	assert_false(json_array_string(arr, 0, 100, &s));
	json_object_put(o);
}

static void
test_get_bool(void **state)
{
	struct json_object	*o;
	int			 b = -1;

	(void)state;
	o = must_parse("{\"t\":true,\"f\":false,\"s\":\"true\",\"n\":1}");
	assert_int_equal(json_get_bool(o, "t", &b), JGET_OK);
	assert_int_equal(b, 1);
	assert_int_equal(json_get_bool(o, "f", &b), JGET_OK);
	assert_int_equal(b, 0);
	assert_int_equal(json_get_bool(o, "s", &b), JGET_BAD);
	assert_int_equal(json_get_bool(o, "n", &b), JGET_BAD);
	assert_int_equal(json_get_bool(o, "x", &b), JGET_ABSENT);
	json_object_put(o);
}

static void
test_get_int_wrong_type(void **state)
{
	struct json_object	*o;
	int64_t			 v;

	(void)state;
	o = must_parse("{\"d\":1.5,\"e\":1e2,\"s\":\"1\",\"b\":true,\"a\":[1]}");
	assert_int_equal(json_get_int(o, "d", 0, 100, &v), JGET_BAD);
	assert_int_equal(json_get_int(o, "e", 0, 1000, &v), JGET_BAD);
	assert_int_equal(json_get_int(o, "s", 0, 100, &v), JGET_BAD);
	assert_int_equal(json_get_int(o, "b", 0, 100, &v), JGET_BAD);
	assert_int_equal(json_get_int(o, "a", 0, 100, &v), JGET_BAD);
	assert_int_equal(json_get_int(o, "x", 0, 100, &v), JGET_ABSENT);
	json_object_put(o);
}

static void
test_get_int_range(void **state)
{
	struct json_object	*o;
	int64_t			 v = 0;

	(void)state;
	o = must_parse("{\"lo\":-5,\"hi\":10,\"big\":9223372036854775807,"
	    "\"small\":-9223372036854775808}");
	assert_int_equal(json_get_int(o, "lo", -5, 10, &v), JGET_OK);
	assert_true(v == -5);
	assert_int_equal(json_get_int(o, "lo", -4, 10, &v), JGET_BAD);
	assert_int_equal(json_get_int(o, "hi", -5, 10, &v), JGET_OK);
	assert_true(v == 10);
	assert_int_equal(json_get_int(o, "hi", -5, 9, &v), JGET_BAD);
	assert_int_equal(json_get_int(o, "big", INT64_MIN, INT64_MAX, &v), JGET_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(json_get_int(o, "small", INT64_MIN, INT64_MAX, &v), JGET_OK);
	assert_true(v == INT64_MIN);
	json_object_put(o);
}

/*
 * Integers beyond int64 are not INT64_MAX or INT64_MIN: json-c saturates
 * them, and the getter must not pass the saturated value off as the number.
 */
static void
test_get_int_saturation(void **state)
{
	static const char *const huge[] = {
		"{\"n\":9223372036854775808}",
		"{\"n\":18446744073709551615}",
		"{\"n\":99999999999999999999999}",
		"{\"n\":-9223372036854775809}",
	};
	const char		*err;
	struct json_object	*o;
	int64_t			 v = 42;

	(void)state;
	for (size_t i = 0; i < nitems(huge); i++) {
		/* Rejecting the document is as good as rejecting the member. */
		if ((o = parse(huge[i], &err)) == NULL)
			continue;
		if (json_get_int(o, "n", INT64_MIN, INT64_MAX, &v) != JGET_BAD)
			fail_msg("%s read as %lld", huge[i], (long long)v);
		json_object_put(o);
	}
}

static void
test_get_object_and_array(void **state)
{
	struct json_object	*o, *v;

	(void)state;
	o = must_parse("{\"o\":{\"k\":1},\"a\":[1,2,3],\"s\":\"x\"}");
	assert_int_equal(json_get_object(o, "o", &v), JGET_OK);
	assert_true(json_object_is_type(v, json_type_object));
	assert_int_equal(json_get_object(o, "a", &v), JGET_BAD);
	assert_int_equal(json_get_object(o, "s", &v), JGET_BAD);
	assert_int_equal(json_get_object(o, "x", &v), JGET_ABSENT);
	assert_int_equal(json_get_array(o, "a", 3, &v), JGET_OK);
	assert_int_equal(json_object_array_length(v), 3);
	assert_int_equal(json_get_array(o, "a", 2, &v), JGET_BAD);
	assert_int_equal(json_get_array(o, "o", 3, &v), JGET_BAD);
	assert_int_equal(json_get_array(o, "x", 3, &v), JGET_ABSENT);
	json_object_put(o);
}

static void
test_array_string(void **state)
{
	struct json_object	*o, *arr;
	const char		*s = NULL;

	(void)state;
	o = must_parse("{\"a\":[\"x\",1,\"long\"]}");
	assert_int_equal(json_get_array(o, "a", 3, &arr), JGET_OK);
	assert_true(json_array_string(arr, 0, 4, &s));
	assert_string_equal(s, "x");
	assert_false(json_array_string(arr, 1, 4, &s));
	assert_false(json_array_string(arr, 2, 3, &s));
	assert_true(json_array_string(arr, 2, 4, &s));
	assert_false(json_array_string(arr, 3, 4, &s));
	json_object_put(o);
}

static void
test_out_and_add_string(void **state)
{
	struct json_object	*o, *back;
	const char		*s, *err;

	(void)state;
	assert_non_null(o = json_object_new_object());
	assert_true(json_add_string(o, "url", "https://example.test/a/b"));
	s = json_out(o);
	assert_contains(s, "https://example.test/a/b");
	assert_null(strstr(s, "\\/"));
	back = json_parse(s, strlen(s), 10, &err);
	assert_non_null(back);
	assert_int_equal(json_get_string(back, "url", 100, &s), JGET_OK);
	assert_string_equal(s, "https://example.test/a/b");
	json_object_put(back);
	json_object_put(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_object),
		cmocka_unit_test(test_valid_with_whitespace),
		cmocka_unit_test(test_valid_utf8),
		cmocka_unit_test(test_rejects_duplicate_member),
		cmocka_unit_test(test_rejects_duplicate_escaped_member),
		cmocka_unit_test(test_rejects_duplicate_in_nested_object),
		cmocka_unit_test(test_duplicate_scan_skips_strings),
		cmocka_unit_test(test_rejects_too_deep),
		cmocka_unit_test(test_rejects_nul_byte),
		cmocka_unit_test(test_rejects_invalid_utf8_byte),
		cmocka_unit_test(test_rejects_truncated_utf8_sequence),
		cmocka_unit_test(test_rejects_overlong_utf8),
		cmocka_unit_test(test_rejects_utf8_surrogate_and_out_of_range),
		cmocka_unit_test(test_rejects_raw_control_character),
		cmocka_unit_test(test_rejects_nan_and_infinity),
		cmocka_unit_test(test_rejects_trailing_data),
		cmocka_unit_test(test_rejects_truncated),
		cmocka_unit_test(test_top_level_scalars),
		cmocka_unit_test(test_rejects_empty),
		cmocka_unit_test(test_rejects_syntax_errors),
		cmocka_unit_test(test_rejects_too_many_members),
		cmocka_unit_test(test_member_bound_is_per_object),
		cmocka_unit_test(test_get_string),
		cmocka_unit_test(test_get_string_too_long),
		cmocka_unit_test(test_get_string_embedded_nul),
		cmocka_unit_test(test_get_bool),
		cmocka_unit_test(test_get_int_wrong_type),
		cmocka_unit_test(test_get_int_range),
		cmocka_unit_test(test_get_int_saturation),
		cmocka_unit_test(test_get_object_and_array),
		cmocka_unit_test(test_array_string),
		cmocka_unit_test(test_out_and_add_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
