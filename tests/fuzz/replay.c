/*
 * replay - runs a harness over files without libFuzzer, so that make check
 * replays the committed corpus with the normal compiler and flags (and
 * under ASan/UBSan with configure --enable-sanitizers).
 *
 * usage: replay_<harness> file|directory ...
 *
 * Every regular file named, and every regular file directly inside a
 * directory named (dot files excepted), goes to LLVMFuzzerTestOneInput(),
 * in name order.  Prints "<harness>: N corpus inputs" and exits 0; exits 1
 * if a file cannot be read or there is no input at all, 2 on usage.  A
 * broken property or a memory error is a crash, which the caller sees.
 */
#include "autoconfig.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Corpus files are small; anything larger is not one of ours. */
#define REPLAY_MAX	(1024 * 1024)

/* Reads path and runs the harness on it; 1, or 0 if it cannot be read. */
static int
run_file(const char *path)
{
	struct stat	 st;
	FILE		*f;
	uint8_t		*buf = NULL;
	size_t		 len;
	int		 ok = 0;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (st.st_size > REPLAY_MAX) {
		fprintf(stderr, "replay: %s: larger than %d bytes\n", path, REPLAY_MAX);
		goto out;
	}
	/* Exactly the input's size, so that ASan sees a read past its end. */
	len = (size_t)st.st_size;
	if ((buf = malloc(len != 0 ? len : 1)) == NULL) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto out;
	}
	if (fread(buf, 1, len, f) != len) {
		fprintf(stderr, "replay: %s: short read\n", path);
		goto out;
	}
	(void)LLVMFuzzerTestOneInput(buf, len);
	ok = 1;
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return ok;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file in dir; adds their number to *n.  1, or 0 on error. */
static int
run_dir(const char *dir, size_t *n)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		**names = NULL, **tmp, *path;
	size_t		 count = 0, i;
	int		 ok = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((tmp = realloc(names, (count + 1) * sizeof(*names))) == NULL) {
			fprintf(stderr, "replay: %s: out of memory\n", dir);
			goto out;
		}
		names = tmp;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			fprintf(stderr, "replay: %s: out of memory\n", dir);
			goto out;
		}
		names[count++] = path;
	}
	if (count > 0)
		qsort(names, count, sizeof(*names), name_cmp);
	for (i = 0; i < count; i++) {
		if (stat(names[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", names[i], strerror(errno));
			goto out;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (!run_file(names[i]))
			goto out;
		(*n)++;
	}
	ok = 1;
out:
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ok;
}

static const char *
harness_name(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base != NULL ? base + 1 : argv0;
	/* "replay_json" replays the harness fuzz_json. */
	if (strncmp(base, "replay_", 7) == 0)
		base += 7;
	return base;
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	size_t		 n = 0;
	int		 i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file|directory ...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			if (!run_dir(argv[i], &n))
				return 1;
		} else {
			if (!run_file(argv[i]))
				return 1;
			n++;
		}
	}
	if (n == 0) {
		fprintf(stderr, "replay: no corpus inputs\n");
		return 1;
	}
	printf("fuzz_%s: %zu corpus inputs\n", harness_name(argv[0]), n);
	return 0;
}
