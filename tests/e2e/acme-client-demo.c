/*
 * acme-client-demo - obtains a certificate with the ACME client of
 * core/acme_client.h, as the upstream proxy will: for the e2e tests.
 *
 *   acme-client-demo -d DIRECTORY [options] [NAME...]
 *
 *   -d URL      the directory URL (https://)
 *   -r FILE     trust these PEM roots for the ACME server (default: system)
 *   -a FILE     the account key: loaded if the file exists, else a new
 *               ec256 key is saved there (default: a new key, not saved)
 *   -k KID      EAB key identifier ...
 *   -m HMAC     ... and its MAC key (base64url)
 *   -e          only find the key's existing account (onlyReturnExisting)
 *   -t TYPE     challenge type to answer (default http-01; an authorization
 *               without it gets its first challenge with a token answered)
 *   -p CN       preferred chain: the one whose top was issued by CN
 *   -o FILE     write the chosen chain here (PEM)
 *   -K FILE     write the certificate's new private key here
 *   -L          list the account's orders (after the order, if any)
 *   -v          debug traces on stderr
 *
 * With NAMEs (DNS names; IP addresses as such), orders a certificate for
 * them.  The challenges are only answered (POST {}), never served: against
 * acme-fcgi in policy mode none is needed, against Pebble run it with
 * PEBBLE_VA_ALWAYS_VALID=1.  Prints what it did as "key value" lines on
 * stdout; a failure is one line on stderr with the problem's type, HTTP
 * status and detail, and exit status 1.  Usage errors exit 2.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "acme_client.h"
#include "identifier.h"
#include "key.h"
#include "log.h"
#include "problem.h"

#define NAMES_MAX	ACME_ORDER_AUTHZ_MAX

static void
usage(void)
{
	fprintf(stderr, "usage: acme-client-demo -d URL [-r ROOTS] [-a KEYFILE] "
	    "[-k KID -m HMAC] [-e] [-t TYPE] [-p CN] [-o CHAIN] [-K KEYOUT] [-L] [-v] "
	    "[NAME...]\n");
	exit(2);
}

/* Reports p for the step that failed; returns 0, for "return failed(...)". */
static int
failed(const char *step, const struct problem *p)
{
	const char *name = problem_type_name(p->type);

	fprintf(stderr, "acme-client-demo: %s: %s (%d): %s\n", step,
	    name != NULL ? name : "?", p->status, p->detail);
	for (size_t i = 0; i < p->nsub; i++)
		fprintf(stderr, "acme-client-demo:   %s:%s: %s: %s\n", p->sub[i].id_type,
		    p->sub[i].id_value, problem_type_name(p->sub[i].type) != NULL ?
		    problem_type_name(p->sub[i].type) : "?", p->sub[i].detail);
	return 0;
}

static int
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	const char	*s = data;
	int		 fd;
	ssize_t		 n;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0) {
		fprintf(stderr, "acme-client-demo: %s: %s\n", path, strerror(errno));
		return 0;
	}
	while (len > 0) {
		if ((n = write(fd, s, len)) < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "acme-client-demo: %s: %s\n", path, strerror(errno));
			close(fd);
			return 0;
		}
		s += n;
		len -= (size_t)n;
	}
	return close(fd) == 0;
}

/* A DER CSR for the names (RFC 2986), signed with k; *der is gnutls_free'd. */
static int
make_csr(const struct key *k, char *const *names, int n, gnutls_datum_t *der)
{
	gnutls_x509_crq_t	 crq = NULL;
	gnutls_pubkey_t		 pub = NULL;
	unsigned char		 ip[16];
	int			 rc, i;

	if ((rc = gnutls_x509_crq_init(&crq)) < 0 ||
	    (rc = gnutls_x509_crq_set_version(crq, 1)) < 0 ||
	    (rc = gnutls_pubkey_init(&pub)) < 0 ||
	    (rc = gnutls_pubkey_import_privkey(pub, k->priv, 0, 0)) < 0 ||
	    (rc = gnutls_x509_crq_set_pubkey(crq, pub)) < 0)
		goto out;
	if (strlen(names[0]) <= 64 && (rc = gnutls_x509_crq_set_dn_by_oid(crq,
	    GNUTLS_OID_X520_COMMON_NAME, 0, names[0], (unsigned)strlen(names[0]))) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (inet_pton(AF_INET, names[i], ip) == 1)
			rc = gnutls_x509_crq_set_subject_alt_name(crq, GNUTLS_SAN_IPADDRESS,
			    ip, 4, GNUTLS_FSAN_APPEND);
		else if (inet_pton(AF_INET6, names[i], ip) == 1)
			rc = gnutls_x509_crq_set_subject_alt_name(crq, GNUTLS_SAN_IPADDRESS,
			    ip, 16, GNUTLS_FSAN_APPEND);
		else
			rc = gnutls_x509_crq_set_subject_alt_name(crq, GNUTLS_SAN_DNSNAME,
			    names[i], (unsigned)strlen(names[i]), GNUTLS_FSAN_APPEND);
		if (rc < 0)
			goto out;
	}
	if ((rc = gnutls_x509_crq_privkey_sign(crq, k->priv, GNUTLS_DIG_SHA256, 0)) < 0)
		goto out;
	rc = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, der);
