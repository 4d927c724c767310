/*
 * acme_client.h - an RFC 8555 ACME client: the managed-ACME proxy orders
 * from its upstream CA through it, the load generator drives servers with
 * it, the e2e tests obtain certificates with it.
 *
 * One struct acme_client talks to one directory with one account key.  It
 * is synchronous and keeps no global state (besides curl_global_init(),
 * done once), so a process may run many clients, one per thread at most.
 * It keeps the directory (fetched once), the last Replay-Nonce it received
 * (RFC 8555 §6.5), the account URL once known, and one libcurl handle whose
 * connection stays open between requests.
 *
 * Every POST is signed with the account key (ES256 for a P-256 key): with
 * "jwk" for newAccount, with "kid" afterwards (§6.2).  A POST refused with
 * badNonce is sent again once, with the nonce of the refusal (§6.5).  A
 * client made without a key sends only GET requests (the directory,
 * renewal information): every call that would POST fails with malformed.
 * Redirects are not followed; TLS peers are always verified.
 *
 * Every response is bounded (ACME_BODY_MAX, ACME_HEADERS_MAX) and parsed
 * strictly (json.h) into the typed structs below; members this client does
 * not know are ignored, members it knows must have the right type and fit
 * the bounds.
 *
 * Error contract: every function returns 1, or 0 with p set.  p starts
 * zeroed (struct problem p = { 0 }) and may be passed again: each call
 * clears it first.  A problem document from the server is copied into p with its
 * type, detail (control characters replaced, shortened to fit), HTTP status
 * and subproblems, so that a caller can report what the server said;
 * unknown types become serverInternal with the type in the detail.
 * Failures on our side of the wire are:
 *   connection      no answer: DNS, TCP, timeout, a response over a bound
 *                   (detail: curl's message)
 *   tls             the TLS handshake or the server's certificate failed
 *   serverInternal  an answer that breaks the protocol: unexpected HTTP
 *                   status, not JSON, a member missing or of the wrong
 *                   type, a bound exceeded, a header missing (the detail
 *                   starts with what was being read: "order: ...")
 *   malformed       the caller's arguments (bad identifier, no account)
 * No log lines are written but debug traces of each request.  The reading
 * of header fields and problem documents is in acme_resp.h, the libcurl
 * transport in acme_curl.h.
 *
 * Result structs own their strings; free them with their *_free()
 * function, which also resets them.  A struct filled by a failed call is
 * empty (and may still be freed).
 */
#ifndef ACME_CLIENT_H
#define ACME_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ari.h"
#include "buf.h"
#include "identifier.h"
#include "jwk.h"
#include "problem.h"

struct key;

/* Bounds on what a server may send. */
#define ACME_BODY_MAX		(1024 * 1024)	/* one response body */
#define ACME_HEADERS_MAX	(32 * 1024)	/* its header lines together */
#define ACME_URL_MAX		2048		/* = JWS_URL_MAX: it goes into "url" */
#define ACME_TOKEN_MAX		256		/* a challenge token */
#define ACME_CHALL_TYPE_MAX	64		/* "http-01", "dns-account-01"... */
#define ACME_ORDER_AUTHZ_MAX	100		/* authorizations of one order */
#define ACME_AUTHZ_CHALL_MAX	16		/* challenges of one authorization */
#define ACME_ALT_CHAINS_MAX	8		/* alternate chains followed */
#define ACME_CHAIN_CERTS_MAX	10		/* certificates in one chain */
#define ACME_ORDERS_PAGES_MAX	100		/* pages of an orders list */
#define ACME_ORDERS_MAX		10000		/* order URLs of an orders list */

/* --- the transport ---------------------------------------------------------- */

enum acme_method {
	ACME_GET,
	ACME_HEAD,
	ACME_POST,
	ACME_METHOD__MAX
};

struct acme_http_req {
	enum acme_method	 method;
	const char		*url;
	const char		*body;		/* POST: a JWS (application/jose+json) */
	size_t			 body_len;
	const char		*accept;	/* an Accept header, or NULL */
};

/*
 * What the transport received: the status code, the header lines of the
 * final response each ending in "\n" (no status line, no CR, folded lines
 * unfolded), and the body.  The client empties both buffers before each
 * request and checks the bounds again afterwards.
 */
struct acme_http_resp {
	long			 status;
	struct buf		 headers;
	struct buf		 body;
};

