/*
 * acme-probe - builds ACME requests, valid and hostile, for the e2e tests.
 *
 *   acme-probe keygen TYPE FILE          new private key (ec256, rsa2048, ...)
 *   acme-probe jwk FILE                  the key's public JWK
 *   acme-probe thumbprint FILE           its RFC 7638 thumbprint
 *   acme-probe freeport                  a free TCP port on 127.0.0.1
 *   acme-probe waitport ADDR             wait (10 s) until HOST:PORT or
 *                                        unix:/path accepts connections
 *   acme-probe jws [options]             a JWS body on stdout
 *
 * jws options:
 *   --key FILE          signing key (required)
 *   --url URL           "url" header
 *   --nonce NONCE       "nonce" header
 *   --kid URL           "kid" header (else "jwk" is the key's JWK)
 *   --jwk-too           with --kid, add "jwk" as well
 *   --jwk-of FILE       "jwk" of another key (signature stays --key's)
 *   --jwk-raw JSON      this "jwk" object verbatim
 *   --payload JSON      payload (default: empty, POST-as-GET)
 *   --eab-kid KID --eab-hmac B64URL [--eab-alg HS256|HS384|HS512]
 *                       [--eab-url URL] [--eab-jwk-of FILE]
 *                       add an externalAccountBinding to the payload object
 *   --alg NAME          claim this "alg" (signature still by --key; "none"
 *                       leaves the signature empty)
 *   --hmac-sign B64URL  sign with HMAC-SHA256 under this key, alg HS256
 *   --header JSON       extra protected header members (merged)
 *   --bad-signature     flip a bit of the signature
 *   --unprotected JSON  add an unprotected "header" member
 *   --compact           compact serialization instead of flattened JSON
 */
#include "autoconfig.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "b64url.h"
#include "json.h"
#include "key.h"
#include "log.h"

static void
die(const char *msg)
{
	fprintf(stderr, "acme-probe: %s\n", msg);
	exit(1);
}

static struct json_object *
parse_or_die(const char *text, const char *what)
{
	struct json_object	*o;
	const char		*err;

	if ((o = json_parse(text, strlen(text), 32, &err)) == NULL) {
		fprintf(stderr, "acme-probe: %s: %s\n", what, err);
		exit(1);
	}
	return o;
}

static struct json_object *
jwk_of(const char *file)
{
	struct key		 k;
	struct json_object	*o;

	if (!key_load(&k, file))
		die("cannot load key");
	o = key_jwk(&k);
	key_free(&k);
	return o;
}

static char *
b64_str(const char *s)
{
	return b64url_encode(s, strlen(s));
}

