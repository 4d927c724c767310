/*
 * fuzz_eab - eab_parse() and eab_verify_mac() over an "externalAccountBinding"
 * object (RFC 8555 §7.3.4), as the newAccount handler calls them, for a fixed
 * account key and newAccount URL; no database is involved.
 *
 * Properties: an accepted binding is a MAC JWS with a valid kid, the
 * newAccount URL and neither nonce nor jwk; its MAC verifies under at most
 * one of two different keys and never under a key shorter than EAB_KEY_MIN;
 * a rejection is "malformed" or "unauthorized", with a detail, and leaves
 * nothing to free.
 */
#include "autoconfig.h"

#include <string.h>

#include "eab.h"
#include "fuzz.h"
#include "json.h"
#include "jwk.h"
#include "problem.h"

#define FUZZ_EAB_URL	"https://acme.test/ep/new-account"

/* The account key the seed bindings bind (a P-256 key made for them). */
static const char outer_jwk[] =
    "{\"crv\":\"P-256\",\"kty\":\"EC\","
    "\"x\":\"PcGqks8NnaU-S-kJ_AUy2yE9c_j_tXs6NncWimXwESc\","
    "\"y\":\"mHfNManZJt652ZT5a5XghagBs2rrEH3ip2aPcHAQsQU\"}";

/* The MAC key of the seeds, base64url ZnV6ei1lYWItaG1hYy1rZXktMDEyMzQ1Njc4OWFiY2Q. */
static const uint8_t mac_key[] = "fuzz-eab-hmac-key-0123456789abcd";
#define MAC_KEY_LEN	(sizeof(mac_key) - 1)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jwk	 outer;
	struct json_object	*binding;
	struct problem		 p;
	struct eab		 e;
	uint8_t			 other[MAC_KEY_LEN];
	const char		*err;
	int			 good, bad;

	memset(&p, 0, sizeof(p));
	if (outer.pub == NULL)
		FUZZ_CHECK(jwk_parse_text(outer_jwk, &outer, &p));
	if ((binding = json_parse((const char *)data, size, FUZZ_BODY_DEPTH, &err)) == NULL)
		return 0;
	if (!eab_parse(binding, FUZZ_EAB_URL, &outer, &e, &p)) {
		FUZZ_CHECK(p.type == PROB_MALFORMED || p.type == PROB_UNAUTHORIZED);
		FUZZ_CHECK(p.detail[0] != '\0');
		FUZZ_CHECK(e.jws.hdr == NULL && e.kid == NULL);
		goto out;
	}
	FUZZ_CHECK(jws_alg_is_mac(e.jws.alg));
	FUZZ_CHECK(e.kid != NULL && eab_kid_valid(e.kid));
	FUZZ_CHECK(e.jws.url != NULL && strcmp(e.jws.url, FUZZ_EAB_URL) == 0);
	FUZZ_CHECK(e.jws.nonce == NULL && e.jws.jwk == NULL);

	memcpy(other, mac_key, MAC_KEY_LEN);
	other[0] ^= 1;
	good = eab_verify_mac(&e, mac_key, MAC_KEY_LEN);
	bad = eab_verify_mac(&e, other, MAC_KEY_LEN);
	FUZZ_CHECK(!(good && bad));
	FUZZ_CHECK(!eab_verify_mac(&e, mac_key, EAB_KEY_MIN - 1));
	eab_free(&e);
out:
	problem_clear(&p);
	json_object_put(binding);
	return 0;
}
