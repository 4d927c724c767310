#include "autoconfig.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "acme_client.h"
#include "acme_curl.h"
#include "acme_resp.h"
#include "ari.h"
#include "b64url.h"
#include "csr.h"
#include "eab.h"
#include "json.h"
#include "jws.h"
#include "key.h"
#include "log.h"
#include "order.h"
#include "revoke.h"

/* Nesting of the objects we read: order > error > subproblems > identifier. */
#define RESP_DEPTH		8
#define ACME_PROBLEM_TYPE_MAX	256
#define CONTACT_MAX		1024
#define STATUS_MAX		32
#define DATE_MAX		64
#define ISSUER_CN_MAX		256
#define HEADER_VALUE_MAX	64	/* Retry-After */

struct acme_client {
	char			*dir_url;
	const struct key	*key;
	struct json_object	*jwk;		/* the account key's public JWK */
	char			 thumbprint[JWK_THUMBPRINT_LEN + 1];
	char			*kid;		/* the account URL, once known */
	struct acme_directory	 dir;
	int			 have_dir;
	char			 nonce[JWS_NONCE_MAX + 1];	/* "" if none */
	unsigned		 poll_min;
	unsigned		 poll_max;
	unsigned		 poll_total;
	struct acme_http	 http;
	struct acme_clock	 clock;
	struct acme_curl	*curl;		/* the default transport's */
	struct acme_http_resp	 resp;		/* of the last request */
};

static const char *const status_names[ACME_STATUS__MAX] = {
	[ACME_PENDING] = "pending",
	[ACME_READY] = "ready",
	[ACME_PROCESSING] = "processing",
	[ACME_VALID] = "valid",
	[ACME_INVALID] = "invalid",
	[ACME_DEACTIVATED] = "deactivated",
	[ACME_EXPIRED] = "expired",
	[ACME_REVOKED] = "revoked",
};

static const char *const method_names[ACME_METHOD__MAX] = {
	[ACME_GET] = "GET",
	[ACME_HEAD] = "HEAD",
	[ACME_POST] = "POST",
};

/* The statuses each object may have (RFC 8555 §7.1.6), as bit masks. */
#define ST(s)		(1u << (s))
#define ORDER_STATUSES	(ST(ACME_PENDING) | ST(ACME_READY) | ST(ACME_PROCESSING) | \
			 ST(ACME_VALID) | ST(ACME_INVALID))
#define AUTHZ_STATUSES	(ST(ACME_PENDING) | ST(ACME_VALID) | ST(ACME_INVALID) | \
			 ST(ACME_DEACTIVATED) | ST(ACME_EXPIRED) | ST(ACME_REVOKED))
#define CHALL_STATUSES	(ST(ACME_PENDING) | ST(ACME_PROCESSING) | ST(ACME_VALID) | \
			 ST(ACME_INVALID))
#define ACCT_STATUSES	(ST(ACME_VALID) | ST(ACME_DEACTIVATED) | ST(ACME_REVOKED))

const char *
acme_status_name(enum acme_status s)
{
	return s < ACME_STATUS__MAX ? status_names[s] : "unknown";
}

enum acme_status
acme_status_parse(const char *s)
{
	for (int i = 0; i < ACME_STATUS__MAX; i++)
		if (strcmp(s, status_names[i]) == 0)
			return (enum acme_status)i;
	return ACME_STATUS_UNKNOWN;
}

/* --- text ---------------------------------------------------------------------- */

static int
b64url_chars(const char *s, size_t n)
{
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") == n;
}

/* Challenge tokens go into file names and DNS records: base64url only (§8.1). */
static int
token_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= ACME_TOKEN_MAX && b64url_chars(s, n);
}

static int
oom(struct problem *p)
{
	return problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
}

/* A client made without a key only reads. */
static int
no_key(struct problem *p)
{
	return problem_set(p, PROB_MALFORMED,
	    "no account key: this client only sends GET requests");
}

/* Sets p for a response that breaks the protocol; returns 0. */
static int
bad_resp(struct problem *p, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad_resp(struct problem *p, const char *what, const char *fmt, ...)
{
	char	msg[PROBLEM_DETAIL_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return problem_set(p, PROB_SERVER_INTERNAL, "%s: %s", what, msg);
}

/* --- response headers ----------------------------------------------------------- */

/* The Location header resolved against url into *out.  Returns 1, or 0 with p set. */
static int
location(const struct acme_client *c, const char *url, const char *what,
    char **out, struct problem *p)
{
	const char	*v;
	size_t		 len;

	if (!acme_resp_header(&c->resp, "Location", 0, &v, &len))
		return bad_resp(p, what, "no Location header");
	if (len == 0 || memchr(v, '\0', len) != NULL ||
	    (*out = acme_url_resolve(url, v, len)) == NULL)
		return bad_resp(p, what, "the Location header is not a usable URL");
	return 1;
}

/* The Retry-After of the last response in seconds, or -1. */
static int
retry_after(const struct acme_client *c)
{
	char	v[HEADER_VALUE_MAX + 1];
	int64_t	d;

	if (acme_resp_header_text(&c->resp, "Retry-After", v, HEADER_VALUE_MAX) != 1)
		return -1;
	d = acme_retry_after_parse(v, c->clock.now(c->clock.ctx));
	return d < 0 ? -1 : (int)d;
}

/* --- problem documents ----------------------------------------------------------- */

/* dst (cleared) becomes a copy of src; subproblems that do not fit are lost. */
static void
problem_copy(struct problem *dst, const struct problem *src)
{
	problem_clear(dst);
	problem_set_status(dst, src->type, src->status, "%s", src->detail);
	for (size_t i = 0; i < src->nsub; i++)
		if (!problem_add_sub(dst, src->sub[i].type, src->sub[i].id_type,
		    src->sub[i].id_value, src->sub[i].detail))
			break;
}

/* --- requests ----------------------------------------------------------------------- */

/* Keeps the Replay-Nonce of the last response, if it has a good one (§6.5.1). */
static void
take_nonce(struct acme_client *c)
{
	char v[JWS_NONCE_MAX + 1];

	if (acme_resp_header_text(&c->resp, "Replay-Nonce", v, JWS_NONCE_MAX) == 1 &&
	    b64url_chars(v, strlen(v)))
		memcpy(c->nonce, v, strlen(v) + 1);
}

/* One request; 1 with c->resp filled (whatever its status), or 0 with p set. */
static int
send_req(struct acme_client *c, enum acme_method m, const char *url,
    const char *body, const char *accept, struct problem *p)
{
	struct acme_http_req	 r;

	memset(&r, 0, sizeof(r));
	r.method = m;
	r.url = url;
	r.body = body;
	r.body_len = body != NULL ? strlen(body) : 0;
	r.accept = accept;
	buf_reset(&c->resp.headers);
	buf_reset(&c->resp.body);
	c->resp.status = 0;
	if (!c->http.fn(c->http.ctx, &r, &c->resp, p))
		return 0;
	if (c->resp.headers.oom || c->resp.body.oom)
		return oom(p);
	if (c->resp.body.len > ACME_BODY_MAX || c->resp.headers.len > ACME_HEADERS_MAX)
		return problem_set(p, PROB_CONNECTION,
		    "%s %.300s: the response is larger than %d bytes",
		    method_names[m], url, ACME_BODY_MAX);
	log_debug("acme_client: %s %s: %ld", method_names[m], url, c->resp.status);
	take_nonce(c);
	return 1;
}

/* The body of the last response as a JSON object (new reference) into *out. */
static int
resp_json(const struct acme_client *c, const char *what,
    struct json_object **out, struct problem *p)
{
	const char *err;

	if ((*out = json_parse(c->resp.body.p != NULL ? c->resp.body.p : "",
	    c->resp.body.len, RESP_DEPTH, &err)) == NULL)
		return bad_resp(p, what, "%s", err);
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		return bad_resp(p, what, "the response is not a JSON object");
	}
	return 1;
}

/*
 * Judges the status of the last response: 1 if it is want (any 2xx when
 * want is 0); else 0 with p set: the server's problem document for an
 * error status, serverInternal for anything else.
 */
static int
resp_expect(const struct acme_client *c, const char *what, long want,
    struct problem *p)
{
	struct json_object	*o;
	long			 st = c->resp.status;
	const char		*err;

	if (want != 0 ? st == want : st >= 200 && st <= 299)
		return 1;
	if (st < 400 || st > 599)
		return bad_resp(p, what, "unexpected HTTP status %ld", st);
	if (c->resp.body.len > 0 && (o = json_parse(c->resp.body.p,
	    c->resp.body.len, RESP_DEPTH, &err)) != NULL) {
		if (json_object_is_type(o, json_type_object)) {
			acme_problem_parse(o, (int)st, p);
			json_object_put(o);
			return 0;
		}
		json_object_put(o);
	}
	return problem_set_status(p, PROB_SERVER_INTERNAL, (int)st,
	    "%s: HTTP status %ld without a problem document", what, st);
}

/* 1 if the last response refuses our nonce (§6.5). */
static int
is_bad_nonce(const struct acme_client *c)
{
	struct json_object	*o;
	const char		*err, *type;
	int			 bad = 0;

	if (c->resp.status < 400 || c->resp.status > 499 || c->resp.body.len == 0 ||
	    (o = json_parse(c->resp.body.p, c->resp.body.len, RESP_DEPTH, &err)) == NULL)
		return 0;
	if (json_object_is_type(o, json_type_object) &&
	    json_get_string(o, "type", ACME_PROBLEM_TYPE_MAX, &type) == JGET_OK)
		bad = acme_problem_type(type) == PROB_BAD_NONCE;
	json_object_put(o);
	return bad;
}

static int	ensure_dir(struct acme_client *c, struct problem *p);

/* A fresh nonce from newNonce (§7.2): HEAD answers 200 (GET would be 204). */
static int
new_nonce(struct acme_client *c, struct problem *p)
{
	if (!ensure_dir(c, p) ||
	    !send_req(c, ACME_HEAD, c->dir.new_nonce, NULL, NULL, p))
		return 0;
	if (c->resp.status != 204 && !resp_expect(c, "newNonce", 200, p))
		return 0;
	if (c->nonce[0] == '\0')
		return bad_resp(p, "newNonce", "no usable Replay-Nonce header");
	return 1;
}

static int
add_obj(struct json_object *o, const char *key, struct json_object *v)
{
	if (v == NULL)
		return 0;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return 0;
	}
	return 1;
}