static const char *
plain(struct json_object *o)
{
	return json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* An HMAC JWS (used for the EAB binding and for hostile outer JWS). */
static void
hmac_jws(const char *alg, const char *b64key, struct json_object *hdr,
    const char *payload, char **prot, char **pay, char **sig)
{
	gnutls_mac_algorithm_t	 m = strcmp(alg, "HS384") == 0 ? GNUTLS_MAC_SHA384 :
	    strcmp(alg, "HS512") == 0 ? GNUTLS_MAC_SHA512 : GNUTLS_MAC_SHA256;
	uint8_t			*key, mac[64];
	size_t			 keylen;
	char			*input;

	if (!b64url_decode(b64key, strlen(b64key), &key, &keylen))
		die("HMAC key is not base64url");
	json_add_string(hdr, "alg", alg);
	*prot = b64_str(plain(hdr));
	*pay = b64_str(payload);
	if (asprintf(&input, "%s.%s", *prot, *pay) < 0)
		die("out of memory");
	gnutls_hmac_fast(m, key, keylen, input, strlen(input), mac);
	*sig = b64url_encode(mac, gnutls_hmac_get_len(m));
	free(input);
	free(key);
}

static int
cmd_jws(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "url", required_argument, NULL, 'u' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "kid", required_argument, NULL, 'i' },
		{ "jwk-too", no_argument, NULL, 'J' },
		{ "jwk-of", required_argument, NULL, 'j' },
		{ "jwk-raw", required_argument, NULL, 'r' },
		{ "payload", required_argument, NULL, 'p' },
		{ "eab-kid", required_argument, NULL, 'E' },
		{ "eab-hmac", required_argument, NULL, 'H' },
		{ "eab-alg", required_argument, NULL, 'A' },
		{ "eab-url", required_argument, NULL, 'U' },
		{ "eab-jwk-of", required_argument, NULL, 'B' },
		{ "alg", required_argument, NULL, 'a' },
		{ "hmac-sign", required_argument, NULL, 'm' },
		{ "header", required_argument, NULL, 'h' },
		{ "bad-signature", no_argument, NULL, 'b' },
		{ "unprotected", required_argument, NULL, 'P' },
		{ "compact", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*keyfile = NULL, *url = NULL, *nonce = NULL, *kid = NULL;
	const char	*jwkof = NULL, *payload = NULL, *eab_kid = NULL;
	const char	*eab_hmac = NULL, *eab_alg = "HS256", *eab_url = NULL;
	const char	*eab_jwkof = NULL, *alg = NULL, *hmac_sign = NULL;
	const char	*extra = NULL, *unprot = NULL, *jwkraw = NULL;
	int		 jwk_too = 0, bad_sig = 0, compact = 0, ch;
	struct key	 k;
	struct json_object *hdr, *body, *pobj = NULL;
	char		*prot, *pay, *sig, *input;
	const char	*ptext;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'k': keyfile = optarg; break;
		case 'u': url = optarg; break;
		case 'n': nonce = optarg; break;
		case 'i': kid = optarg; break;
		case 'J': jwk_too = 1; break;
		case 'j': jwkof = optarg; break;
		case 'r': jwkraw = optarg; break;
		case 'p': payload = optarg; break;
		case 'E': eab_kid = optarg; break;
		case 'H': eab_hmac = optarg; break;
		case 'A': eab_alg = optarg; break;
		case 'U': eab_url = optarg; break;
		case 'B': eab_jwkof = optarg; break;
		case 'a': alg = optarg; break;
		case 'm': hmac_sign = optarg; break;
		case 'h': extra = optarg; break;
		case 'b': bad_sig = 1; break;
		case 'P': unprot = optarg; break;
		case 'c': compact = 1; break;
		default: die("bad jws option");
		}
	if (keyfile == NULL || !key_load(&k, keyfile))
		die("jws needs a loadable --key");

	/* The payload, with an EAB binding added if asked for. */
	if (eab_kid != NULL) {
		struct json_object *ehdr = json_object_new_object(), *bind;
		char *ep, *epay, *esig;

		if (eab_hmac == NULL)
			die("--eab-kid needs --eab-hmac");
		pobj = payload != NULL ? parse_or_die(payload, "payload") :
		    json_object_new_object();
		json_add_string(ehdr, "kid", eab_kid);
		json_add_string(ehdr, "url", eab_url != NULL ? eab_url : url);
		bind = eab_jwkof != NULL ? jwk_of(eab_jwkof) : key_jwk(&k);
		hmac_jws(eab_alg, eab_hmac, ehdr, plain(bind), &ep, &epay, &esig);
		json_object_put(bind);
		json_object_put(ehdr);
		bind = json_object_new_object();
		json_add_string(bind, "protected", ep);
		json_add_string(bind, "payload", epay);
		json_add_string(bind, "signature", esig);
		json_object_object_add(pobj, "externalAccountBinding", bind);
		free(ep);
		free(epay);
		free(esig);
		ptext = plain(pobj);
	} else
		ptext = payload != NULL ? payload : "";

	hdr = extra != NULL ? parse_or_die(extra, "header") : json_object_new_object();
	if (url != NULL)
		json_add_string(hdr, "url", url);
	if (nonce != NULL)
		json_add_string(hdr, "nonce", nonce);
	if (kid != NULL)
		json_add_string(hdr, "kid", kid);
	if (kid == NULL || jwk_too)
		json_object_object_add(hdr, "jwk", jwkraw != NULL ?
		    parse_or_die(jwkraw, "jwk") : jwkof != NULL ? jwk_of(jwkof) : key_jwk(&k));

	if (hmac_sign != NULL)
		hmac_jws("HS256", hmac_sign, hdr, ptext, &prot, &pay, &sig);
	else {
		uint8_t	*raw = NULL;
		size_t	 rawlen = 0;

		json_add_string(hdr, "alg", alg != NULL ? alg : jws_alg_name(k.alg));
		prot = b64_str(plain(hdr));
		pay = b64_str(ptext);
		if (asprintf(&input, "%s.%s", prot, pay) < 0)
			die("out of memory");
		if (alg == NULL || strcmp(alg, "none") != 0) {
			if (!key_sign(&k, input, strlen(input), &raw, &rawlen))
				die("signing failed");
			if (bad_sig)
				raw[rawlen / 2] ^= 1;
		}
		sig = b64url_encode(raw != NULL ? raw : (const uint8_t *)"", rawlen);
		gnutls_free(raw);
		free(input);
	}
	if (compact)
		printf("%s.%s.%s\n", prot, pay, sig);
	else {
		body = json_object_new_object();
		json_add_string(body, "protected", prot);
		json_add_string(body, "payload", pay);
		json_add_string(body, "signature", sig);
		if (unprot != NULL)
			json_object_object_add(body, "header", parse_or_die(unprot, "header"));
		printf("%s\n", plain(body));
		json_object_put(body);
	}
	free(prot);
	free(pay);
	free(sig);
	json_object_put(hdr);
	json_object_put(pobj);
	key_free(&k);
	return 0;
}

