/*
 * test_b64url.c - base64url without padding (RFC 4648 §5), strict decoding.
 */
#include "autoconfig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "b64url.h"
#include "testutil.h"

/* Decodes a NUL-terminated string; 1 if accepted. */
static int
decodes(const char *s)
{
	static uint8_t	 sentinel[1];
	uint8_t		*out = sentinel;
	size_t		 len = 99;
	int		 ok;

	ok = b64url_decode(s, strlen(s), &out, &len);
	if (!ok) {
		/* A rejection leaves nothing to free. */
		assert_null(out);
		assert_int_equal(len, 0);
	}
	free(out);
	return ok;
}

/* Every length 0..64 encodes to ceil(4n/3) characters and decodes back. */
static void
test_round_trip_all_lengths(void **state)
{
	uint8_t	 in[64], *out;
	char	*enc;
	size_t	 n, i, len;

	(void)state;
	for (n = 0; n <= sizeof(in); n++) {
		for (i = 0; i < n; i++)
			in[i] = (uint8_t)(i * 37 + n * 11 + 0x80);
		enc = b64url_encode(in, n);
		assert_non_null(enc);
		assert_int_equal(strlen(enc), (n * 4 + 2) / 3);
		assert_int_equal(b64url_enclen(n), (n * 4 + 2) / 3);
		assert_int_equal(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_"), strlen(enc));
		assert_true(b64url_decode(enc, strlen(enc), &out, &len));
		assert_int_equal(len, n);
		assert_memory_equal(out, in, n);
		assert_int_equal(out[len], '\0');
		free(out);
		free(enc);
	}
}

/* RFC 4648 §10 test vectors, padding removed as base64url requires (§5). */
static const struct {
	const char	*raw;
	const char	*enc;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg" },
	{ "fo", "Zm8" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg" },
	{ "fooba", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy" },
};

static void
test_rfc4648_vectors_encode(void **state)
{
	char	 buf[16];
	char	*enc;

	(void)state;
	for (size_t i = 0; i < nitems(rfc4648); i++) {
		enc = b64url_encode(rfc4648[i].raw, strlen(rfc4648[i].raw));
		assert_string_equal(enc, rfc4648[i].enc);
		free(enc);
		b64url_encode_buf(rfc4648[i].raw, strlen(rfc4648[i].raw), buf);
		assert_string_equal(buf, rfc4648[i].enc);
	}
}

static void
test_rfc4648_vectors_decode(void **state)
{
	uint8_t	*out;
	size_t	 len;

	(void)state;
	for (size_t i = 0; i < nitems(rfc4648); i++) {
		assert_true(b64url_decode(rfc4648[i].enc, strlen(rfc4648[i].enc),
		    &out, &len));
		assert_int_equal(len, strlen(rfc4648[i].raw));
		assert_string_equal((char *)out, rfc4648[i].raw);
		free(out);
	}
}

/* The two characters where base64url differs from base64: "+/8=" is "-_8". */
static void
test_url_safe_alphabet(void **state)
{
	static const uint8_t	 raw[] = { 0xfb, 0xff };
	uint8_t			*out;
	size_t			 len;
	char			*enc;

	(void)state;
	enc = b64url_encode(raw, sizeof(raw));
	assert_string_equal(enc, "-_8");
	assert_true(b64url_decode(enc, strlen(enc), &out, &len));
	assert_int_equal(len, sizeof(raw));
	assert_memory_equal(out, raw, sizeof(raw));
	free(out);
	free(enc);
}

static void
test_rejects_padding(void **state)
{
	(void)state;
	assert_false(decodes("Zg=="));
	assert_false(decodes("Zm8="));
	assert_false(decodes("Zg="));
	assert_true(decodes("Zg"));
	assert_true(decodes("Zm8"));
}

static void
test_rejects_plus(void **state)
{
	(void)state;
	assert_false(decodes("+_8"));
	assert_true(decodes("-_8"));
}

static void
test_rejects_slash(void **state)
{
	(void)state;
	assert_false(decodes("-/8"));
	assert_true(decodes("-_8"));
}

static void
test_rejects_whitespace(void **state)
{
	(void)state;
	assert_false(decodes("Zm9v Yg"));
	assert_false(decodes("Zm9vYg\n"));
	assert_false(decodes(" Zm9vYg"));
	assert_false(decodes("Zm9v\tYg"));
	assert_false(decodes("Zm9v\r\nYg"));
	assert_true(decodes("Zm9vYg"));
}

/* One character carries 6 bits: no byte string encodes to 4k+1 characters. */
static void
test_rejects_length_mod4_is_1(void **state)
{
	(void)state;
	assert_false(decodes("A"));
	assert_false(decodes("Zm9vY"));
	assert_false(decodes("Zm9vYmFyA"));
	assert_true(decodes("Zm9vYg"));
}

/* Unused low bits must be zero, so that each byte string has one encoding. */
static void
test_rejects_nonzero_trailing_bits(void **state)
{
	(void)state;
	assert_false(decodes("Zh"));		/* "f" is "Zg" */
	assert_false(decodes("Zm9"));		/* "fo" is "Zm8" */
	assert_false(decodes("Zm9vYh"));	/* "foob" is "Zm9vYg" */
	assert_false(decodes("Zm9vYmF"));	/* "fooba" is "Zm9vYmE" */
	assert_true(decodes("Zg"));
	assert_true(decodes("Zm8"));
	assert_true(decodes("Zm9vYmE"));
}

static void
test_rejects_other_characters(void **state)
{
	(void)state;
	assert_false(decodes("Zm9v.g"));
	assert_false(decodes("Zm9v%2"));
	assert_false(decodes("Zm9v\xc3\xa9"));
	assert_true(decodes("Zm9vYg"));
}

/* The length is explicit: a NUL inside it is a bad character, not an end. */
static void
test_rejects_embedded_nul(void **state)
{
	static const char	 in[] = "Zg\0v";
	uint8_t			*out;
	size_t			 len;

	(void)state;
	assert_false(b64url_decode(in, 4, &out, &len));
	assert_null(out);
	assert_true(b64url_decode(in, 2, &out, &len));
	assert_int_equal(len, 1);
	assert_int_equal(out[0], 'f');
	free(out);
}

/* Only len characters are read: what follows does not matter. */
static void
test_decodes_exactly_len(void **state)
{
	uint8_t	*out;
	size_t	 len;

	(void)state;
	assert_true(b64url_decode("Zm9v====", 4, &out, &len));
	assert_int_equal(len, 3);
	assert_string_equal((char *)out, "foo");
	free(out);
}

static void
test_empty_input(void **state)
{
	uint8_t	*out;
	size_t	 len = 99;
	char	*enc;

	(void)state;
	assert_true(b64url_decode("", 0, &out, &len));
	assert_non_null(out);
	assert_int_equal(len, 0);
	assert_int_equal(out[0], '\0');
	free(out);
	enc = b64url_encode("", 0);
	assert_string_equal(enc, "");
	free(enc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_all_lengths),
		cmocka_unit_test(test_rfc4648_vectors_encode),
		cmocka_unit_test(test_rfc4648_vectors_decode),
		cmocka_unit_test(test_url_safe_alphabet),
		cmocka_unit_test(test_rejects_padding),
		cmocka_unit_test(test_rejects_plus),
		cmocka_unit_test(test_rejects_slash),
		cmocka_unit_test(test_rejects_whitespace),
		cmocka_unit_test(test_rejects_length_mod4_is_1),
		cmocka_unit_test(test_rejects_nonzero_trailing_bits),
		cmocka_unit_test(test_rejects_other_characters),
		cmocka_unit_test(test_rejects_embedded_nul),
		cmocka_unit_test(test_decodes_exactly_len),
		cmocka_unit_test(test_empty_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
