/*
 * fuzz_acme_resp - the client's reading of what an upstream ACME server
 * answers (acme_resp.h): Link header fields (RFC 8288), Retry-After
 * (RFC 9110 §10.2.3), problem documents (RFC 7807, RFC 8555 §6.7) and
 * acme_text_copy(), through which server text reaches details and logs.
 *
 * The first byte b selects the parser (b % 4) and a variant ((b / 4) % 3);
 * the rest is its input:
 *   b % 4 == 0  the header section given to acme_resp_links(), rel "next",
 *               "alternate" or "up" ('0', '4', '8')
 *   b % 4 == 1  a Retry-After value, now in 2023, 1999 or 2038 ('1', '5', '9')
 *   b % 4 == 2  a problem body, with HTTP status 0, 400 or 429 ('2', '6', ':')
 *   b % 4 == 3  text for acme_text_copy() into 1, 8 or PROBLEM_DETAIL_MAX
 *               bytes ('3', '7', ';')
 *
 * Properties: every link target passes acme_url_ok(), has no '>' and is
 * an absolute URL; against a base that is no URL only absolute http(s)
 * targets remain, each the very bytes between '<' and '>' of the header; a
 * smaller max gives a prefix of the list.
 * A Retry-After is -1 or within 0..INT32_MAX; delta-seconds are their
 * value, saturated; a date in the future gives the same delay in all three
 * HTTP-date forms.  A problem has a known type (the document's when it is
 * an ACME error, serverInternal otherwise), the status it came with or one
 * of 100..599, a detail and subproblems of valid UTF-8 without control
 * characters that fit their bounds, and problem_to_json() writes it as a
 * document json_parse() reads back.  acme_text_copy() writes such text, cut
 * to its size, keeps text that is already so, and is idempotent.
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "acme_client.h"
#include "acme_resp.h"
#include "fuzz.h"
#include "identifier.h"
#include "json.h"
#include "problem.h"

/* The base a relative link target is resolved against (the orders list). */
#define FUZZ_BASE	"https://acme.example/acme/orders/1?cursor=2"
/* Links kept per call. */
#define FUZZ_LINKS_MAX	8

/*
 * 1 if s is valid UTF-8 (RFC 3629: no overlong forms, surrogates or code
 * points above U+10FFFF) without C0 or C1 control characters or DEL.
 */
static int
text_ok(const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	uint32_t		 cp;
	size_t			 n, i;

	while (*s != '\0') {
		if (*s < 0x80) {
			if (*s < 0x20 || *s == 0x7f)
				return 0;
			s++;
			continue;
		}
		if (*s >= 0xc2 && *s <= 0xdf) {
			n = 2;
			cp = *s & 0x1f;
		} else if (*s >= 0xe0 && *s <= 0xef) {
			n = 3;
			cp = *s & 0x0f;
		} else if (*s >= 0xf0 && *s <= 0xf4) {
			n = 4;
			cp = *s & 0x07;
		} else
			return 0;
		for (i = 1; i < n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    (cp >= 0x80 && cp <= 0x9f))
			return 0;
		s += n;
	}
	return 1;
}

static void
check_text(const char *s, size_t size)
{
	FUZZ_CHECK(strlen(s) < size);
	FUZZ_CHECK(text_ok(s));
}