static int
freeport(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		die("no free port");
	printf("%u\n", ntohs(sin.sin_port));
	close(fd);
	return 0;
}

static int
try_connect(const char *addr)
{
	struct sockaddr_in	 sin;
	struct sockaddr_un	 sun;
	struct sockaddr		*sa;
	socklen_t		 len;
	char			 host[64];
	const char		*colon;
	int			 fd, ok;

	if (strncmp(addr, "unix:", 5) == 0) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", addr + 5);
		sa = (struct sockaddr *)&sun;
		len = sizeof(sun);
	} else {
		if ((colon = strrchr(addr, ':')) == NULL ||
		    (size_t)(colon - addr) >= sizeof(host))
			die("waitport: expected HOST:PORT or unix:/path");
		memcpy(host, addr, (size_t)(colon - addr));
		host[colon - addr] = '\0';
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)atoi(colon + 1));
		if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
			die("waitport: not an IPv4 address");
		sa = (struct sockaddr *)&sin;
		len = sizeof(sin);
	}
	if ((fd = socket(sa->sa_family, SOCK_STREAM, 0)) < 0)
		return 0;
	ok = connect(fd, sa, len) == 0;
	close(fd);
	return ok;
}

static int
waitport(const char *addr)
{
	for (int i = 0; i < 100; i++) {
		if (try_connect(addr))
			return 0;
		usleep(100000);
	}
	fprintf(stderr, "acme-probe: nothing listens on %s\n", addr);
	return 1;
}

int
main(int argc, char *argv[])
{
	struct key		 k;
	struct json_object	*o;
	char			 tp[JWK_THUMBPRINT_LEN + 1];

	log_init("acme-probe", 0, LOG_LVL_ERR);
	if (argc < 2)
		die("usage: acme-probe keygen|jwk|thumbprint|freeport|jws ...");
	if (strcmp(argv[1], "keygen") == 0 && argc == 4) {
		enum key_type t = key_type_parse(argv[2]);

		if (t == KEY_TYPE_INVALID)
			die("unknown key type");
		if (!key_generate(&k, t) || !key_save(&k, argv[3]))
			die("keygen failed");
		key_free(&k);
		return 0;
	}
	if ((strcmp(argv[1], "jwk") == 0 || strcmp(argv[1], "thumbprint") == 0) &&
	    argc == 3) {
		o = jwk_of(argv[2]);
		if (argv[1][0] == 'j')
			printf("%s\n", plain(o));
		else {
			jwk_thumbprint(plain(o), tp);
			printf("%s\n", tp);
		}
		json_object_put(o);
		return 0;
	}
	if (strcmp(argv[1], "freeport") == 0)
		return freeport();
	if (strcmp(argv[1], "waitport") == 0 && argc == 3)
		return waitport(argv[2]);
	if (strcmp(argv[1], "jws") == 0)
		return cmd_jws(argc - 1, argv + 1);
	die("unknown command");
	return 1;
}
