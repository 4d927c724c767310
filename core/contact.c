#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "contact.h"
#include "json.h"
#include "problem.h"

/* RFC 5322 atext plus '.', the local part characters we accept unquoted. */
#define LOCAL_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
	"0123456789!#$&'*+-/=^_`{|}~."

/* A DNS name with at least two labels of [A-Za-z0-9-], not at the ends. */
static int
domain_ok(const char *d)
{
	size_t	n = strlen(d), label = 0;
	int	dots = 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = d[i];

		if (c == '.') {
			if (label == 0 || d[i - 1] == '-')
				return 0;
			label = 0;
			dots++;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && d[n - 1] != '-' && dots > 0;
}

static int
address_ok(const char *addr)
{
	const char	*at = strchr(addr, '@');
	size_t		 local;

	if (at == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	local = (size_t)(at - addr);
	if (local == 0 || local > 64 || strspn(addr, LOCAL_CHARS) != local ||
	    addr[0] == '.' || at[-1] == '.' || strstr(addr, "..") != NULL)
		return 0;
	return domain_ok(at + 1);
}

int
contact_parse(struct json_object *arr, unsigned max, char **out, struct problem *p)
{
	struct json_object	*res;
	const char		*c;
	size_t			 n = json_object_array_length(arr);
	char			 norm[CONTACT_MAX_LEN + 1];

	*out = NULL;
	if (n > max)
		return problem_set(p, PROB_MALFORMED,
		    "at most %u contacts are accepted, not %zu", max, n);
	if ((res = json_object_new_array()) == NULL)
		return problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		int dup = 0;

		if (!json_array_string(arr, i, CONTACT_MAX_LEN, &c)) {
			problem_set(p, PROB_INVALID_CONTACT,
			    "contact %zu is not a string of at most %d characters",
			    i + 1, CONTACT_MAX_LEN);
			goto fail;
		}
		if (strncasecmp(c, "mailto:", 7) != 0) {
			problem_set(p, PROB_UNSUPPORTED_CONTACT,
			    "only mailto: contacts are supported");
			goto fail;
		}
		if (strchr(c, '?') != NULL) {
			problem_set(p, PROB_INVALID_CONTACT,
			    "contact %zu: mailto: hfields (\"?\") are not allowed", i + 1);
			goto fail;
		}
		if (strchr(c, ',') != NULL || strchr(c, '%') != NULL ||
		    !address_ok(c + 7)) {
			problem_set(p, PROB_INVALID_CONTACT,
			    "contact %zu is not one plain e-mail address", i + 1);
			goto fail;
		}
		snprintf(norm, sizeof(norm), "mailto:%s", c + 7);
		for (size_t j = 0; j < json_object_array_length(res); j++)
			if (strcmp(json_object_get_string(
			    json_object_array_get_idx(res, j)), norm) == 0)
				dup = 1;
		if (!dup) {
			struct json_object *str = json_object_new_string(norm);

			if (str == NULL || json_object_array_add(res, str) != 0) {
				json_object_put(str);
				problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
				goto fail;
			}
		}
	}
	*out = strdup(json_object_to_json_string_ext(res,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(res);
	if (*out == NULL)
		return problem_set(p, PROB_SERVER_INTERNAL, "out of memory");
	return 1;
fail:
	json_object_put(res);
	return 0;
}