/* The JWS of a POST to url (§6.2): "jwk" for newAccount, else "kid". */
static char *
sign(struct acme_client *c, const char *url, const char *payload, int by_jwk)
{
	struct json_object	*hdr;
	char			*res = NULL;

	if ((hdr = json_object_new_object()) == NULL)
		return NULL;
	if (json_add_string(hdr, "nonce", c->nonce) && json_add_string(hdr, "url", url) &&
	    (by_jwk ? add_obj(hdr, "jwk", json_object_get(c->jwk)) :
	    json_add_string(hdr, "kid", c->kid)))
		res = key_jws(c->key, hdr, payload);
	json_object_put(hdr);
	return res;
}

/*
 * A signed POST of payload (NULL: POST-as-GET) to url; 1 with c->resp
 * filled, whatever its status.  A badNonce refusal is retried once with the
 * nonce that came with it (or a new one).
 */
static int
post(struct acme_client *c, const char *url, const char *payload, int by_jwk,
    const char *accept, struct problem *p)
{
	char	*body;
	int	 ok;

	if (c->key == NULL)
		return no_key(p);
	if (!by_jwk && c->kid == NULL)
		return problem_set(p, PROB_MALFORMED,
		    "no account yet: call acme_client_account() first");
	for (int tries = 0;; tries++) {
		if (c->nonce[0] == '\0' && !new_nonce(c, p))
			return 0;
		if ((body = sign(c, url, payload, by_jwk)) == NULL)
			return problem_set(p, PROB_SERVER_INTERNAL,
			    "could not sign the request to %.300s", url);
		c->nonce[0] = '\0';
		ok = send_req(c, ACME_POST, url, body, accept, p);
		free(body);
		if (!ok)
			return 0;
		if (tries > 0 || !is_bad_nonce(c))
			return 1;
		log_debug("acme_client: %s: badNonce, once more", url);
	}
}

/*
 * post(), then the status (want, or any 2xx for 0) and the body as a JSON
 * object into *o (new reference).
 */
static int
post_json(struct acme_client *c, const char *url, const char *payload,
    int by_jwk, const char *what, long want, struct json_object **o,
    struct problem *p)
{
	*o = NULL;
	return post(c, url, payload, by_jwk, NULL, p) &&
	    resp_expect(c, what, want, p) && resp_json(c, what, o, p);
}

/* --- typed members ----------------------------------------------------------------- */

static int
get_url(struct json_object *o, const char *key, int required, char **out,
    const char *what, struct problem *p)
{
	const char *s;

	*out = NULL;
	switch (json_get_string(o, key, ACME_URL_MAX, &s)) {
	case JGET_ABSENT:
		return required ? bad_resp(p, what, "\"%s\" is missing", key) : 1;
	case JGET_BAD:
		return bad_resp(p, what, "\"%s\" is not a string of at most %d bytes",
		    key, ACME_URL_MAX);
	case JGET_OK:
		break;
	}
	if (!acme_url_ok(s))
		return bad_resp(p, what, "\"%s\" is not a URL", key);
	if ((*out = strdup(s)) == NULL)
		return oom(p);
	return 1;
}

/* An optional RFC 3339 member; *out 0 if absent. */
static int
get_time(struct json_object *o, const char *key, time_t *out,
    const char *what, struct problem *p)
{
	const char *s;

	*out = 0;
	switch (json_get_string(o, key, DATE_MAX, &s)) {
	case JGET_ABSENT:
		return 1;
	case JGET_OK:
		if (rfc3339_parse(s, out))
			return 1;
		break;
	case JGET_BAD:
		break;
	}
	return bad_resp(p, what, "\"%s\" is not an RFC 3339 date-time", key);
}