/* A copy of data as a C string, cut at the first NUL byte. */
static char *
cstr(const uint8_t *data, size_t size)
{
	char *s;

	FUZZ_CHECK((s = malloc(size + 1)) != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* --- Link ------------------------------------------------------------------ */

static int
has_scheme(const char *s)
{
	const char *c = strchr(s, ':');

	if (c == NULL || c == s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (; s < c; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

static int
in_brackets(const char *hdr, size_t hlen, const char *url)
{
	size_t	 ulen = strlen(url);
	const char *p;

	for (p = hdr; hlen - (size_t)(p - hdr) >= ulen + 2; p++) {
		if ((p = memchr(p, '<', hlen - (size_t)(p - hdr) - ulen - 1)) == NULL)
			return 0;
		if (memcmp(p + 1, url, ulen) == 0 && p[ulen + 1] == '>')
			return 1;
	}
	return 0;
}

static void
fuzz_links(const uint8_t *data, size_t size, unsigned variant)
{
	static const char *const rels[3] = { "next", "alternate", "up" };
	struct acme_http_resp	 r;
	struct acme_strlist	 all = { NULL, 0 }, some = { NULL, 0 };
	struct acme_strlist	 kept = { NULL, 0 };
	size_t			 i, max;

	memset(&r, 0, sizeof(r));
	/* No terminating NUL: the parser must keep to headers.len. */
	FUZZ_CHECK((r.headers.p = malloc(size == 0 ? 1 : size)) != NULL);
	memcpy(r.headers.p, data, size);
	r.headers.len = r.headers.cap = size;

	if (!acme_resp_links(&r, FUZZ_BASE, rels[variant], &all, FUZZ_LINKS_MAX))
		goto out;	/* out of memory */
	FUZZ_CHECK(all.n <= FUZZ_LINKS_MAX);
	FUZZ_CHECK(all.n == 0 || memchr(r.headers.p, '<', size) != NULL);
	for (i = 0; i < all.n; i++) {
		FUZZ_CHECK(acme_url_ok(all.v[i]));
		/* A target ends at the first '>'; resolving adds none. */
		FUZZ_CHECK(strchr(all.v[i], '>') == NULL);
		/* Kept byte for byte, or resolved to an absolute URL. */
		if (strncasecmp(all.v[i], "https://", 8) == 0 ||
		    strncasecmp(all.v[i], "http://", 7) == 0)
			continue;
		FUZZ_CHECK(has_scheme(all.v[i]));
	}
	/*
	 * Against a base that is no URL nothing relative resolves: what is
	 * left are absolute http(s) targets, the very bytes between '<' and
	 * '>' of the header.
	 */
	if (acme_resp_links(&r, "", rels[variant], &kept, FUZZ_LINKS_MAX)) {
		FUZZ_CHECK(kept.n <= all.n);
		for (i = 0; i < kept.n; i++) {
			FUZZ_CHECK(strncasecmp(kept.v[i], "https://", 8) == 0 ||
			    strncasecmp(kept.v[i], "http://", 7) == 0);
			FUZZ_CHECK(in_brackets(r.headers.p, size, kept.v[i]));
		}
	}
	/* The same reading with a smaller max is a prefix. */
	max = all.n == 0 ? 0 : all.n - 1;
	if (acme_resp_links(&r, FUZZ_BASE, rels[variant], &some, max)) {
		FUZZ_CHECK(some.n == max);
		for (i = 0; i < some.n; i++)
			FUZZ_CHECK(strcmp(some.v[i], all.v[i]) == 0);
	}
out:
	acme_strlist_free(&kept);
	acme_strlist_free(&some);
	acme_strlist_free(&all);
	free(r.headers.p);
}

/* --- Retry-After ----------------------------------------------------------- */

static void
check_date_forms(time_t now, int64_t delay)
{
	struct tm	 tm, nowtm;
	time_t		 t = now + (time_t)delay;
	char		 s[64];

	FUZZ_CHECK(gmtime_r(&t, &tm) != NULL && gmtime_r(&now, &nowtm) != NULL);
	if (tm.tm_year + 1900 > 9999)
		return;
	FUZZ_CHECK(strftime(s, sizeof(s), "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0);
	FUZZ_CHECK(acme_retry_after_parse(s, now) == delay);
	FUZZ_CHECK(strftime(s, sizeof(s), "%a %b %e %H:%M:%S %Y", &tm) > 0);
	FUZZ_CHECK(acme_retry_after_parse(s, now) == delay);
	/* Two-digit years: only within 50 years ahead of now. */
	if (tm.tm_year <= nowtm.tm_year + 50) {
		FUZZ_CHECK(strftime(s, sizeof(s), "%A, %d-%b-", &tm) > 0);
		FUZZ_CHECK(snprintf(s + strlen(s), sizeof(s) - strlen(s), "%02d",
		    tm.tm_year % 100) == 2);
		FUZZ_CHECK(strftime(s + strlen(s), sizeof(s) - strlen(s),
		    " %H:%M:%S GMT", &tm) > 0);
		FUZZ_CHECK(acme_retry_after_parse(s, now) == delay);
	}
}

static void
fuzz_retry_after(const uint8_t *data, size_t size, unsigned variant)
{
	static const time_t	 nows[3] = { 1700000000, 946684799, 2147483647 };
	time_t			 now = nows[variant];
	char			*v = cstr(data, size);
	const char		*s;
	int64_t			 d, want;

	d = acme_retry_after_parse(v, now);
	FUZZ_CHECK(d >= -1 && d <= INT32_MAX);
	if (*v >= '0' && *v <= '9') {
		for (want = 0, s = v; *s >= '0' && *s <= '9'; s++)
			if ((want = want * 10 + (*s - '0')) > INT32_MAX)
				want = INT32_MAX;
		FUZZ_CHECK(d == (*s == '\0' ? want : -1));
	} else if (d > 0 && d < INT32_MAX)
		check_date_forms(now, d);
	free(v);
}

/* --- problem documents ----------------------------------------------------- */

static void
check_problem(struct json_object *o, int status, const struct problem *p)
{
	struct json_object	*j, *again, *subs;
	const char		*type, *out, *err;
	enum problem_type	 want = PROB_SERVER_INTERNAL;
	size_t			 i, nobj = 0;

	FUZZ_CHECK(p->type > PROB_NONE && p->type < PROB__MAX);
	if (json_get_string(o, "type", ACME_PROBLEM_TYPE_MAX, &type) == JGET_OK &&
	    acme_problem_type(type) != PROB_NONE)
		want = acme_problem_type(type);
	FUZZ_CHECK(p->type == want);
	if (status != 0)
		FUZZ_CHECK(p->status == status);
	else
		FUZZ_CHECK(p->status >= 100 && p->status <= 599);
	check_text(p->detail, PROBLEM_DETAIL_MAX);

	if (json_get_array(o, "subproblems", SIZE_MAX, &subs) == JGET_OK)
		for (i = 0; i < json_object_array_length(subs); i++)
			if (json_object_is_type(json_object_array_get_idx(subs, i),
			    json_type_object))
				nobj++;
	FUZZ_CHECK(p->nsub <= PROBLEM_SUB_MAX && p->nsub <= nobj);
	FUZZ_CHECK(p->nsub == (nobj < PROBLEM_SUB_MAX ? nobj : PROBLEM_SUB_MAX));
	for (i = 0; i < p->nsub; i++) {
		FUZZ_CHECK(p->sub[i].type > PROB_NONE && p->sub[i].type < PROB__MAX);
		check_text(p->sub[i].detail, PROBLEM_DETAIL_MAX);
		check_text(p->sub[i].id_type, IDENT_MAX + 1);
		check_text(p->sub[i].id_value, IDENT_MAX + 1);
	}

	/* What we pass on to our own clients is a document we accept. */
	FUZZ_CHECK((j = problem_to_json(p)) != NULL);
	out = json_out_compact(j);
	FUZZ_CHECK(out != NULL);
	again = json_parse(out, strlen(out), FUZZ_BODY_DEPTH, &err);
	FUZZ_CHECK(again != NULL);
	json_object_put(again);
	json_object_put(j);
}

static void
fuzz_problem(const uint8_t *data, size_t size, unsigned variant)
{
	static const int	 statuses[3] = { 0, 400, 429 };
	struct json_object	*o;
	struct problem		 p;
	const char		*err;

	if ((o = json_parse((const char *)data, size, FUZZ_BODY_DEPTH, &err)) == NULL)
		return;
	if (json_object_is_type(o, json_type_object)) {
		memset(&p, 0, sizeof(p));
		acme_problem_parse(o, statuses[variant], &p);
		check_problem(o, statuses[variant], &p);
		problem_clear(&p);
	}
	json_object_put(o);
}

/* --- acme_text_copy -------------------------------------------------------- */

static void
fuzz_text_copy(const uint8_t *data, size_t size, unsigned variant)
{
	static const size_t	 sizes[3] = { 1, 8, PROBLEM_DETAIL_MAX };
	size_t			 n = sizes[variant];
	char			*src = cstr(data, size), *dst, *again;

	FUZZ_CHECK((dst = malloc(n)) != NULL);
	FUZZ_CHECK((again = malloc(n)) != NULL);
	acme_text_copy(dst, n, src);
	check_text(dst, n);
	if (text_ok(src) && strlen(src) < n)
		FUZZ_CHECK(strcmp(dst, src) == 0);
	else
		FUZZ_CHECK(strlen(dst) <= strlen(src));
	acme_text_copy(again, n, dst);
	FUZZ_CHECK(strcmp(again, dst) == 0);
	free(again);
	free(dst);
	free(src);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned	variant;

	if (size == 0 || size > ACME_HEADERS_MAX)
		return 0;
	variant = (data[0] / 4) % 3;
	switch (data[0] % 4) {
	case 0:
		fuzz_links(data + 1, size - 1, variant);
		break;
	case 1:
		fuzz_retry_after(data + 1, size - 1, variant);
		break;
	case 2:
		fuzz_problem(data + 1, size - 1, variant);
		break;
	default:
		fuzz_text_copy(data + 1, size - 1, variant);
		break;
	}
	return 0;
}
