#include "autoconfig.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "b64url.h"
#include "json.h"
#include "key.h"
#include "log.h"

static const struct {
	const char		*name;
	gnutls_pk_algorithm_t	 pk;
	unsigned		 bits;		/* or curve */
	gnutls_ecc_curve_t	 curve;
	enum jws_alg		 alg;
} types[KEY_TYPE__MAX] = {
	[KEY_EC256] = { "ec256", GNUTLS_PK_ECDSA, 0, GNUTLS_ECC_CURVE_SECP256R1, JWS_ES256 },
	[KEY_EC384] = { "ec384", GNUTLS_PK_ECDSA, 0, GNUTLS_ECC_CURVE_SECP384R1, JWS_ES384 },
	[KEY_EC521] = { "ec521", GNUTLS_PK_ECDSA, 0, GNUTLS_ECC_CURVE_SECP521R1, JWS_ES512 },
	[KEY_RSA2048] = { "rsa2048", GNUTLS_PK_RSA, 2048, GNUTLS_ECC_CURVE_INVALID, JWS_RS256 },
	[KEY_RSA3072] = { "rsa3072", GNUTLS_PK_RSA, 3072, GNUTLS_ECC_CURVE_INVALID, JWS_RS256 },
	[KEY_RSA4096] = { "rsa4096", GNUTLS_PK_RSA, 4096, GNUTLS_ECC_CURVE_INVALID, JWS_RS256 },
	[KEY_ED25519] = { "ed25519", GNUTLS_PK_EDDSA_ED25519, 0, GNUTLS_ECC_CURVE_ED25519, JWS_EDDSA },
};

const char *
key_type_name(enum key_type t)
{
	return t < KEY_TYPE__MAX ? types[t].name : "invalid";
}

enum key_type
key_type_parse(const char *s)
{
	for (int t = 0; t < KEY_TYPE__MAX; t++)
		if (strcmp(s, types[t].name) == 0)
			return (enum key_type)t;
	return KEY_TYPE_INVALID;
}

enum key_type
key_type_of_pubkey(gnutls_pubkey_t pub)
{
	unsigned		bits = 0;
	int			pk = gnutls_pubkey_get_pk_algorithm(pub, &bits);
	gnutls_ecc_curve_t	curve;

	if (pk == GNUTLS_PK_RSA) {
		for (int t = 0; t < KEY_TYPE__MAX; t++)
			if (types[t].pk == GNUTLS_PK_RSA && types[t].bits == bits)
				return (enum key_type)t;
		return KEY_TYPE_INVALID;
	}
	if (pk == GNUTLS_PK_ECDSA || pk == GNUTLS_PK_EDDSA_ED25519) {
		if (gnutls_pubkey_export_ecc_raw2(pub, &curve, NULL, NULL, 0) < 0)
			return KEY_TYPE_INVALID;
		for (int t = 0; t < KEY_TYPE__MAX; t++)
			if (types[t].pk == (gnutls_pk_algorithm_t)pk && types[t].curve == curve)
				return (enum key_type)t;
	}
	return KEY_TYPE_INVALID;
}

int
key_generate(struct key *k, enum key_type t)
{
	unsigned	bits;
	int		rc;

	memset(k, 0, sizeof(*k));
	if (t >= KEY_TYPE__MAX)
		return 0;
	bits = types[t].pk == GNUTLS_PK_RSA ? types[t].bits :
	    GNUTLS_CURVE_TO_BITS(types[t].curve);
	if ((rc = gnutls_privkey_init(&k->priv)) < 0 ||
	    (rc = gnutls_privkey_generate2(k->priv, types[t].pk, bits, 0, NULL, 0)) < 0) {
		log_err("key_generate: gnutls_privkey_generate2: %s", gnutls_strerror(rc));
		key_free(k);
		return 0;
	}
	k->type = t;
	k->alg = types[t].alg;
	return 1;
}

/* Fills type and alg from the loaded key. */
static int
key_classify(struct key *k)
{
	gnutls_pubkey_t	pub;
	int		is_rsa;

	if (gnutls_pubkey_init(&pub) < 0)
		return 0;
	if (gnutls_pubkey_import_privkey(pub, k->priv, 0, 0) < 0) {
		gnutls_pubkey_deinit(pub);
		return 0;
	}
	k->type = key_type_of_pubkey(pub);
	is_rsa = gnutls_pubkey_get_pk_algorithm(pub, NULL) == GNUTLS_PK_RSA;
	gnutls_pubkey_deinit(pub);
	if (k->type == KEY_TYPE_INVALID) {
		k->alg = JWS_RS256;
		return is_rsa;
	}
	k->alg = types[k->type].alg;
	return 1;
}

