/*
 * fuzz_b64url - base64url as the JWS and JWK parsers use it (RFC 7515 §2).
 *
 * Properties: b64url_decode() is strict, so every byte string has exactly
 * one accepted encoding: whatever it accepts re-encodes to the very same
 * text.  In the other direction every byte string encodes to text of
 * b64url_enclen() characters that decodes back to it.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "fuzz.h"

static void
check_decode(const uint8_t *data, size_t size)
{
	uint8_t	*out;
	size_t	 outlen;
	char	*enc;

	if (!b64url_decode((const char *)data, size, &out, &outlen)) {
		FUZZ_CHECK(out == NULL && outlen == 0);
		return;
	}
	FUZZ_CHECK(out != NULL && out[outlen] == '\0');
	FUZZ_CHECK(outlen == size / 4 * 3 + (size % 4 ? size % 4 - 1 : 0));
	FUZZ_CHECK(b64url_enclen(outlen) == size);
	FUZZ_CHECK((enc = b64url_encode(out, outlen)) != NULL);
	if (strlen(enc) != size || memcmp(enc, data, size) != 0)
		fuzz_fail("decode then encode gives the input back", __FILE__, __LINE__);
	free(enc);
	free(out);
}

static void
check_encode(const uint8_t *data, size_t size)
{
	uint8_t	*out;
	size_t	 outlen;
	char	*enc;

	FUZZ_CHECK((enc = b64url_encode(data, size)) != NULL);
	FUZZ_CHECK(strlen(enc) == b64url_enclen(size));
	FUZZ_CHECK(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == strlen(enc));
	FUZZ_CHECK(b64url_decode(enc, strlen(enc), &out, &outlen));
	if (outlen != size || memcmp(out, data, size) != 0)
		fuzz_fail("encode then decode gives the input back", __FILE__, __LINE__);
	free(out);
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_decode(data, size);
	check_encode(data, size);
	return 0;
}
