#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "b64url.h"
#include "nonce.h"

#define NONCE_MAC_LEN	16
#define NONCE_RAW_LEN	(NONCE_ID_LEN + NONCE_MAC_LEN)

static int
nonce_mac(const struct nonce_key *k, const uint8_t *id, uint8_t *mac)
{
	uint8_t full[32];

	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, k->key, sizeof(k->key), id,
	    NONCE_ID_LEN, full) < 0)
		return 0;
	memcpy(mac, full, NONCE_MAC_LEN);
	return 1;
}

int
nonce_make(const struct nonce_key *k, time_t now, char *out)
{
	uint8_t		raw[NONCE_RAW_LEN];
	uint32_t	t = (uint32_t)(now + (time_t)k->lifetime);

	raw[0] = (uint8_t)(t >> 24);
	raw[1] = (uint8_t)(t >> 16);
	raw[2] = (uint8_t)(t >> 8);
	raw[3] = (uint8_t)t;
	if (gnutls_rnd(GNUTLS_RND_NONCE, raw + 4, NONCE_ID_LEN - 4) < 0 ||
	    !nonce_mac(k, raw, raw + NONCE_ID_LEN))
		return 0;
	b64url_encode_buf(raw, sizeof(raw), out);
	return 1;
}

enum nonce_status
nonce_check(const struct nonce_key *k, const char *text, time_t now,
    uint8_t *id, time_t *expires)
{
	uint8_t			*raw = NULL, mac[NONCE_MAC_LEN];
	size_t			 len;
	time_t			 exp;
	enum nonce_status	 st = NONCE_INVALID;

	if (strlen(text) != NONCE_TEXT_LEN ||
	    !b64url_decode(text, NONCE_TEXT_LEN, &raw, &len) ||
	    len != NONCE_RAW_LEN || !nonce_mac(k, raw, mac) ||
	    gnutls_memcmp(mac, raw + NONCE_ID_LEN, NONCE_MAC_LEN) != 0)
		goto out;
	/*
	 * The expiry, not the issue time, is what the MAC covers: a longer
	 * lifetime configured later cannot revive a nonce whose record of
	 * use has been pruned, and the record is kept exactly as long.
	 */
	exp = (time_t)((uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
	    (uint32_t)raw[2] << 8 | raw[3]);
	if (exp < now || exp > now + (time_t)k->lifetime + NONCE_SKEW) {
		st = NONCE_EXPIRED;
		goto out;
	}
	memcpy(id, raw, NONCE_ID_LEN);
	*expires = exp;
	st = NONCE_VALID;
out:
	free(raw);
	return st;
}