int
key_file_safe(const char *path, char *err, size_t errlen)
{
	struct stat	sb;

	if (strncmp(path, "pkcs11:", 7) == 0)
		return 1;
	/* stat, not lstat: a symlink counts by the file it names. */
	if (stat(path, &sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		return 0;
	}
	if (sb.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen, "%s is readable or writable by others; "
		    "run chmod o-rwx on it", path);
		return 0;
	}
	return 1;
}

int
key_load(struct key *k, const char *path)
{
	gnutls_datum_t	pem = { NULL, 0 };
	char		err[PATH_MAX + 64];
	int		rc;

	memset(k, 0, sizeof(*k));
	if (key_file_safe(path, err, sizeof(err)) != 1) {
		log_err("key_load: %s", err);
		return 0;
	}
	if ((rc = gnutls_privkey_init(&k->priv)) < 0)
		goto fail;
	if (strncmp(path, "pkcs11:", 7) == 0)
		rc = gnutls_privkey_import_url(k->priv, path, 0);
	else if ((rc = gnutls_load_file(path, &pem)) >= 0)
		rc = gnutls_privkey_import_x509_raw(k->priv, &pem,
		    GNUTLS_X509_FMT_PEM, NULL, 0);
	/* The key file's text does not linger in freed memory. */
	if (pem.data != NULL)
		gnutls_memset(pem.data, 0, pem.size);
	gnutls_free(pem.data);
	if (rc < 0)
		goto fail;
	if (!key_classify(k)) {
		log_err("key_load: %s: key type is not one of ours", path);
		key_free(k);
		return 0;
	}
	return 1;
fail:
	log_err("key_load: %s: %s", path, gnutls_strerror(rc));
	key_free(k);
	return 0;
}