/*
 * A transport sends req and fills resp.  Returns 1 when an HTTP response
 * arrived (whatever its status), or 0 with p set (connection or tls) when
 * none did.  The default is libcurl; unit tests plug in canned responses.
 */
struct acme_http {
	int	(*fn)(void *ctx, const struct acme_http_req *req,
		    struct acme_http_resp *resp, struct problem *p);
	void	*ctx;
};

/* Time, as polling sees it; the default is time(3) and sleep(3). */
struct acme_clock {
	time_t	(*now)(void *ctx);
	void	(*sleep)(void *ctx, unsigned seconds);
	void	*ctx;
};

/* --- the client --------------------------------------------------------------- */

struct acme_client_opts {
	const char		*directory_url;	/* https:// */
	const struct key	*key;		/* the account key, borrowed; NULL: GET only */
	const char		*account_url;	/* a known account ("kid"), or NULL */
	const char		*ca_bundle;	/* PEM trust anchors; NULL: the system's */
	const char		*user_agent;	/* NULL: "acme-fcgi/V libcurl/V" */
	unsigned		 connect_timeout; /* seconds; 0: 10 */
	unsigned		 timeout;	/* seconds per request; 0: 30 */
	/*
	 * Polling: each wait is the server's Retry-After (RFC 9110 §10.2.3)
	 * or, without one, poll_min doubled each round; clamped to
	 * [poll_min, poll_max]; a wait gives up poll_total seconds after it
	 * began.  0: 1, 60 and 300 seconds.
	 */
	unsigned		 poll_min;
	unsigned		 poll_max;
	unsigned		 poll_total;
	struct acme_http	 http;		/* fn NULL: libcurl */
	struct acme_clock	 clock;		/* now and sleep NULL: the real ones */
};

struct acme_client;

/*
 * A new client; the strings of o are copied, the key is borrowed and must
 * outlive it.  Nothing is sent yet.  Returns NULL with p set (malformed for
 * an unusable option, serverInternal if libcurl or memory failed).
 */
struct acme_client *acme_client_new(const struct acme_client_opts *o,
	    struct problem *p);
void	 acme_client_free(struct acme_client *c);

/* The account URL ("kid"): from the options or the last account call; NULL if none. */
const char	*acme_client_account_url(const struct acme_client *c);
/* The account key's RFC 7638 thumbprint (JWK_THUMBPRINT_LEN characters; "" if none). */
const char	*acme_client_thumbprint(const struct acme_client *c);

/* --- the directory (RFC 8555 §7.1.1) ------------------------------------------ */

struct acme_directory {
	char	*new_nonce;		/* required */
	char	*new_account;		/* required */
	char	*new_order;		/* required */
	char	*new_authz;		/* NULL if absent; the others too */
	char	*revoke_cert;
	char	*key_change;
	char	*renewal_info;		/* RFC 9773 */
	char	*terms_of_service;	/* meta */
	char	*website;		/* meta */
	int	 eab_required;		/* meta externalAccountRequired */
};

/*
 * The directory, fetched on first use and kept: *out points into the
 * client and lives as long as it.
 */
int	 acme_client_directory(struct acme_client *c,
	    const struct acme_directory **out, struct problem *p);

/* --- statuses (RFC 8555 §7.1.6) ------------------------------------------------ */

enum acme_status {
	ACME_PENDING,
	ACME_READY,
	ACME_PROCESSING,
	ACME_VALID,
	ACME_INVALID,
	ACME_DEACTIVATED,
	ACME_EXPIRED,
	ACME_REVOKED,
	ACME_STATUS__MAX,
	ACME_STATUS_UNKNOWN = ACME_STATUS__MAX
};

/* "pending", ...; "unknown" for ACME_STATUS_UNKNOWN. */
const char	*acme_status_name(enum acme_status s);
/* ACME_STATUS_UNKNOWN if s is none of them. */
enum acme_status acme_status_parse(const char *s);

/* --- the account (RFC 8555 §7.3) ---------------------------------------------- */

struct acme_account_req {
	const char *const	*contact;	/* "mailto:..." URLs */
	size_t			 ncontact;
	int			 agree_tos;	/* termsOfServiceAgreed: true */
	const char		*eab_kid;	/* NULL: no binding */
	const char		*eab_hmac;	/* its MAC key, base64url (padding allowed) */
	enum jws_alg		 eab_alg;	/* JWS_HS256..512; JWS_ALG_INVALID: HS256 */
};

