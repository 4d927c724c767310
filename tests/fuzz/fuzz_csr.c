/*
 * fuzz_csr - csr_parse() of the DER a finalize request carries (RFC 8555
 * §7.4, after base64url), then csr_check_names() against a fixed order and
 * csr_check_key() against template key lists, as the finalize handler
 * calls them.
 *
 * Every input that GnuTLS reads as a request is parsed twice: as it is, and
 * signed again with the P-256 key below, which most seeds carry, so that a
 * mutation of the names still gets past the signature check to the code
 * that reads them.
 *
 * Properties: a refusal is badCSR or badPublicKey, with a detail of
 * printable ASCII (CSR bytes never reach a problem document raw) and
 * nothing left to free.  An accepted CSR has a named key type and 1 to
 * CA_LEAF_NAMES_MAX distinct names, each in normal form (parsing it again
 * gives it back); its names equal themselves as a set, and equal the fixed
 * order exactly when each side holds every identifier of the other; its key
 * type passes the list of all types and fails a list without it.
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "csr.h"
#include "fuzz.h"
#include "identifier.h"
#include "key.h"
#include "problem.h"

/* The order the seeds in corpus/csr/ are made for. */
static const struct {
	const char	*type;
	const char	*value;
} order[] = {
	{ "dns", "www.example.com" },
	{ "dns", "example.com" },
	{ "ip", "192.0.2.1" },
};
#define ORDER_LEN	(sizeof(order) / sizeof(order[0]))

/* The key of the seeds made with certtool; a test key, never a secret. */
static const char seed_key[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIE+K25xb9xAKjZldicFQ4FXq5s5Nc02HVr6gBHwo8vfXoAoGCCqGSM49\n"
    "AwEHoUQDQgAEq+3PK9iTxkk9az9Cv5k9+T1hSwpfUp4jCMUfgAmv/aetEWCEeVIC\n"
    "wwqML0poULnKoRza+IcJB+b9lac/DkPyJA==\n"
    "-----END EC PRIVATE KEY-----\n";

static void
check_detail(const struct problem *p)
{
	const char	*s;

	FUZZ_CHECK(p->detail[0] != '\0');
	FUZZ_CHECK(strlen(p->detail) < PROBLEM_DETAIL_MAX);
	for (s = p->detail; *s != '\0'; s++)
		FUZZ_CHECK(*s >= 0x20 && *s <= 0x7e);
}

static int
has(const struct identifier *list, size_t n, const struct identifier *id)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (list[i].type == id->type && strcmp(list[i].value, id->value) == 0)
			return 1;
	return 0;
}

static void
check_names(const struct csr *c, const struct identifier *ids)
{
	struct identifier	 again;
	struct problem		 p;
	size_t			 i;
	int			 equal;

	FUZZ_CHECK(c->nnames >= 1 && c->nnames <= CA_LEAF_NAMES_MAX);
	for (i = 0; i < c->nnames; i++) {
		memset(&p, 0, sizeof(p));
		FUZZ_CHECK(ident_parse(ident_type_name(c->names[i].type),
		    c->names[i].value, &again, &p));
		FUZZ_CHECK(strcmp(again.value, c->names[i].value) == 0);
		FUZZ_CHECK(again.wildcard == c->names[i].wildcard);
		FUZZ_CHECK(!has(c->names, i, &c->names[i]));
	}
	memset(&p, 0, sizeof(p));
	FUZZ_CHECK(csr_check_names(c, c->names, c->nnames, &p));

	equal = 1;
	for (i = 0; i < c->nnames; i++)
		equal &= has(ids, ORDER_LEN, &c->names[i]);
	for (i = 0; i < ORDER_LEN; i++)
		equal &= has(c->names, c->nnames, &ids[i]);
	memset(&p, 0, sizeof(p));
	if (csr_check_names(c, ids, ORDER_LEN, &p))
		FUZZ_CHECK(equal);
	else {
		FUZZ_CHECK(!equal);
		FUZZ_CHECK(p.type == PROB_BAD_CSR);
		check_detail(&p);
	}
}

