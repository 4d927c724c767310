#include "autoconfig.h"

#include <string.h>

#include <gnutls/crypto.h>

#include "b64url.h"
#include "ident.h"

int
ident_new(char *out)
{
	unsigned char raw[IDENT_BYTES];

	if (gnutls_rnd(GNUTLS_RND_NONCE, raw, sizeof(raw)) < 0)
		return 0;
	b64url_encode_buf(raw, sizeof(raw), out);
	return 1;
}

int
ident_valid(const char *s)
{
	return strlen(s) == IDENT_LEN &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") == IDENT_LEN;
}