struct acme_account {
	char			*url;		/* the Location: the "kid" */
	enum acme_status	 status;	/* valid, deactivated or revoked */
	char			*orders;	/* the orders list URL, or NULL */
	int			 created;	/* 201: new; 200: it existed */
};

/*
 * newAccount: creates the account of the client's key (or finds it, 200)
 * and remembers its URL for every later request.  r may be NULL for no
 * contact, no ToS agreement and no binding.
 */
int	 acme_client_account(struct acme_client *c,
	    const struct acme_account_req *r, struct acme_account *out,
	    struct problem *p);
/*
 * newAccount with onlyReturnExisting (§7.3.1): the account of the key if
 * there is one, else the server's accountDoesNotExist.
 */
int	 acme_client_account_find(struct acme_client *c,
	    struct acme_account *out, struct problem *p);
void	 acme_account_free(struct acme_account *a);

/* --- orders (RFC 8555 §7.1.3, §7.4) --------------------------------------------- */

struct acme_order {
	char			*url;		/* where it is fetched */
	enum acme_status	 status;
	time_t			 expires;	/* 0: absent */
	time_t			 not_before;	/* 0: absent */
	time_t			 not_after;	/* 0: absent */
	struct identifier	*ids;		/* as the server wrote them, normalised */
	size_t			 nids;
	char			**authzs;	/* authorization URLs */
	size_t			 nauthzs;
	char			*finalize;
	char			*certificate;	/* NULL until valid */
	struct problem		 error;		/* type PROB_NONE if absent */
	int			 retry_after;	/* seconds the server asked for; -1: none */
};

struct acme_order_req {
	const struct identifier	*ids;		/* 1..ACME_ORDER_AUTHZ_MAX */
	size_t			 nids;
	time_t			 not_before;	/* 0: not asked */
	time_t			 not_after;	/* 0: not asked */
	const char		*profile;	/* a profile the server lists, or NULL */
};

/* newOrder; out->url is the Location of the new order. */
int	 acme_client_order_new(struct acme_client *c,
	    const struct acme_order_req *r, struct acme_order *out,
	    struct problem *p);
/* Fetches the order at url (POST-as-GET). */
int	 acme_client_order_get(struct acme_client *c, const char *url,
	    struct acme_order *out, struct problem *p);
/*
 * Finalizes o with a DER CSR (§7.4): o is replaced by the order the server
 * answers with (its url kept).  The order may still be processing: see
 * acme_client_order_wait().  On failure o is left as it was.
 */
int	 acme_client_finalize(struct acme_client *c, struct acme_order *o,
	    const uint8_t *csr, size_t len, struct problem *p);
/*
 * Polls o while it is pending or processing, as the options say; o is
 * refreshed in place.  Returns 1 when it is ready or valid; 0 with p set
 * when it is invalid (p: the order's error, or serverInternal if it has
 * none), when a fetch fails (o as last fetched), or after poll_total
 * seconds (serverInternal; o still pending or processing).
 */
int	 acme_client_order_wait(struct acme_client *c, struct acme_order *o,
	    struct problem *p);
void	 acme_order_free(struct acme_order *o);

/* --- authorizations and challenges (RFC 8555 §7.1.4, §7.5) ------------------------ */

struct acme_chall {
	char			*type;		/* "http-01", "dns-01", ... */
	char			*url;
	char			*token;		/* NULL if the type has none */
	enum acme_status	 status;	/* pending, processing, valid, invalid */
	time_t			 validated;	/* 0: absent */
	struct problem		 error;		/* type PROB_NONE if absent */
};

struct acme_authz {
	char			*url;
	enum acme_status	 status;
	struct identifier	 id;		/* wildcard: the name without "*." */
	int			 wildcard;
	time_t			 expires;	/* 0: absent */
	struct acme_chall	*challs;
	size_t			 nchalls;
	int			 retry_after;	/* -1: none */
};

int	 acme_client_authz_get(struct acme_client *c, const char *url,
	    struct acme_authz *out, struct problem *p);
/* Deactivates an authorization (§7.5.2); out is what the server answers. */
int	 acme_client_authz_deactivate(struct acme_client *c, const char *url,
	    struct acme_authz *out, struct problem *p);
/*
 * Polls a while it is pending, as acme_client_order_wait() does; 1 when
 * valid, 0 with p set when invalid (p: the error of its failed challenge),
 * deactivated, expired or revoked, on a failed fetch or after poll_total.
 */
int	 acme_client_authz_wait(struct acme_client *c, struct acme_authz *a,
	    struct problem *p);