static int
get_status(struct json_object *o, unsigned allowed, enum acme_status *out,
    const char *what, struct problem *p)
{
	const char *s;

	if (json_get_string(o, "status", STATUS_MAX, &s) != JGET_OK)
		return bad_resp(p, what, "\"status\" is missing or not a string");
	*out = acme_status_parse(s);
	if (*out == ACME_STATUS_UNKNOWN || (allowed & ST(*out)) == 0) {
		char text[STATUS_MAX + 1];

		acme_text_copy(text, sizeof(text), s);
		return bad_resp(p, what, "\"status\" \"%s\" is not one it may have", text);
	}
	return 1;
}

/* An identifier object (§7.1.4) into id, normalised as we would write it. */
static int
get_ident(struct json_object *o, struct identifier *id, const char *what,
    struct problem *p)
{
	struct problem	 why;
	const char	*type, *value;
	int		 ok;

	if (!json_object_is_type(o, json_type_object) ||
	    json_get_string(o, "type", 16, &type) != JGET_OK ||
	    json_get_string(o, "value", IDENT_MAX, &value) != JGET_OK)
		return bad_resp(p, what, "an identifier is not {\"type\", \"value\"}");
	memset(&why, 0, sizeof(why));
	if (!(ok = ident_parse(type, value, id, &why)))
		bad_resp(p, what, "identifier: %s", why.detail);
	problem_clear(&why);
	return ok;
}

/* An optional problem document member into out (type PROB_NONE if absent). */
static int
get_error(struct json_object *o, struct problem *out, const char *what,
    struct problem *p)
{
	struct json_object *e;

	switch (json_get_object(o, "error", &e)) {
	case JGET_ABSENT:
		return 1;
	case JGET_BAD:
		return bad_resp(p, what, "\"error\" is not an object");
	case JGET_OK:
		break;
	}
	acme_problem_parse(e, 0, out);
	return 1;
}

/* --- the directory ----------------------------------------------------------------- */

static void
dir_free(struct acme_directory *d)
{
	free(d->new_nonce);
	free(d->new_account);
	free(d->new_order);
	free(d->new_authz);
	free(d->revoke_cert);
	free(d->key_change);
	free(d->renewal_info);
	free(d->terms_of_service);
	free(d->website);
	memset(d, 0, sizeof(*d));
}

static int
dir_parse(struct json_object *o, struct acme_directory *d, struct problem *p)
{
	static const char	 what[] = "directory";
	struct json_object	*meta;

	if (!get_url(o, "newNonce", 1, &d->new_nonce, what, p) ||
	    !get_url(o, "newAccount", 1, &d->new_account, what, p) ||
	    !get_url(o, "newOrder", 1, &d->new_order, what, p) ||
	    !get_url(o, "newAuthz", 0, &d->new_authz, what, p) ||
	    !get_url(o, "revokeCert", 0, &d->revoke_cert, what, p) ||
	    !get_url(o, "keyChange", 0, &d->key_change, what, p) ||
	    !get_url(o, "renewalInfo", 0, &d->renewal_info, what, p))
		return 0;
	switch (json_get_object(o, "meta", &meta)) {
	case JGET_ABSENT:
		return 1;
	case JGET_BAD:
		return bad_resp(p, what, "\"meta\" is not an object");
	case JGET_OK:
		break;
	}
	if (!get_url(meta, "termsOfService", 0, &d->terms_of_service, what, p) ||
	    !get_url(meta, "website", 0, &d->website, what, p))
		return 0;
	if (json_get_bool(meta, "externalAccountRequired", &d->eab_required) == JGET_BAD)
		return bad_resp(p, what, "\"externalAccountRequired\" is not a boolean");
	return 1;
}

static int
ensure_dir(struct acme_client *c, struct problem *p)
{
	struct json_object	*o = NULL;
	struct acme_directory	 d;
	int			 ok = 0;

	if (c->have_dir)
		return 1;
	memset(&d, 0, sizeof(d));
	if (!send_req(c, ACME_GET, c->dir_url, NULL, NULL, p) ||
	    !resp_expect(c, "directory", 200, p) ||
	    !resp_json(c, "directory", &o, p) || !dir_parse(o, &d, p))
		goto out;
	c->dir = d;
	c->have_dir = 1;
	ok = 1;
out:
	if (!ok)
		dir_free(&d);
	json_object_put(o);
	return ok;
}

int
acme_client_directory(struct acme_client *c, const struct acme_directory **out,
    struct problem *p)
{
	problem_clear(p);
	*out = NULL;
	if (!ensure_dir(c, p))
		return 0;
	*out = &c->dir;
	return 1;
}

/* --- the account -------------------------------------------------------------------- */

void
acme_account_free(struct acme_account *a)
{
	free(a->url);
	free(a->orders);
	memset(a, 0, sizeof(*a));
}

/* The externalAccountBinding of r for the client's key. */
static int
add_eab(struct acme_client *c, const struct acme_account_req *r,
    struct json_object *pl, struct problem *p)
{
	enum jws_alg	 alg = r->eab_alg == JWS_ALG_INVALID ? JWS_HS256 : r->eab_alg;
	uint8_t		*key = NULL;
	size_t		 keylen = 0, len;
	int		 ok = 0;

	if (r->eab_hmac == NULL)
		return problem_set(p, PROB_MALFORMED, "an EAB kid needs its MAC key");
	/* Some CAs hand the key out with base64 padding. */
	len = strlen(r->eab_hmac);
	while (len > 0 && r->eab_hmac[len - 1] == '=')
		len--;
	if (!b64url_decode(r->eab_hmac, len, &key, &keylen)) {
		problem_set(p, PROB_MALFORMED, "the EAB MAC key is not base64url");
		goto out;
	}
	if (keylen < EAB_KEY_MIN) {
		problem_set(p, PROB_MALFORMED, "the EAB MAC key is shorter than %d bytes",
		    EAB_KEY_MIN);
		goto out;
	}
	if (!jws_alg_is_mac(alg) || !add_obj(pl, "externalAccountBinding",
	    eab_sign(alg, r->eab_kid, key, keylen, c->dir.new_account, c->jwk))) {
		problem_set(p, PROB_MALFORMED,
		    "could not make the externalAccountBinding (kid or algorithm)");
		goto out;
	}
	ok = 1;
out:
	if (key != NULL) {
		gnutls_memset(key, 0, keylen);
		free(key);
	}
	return ok;
}

static struct json_object *
new_bool(int v)
{
	return json_object_new_boolean(v ? 1 : 0);
}

/* The newAccount payload of r; new reference, or NULL with p set. */
static struct json_object *
account_payload(struct acme_client *c, const struct acme_account_req *r,
    struct problem *p)
{
	struct json_object	*pl, *arr;

	if ((pl = json_object_new_object()) == NULL) {
		oom(p);
		return NULL;
	}
	if (r == NULL)
		return pl;
	if (r->agree_tos && !add_obj(pl, "termsOfServiceAgreed", new_bool(1)))
		goto fail_oom;
	if (r->ncontact > 0) {
		if (!add_obj(pl, "contact", arr = json_object_new_array()))
			goto fail_oom;
		for (size_t i = 0; i < r->ncontact; i++) {
			if (r->contact[i] == NULL || strlen(r->contact[i]) > CONTACT_MAX ||
			    !acme_url_ok(r->contact[i])) {
				problem_set(p, PROB_MALFORMED, "contact %zu is not a URL", i);
				goto fail;
			}
			if (json_object_array_add(arr,
			    json_object_new_string(r->contact[i])) != 0)
				goto fail_oom;
		}
	}
	if (r->eab_kid != NULL && !add_eab(c, r, pl, p))
		goto fail;
	return pl;
fail_oom:
	oom(p);
fail:
	json_object_put(pl);
	return NULL;
}