int
key_save(const struct key *k, const char *path)
{
	gnutls_x509_privkey_t	 x = NULL;
	gnutls_datum_t		 pem = { NULL, 0 };
	int			 fd = -1, rc, ok = 0;
	size_t			 off = 0;

	if ((rc = gnutls_privkey_export_x509(k->priv, &x)) < 0 ||
	    (rc = gnutls_x509_privkey_export2_pkcs8(x, GNUTLS_X509_FMT_PEM, NULL,
	    GNUTLS_PKCS_PLAIN, &pem)) < 0) {
		log_err("key_save: export: %s", gnutls_strerror(rc));
		goto out;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		log_err("key_save: %s: %s", path, strerror(errno));
		goto out;
	}
	while (off < pem.size) {
		ssize_t n = write(fd, pem.data + off, pem.size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_err("key_save: %s: %s", path, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0) {
		log_err("key_save: %s: fsync: %s", path, strerror(errno));
		goto out;
	}
	ok = 1;
out:
	if (fd >= 0 && close(fd) < 0)
		ok = 0;
	if (!ok && fd >= 0)
		unlink(path);
	gnutls_free(pem.data);
	if (x != NULL)
		gnutls_x509_privkey_deinit(x);
	return ok;
}

void
key_free(struct key *k)
{
	if (k->priv != NULL)
		gnutls_privkey_deinit(k->priv);
	memset(k, 0, sizeof(*k));
}

static int
add_b64(struct json_object *o, const char *name, const gnutls_datum_t *d,
    size_t width)
{
	uint8_t	*buf;
	char	*s;
	int	 ok;

	/* Left-pad EC coordinates to the full width (RFC 7518 §6.2.1.2). */
	if (width < d->size)
		width = d->size;
	if ((buf = calloc(1, width)) == NULL)
		return 0;
	memcpy(buf + width - d->size, d->data, d->size);
	s = b64url_encode(buf, width);
	free(buf);
	ok = s != NULL && json_add_string(o, name, s);
	free(s);
	return ok;
}

struct json_object *
key_jwk(const struct key *k)
{
	struct json_object	*o;
	gnutls_datum_t		 a = { NULL, 0 }, b = { NULL, 0 };
	gnutls_ecc_curve_t	 curve;
	size_t			 width;
	int			 ok = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	switch (gnutls_privkey_get_pk_algorithm(k->priv, NULL)) {
	case GNUTLS_PK_RSA:
		if (gnutls_privkey_export_rsa_raw2(k->priv, &a, &b, NULL, NULL,
		    NULL, NULL, NULL, NULL, GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
			break;
		ok = add_b64(o, "e", &b, 0) && json_add_string(o, "kty", "RSA") &&
		    add_b64(o, "n", &a, 0);
		break;
	case GNUTLS_PK_ECDSA:
		if (gnutls_privkey_export_ecc_raw2(k->priv, &curve, &a, &b, NULL,
		    GNUTLS_EXPORT_FLAG_NO_LZ) < 0)
			break;
		width = (gnutls_ecc_curve_get_size(curve));
		ok = json_add_string(o, "crv", k->type == KEY_EC256 ? "P-256" :
		    k->type == KEY_EC384 ? "P-384" : "P-521") &&
		    json_add_string(o, "kty", "EC") && add_b64(o, "x", &a, width) &&
		    add_b64(o, "y", &b, width);
		break;
	case GNUTLS_PK_EDDSA_ED25519:
		if (gnutls_privkey_export_ecc_raw2(k->priv, &curve, &a, NULL, NULL, 0) < 0)
			break;
		ok = json_add_string(o, "crv", "Ed25519") &&
		    json_add_string(o, "kty", "OKP") && add_b64(o, "x", &a, 32);
		break;
	default:
		break;
	}
	gnutls_free(a.data);
	gnutls_free(b.data);
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
key_sign(const struct key *k, const void *data, size_t len, uint8_t **sig,
    size_t *siglen)
{
	gnutls_datum_t		 d = { (unsigned char *)(uintptr_t)data, (unsigned)len };
	gnutls_datum_t		 der = { NULL, 0 }, r = { NULL, 0 }, s = { NULL, 0 };
	gnutls_sign_algorithm_t	 sa;
	size_t			 half, ro, so;
	int			 ok = 0;

	switch (k->alg) {
	case JWS_RS256:
		sa = GNUTLS_SIGN_RSA_SHA256;
		break;
	case JWS_ES256:
		sa = GNUTLS_SIGN_ECDSA_SHA256;
		break;
	case JWS_ES384:
		sa = GNUTLS_SIGN_ECDSA_SHA384;
		break;
	case JWS_ES512:
		sa = GNUTLS_SIGN_ECDSA_SHA512;
		break;
	case JWS_EDDSA:
		sa = GNUTLS_SIGN_EDDSA_ED25519;
		break;
	default:
		return 0;
	}
	if (gnutls_privkey_sign_data2(k->priv, sa, 0, &d, &der) < 0)
		return 0;
	if (gnutls_privkey_get_pk_algorithm(k->priv, NULL) != GNUTLS_PK_ECDSA) {
		*sig = der.data;
		*siglen = der.size;
		return 1;
	}
	/* ECDSA: DER SEQUENCE { r, s } to fixed-width R||S. */
	half = gnutls_ecc_curve_get_size(types[k->type].curve);
	if (gnutls_decode_rs_value(&der, &r, &s) < 0)
		goto out;
	for (ro = 0; r.size - ro > half && r.data[ro] == 0; ro++)
		;
	for (so = 0; s.size - so > half && s.data[so] == 0; so++)
		;
	if (r.size - ro > half || s.size - so > half ||
	    (*sig = gnutls_calloc(1, 2 * half)) == NULL)
		goto out;
	memcpy(*sig + half - (r.size - ro), r.data + ro, r.size - ro);
	memcpy(*sig + 2 * half - (s.size - so), s.data + so, s.size - so);
	*siglen = 2 * half;
	ok = 1;
out:
	gnutls_free(der.data);
	gnutls_free(r.data);
	gnutls_free(s.data);
	return ok;
}

char *
key_jws(const struct key *k, struct json_object *hdr, const char *payload)
{
	struct json_object	*body = NULL;
	char			*prot = NULL, *pay = NULL, *input = NULL, *sigb = NULL;
	char			*res = NULL;
	const char		*htext;
	uint8_t			*sig = NULL;
	size_t			 siglen, plen = payload == NULL ? 0 : strlen(payload);

	if (!json_add_string(hdr, "alg", jws_alg_name(k->alg)))
		return NULL;
	htext = json_object_to_json_string_ext(hdr,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if ((prot = b64url_encode(htext, strlen(htext))) == NULL ||
	    (pay = b64url_encode(payload == NULL ? "" : payload, plen)) == NULL ||
	    (input = malloc(strlen(prot) + strlen(pay) + 2)) == NULL)
		goto out;
	strcpy(input, prot);
	strcat(input, ".");
	strcat(input, pay);
	if (!key_sign(k, input, strlen(input), &sig, &siglen) ||
	    (sigb = b64url_encode(sig, siglen)) == NULL)
		goto out;
	if ((body = json_object_new_object()) == NULL ||
	    !json_add_string(body, "protected", prot) ||
	    !json_add_string(body, "payload", pay) ||
	    !json_add_string(body, "signature", sigb))
		goto out;
	res = strdup(json_object_to_json_string_ext(body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
out:
	json_object_put(body);
	free(prot);
	free(pay);
	free(input);
	free(sigb);
	gnutls_free(sig);
	return res;
}