out:
	if (rc < 0)
		fprintf(stderr, "acme-client-demo: CSR: %s\n", gnutls_strerror(rc));
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	if (crq != NULL)
		gnutls_x509_crq_deinit(crq);
	return rc >= 0;
}

/* Answers what each pending authorization of o needs and waits for it. */
static int
authorize(struct acme_client *c, const struct acme_order *o, const char *type,
    struct problem *p)
{
	const struct acme_chall	*ch;
	struct acme_authz	 a;
	struct acme_chall	 answer;

	for (size_t i = 0; i < o->nauthzs; i++) {
		if (!acme_client_authz_get(c, o->authzs[i], &a, p))
			return failed("authorization", p);
		printf("authz %s%s %s\n", a.wildcard ? "*." : "", a.id.value,
		    acme_status_name(a.status));
		if (a.status == ACME_PENDING) {
			if ((ch = acme_authz_chall(&a, type)) == NULL)
				for (size_t j = 0; j < a.nchalls && ch == NULL; j++)
					if (a.challs[j].token != NULL)
						ch = &a.challs[j];
			if (ch == NULL) {
				fprintf(stderr, "acme-client-demo: %s: no challenge to answer\n",
				    a.id.value);
				acme_authz_free(&a);
				return 0;
			}
			printf("challenge %s %s\n", ch->type, ch->url);
			if (!acme_client_chall_respond(c, ch->url, &answer, p)) {
				acme_authz_free(&a);
				return failed("challenge", p);
			}
			acme_chall_free(&answer);
			if (!acme_client_authz_wait(c, &a, p)) {
				acme_authz_free(&a);
				return failed("authorization wait", p);
			}
			printf("authz %s%s %s\n", a.wildcard ? "*." : "", a.id.value,
			    acme_status_name(a.status));
		}
		acme_authz_free(&a);
	}
	return 1;
}

/* Orders, authorizes, finalizes and downloads a certificate for names. */
static int
obtain(struct acme_client *c, char *const *names, int n, const char *type,
    const char *prefer, const char *chain_out, const char *key_out)
{
	struct identifier	 ids[NAMES_MAX];
	struct acme_order_req	 r;
	struct acme_order	 o;
	struct acme_chains	 cs;
	const struct acme_chain	*pick;
	struct problem		 p = { 0 };
	struct key		 ck;
	gnutls_datum_t		 der = { NULL, 0 };
	int			 ok = 0;

	memset(&r, 0, sizeof(r));
	memset(&o, 0, sizeof(o));
	memset(&cs, 0, sizeof(cs));
	memset(&ck, 0, sizeof(ck));
	for (int i = 0; i < n; i++) {
		unsigned char ip[16];
		int is_ip = inet_pton(AF_INET, names[i], ip) == 1 ||
		    inet_pton(AF_INET6, names[i], ip) == 1;

		if (!ident_parse(is_ip ? "ip" : "dns", names[i], &ids[i], &p)) {
			failed(names[i], &p);
			goto out;
		}
	}
	r.ids = ids;
	r.nids = (size_t)n;
	if (!acme_client_order_new(c, &r, &o, &p)) {
		failed("newOrder", &p);
		goto out;
	}
	printf("order %s %s\n", o.url, acme_status_name(o.status));
	if (!authorize(c, &o, type, &p))
		goto out;
	if (o.status == ACME_PENDING && !acme_client_order_wait(c, &o, &p)) {
		failed("order wait", &p);
		goto out;
	}
	if (!key_generate(&ck, KEY_EC256) || !make_csr(&ck, names, n, &der))
		goto out;
	if (!acme_client_finalize(c, &o, der.data, der.size, &p)) {
		failed("finalize", &p);
		goto out;
	}
	if (!acme_client_order_wait(c, &o, &p)) {
		failed("order wait", &p);
		goto out;
	}
	if (o.status != ACME_VALID || o.certificate == NULL) {
		fprintf(stderr, "acme-client-demo: the order is %s without a certificate\n",
		    acme_status_name(o.status));
		goto out;
	}
	printf("certificate %s\n", o.certificate);
	if (!acme_client_cert(c, o.certificate, &cs, &p)) {
		failed("certificate", &p);
		goto out;
	}
	printf("chains %zu\n", cs.n);
	for (size_t i = 0; i < cs.n; i++)
		printf("chain %zu %zu %s\n", i, cs.v[i].ncerts,
		    cs.v[i].top_issuer_cn != NULL ? cs.v[i].top_issuer_cn : "-");
	pick = acme_chains_pick(&cs, prefer);
	printf("picked %zu\n", (size_t)(pick - cs.v));
	if (chain_out != NULL && !write_file(chain_out, pick->pem, strlen(pick->pem), 0644))
		goto out;
	if (key_out != NULL && !key_save(&ck, key_out))
		goto out;
	ok = 1;
out:
	gnutls_free(der.data);
	key_free(&ck);
	acme_chains_free(&cs);
	acme_order_free(&o);
	problem_clear(&p);
	return ok;
}