/* newAccount with payload pl (§7.3); the account URL becomes the client's kid. */
static int
account_post(struct acme_client *c, struct json_object *pl,
    struct acme_account *out, struct problem *p)
{
	static const char	 what[] = "newAccount";
	struct json_object	*o = NULL;
	char			*kid;
	int			 ok = 0;

	if (!post_json(c, c->dir.new_account, json_out_compact(pl), 1, what, 0, &o, p))
		goto out;
	if (c->resp.status != 200 && c->resp.status != 201) {
		bad_resp(p, what, "unexpected HTTP status %ld", c->resp.status);
		goto out;
	}
	out->created = c->resp.status == 201;
	if (!location(c, c->dir.new_account, what, &out->url, p) ||
	    !get_status(o, ACCT_STATUSES, &out->status, what, p) ||
	    !get_url(o, "orders", 0, &out->orders, what, p))
		goto out;
	if ((kid = strdup(out->url)) == NULL) {
		oom(p);
		goto out;
	}
	free(c->kid);
	c->kid = kid;
	ok = 1;
out:
	json_object_put(o);
	if (!ok)
		acme_account_free(out);
	return ok;
}

int
acme_client_account(struct acme_client *c, const struct acme_account_req *r,
    struct acme_account *out, struct problem *p)
{
	struct json_object	*pl;
	int			 ok;

	problem_clear(p);
	memset(out, 0, sizeof(*out));
	if (c->key == NULL)
		return no_key(p);
	if (!ensure_dir(c, p) || (pl = account_payload(c, r, p)) == NULL)
		return 0;
	ok = account_post(c, pl, out, p);
	json_object_put(pl);
	return ok;
}

int
acme_client_account_find(struct acme_client *c, struct acme_account *out,
    struct problem *p)
{
	struct json_object	*pl;
	int			 ok = 0;

	problem_clear(p);
	memset(out, 0, sizeof(*out));
	if (!ensure_dir(c, p))
		return 0;
	if ((pl = json_object_new_object()) == NULL ||
	    !add_obj(pl, "onlyReturnExisting", new_bool(1)))
		oom(p);
	else
		ok = account_post(c, pl, out, p);
	json_object_put(pl);
	return ok;
}

/* --- orders ------------------------------------------------------------------------- */

void
acme_order_free(struct acme_order *o)
{
	free(o->url);
	free(o->ids);
	for (size_t i = 0; i < o->nauthzs; i++)
		free(o->authzs[i]);
	free(o->authzs);
	free(o->finalize);
	free(o->certificate);
	problem_clear(&o->error);
	memset(o, 0, sizeof(*o));
	o->retry_after = -1;
}

static int
order_parse(struct json_object *o, struct acme_order *out, struct problem *p)
{
	static const char	 what[] = "order";
	struct json_object	*arr;
	const char		*s;
	size_t			 i, n;

	if (!get_status(o, ORDER_STATUSES, &out->status, what, p) ||
	    !get_time(o, "expires", &out->expires, what, p) ||
	    !get_time(o, "notBefore", &out->not_before, what, p) ||
	    !get_time(o, "notAfter", &out->not_after, what, p) ||
	    !get_url(o, "finalize", 1, &out->finalize, what, p) ||
	    !get_url(o, "certificate", 0, &out->certificate, what, p) ||
	    !get_error(o, &out->error, what, p))
		return 0;
	if (json_get_array(o, "identifiers", ACME_ORDER_AUTHZ_MAX, &arr) != JGET_OK ||
	    (n = json_object_array_length(arr)) == 0)
		return bad_resp(p, what, "\"identifiers\" is not an array of 1 to %d",
		    ACME_ORDER_AUTHZ_MAX);
	if ((out->ids = calloc(n, sizeof(*out->ids))) == NULL)
		return oom(p);
	for (i = 0; i < n; i++, out->nids++)
		if (!get_ident(json_object_array_get_idx(arr, i), &out->ids[i], what, p))
			return 0;
	if (json_get_array(o, "authorizations", ACME_ORDER_AUTHZ_MAX, &arr) != JGET_OK)
		return bad_resp(p, what, "\"authorizations\" is not an array of at most %d",
		    ACME_ORDER_AUTHZ_MAX);
	if ((n = json_object_array_length(arr)) == 0)
		return 1;
	if ((out->authzs = calloc(n, sizeof(*out->authzs))) == NULL)
		return oom(p);
	for (i = 0; i < n; i++, out->nauthzs++) {
		if (!json_array_string(arr, i, ACME_URL_MAX, &s) || !acme_url_ok(s))
			return bad_resp(p, what, "authorization %zu is not a URL", i);
		if ((out->authzs[i] = strdup(s)) == NULL)
			return oom(p);
	}
	return 1;
}

/*
 * The order in the last response, for url (NULL: its Location, resolved
 * against base), into out.
 */
static int
order_of_resp(struct acme_client *c, struct json_object *o, const char *url,
    const char *base, struct acme_order *out, struct problem *p)
{
	if (url != NULL) {
		if ((out->url = strdup(url)) == NULL)
			return oom(p);
	} else if (!location(c, base, "newOrder", &out->url, p))
		return 0;
	out->retry_after = retry_after(c);
	return order_parse(o, out, p);
}

