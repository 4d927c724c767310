/*
 * fuzz_signer - signer_req_decode() over a request payload, as the signer
 * process reads it from a worker (signer.h).
 *
 * Properties: a rejection gives a reason and leaves nothing to free; an
 * accepted request has a CA id, 1 to CA_LEAF_NAMES_MAX names of a known
 * type, each 1 to CA_DNS_NAME_MAX bytes without NUL, and a public key; and
 * the encoding is canonical: signer_req_encode() of the decoded request
 * gives the input back byte for byte.
 */
#include "autoconfig.h"

#include <string.h>

#include "buf.h"
#include "ca.h"
#include "fuzz.h"
#include "signer.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct signer_req	 r;
	struct buf			 b = { NULL, 0, 0, 0 };
	size_t				 i, len;

	if (!signer_req_decode(data, size, &r)) {
		FUZZ_CHECK(r.error != NULL && r.error[0] != '\0');
		FUZZ_CHECK(r.leaf.pub == NULL);
		return 0;
	}
	FUZZ_CHECK(r.error == NULL);
	FUZZ_CHECK(r.ca_id > 0);
	FUZZ_CHECK(r.leaf.pub != NULL);
	FUZZ_CHECK(r.leaf.names == r.names);
	FUZZ_CHECK(r.leaf.nnames >= 1 && r.leaf.nnames <= CA_LEAF_NAMES_MAX);
	for (i = 0; i < r.leaf.nnames; i++) {
		FUZZ_CHECK((unsigned)r.names[i].type < CA_NAME_TYPE__MAX);
		len = strlen(r.names[i].value);
		FUZZ_CHECK(len >= 1 && len <= CA_DNS_NAME_MAX);
	}
	FUZZ_CHECK(size <= SIGNER_FRAME_MAX);
	FUZZ_CHECK(signer_req_encode(&b, r.ca_id, &r.leaf));
	FUZZ_CHECK(b.len == size && memcmp(b.p, data, size) == 0);
	buf_free(&b);
	signer_req_free(&r);
	return 0;
}