int
main(int argc, char *argv[])
{
	struct acme_client_opts	 opts;
	struct acme_account_req	 r;
	struct acme_account	 a;
	struct acme_client	*c = NULL;
	struct acme_strlist	 orders;
	struct problem		 p = { 0 };
	struct key		 k;
	const char		*keyfile = NULL, *type = "http-01", *prefer = NULL;
	const char		*chain_out = NULL, *key_out = NULL;
	int			 ch, find = 0, list = 0, rc = 1;

	memset(&opts, 0, sizeof(opts));
	memset(&r, 0, sizeof(r));
	memset(&a, 0, sizeof(a));
	memset(&k, 0, sizeof(k));
	log_init("acme-client-demo", 0, LOG_LVL_ERR);
	while ((ch = getopt(argc, argv, "a:d:ek:K:Lm:o:p:r:t:v")) != -1) {
		switch (ch) {
		case 'a':
			keyfile = optarg;
			break;
		case 'd':
			opts.directory_url = optarg;
			break;
		case 'e':
			find = 1;
			break;
		case 'k':
			r.eab_kid = optarg;
			break;
		case 'K':
			key_out = optarg;
			break;
		case 'L':
			list = 1;
			break;
		case 'm':
			r.eab_hmac = optarg;
			break;
		case 'o':
			chain_out = optarg;
			break;
		case 'p':
			prefer = optarg;
			break;
		case 'r':
			opts.ca_bundle = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (opts.directory_url == NULL || argc > NAMES_MAX ||
	    (r.eab_kid == NULL) != (r.eab_hmac == NULL))
		usage();

	if (keyfile != NULL && access(keyfile, F_OK) == 0) {
		if (!key_load(&k, keyfile))
			return 1;
	} else if (!key_generate(&k, KEY_EC256) ||
	    (keyfile != NULL && !key_save(&k, keyfile)))
		return 1;
	opts.key = &k;
	opts.poll_total = 60;
	if ((c = acme_client_new(&opts, &p)) == NULL) {
		failed("client", &p);
		goto out;
	}
	r.agree_tos = 1;
	if (!(find ? acme_client_account_find(c, &a, &p) :
	    acme_client_account(c, &r, &a, &p))) {
		failed("newAccount", &p);
		goto out;
	}
	printf("account %s %s\n", a.url, a.created ? "created" : "existing");
	if (argc > 0 && !obtain(c, argv, argc, type, prefer, chain_out, key_out))
		goto out;
	if (list) {
		if (a.orders == NULL) {
			fprintf(stderr, "acme-client-demo: the account has no orders URL\n");
			goto out;
		}
		if (!acme_client_orders(c, a.orders, &orders, &p)) {
			failed("orders", &p);
			goto out;
		}
		printf("orders %zu\n", orders.n);
		for (size_t i = 0; i < orders.n; i++)
			printf("listed %s\n", orders.v[i]);
		acme_strlist_free(&orders);
	}
	rc = 0;
out:
	acme_account_free(&a);
	acme_client_free(c);
	key_free(&k);
	problem_clear(&p);
	return rc;
}