static int
add_time(struct json_object *o, const char *key, time_t t)
{
	struct tm	tm;
	char		s[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return 0;
	return json_add_string(o, key, s);
}

/* The newOrder payload (§7.4); new reference, or NULL with p set. */
static struct json_object *
order_payload(const struct acme_order_req *r, struct problem *p)
{
	struct json_object	*pl, *arr, *id;
	struct identifier	 norm;

	if (r->nids == 0 || r->nids > ACME_ORDER_AUTHZ_MAX) {
		problem_set(p, PROB_MALFORMED, "an order has 1 to %d identifiers",
		    ACME_ORDER_AUTHZ_MAX);
		return NULL;
	}
	if ((pl = json_object_new_object()) == NULL ||
	    !add_obj(pl, "identifiers", arr = json_object_new_array()))
		goto fail_oom;
	for (size_t i = 0; i < r->nids; i++) {
		const char *type = ident_type_name(r->ids[i].type);

		if (memchr(r->ids[i].value, '\0', sizeof(r->ids[i].value)) == NULL ||
		    !ident_parse(type, r->ids[i].value, &norm, p))
			goto fail;
		if ((id = json_object_new_object()) == NULL ||
		    json_object_array_add(arr, id) != 0) {
			json_object_put(id);
			goto fail_oom;
		}
		if (!json_add_string(id, "type", type) ||
		    !json_add_string(id, "value", norm.value))
			goto fail_oom;
	}
	if ((r->not_before != 0 && !add_time(pl, "notBefore", r->not_before)) ||
	    (r->not_after != 0 && !add_time(pl, "notAfter", r->not_after)) ||
	    (r->profile != NULL && !json_add_string(pl, "profile", r->profile)))
		goto fail_oom;
	return pl;
fail_oom:
	oom(p);
fail:
	json_object_put(pl);
	return NULL;
}

int
acme_client_order_new(struct acme_client *c, const struct acme_order_req *r,
    struct acme_order *out, struct problem *p)
{
	struct json_object	*pl = NULL, *o = NULL;
	int			 ok = 0;

	problem_clear(p);
	acme_order_free(memset(out, 0, sizeof(*out)));
	if (!ensure_dir(c, p) || (pl = order_payload(r, p)) == NULL)
		goto out;
	if (post_json(c, c->dir.new_order, json_out_compact(pl), 0, "newOrder", 0, &o, p))
		ok = order_of_resp(c, o, NULL, c->dir.new_order, out, p);
out:
	json_object_put(pl);
	json_object_put(o);
	if (!ok)
		acme_order_free(out);
	return ok;
}

int
acme_client_order_get(struct acme_client *c, const char *url,
    struct acme_order *out, struct problem *p)
{
	struct json_object	*o = NULL;
	int			 ok = 0;

	problem_clear(p);
	acme_order_free(memset(out, 0, sizeof(*out)));
	if (post_json(c, url, NULL, 0, "order", 200, &o, p))
		ok = order_of_resp(c, o, url, NULL, out, p);
	json_object_put(o);
	if (!ok)
		acme_order_free(out);
	return ok;
}

int
acme_client_finalize(struct acme_client *c, struct acme_order *o,
    const uint8_t *csr, size_t len, struct problem *p)
{
	struct json_object	*pl = NULL, *r = NULL;
	struct acme_order	 n;
	char			*b64 = NULL;
	int			 ok = 0;

	problem_clear(p);
	acme_order_free(memset(&n, 0, sizeof(n)));
	if (o->url == NULL || o->finalize == NULL)
		return problem_set(p, PROB_MALFORMED, "finalize: the order has no URL");
	if (len == 0 || len > CSR_MAX_BYTES)
		return problem_set(p, PROB_MALFORMED, "finalize: a CSR has 1 to %d bytes",
		    CSR_MAX_BYTES);
	if ((b64 = b64url_encode(csr, len)) == NULL ||
	    (pl = json_object_new_object()) == NULL || !json_add_string(pl, "csr", b64)) {
		oom(p);
		goto out;
	}
	if (!post_json(c, o->finalize, json_out_compact(pl), 0, "finalize", 0, &r, p) ||
	    !order_of_resp(c, r, o->url, NULL, &n, p))
		goto out;
	acme_order_free(o);
	*o = n;
	ok = 1;
out:
	if (!ok)
		acme_order_free(&n);
	json_object_put(pl);
	json_object_put(r);
	free(b64);
	return ok;
}

/* --- polling ---------------------------------------------------------------------- */

struct poll {
	time_t		 start;
	unsigned	 backoff;	/* the next wait without Retry-After */
	unsigned	 rounds;
};

static void
poll_start(const struct acme_client *c, struct poll *ps)
{
	ps->start = c->clock.now(c->clock.ctx);
	ps->backoff = c->poll_min;
	ps->rounds = 0;
}

/*
 * Sleeps before the next fetch: Retry-After if the server sent one, else
 * the backoff, clamped to [poll_min, poll_max] and to what is left of
 * poll_total.  0 when the time is up.  Each round sleeps a second or more,
 * so the rounds bound the loop even if the clock stands still.
 */
static int
poll_sleep(struct acme_client *c, struct poll *ps, int retry)
{
	time_t		now = c->clock.now(c->clock.ctx);
	uint64_t	elapsed = now > ps->start ? (uint64_t)(now - ps->start) : 0, d;

	if (elapsed >= c->poll_total || ps->rounds++ >= c->poll_total)
		return 0;
	if (retry >= 0)
		d = (uint64_t)retry;
	else {
		d = ps->backoff;
		ps->backoff = ps->backoff > c->poll_max / 2 ? c->poll_max : ps->backoff * 2;
	}
	if (d < c->poll_min)
		d = c->poll_min;
	if (d > c->poll_max)
		d = c->poll_max;
	if (d > c->poll_total - elapsed)
		d = c->poll_total - elapsed;
	log_debug("acme_client: waiting %u s", (unsigned)d);
	c->clock.sleep(c->clock.ctx, (unsigned)d);
	return 1;
}

int
acme_client_order_wait(struct acme_client *c, struct acme_order *o,
    struct problem *p)
{
	struct acme_order	n;
	struct poll		ps;

	problem_clear(p);
	if (o->url == NULL)
		return problem_set(p, PROB_MALFORMED, "order wait: the order has no URL");
	poll_start(c, &ps);
	while (o->status == ACME_PENDING || o->status == ACME_PROCESSING) {
		if (!poll_sleep(c, &ps, o->retry_after))
			return problem_set(p, PROB_SERVER_INTERNAL,
			    "order %.300s is still %s after %u seconds", o->url,
			    acme_status_name(o->status), c->poll_total);
		if (!acme_client_order_get(c, o->url, &n, p))
			return 0;
		acme_order_free(o);
		*o = n;
	}
	if (o->status == ACME_READY || o->status == ACME_VALID)
		return 1;
	if (o->error.type != PROB_NONE) {
		problem_copy(p, &o->error);
		return 0;
	}
	return problem_set(p, PROB_SERVER_INTERNAL,
	    "order %.300s is %s and the server gave no reason", o->url,
	    acme_status_name(o->status));
}

/* --- authorizations and challenges ------------------------------------------------------ */

void
acme_chall_free(struct acme_chall *ch)
{
	free(ch->type);
	free(ch->url);
	free(ch->token);
	problem_clear(&ch->error);
	memset(ch, 0, sizeof(*ch));
}

void
acme_authz_free(struct acme_authz *a)
{
	free(a->url);
	for (size_t i = 0; i < a->nchalls; i++)
		acme_chall_free(&a->challs[i]);
	free(a->challs);
	memset(a, 0, sizeof(*a));
	a->retry_after = -1;
}

static int
chall_parse(struct json_object *o, struct acme_chall *out, struct problem *p)
{
	static const char	 what[] = "challenge";
	const char		*s;

	if (!json_object_is_type(o, json_type_object))
		return bad_resp(p, what, "not an object");
	if (json_get_string(o, "type", ACME_CHALL_TYPE_MAX, &s) != JGET_OK || *s == '\0')
		return bad_resp(p, what, "\"type\" is missing or not a short string");
	if ((out->type = strdup(s)) == NULL)
		return oom(p);
	if (!get_url(o, "url", 1, &out->url, what, p) ||
	    !get_status(o, CHALL_STATUSES, &out->status, what, p) ||
	    !get_time(o, "validated", &out->validated, what, p) ||
	    !get_error(o, &out->error, what, p))
		return 0;
	switch (json_get_string(o, "token", ACME_TOKEN_MAX, &s)) {
	case JGET_ABSENT:
		return 1;
	case JGET_OK:
		if (token_ok(s))
			break;
		/* FALLTHROUGH */
	case JGET_BAD:
		return bad_resp(p, what, "\"token\" is not base64url of at most %d characters",
		    ACME_TOKEN_MAX);
	}
	if ((out->token = strdup(s)) == NULL)
		return oom(p);
	return 1;
}

static int
authz_parse(struct json_object *o, struct acme_authz *out, struct problem *p)
{
	static const char	 what[] = "authorization";
	struct json_object	*id, *arr;
	size_t			 i, n;

	if (!get_status(o, AUTHZ_STATUSES, &out->status, what, p) ||
	    !get_time(o, "expires", &out->expires, what, p))
		return 0;
	if (json_get_object(o, "identifier", &id) != JGET_OK)
		return bad_resp(p, what, "\"identifier\" is missing or not an object");
	if (!get_ident(id, &out->id, what, p))
		return 0;
	if (json_get_bool(o, "wildcard", &out->wildcard) == JGET_BAD)
		return bad_resp(p, what, "\"wildcard\" is not a boolean");
	if (json_get_array(o, "challenges", ACME_AUTHZ_CHALL_MAX, &arr) != JGET_OK)
		return bad_resp(p, what, "\"challenges\" is not an array of at most %d",
		    ACME_AUTHZ_CHALL_MAX);
	if ((n = json_object_array_length(arr)) == 0)
		return 1;
	if ((out->challs = calloc(n, sizeof(*out->challs))) == NULL)
		return oom(p);
	/* Counted first, so that acme_authz_free() frees a half-parsed one. */
	for (i = 0; i < n; i++)
		if (out->nchalls++, !chall_parse(json_object_array_get_idx(arr, i),
		    &out->challs[i], p))
			return 0;
	return 1;
}

/* POST payload (NULL: POST-as-GET) to an authorization, its answer into out. */
static int
authz_post(struct acme_client *c, const char *url, const char *payload,
    struct acme_authz *out, struct problem *p)
{
	struct json_object	*o = NULL;
	int			 ok = 0;

	problem_clear(p);
	acme_authz_free(memset(out, 0, sizeof(*out)));
	if (!post_json(c, url, payload, 0, "authorization", 200, &o, p))
		goto out;
	if ((out->url = strdup(url)) == NULL) {
		oom(p);
		goto out;
	}
	out->retry_after = retry_after(c);
	ok = authz_parse(o, out, p);
out:
	json_object_put(o);
	if (!ok)
		acme_authz_free(out);
	return ok;
}

int
acme_client_authz_get(struct acme_client *c, const char *url,
    struct acme_authz *out, struct problem *p)
{
	return authz_post(c, url, NULL, out, p);
}

int
acme_client_authz_deactivate(struct acme_client *c, const char *url,
    struct acme_authz *out, struct problem *p)
{
	return authz_post(c, url, "{\"status\":\"deactivated\"}", out, p);
}

int
acme_client_authz_wait(struct acme_client *c, struct acme_authz *a,
    struct problem *p)
{
	struct acme_authz	n;
	struct poll		ps;

	problem_clear(p);
	if (a->url == NULL)
		return problem_set(p, PROB_MALFORMED, "authorization wait: no URL");
	poll_start(c, &ps);
	while (a->status == ACME_PENDING) {
		if (!poll_sleep(c, &ps, a->retry_after))
			return problem_set(p, PROB_SERVER_INTERNAL,
			    "authorization %.300s is still pending after %u seconds",
			    a->url, c->poll_total);
		if (!acme_client_authz_get(c, a->url, &n, p))
			return 0;
		acme_authz_free(a);
		*a = n;
	}
	if (a->status == ACME_VALID)
		return 1;
	for (size_t i = 0; i < a->nchalls; i++)
		if (a->challs[i].status == ACME_INVALID &&
		    a->challs[i].error.type != PROB_NONE) {
			problem_copy(p, &a->challs[i].error);
			return 0;
		}
	if (a->status == ACME_INVALID)
		return problem_set(p, PROB_SERVER_INTERNAL,
		    "authorization of %s is invalid and the server gave no reason",
		    a->id.value);
	return problem_set(p, PROB_UNAUTHORIZED, "authorization of %s is %s",
	    a->id.value, acme_status_name(a->status));
}

const struct acme_chall *
acme_authz_chall(const struct acme_authz *a, const char *type)
{
	for (size_t i = 0; i < a->nchalls; i++)
		if (strcmp(a->challs[i].type, type) == 0)
			return &a->challs[i];
	return NULL;
}

int
acme_client_chall_respond(struct acme_client *c, const char *url,
    struct acme_chall *out, struct problem *p)
{
	struct json_object	*o = NULL;
	int			 ok = 0;

	problem_clear(p);
	memset(out, 0, sizeof(*out));
	/* §7.5.1: the empty object, not POST-as-GET, starts the validation. */
	if (post_json(c, url, "{}", 0, "challenge", 200, &o, p))
		ok = chall_parse(o, out, p);
	json_object_put(o);
	if (!ok)
		acme_chall_free(out);
	return ok;
}

char *
acme_client_key_authz(const struct acme_client *c, const char *token)
{
	size_t	 n;
	char	*s;

	if (c->key == NULL || !token_ok(token))
		return NULL;
	n = strlen(token);
	if ((s = malloc(n + 1 + JWK_THUMBPRINT_LEN + 1)) == NULL)
		return NULL;
	memcpy(s, token, n);
	s[n] = '.';
	memcpy(s + n + 1, c->thumbprint, JWK_THUMBPRINT_LEN + 1);
	return s;
}

int
acme_client_dns01_value(const struct acme_client *c, const char *token,
    char out[44])
{
	uint8_t	 digest[32];
	char	*ka;
	int	 ok;

	if ((ka = acme_client_key_authz(c, token)) == NULL)
		return 0;
	ok = gnutls_hash_fast(GNUTLS_DIG_SHA256, ka, strlen(ka), digest) == 0;
	free(ka);
	if (ok)
		b64url_encode_buf(digest, sizeof(digest), out);
	return ok;
}

/* --- certificates ----------------------------------------------------------------------- */

void
acme_chains_free(struct acme_chains *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->v[i].pem);
		free(cs->v[i].top_issuer_cn);
	}
	free(cs->v);
	memset(cs, 0, sizeof(*cs));
}

