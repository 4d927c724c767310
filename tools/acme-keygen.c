/*
 * acme-keygen - the account key of an upstream ACME CA, for acme-upstream(8):
 *
 *     acme-keygen TYPE FILE
 *
 * TYPE is ec256, ec384, rsa2048, rsa3072 or rsa4096, the account keys ACME
 * CAs take (RFC 8555 §6.2 leaves the choice to them; ES256 and RS256 are
 * what all accept).  FILE must not exist: it is created with mode 0600 and
 * holds the key as PKCS#8 PEM, the form acme-fcgi loads it from.  The key is
 * never printed.  Exit status: 0 success, 1 failed, 2 usage.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "key.h"
#include "log.h"

#define PROG	"acme-keygen"

static const enum key_type account_types[] = {
	KEY_EC256, KEY_EC384, KEY_RSA2048, KEY_RSA3072, KEY_RSA4096
};

static int
account_type_ok(enum key_type t)
{
	for (size_t i = 0; i < sizeof(account_types) / sizeof(account_types[0]); i++)
		if (account_types[i] == t)
			return 1;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct key	k;
	enum key_type	t;
	int		rc = 1;

	if (argc != 3 || argv[2][0] == '\0') {
		fprintf(stderr, "usage: %s ec256|ec384|rsa2048|rsa3072|rsa4096 FILE\n", PROG);
		return 2;
	}
	log_init(PROG, 0, LOG_LVL_ERR);
	t = key_type_parse(argv[1]);
	if (!account_type_ok(t)) {
		fprintf(stderr, "%s: invalid key type \"%s\": use ec256, ec384, "
		    "rsa2048, rsa3072 or rsa4096\n", PROG, argv[1]);
		return 1;
	}
	if (gnutls_global_init() < 0) {
		fprintf(stderr, "%s: cannot initialise GnuTLS\n", PROG);
		return 1;
	}
	if (!key_generate(&k, t)) {
		fprintf(stderr, "%s: cannot generate a %s key\n", PROG, argv[1]);
		goto out;
	}
	/* key_save() creates the file with O_EXCL, mode 0600, and syncs it. */
	if (!key_save(&k, argv[2]))
		fprintf(stderr, "%s: cannot write the key to %s\n", PROG, argv[2]);
	else
		rc = 0;
	key_free(&k);
out:
	gnutls_global_deinit();
	return rc;
}
