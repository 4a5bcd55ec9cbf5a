/*
 * replay.c: a main() for the fuzz targets without libFuzzer, so that the
 * saved inputs (fuzz/regress/, a corpus) run in every `make check`.  Each
 * argument is a file or a directory of files; each file is one input,
 * fed to LLVMFuzzerTestOneInput as libFuzzer would.  Prints TAP; a crash
 * is a crash (caught by the sanitizers in a sanitizer build).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n;

static void
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, k;

	if (f == NULL) {
		printf("not ok %d - %s: cannot be read\n", ++n, path);
		return;
	}
	do {
		if (len + 4096 > cap) {
			uint8_t *nd = realloc(data, cap = cap * 2 + 8192);

			if (nd == NULL)
				abort();
			data = nd;
		}
		k = fread(data + len, 1, cap - len, f);
		len += k;
	} while (k > 0);
	fclose(f);
	/* libFuzzer hands over a buffer of exactly the input's size. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (exact == NULL)
			abort();
		memcpy(exact, data, len);
		free(data);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	printf("ok %d - %s\n", ++n, path);
	fflush(stdout);
}

static int
cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;
		char **names = NULL;
		size_t nn = 0;

		if (stat(argv[i], &st) != 0)
			continue;           /* an optional directory */
		if (!S_ISDIR(st.st_mode)) {
			run_file(argv[i]);
			continue;
		}
		if ((d = opendir(argv[i])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			char **nnames;

			if (de->d_name[0] == '.')
				continue;
			nnames = realloc(names, (nn + 1) * sizeof(*names));
			if (nnames == NULL)
				abort();
			names = nnames;
			names[nn] = malloc(strlen(argv[i]) + strlen(de->d_name) + 2);
			if (names[nn] == NULL)
				abort();
			sprintf(names[nn], "%s/%s", argv[i], de->d_name);
			nn++;
		}
		closedir(d);
		qsort(names, nn, sizeof(*names), cmp);
		for (size_t k = 0; k < nn; k++) {
			run_file(names[k]);
			free(names[k]);
		}
		free(names);
	}
	printf("1..%d\n", n);
	return 0;
}