/* Each "-----BEGIN " in the text begins a certificate; how many. */
static size_t
pem_blocks(const char *s, int *other)
{
	static const char	begin[] = "-----BEGIN ";
	size_t			n = 0;

	*other = 0;
	while ((s = strstr(s, begin)) != NULL) {
		s += sizeof(begin) - 1;
		if (strncmp(s, "CERTIFICATE-----", 16) != 0)
			*other = 1;
		n++;
	}
	return n;
}

/*
 * The last response as a certificate chain into ch: PEM certificates only,
 * 1..ACME_CHAIN_CERTS_MAX of them, each certified by the next (§9.1); the
 * leaf's DER into *leaf (gnutls_free'd).
 */
static int
chain_parse(const struct acme_client *c, struct acme_chain *ch,
    gnutls_datum_t *leaf, struct problem *p)
{
	static const char	 what[] = "certificate";
	gnutls_x509_crt_t	*crts = NULL;
	unsigned		 n = 0, i;
	gnutls_datum_t		 pem;
	char			 cn[ISSUER_CN_MAX], text[ISSUER_CN_MAX];
	size_t			 cnlen = sizeof(cn), blocks;
	int			 other, rc, ok = 0;

	if (c->resp.body.len == 0 || memchr(c->resp.body.p, '\0', c->resp.body.len) != NULL)
		return bad_resp(p, what, "the response is not a PEM chain");
	blocks = pem_blocks(c->resp.body.p, &other);
	if (other)
		return bad_resp(p, what, "the response holds something else than certificates");
	if (blocks == 0 || blocks > ACME_CHAIN_CERTS_MAX)
		return bad_resp(p, what, "a chain has 1 to %d certificates, not %zu",
		    ACME_CHAIN_CERTS_MAX, blocks);
	pem.data = (unsigned char *)c->resp.body.p;
	pem.size = (unsigned)c->resp.body.len;
	if ((rc = gnutls_x509_crt_list_import2(&crts, &n, &pem, GNUTLS_X509_FMT_PEM,
	    GNUTLS_X509_CRT_LIST_FAIL_IF_UNSORTED)) < 0)
		return bad_resp(p, what, "not a PEM chain in order: %s", gnutls_strerror(rc));
	if (n != blocks) {
		bad_resp(p, what, "%zu PEM blocks but %u certificates", blocks, n);
		goto out;
	}
	if ((rc = gnutls_x509_crt_export2(crts[0], GNUTLS_X509_FMT_DER, leaf)) < 0) {
		bad_resp(p, what, "%s", gnutls_strerror(rc));
		goto out;
	}
	if (gnutls_x509_crt_get_issuer_dn_by_oid(crts[n - 1], GNUTLS_OID_X520_COMMON_NAME,
	    0, 0, cn, &cnlen) == 0) {
		acme_text_copy(text, sizeof(text), cn);
		if ((ch->top_issuer_cn = strdup(text)) == NULL) {
			oom(p);
			goto out;
		}
	}
	if ((ch->pem = strdup(c->resp.body.p)) == NULL) {
		oom(p);
		goto out;
	}
	ch->ncerts = n;
	ok = 1;
out:
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
	if (!ok) {
		gnutls_free(leaf->data);
		leaf->data = NULL;
		free(ch->top_issuer_cn);
		free(ch->pem);
		memset(ch, 0, sizeof(*ch));
	}
	return ok;
}

