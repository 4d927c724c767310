/*
 * h_cert.c - certificate download (RFC 8555 §7.4.2) and the issuer
 * certificate its "up" link names.
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ca.h"
#include "fcgi.h"
#include "log.h"

enum cert_format { FMT_PEM_CHAIN, FMT_PKIX_CERT, FMT__MAX };

static const char *const formats[FMT__MAX] = {
	"application/pem-certificate-chain",
	"application/pkix-cert",
};

/* The q value of one Accept element's parameters (1 if none). */
static double
qvalue(const char *params)
{
	const char *q;

	for (q = params; q != NULL && *q != '\0'; q = strchr(q + 1, ';')) {
		q += strspn(q, "; \t");
		if (strncasecmp(q, "q=", 2) == 0)
			return strtod(q + 2, NULL);
	}
	return 1.0;
}

/*
 * The format an Accept header asks for (RFC 9110 §12.5.1): the one with
 * the highest q value among those it names directly or by "*" ranges, ours
 * first on a tie.  Absent: the default.  -1 if it accepts none of ours.
 */
static int
choose_format(const char *accept)
{
	char	 buf[1024], *elt, *save, *params;
	double	 best_q = 0, q[FMT__MAX] = { 0 };
	int	 best = -1, f;
	size_t	 n;

	if (accept == NULL || *accept == '\0')
		return FMT_PEM_CHAIN;
	snprintf(buf, sizeof(buf), "%s", accept);
	for (elt = strtok_r(buf, ",", &save); elt != NULL; elt = strtok_r(NULL, ",", &save)) {
		elt += strspn(elt, " \t");
		if ((params = strchr(elt, ';')) != NULL)
			*params++ = '\0';
		n = strcspn(elt, " \t");
		elt[n] = '\0';
		for (f = 0; f < FMT__MAX; f++) {
			size_t	slash = strcspn(formats[f], "/");
			double	v = qvalue(params);

			if (strcasecmp(elt, formats[f]) == 0 || strcmp(elt, "*/*") == 0 ||
			    (n == slash + 2 && strncasecmp(elt, formats[f], slash + 1) == 0 &&
			    elt[slash + 1] == '*'))
				if (v > q[f])
					q[f] = v;
		}
	}
	for (f = 0; f < FMT__MAX; f++)
		if (q[f] > best_q) {
			best_q = q[f];
			best = f;
		}
	return best;
}

/* A PEM text, ending in a newline so that the next one starts a line. */
static void
put_pem(struct ctx *c, const char *pem)
{
	size_t n = strlen(pem);

	buf_append(&c->resp->body, pem, n);
	if (n > 0 && pem[n - 1] != '\n')
		buf_puts(&c->resp->body, "\n");
}

/* The DER of the first certificate of a PEM text into the body. */
static int
put_der(struct ctx *c, const char *pem)
{
	gnutls_datum_t der;

	if (!ca_pem_to_der(pem, &der))
		return problem_set(&c->prob, PROB_SERVER_INTERNAL,
		    "stored certificate unreadable");
	buf_append(&c->resp->body, der.data, der.size);
	gnutls_free(der.data);
	return 1;
}

static int
not_acceptable(struct ctx *c)
{
	return problem_set_status(&c->prob, PROB_MALFORMED, 406,
	    "a certificate is available as %s or %s", formats[FMT_PEM_CHAIN],
	    formats[FMT_PKIX_CERT]);
}

int
h_cert(struct ctx *c)
{
	struct db_cert	 cert;
	struct db_ca	 ca;
	char		*up = NULL;
	int		 fmt, ok = 0;

	if (!c->auth.jws.post_as_get)
		return problem_set(&c->prob, PROB_MALFORMED,
		    "a certificate is fetched with POST-as-GET (empty payload)");
	if ((fmt = choose_format(c->req->accept)) < 0)
		return not_acceptable(c);
	switch (db_cert_by_uid(c->db, c->route.id, &cert)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		return problem_set_status(&c->prob, PROB_MALFORMED, 404,
		    "no such certificate");
	default:
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	}
	if (cert.account_id != c->auth.acct.id) {
		db_cert_free(&cert);
		return problem_set(&c->prob, PROB_UNAUTHORIZED,
		    "this certificate belongs to another account");
	}
	memset(&ca, 0, sizeof(ca));
	if (cert.upstream_id == 0) {
		if (db_ca_get(c->db, cert.ca_id, &ca) != DB_OK) {
			db_cert_free(&cert);
			return problem_set(&c->prob, PROB_SERVER_INTERNAL,
			    "database error");
		}
		if ((up = resource_url(c->ep_url, RES_ISSUER, ca.name)) == NULL) {
			problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
			goto out;
		}
	}
	c->resp->status = 200;
	c->resp->content_type = formats[fmt];
	if (fmt == FMT_PKIX_CERT) {
		if (!put_der(c, cert.pem))
			goto out;
	} else {
		/*
		 * The leaf, then the issuing CA; the root is the relying
		 * party's.  From an upstream: the chain it sent.
		 */
		put_pem(c, cert.pem);
		put_pem(c, cert.upstream_id != 0 ? cert.chain : ca.issuing_pem);
	}
	/* An upstream's issuer is not ours to serve. */
	if (up != NULL)
		resp_header(c->resp, "Link", "<%s>;rel=\"up\"", up);
	ok = 1;
out:
	free(up);
	db_ca_free(&ca);
	db_cert_free(&cert);
	return ok;
}

/* GET: the issuing CA certificate, DER or PEM as asked. */
int
h_issuer(struct ctx *c)
{
	struct db_ca	ca;
	int		fmt, ok = 1;

	if ((fmt = choose_format(c->req->accept)) < 0)
		return not_acceptable(c);
	switch (db_ca_by_name(c->db, c->route.id, &ca)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		return problem_set_status(&c->prob, PROB_MALFORMED, 404,
		    "no such issuer");
	default:
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	}
	c->resp->status = 200;
	c->resp->content_type = formats[fmt];
	if (fmt == FMT_PKIX_CERT)
		ok = put_der(c, ca.issuing_pem);
	else
		put_pem(c, ca.issuing_pem);
	db_ca_free(&ca);
	return ok;
}