static void
check_key(const struct csr *c)
{
	struct problem	 p;
	char		 all[128], others[128];
	const char	*name;
	size_t		 a = 0, o = 0;
	int		 t;

	/* Trailing commas too: an empty name matches nothing. */
	for (t = 0; t < KEY_TYPE__MAX; t++) {
		name = key_type_name((enum key_type)t);
		a += (size_t)snprintf(all + a, sizeof(all) - a, "%s,", name);
		if (t != (int)c->key_type)
			o += (size_t)snprintf(others + o, sizeof(others) - o,
			    "%s,", name);
	}
	FUZZ_CHECK(a < sizeof(all) && o < sizeof(others));
	memset(&p, 0, sizeof(p));
	FUZZ_CHECK(csr_check_key(c, all, &p));
	FUZZ_CHECK(!csr_check_key(c, others, &p));
	FUZZ_CHECK(p.type == PROB_BAD_PUBLIC_KEY);
	check_detail(&p);
}

static void
check_parse(const uint8_t *data, size_t size, const struct identifier *ids)
{
	struct problem	p;
	struct csr	c;

	memset(&p, 0, sizeof(p));
	if (!csr_parse(data, size, &c, &p)) {
		FUZZ_CHECK(p.type == PROB_BAD_CSR || p.type == PROB_BAD_PUBLIC_KEY);
		check_detail(&p);
		FUZZ_CHECK(c.crq == NULL && c.pub == NULL && c.names == NULL);
		FUZZ_CHECK(c.nnames == 0 && c.key_type == KEY_TYPE_INVALID);
		return;
	}
	FUZZ_CHECK(c.crq != NULL && c.pub != NULL);
	FUZZ_CHECK(c.key_type < KEY_TYPE__MAX);
	FUZZ_CHECK(key_type_of_pubkey(c.pub) == c.key_type);
	check_names(&c, ids);
	check_key(&c);
	csr_free(&c);
}

/* The input signed again with key, as DER in *out; 0 if GnuTLS cannot read it. */
static int
resign(const uint8_t *data, size_t size, gnutls_privkey_t key,
    gnutls_datum_t *out)
{
	gnutls_x509_crq_t	crq;
	gnutls_datum_t		in = { (unsigned char *)(uintptr_t)data, (unsigned)size };
	int			ok;

	if (size == 0 || size > CSR_MAX_BYTES || gnutls_x509_crq_init(&crq) < 0)
		return 0;
	ok = gnutls_x509_crq_import(crq, &in, GNUTLS_X509_FMT_DER) >= 0 &&
	    gnutls_x509_crq_privkey_sign(crq, key, GNUTLS_DIG_SHA256, 0) >= 0 &&
	    gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, out) >= 0;
	gnutls_x509_crq_deinit(crq);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct identifier	 ids[ORDER_LEN];
	static gnutls_privkey_t		 key;
	gnutls_datum_t			 pem = { (unsigned char *)(uintptr_t)seed_key,
					    sizeof(seed_key) - 1 };
	gnutls_datum_t			 der = { NULL, 0 };
	struct problem			 p;
	size_t				 i;

	if (key == NULL) {
		for (i = 0; i < ORDER_LEN; i++) {
			memset(&p, 0, sizeof(p));
			FUZZ_CHECK(ident_parse(order[i].type, order[i].value,
			    &ids[i], &p));
		}
		FUZZ_CHECK(gnutls_privkey_init(&key) >= 0);
		FUZZ_CHECK(gnutls_privkey_import_x509_raw(key, &pem,
		    GNUTLS_X509_FMT_PEM, NULL, 0) >= 0);
	}
	check_parse(data, size, ids);
	if (resign(data, size, key, &der))
		check_parse(der.data, der.size, ids);
	gnutls_free(der.data);
	return 0;
}