/* Downloads the chain at url and appends it to cs; its leaf's DER into *leaf. */
static int
chain_get(struct acme_client *c, const char *url, struct acme_chains *cs,
    gnutls_datum_t *leaf, struct problem *p)
{
	struct acme_chain	*v;

	leaf->data = NULL;
	leaf->size = 0;
	if (!post(c, url, NULL, 0, "application/pem-certificate-chain", p) ||
	    !resp_expect(c, "certificate", 200, p))
		return 0;
	if ((v = realloc(cs->v, (cs->n + 1) * sizeof(*v))) == NULL)
		return oom(p);
	cs->v = v;
	memset(&v[cs->n], 0, sizeof(v[cs->n]));
	if (!chain_parse(c, &v[cs->n], leaf, p))
		return 0;
	cs->n++;
	return 1;
}

int
acme_client_cert(struct acme_client *c, const char *url,
    struct acme_chains *out, struct problem *p)
{
	struct acme_strlist	 alts;
	gnutls_datum_t		 leaf0 = { NULL, 0 }, leaf = { NULL, 0 };
	int			 ok = 0;

	problem_clear(p);
	memset(out, 0, sizeof(*out));
	memset(&alts, 0, sizeof(alts));
	if (!chain_get(c, url, out, &leaf0, p))
		goto out;
	if (!acme_resp_links(&c->resp, url, "alternate", &alts, ACME_ALT_CHAINS_MAX)) {
		oom(p);
		goto out;
	}
	for (size_t i = 0; i < alts.n; i++) {
		if (!chain_get(c, alts.v[i], out, &leaf, p))
			goto out;
		if (leaf.size != leaf0.size || memcmp(leaf.data, leaf0.data, leaf.size) != 0) {
			bad_resp(p, "certificate", "alternate chain %zu has another leaf", i + 1);
			goto out;
		}
		gnutls_free(leaf.data);
		leaf.data = NULL;
	}
	ok = 1;
out:
	gnutls_free(leaf0.data);
	gnutls_free(leaf.data);
	acme_strlist_free(&alts);
	if (!ok)
		acme_chains_free(out);
	return ok;
}

const struct acme_chain *
acme_chains_pick(const struct acme_chains *cs, const char *issuer_cn)
{
	if (cs->n == 0)
		return NULL;
	if (issuer_cn != NULL)
		for (size_t i = 0; i < cs->n; i++)
			if (cs->v[i].top_issuer_cn != NULL &&
			    strcmp(cs->v[i].top_issuer_cn, issuer_cn) == 0)
				return &cs->v[i];
	return &cs->v[0];
}

/* --- the orders list ---------------------------------------------------------------------- */