/* The challenge of type in a, or NULL. */
const struct acme_chall *acme_authz_chall(const struct acme_authz *a,
	    const char *type);
void	 acme_authz_free(struct acme_authz *a);

/*
 * Tells the server to validate the challenge at url (POST {}, §7.5.1); out
 * is the challenge it answers with.
 */
int	 acme_client_chall_respond(struct acme_client *c, const char *url,
	    struct acme_chall *out, struct problem *p);
void	 acme_chall_free(struct acme_chall *ch);

/*
 * The key authorization of a token (§8.1): "token.thumbprint", malloc'd.
 * The dns-01 TXT value (§8.4): base64url(SHA-256(key authorization)) into
 * out, which holds 44 bytes.  Each returns NULL/0 for a token that is not
 * base64url or is longer than ACME_TOKEN_MAX, and for a client without a key.
 */
char	*acme_client_key_authz(const struct acme_client *c, const char *token);
int	 acme_client_dns01_value(const struct acme_client *c, const char *token,
	    char out[44]);

/* --- certificates (RFC 8555 §7.4.2) ------------------------------------------------ */

struct acme_chain {
	char	*pem;		/* application/pem-certificate-chain, leaf first */
	size_t	 ncerts;
	char	*top_issuer_cn;	/* issuer CN of the last certificate, or NULL */
};

struct acme_chains {
	struct acme_chain	*v;	/* v[0] the default chain, then the alternates */
	size_t			 n;
};

/*
 * Downloads the certificate at url and every alternate chain its response
 * links to (Link: <...>;rel="alternate", at most ACME_ALT_CHAINS_MAX).
 * Each must be 1..ACME_CHAIN_CERTS_MAX PEM certificates and nothing else;
 * an alternate whose leaf differs from the default chain's is refused.
 */
int	 acme_client_cert(struct acme_client *c, const char *url,
	    struct acme_chains *out, struct problem *p);
/*
 * The preferred chain, as certbot's --preferred-chain: the first whose last
 * certificate was issued by issuer_cn; the default chain (v[0]) when none
 * is, or when issuer_cn is NULL.
 */
const struct acme_chain *acme_chains_pick(const struct acme_chains *cs,
	    const char *issuer_cn);
void	 acme_chains_free(struct acme_chains *cs);

/* --- the orders list (RFC 8555 §7.1.2.1) -------------------------------------------- */

struct acme_strlist {
	char	**v;
	size_t	  n;
};

/*
 * Every order URL of the list at orders_url (the account's "orders"),
 * following Link rel="next" over at most ACME_ORDERS_PAGES_MAX pages and
 * ACME_ORDERS_MAX URLs; a longer list is refused (serverInternal).
 */
int	 acme_client_orders(struct acme_client *c, const char *orders_url,
	    struct acme_strlist *out, struct problem *p);
void	 acme_strlist_free(struct acme_strlist *l);

/* --- revocation (RFC 8555 §7.6) ---------------------------------------------------- */

/*
 * Revokes the certificate der (len bytes, 1..REVOKE_CERT_MAX of revoke.h)
 * with reason, an RFC 5280 code that revoke_reason_ok() accepts or -1 for
 * none (the member is left out): a POST of {"certificate", "reason"} to
 * the directory's revokeCert, signed by the account ("kid"), which must
 * have ordered it.  Done when the server answers 200.  Anything else is
 * the server's problem document: alreadyRevoked, badRevocationReason,
 * unauthorized...; what the caller makes of alreadyRevoked is its own.  A
 * bad length or reason is refused before anything is sent (malformed); a
 * directory without revokeCert is serverInternal.
 */
int	 acme_client_revoke(struct acme_client *c, const uint8_t *der, size_t len,
	    int reason, struct problem *p);

/* --- renewal information (RFC 9773) ----------------------------------------------- */

/*
 * The renewal information of the certificate cert_id (a certID as
 * ari_certid_parse() accepts it; malformed if not): an unauthenticated GET
 * of {renewalInfo}/{cert_id} (§4.1), which needs no key.  The answer must
 * be 200 with a renewalInfo object that ari_info_parse() accepts.
 * *retry_after is its Retry-After in seconds, or -1 if it has none or a bad
 * one.  A directory without renewalInfo is serverInternal.
 */
int	 acme_client_renewal_info(struct acme_client *c, const char *cert_id,
	    struct ari_info *out, int *retry_after, struct problem *p);

#endif
