#include "autoconfig.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "acme_curl.h"
#include "buf.h"
#include "problem.h"

struct acme_curl {
	CURL			*h;
	char			 err[CURL_ERROR_SIZE];
	struct acme_http_resp	*resp;		/* of the transfer under way */
	const char		*over;		/* which bound it exceeded, or NULL */
};

static const char *const method_names[ACME_METHOD__MAX] = {
	[ACME_GET] = "GET",
	[ACME_HEAD] = "HEAD",
	[ACME_POST] = "POST",
};

/*
 * curl_global_init() is not thread-safe in every libcurl; clients may be
 * created from several threads.
 */
static pthread_once_t	 global_once = PTHREAD_ONCE_INIT;
static CURLcode		 global_rc = CURLE_FAILED_INIT;

static void
global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct acme_curl	*cu = arg;
	struct buf		*b = &cu->resp->body;
	size_t			 len = size * n;	/* size is always 1 */

	if (len > ACME_BODY_MAX - b->len) {
		cu->over = "body";
		return 0;
	}
	buf_append(b, data, len);
	return b->oom ? 0 : len;
}

/*
 * One header line, with its CRLF.  A status line starts a new header block
 * (after a 1xx answer or a proxy's CONNECT): only the final block is kept.
 * A line folded onto the next (RFC 9112 §5.2 obs-fold) joins it with a space.
 */
static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct acme_curl	*cu = arg;
	struct buf		*b = &cu->resp->headers;
	size_t			 len = size * n, keep = len;

	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		buf_reset(b);
		return len;
	}
	while (keep > 0 && (data[keep - 1] == '\n' || data[keep - 1] == '\r'))
		keep--;
	if (keep == 0)
		return len;
	if (keep + 1 > ACME_HEADERS_MAX - b->len) {
		cu->over = "header";
		return 0;
	}
	if ((data[0] == ' ' || data[0] == '\t') && b->len > 0)
		b->p[b->len - 1] = ' ';
	buf_append(b, data, keep);
	buf_append(b, "\n", 1);
	return b->oom ? 0 : len;
}

/* The curl errors that mean TLS failed rather than the connection. */
static int
is_tls_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return 1;
	default:
		return 0;
	}
}

struct acme_curl *
acme_curl_new(const char *ca_bundle, const char *user_agent,
    unsigned connect_timeout, unsigned timeout, struct problem *p)
{
	struct acme_curl	*cu;
	CURLcode		 rc = CURLE_OK;
	char			 ua[128];

	if (pthread_once(&global_once, global_init) != 0 || global_rc != CURLE_OK) {
		problem_set(p, PROB_SERVER_INTERNAL, "curl_global_init failed");
		return NULL;
	}
	if ((cu = calloc(1, sizeof(*cu))) == NULL || (cu->h = curl_easy_init()) == NULL) {
		free(cu);
		problem_set(p, PROB_SERVER_INTERNAL, "curl_easy_init failed");
		return NULL;
	}
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(cu->h, opt, val); } while (0)
	SET(CURLOPT_NOSIGNAL, 1L);		/* threads; timeouts without SIGALRM */
	SET(CURLOPT_PROTOCOLS_STR, "https");	/* RFC 8555 §6.1 */
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (ca_bundle != NULL) {
		/* Only this bundle: not the system's directory as well. */
		SET(CURLOPT_CAINFO, ca_bundle);
		SET(CURLOPT_CAPATH, (char *)NULL);
	}
	/* RFC 8555 §6.1: the ACME software and the HTTP library, with versions. */
	if (user_agent == NULL) {
		snprintf(ua, sizeof(ua), "%s/%s libcurl/%s", PACKAGE_NAME,
		    PACKAGE_VERSION, curl_version_info(CURLVERSION_NOW)->version);
		user_agent = ua;
	}
	SET(CURLOPT_USERAGENT, user_agent);
	SET(CURLOPT_CONNECTTIMEOUT, (long)connect_timeout);
	SET(CURLOPT_TIMEOUT, (long)timeout);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)ACME_BODY_MAX);
	SET(CURLOPT_ERRORBUFFER, cu->err);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, cu);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, cu);
#undef SET
	if (rc != CURLE_OK) {
		problem_set(p, PROB_SERVER_INTERNAL, "curl_easy_setopt: %s",
		    curl_easy_strerror(rc));
		acme_curl_free(cu);
		return NULL;
	}
	return cu;
}

void
acme_curl_free(struct acme_curl *cu)
{
	if (cu == NULL)
		return;
	curl_easy_cleanup(cu->h);
	free(cu);
}

/* The request headers; NULL if memory ran out. */
static struct curl_slist *
req_headers(const struct acme_http_req *req)
{
	struct curl_slist	*l = NULL, *t;
	char			 accept[256];

	/* No "Expect: 100-continue" round trip before a POST. */
	if ((l = curl_slist_append(NULL, "Expect:")) == NULL)
		return NULL;
	if (req->method == ACME_POST) {
		if ((t = curl_slist_append(l, "Content-Type: application/jose+json")) == NULL)
			goto fail;
		l = t;
	}
	if (req->accept != NULL) {
		if ((size_t)snprintf(accept, sizeof(accept), "Accept: %s",
		    req->accept) >= sizeof(accept) ||
		    (t = curl_slist_append(l, accept)) == NULL)
			goto fail;
		l = t;
	}
	return l;
fail:
	curl_slist_free_all(l);
	return NULL;
}

int
acme_curl_fetch(void *ctx, const struct acme_http_req *req,
    struct acme_http_resp *resp, struct problem *p)
{
	struct acme_curl	*cu = ctx;
	struct curl_slist	*hl;
	const char		*m = method_names[req->method];
	CURLcode		 rc = CURLE_OK;
	long			 status = 0;

	if ((hl = req_headers(req)) == NULL)
		return problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
	cu->resp = resp;
	cu->over = NULL;
	cu->err[0] = '\0';
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(cu->h, opt, val); } while (0)
	/* The handle is reused: back to a plain GET first. */
	SET(CURLOPT_NOBODY, 0L);
	SET(CURLOPT_HTTPGET, 1L);
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_HTTPHEADER, hl);
	switch (req->method) {
	case ACME_HEAD:
		SET(CURLOPT_NOBODY, 1L);
		break;
	case ACME_POST:
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		SET(CURLOPT_POSTFIELDS, req->body);
		break;
	default:
		break;
	}
#undef SET
	if (rc == CURLE_OK)
		rc = curl_easy_perform(cu->h);
	curl_easy_setopt(cu->h, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
	curl_slist_free_all(hl);
	cu->resp = NULL;
	if (rc == CURLE_FILESIZE_EXCEEDED)
		cu->over = "body";
	if (rc != CURLE_OK) {
		if (cu->over != NULL)
			return problem_set(p, PROB_CONNECTION,
			    "%s %.300s: the response %s is larger than %d bytes", m,
			    req->url, cu->over, cu->over[0] == 'b' ?
			    ACME_BODY_MAX : ACME_HEADERS_MAX);
		return problem_set(p, is_tls_error(rc) ? PROB_TLS : PROB_CONNECTION,
		    "%s %.300s: %s", m, req->url,
		    cu->err[0] != '\0' ? cu->err : curl_easy_strerror(rc));
	}
	if (curl_easy_getinfo(cu->h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
		status = 0;
	resp->status = status;
	return 1;
}