void
acme_strlist_free(struct acme_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The "orders" of the page in the last response, appended to out. */
static int
orders_page(const struct acme_client *c, struct acme_strlist *out,
    struct problem *p)
{
	static const char	 what[] = "orders list";
	struct json_object	*o = NULL, *arr;
	const char		*s;
	char			**v;
	size_t			 i, n;
	int			 ok = 0;

	if (!resp_json(c, what, &o, p))
		return 0;
	if (json_get_array(o, "orders", ACME_ORDERS_MAX, &arr) != JGET_OK) {
		bad_resp(p, what, "\"orders\" is not an array of at most %d", ACME_ORDERS_MAX);
		goto out;
	}
	if ((n = json_object_array_length(arr)) > ACME_ORDERS_MAX - out->n) {
		bad_resp(p, what, "more than %d orders", ACME_ORDERS_MAX);
		goto out;
	}
	if (n > 0) {
		if ((v = realloc(out->v, (out->n + n) * sizeof(*v))) == NULL) {
			oom(p);
			goto out;
		}
		out->v = v;
	}
	for (i = 0; i < n; i++, out->n++) {
		if (!json_array_string(arr, i, ACME_URL_MAX, &s) || !acme_url_ok(s)) {
			bad_resp(p, what, "order %zu is not a URL", i);
			goto out;
		}
		if ((out->v[out->n] = strdup(s)) == NULL) {
			oom(p);
			goto out;
		}
	}
	ok = 1;
out:
	json_object_put(o);
	return ok;
}

int
acme_client_orders(struct acme_client *c, const char *orders_url,
    struct acme_strlist *out, struct problem *p)
{
	struct acme_strlist	 next;
	char			*url;
	int			 ok = 0;

	problem_clear(p);
	memset(out, 0, sizeof(*out));
	memset(&next, 0, sizeof(next));
	if ((url = strdup(orders_url)) == NULL)
		return oom(p);
	for (int pages = 0; url != NULL; pages++) {
		if (pages == ACME_ORDERS_PAGES_MAX) {
			bad_resp(p, "orders list", "more than %d pages", ACME_ORDERS_PAGES_MAX);
			goto out;
		}
		if (!post(c, url, NULL, 0, NULL, p) ||
		    !resp_expect(c, "orders list", 200, p) ||
		    !orders_page(c, out, p))
			goto out;
		if (!acme_resp_links(&c->resp, url, "next", &next, 1)) {
			oom(p);
			goto out;
		}
		free(url);
		url = NULL;
		if (next.n > 0) {
			url = next.v[0];
			next.n = 0;
		}
	}
	ok = 1;
out:
	free(url);
	acme_strlist_free(&next);
	if (!ok)
		acme_strlist_free(out);
	return ok;
}

/* --- revocation -------------------------------------------------------------------------- */

int
acme_client_revoke(struct acme_client *c, const uint8_t *der, size_t len,
    int reason, struct problem *p)
{
	static const char	 what[] = "revokeCert";
	struct json_object	*pl = NULL;
	char			*b64 = NULL;
	int			 ok = 0;

	problem_clear(p);
	if (c->key == NULL)
		return no_key(p);
	if (len == 0 || len > REVOKE_CERT_MAX)
		return problem_set(p, PROB_MALFORMED,
		    "revokeCert: a certificate has 1 to %d bytes", REVOKE_CERT_MAX);
	if (reason != REVOKE_REASON_NONE && !revoke_reason_ok(reason))
		return problem_set(p, PROB_MALFORMED,
		    "revokeCert: %d is not a reason code one may ask for "
		    "(RFC 5280 §5.3.1)", reason);
	if (!ensure_dir(c, p))
		return 0;
	if (c->dir.revoke_cert == NULL)
		return bad_resp(p, what, "the directory has no revokeCert");
	if ((b64 = b64url_encode(der, len)) == NULL ||
	    (pl = json_object_new_object()) == NULL ||
	    !json_add_string(pl, "certificate", b64) ||
	    (reason != REVOKE_REASON_NONE &&
	    !add_obj(pl, "reason", json_object_new_int(reason)))) {
		oom(p);
		goto out;
	}
	/* §7.6: 200, whatever the body. */
	ok = post(c, c->dir.revoke_cert, json_out_compact(pl), 0, NULL, p) &&
	    resp_expect(c, what, 200, p);
out:
	json_object_put(pl);
	free(b64);
	return ok;
}

/* --- renewal information (RFC 9773) ------------------------------------------------------ */

int
acme_client_renewal_info(struct acme_client *c, const char *cert_id,
    struct ari_info *out, int *retry_after_s, struct problem *p)
{
	static const char	 what[] = "renewalInfo";
	struct ari_certid	 id;
	struct json_object	*o = NULL;
	const char		*base;
	char			*url = NULL, why[PROBLEM_DETAIL_MAX];
	size_t			 n;
	int			 ok = 0;

	problem_clear(p);
	memset(out, 0, sizeof(*out));
	*retry_after_s = -1;
	if (!ari_certid_parse(cert_id, &id))
		return problem_set(p, PROB_MALFORMED,
		    "not a certificate identifier (RFC 9773 §4.1)");
	if (!ensure_dir(c, p))
		return 0;
	if ((base = c->dir.renewal_info) == NULL)
		return bad_resp(p, what, "the directory has no renewalInfo");
	/* §4.1: a path below renewalInfo; some servers end it with "/". */
	n = strlen(base) + 1 + strlen(cert_id) + 1;
	if ((url = malloc(n)) == NULL)
		return oom(p);
	snprintf(url, n, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/",
	    cert_id);
	if (!acme_url_ok(url)) {
		bad_resp(p, what, "renewalInfo is too long a URL");
		goto out;
	}
	/* §4.1: an unauthenticated GET, not POST-as-GET. */
	if (!send_req(c, ACME_GET, url, NULL, NULL, p) ||
	    !resp_expect(c, what, 200, p) || !resp_json(c, what, &o, p))
		goto out;
	if (!ari_info_parse(o, out, why, sizeof(why))) {
		bad_resp(p, what, "%s", why);
		goto out;
	}
	*retry_after_s = retry_after(c);
	ok = 1;
out:
	json_object_put(o);
	free(url);
	return ok;
}

/* --- the client ------------------------------------------------------------------------ */

static time_t
real_now(void *ctx)
{
	(void)ctx;
	return time(NULL);
}

static void
real_sleep(void *ctx, unsigned seconds)
{
	(void)ctx;
	while (seconds > 0)
		seconds = sleep(seconds);
}

struct acme_client *
acme_client_new(const struct acme_client_opts *o, struct problem *p)
{
	struct acme_client	*c;

	problem_clear(p);
	if (o->directory_url == NULL || !acme_url_ok(o->directory_url)) {
		problem_set(p, PROB_MALFORMED, "the directory URL is not a URL");
		return NULL;
	}
	if (o->http.fn == NULL && strncmp(o->directory_url, "https://", 8) != 0) {
		problem_set(p, PROB_MALFORMED, "the directory URL is not https:// (RFC 8555 §6.1)");
		return NULL;
	}
	if (o->key != NULL && o->key->priv == NULL) {
		problem_set(p, PROB_MALFORMED, "no account key");
		return NULL;
	}
	if (o->account_url != NULL && !acme_url_ok(o->account_url)) {
		problem_set(p, PROB_MALFORMED, "the account URL is not a URL");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		oom(p);
		return NULL;
	}
	c->key = o->key;
	if ((c->dir_url = strdup(o->directory_url)) == NULL ||
	    (o->account_url != NULL && (c->kid = strdup(o->account_url)) == NULL) ||
	    (o->key != NULL && (c->jwk = key_jwk(o->key)) == NULL)) {
		oom(p);
		goto fail;
	}
	if (o->key != NULL && !jwk_thumbprint(json_out_compact(c->jwk), c->thumbprint)) {
		problem_set(p, PROB_SERVER_INTERNAL, "the account key has no thumbprint");
		goto fail;
	}
	c->poll_min = o->poll_min != 0 ? o->poll_min : 1;
	c->poll_max = o->poll_max != 0 ? o->poll_max : 60;
	c->poll_total = o->poll_total != 0 ? o->poll_total : 300;
	if (c->poll_max < c->poll_min)
		c->poll_max = c->poll_min;
	c->clock.now = o->clock.now != NULL ? o->clock.now : real_now;
	c->clock.sleep = o->clock.sleep != NULL ? o->clock.sleep : real_sleep;
	c->clock.ctx = o->clock.ctx;
	if (o->http.fn != NULL)
		c->http = o->http;
	else {
		if ((c->curl = acme_curl_new(o->ca_bundle, o->user_agent,
		    o->connect_timeout != 0 ? o->connect_timeout : 10,
		    o->timeout != 0 ? o->timeout : 30, p)) == NULL)
			goto fail;
		c->http.fn = acme_curl_fetch;
		c->http.ctx = c->curl;
	}
	return c;
fail:
	acme_client_free(c);
	return NULL;
}

void
acme_client_free(struct acme_client *c)
{
	if (c == NULL)
		return;
	acme_curl_free(c->curl);
	dir_free(&c->dir);
	json_object_put(c->jwk);
	buf_free(&c->resp.headers);
	buf_free(&c->resp.body);
	free(c->dir_url);
	free(c->kid);
	free(c);
}

const char *
acme_client_account_url(const struct acme_client *c)
{
	return c->kid;
}

const char *
acme_client_thumbprint(const struct acme_client *c)
{
	return c->thumbprint;
}
