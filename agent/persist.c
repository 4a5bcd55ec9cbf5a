/*
 * persist.c: the persistent file, $persistentDir/referd.conf, in
 * net-snmp's config syntax.
 *
 * It holds one line per group of scalars and per nonVolatile or
 * permanent row:
 *   referdScalars MAXCALLS RATELIMIT INSTANCENAME
 *   referdAccounting VALUE...
 *   referdRow TABLE INDEX STORAGE STATUS VALUE...
 * TABLE is the table's arc under referdObjects (2 = profiles ...
 * 6 = routes) and the VALUEs are its writable value columns in column
 * order: numbers in decimal, strings quoted or in hex as net-snmp writes
 * them.  net-snmp's own modules add their lines (SNMPv3 users, engine
 * boots) through their STORE_DATA callbacks.
 *
 * Every committed SET rewrites the file whole: a temporary file beside it,
 * fsync, rename over the old one, fsync of the directory.  A kill -9 at
 * any moment leaves either the old file or the new one, never a mix.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "model/columns.h"
#include "agent/persist.h"

#define LINE_MAX_LEN 1024

/* What the file held, while it is being read. */
static struct referd_config *saved;

/* The groups of scalars, each a line: its token, and how many of its
 * stored columns the file gave (0: no line; a line written before a
 * column existed gives fewer, and the others keep the file's values). */
static struct {
	const char         *token;
	const struct table *t;
	size_t              read;
} lines[] = {
	{ "referdScalars", &mib_general, 0 },
	{ "referdAccounting", &mib_accounting, 0 },
};
#define N_LINES (sizeof(lines) / sizeof(lines[0]))

/* True for a column whose value is stored on a line: a MIB object's
 * (a setting with no object, arc 0, is the configuration file's). */
static int
stored_column(const struct column *c)
{
	if (c->arc == 0)
		return 0;
	switch (c->kind) {
	case K_U32:
	case K_ENUM:
	case K_STRING:
	case K_ADDRESS:
	case K_PREFIX:
	case K_SECRET:
		return 1;
	default:
		return 0;
	}
}

/* Copy the first n stored columns of the scalar group t from src to
 * dst (SIZE_MAX: all). */
static void
copy_group(struct referd_config *dst, const struct referd_config *src,
    const struct table *t, size_t n)
{
	for (const struct column *c = t->cols; c->name && n > 0; c++)
		if (stored_column(c)) {
			memcpy((char *)dst + c->off, (const char *)src + c->off,
			    mib_column_size(c));
			n--;
		}
}

/* Read an unsigned decimal word; returns the rest of the line or NULL. */
static const char *
read_ulong(const char *p, unsigned long *vp)
{
	char word[32], *end;

	if (p == NULL || *p == '\0')
		return NULL;
	p = copy_nword_const(p, word, sizeof(word));
	errno = 0;
	*vp = strtoul(word, &end, 10);
	if (word[0] < '0' || word[0] > '9' || *end != '\0' || errno != 0)
		return NULL;
	return p ? p : "";
}

/*
 * The stored columns of t, in order, from p into base (a row, or the
 * configuration for a group of scalars), and how many in *np; the rest
 * of the line, or NULL with what was wrong in what.
 */
static const char *
read_values(const char *p, const struct table *t, char *base, char *what,
    size_t len, size_t *np)
{
	unsigned long v;

	*np = 0;
	for (const struct column *c = t->cols; c->name != NULL; c++) {
		if (!stored_column(c))
			continue;
		/*
		 * A line written before a column existed ends before it: that
		 * column and the ones after keep their DEFVAL, so an upgrade
		 * keeps the row (a row without its name or address is then
		 * refused as incomplete).
		 */
		if (p == NULL || p[strspn(p, " \t")] == '\0')
			break;
		if (c->kind == K_U32 || c->kind == K_ENUM) {
			if ((p = read_ulong(p, &v)) == NULL ||
			    (long)v < c->min || (long)v > c->max) {
				snprintf(what, len, "%s missing or out of "
				    "range", c->name);
				return NULL;
			}
			if (c->kind == K_U32) {
				uint32_t u = (uint32_t)v;
				memcpy(base + c->off, &u, sizeof(u));
			} else {
				int e = (int)v;
				memcpy(base + c->off, &e, sizeof(e));
			}
		} else {
			u_char *str = NULL;
			size_t n = 0;

			if (p == NULL || *p == '\0' ||
			    (p = read_config_read_octet_string_const(p, &str,
			    &n), str == NULL) || n > (size_t)c->max) {
				free(str);
				snprintf(what, len, "%s missing or too long",
				    c->name);
				return NULL;
			}
			memcpy(base + c->off, str, n);
			base[c->off + n] = '\0';
			free(str);
			if (p == NULL)
				p = "";
		}
		(*np)++;
	}
	return p != NULL ? p : "";
}

/* referdScalars VALUE..., referdAccounting VALUE...: a saved group. */
static void
parse_group(const char *token, char *line)
{
	char what[120], why[200];
	struct referd_config *tmp;
	const char *p;
	size_t g = 0, n;

	while (g < N_LINES && strcmp(token, lines[g].token) != 0)
		g++;
	if (g == N_LINES)
		return;
	if (saved == NULL) {
		snprintf(why, sizeof(why), "%s belongs in the persistent file "
		    "only", token);
		config_perror(why);
		return;
	}
	/* Into a copy, so that a line read half leaves nothing behind. */
	if (referd_config_dup(saved, &tmp) != 0)
		return;
	p = read_values(line, lines[g].t, (char *)tmp, what, sizeof(what),
	    &n);
	if (p == NULL || *p != '\0') {
		snprintf(why, sizeof(why), "persistent %s: %s: dropped",
		    lines[g].t->name, p == NULL ? what :
		    "unexpected data at the end");
		config_perror(why);
		referd_config_free(tmp);
		return;
	}
	copy_group(saved, tmp, lines[g].t, SIZE_MAX);
	referd_config_free(tmp);
	if (n > lines[g].read)
		lines[g].read = n;
}

/* referdRow TABLE INDEX STORAGE STATUS VALUE... */
static void
parse_row(const char *token, char *line)
{
	union referd_row rowbuf;
	char *row = (char *)&rowbuf;
	const struct table *t = NULL;
	unsigned long arc, index, storage, status;
	const char *p = line;
	char why[200], what[120];
	size_t n;

	if (saved == NULL) {
		config_perror("referdRow belongs in the persistent file only");
		return;
	}
	if ((p = read_ulong(p, &arc)) == NULL ||
	    (p = read_ulong(p, &index)) == NULL ||
	    (p = read_ulong(p, &storage)) == NULL ||
	    (p = read_ulong(p, &status)) == NULL) {
		config_perror("persistent row unreadable (truncated?): dropped");
		return;
	}
	for (size_t i = 0; i < mib_n_tables; i++)
		if (mib_tables[i].arc == arc && mib_tables[i].id < 100)
			t = &mib_tables[i];
	if (t == NULL || index < 1 || index > t->max_index ||
	    (storage != REFERD_ST_NONVOLATILE &&
	    storage != REFERD_ST_PERMANENT) ||
	    status < REFERD_RS_ACTIVE || status > REFERD_RS_NOTREADY) {
		config_perror("persistent row has an impossible table, index, "
		    "storage type or status: dropped");
		return;
	}
	referd_row_init((enum referd_table)t->id, row, (uint32_t)index);
	*referd_row_storage((enum referd_table)t->id, row) = (int)storage;
	*referd_row_status((enum referd_table)t->id, row) = (int)status;
	if ((p = read_values(p, t, row, what, sizeof(what), &n)) == NULL) {
		snprintf(why, sizeof(why), "persistent %s row %lu: %s: dropped",
		    t->name, index, what);
		config_perror(why);
		return;
	}
	if (p != NULL && *p != '\0') {
		snprintf(why, sizeof(why), "persistent %s row %lu: unexpected "
		    "data at the end: dropped", t->name, index);
		config_perror(why);
		return;
	}
	if (referd_config_row(saved, (enum referd_table)t->id,
	    (uint32_t)index) != NULL) {
		snprintf(why, sizeof(why), "persistent %s row %lu appears "
		    "twice: the later line is dropped", t->name, index);
		config_perror(why);
		return;
	}
	if (referd_config_put(saved, (enum referd_table)t->id, row) != 0)
		config_perror("out of memory: persistent row dropped");
}

void
persist_register(void)
{
	for (size_t g = 0; g < N_LINES; g++)
		register_app_config_handler(lines[g].token, parse_group, NULL,
		    NULL);
	register_app_config_handler("referdRow", parse_row, NULL, NULL);
}

const char *
persist_default_path(void)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/referd.conf",
	    get_persistent_directory());
	return path;
}

/* The stored columns of t, from base (a row, or the configuration). */
static char *
write_values(char *p, char *end, const struct table *t, const char *base)
{
	for (const struct column *c = t->cols; c->name != NULL; c++) {
		if (!stored_column(c))
			continue;
		if (c->kind == K_U32) {
			uint32_t u;
			memcpy(&u, base + c->off, sizeof(u));
			p += snprintf(p, (size_t)(end - p), " %u", u);
		} else if (c->kind == K_ENUM) {
			int e;
			memcpy(&e, base + c->off, sizeof(e));
			p += snprintf(p, (size_t)(end - p), " %d", e);
		} else {
			/* worst case 2 hex digits a byte, plus "0x" */
			*p++ = ' ';
			p = read_config_save_octet_string(p,
			    (const u_char *)base + c->off,
			    strlen(base + c->off));
		}
	}
	return p;
}

/* Write one row's line to f. */
static int
write_row(FILE *f, const struct table *t, const char *row)
{
	enum referd_table ct = (enum referd_table)t->id;
	char line[LINE_MAX_LEN], *p = line, *end = line + sizeof(line);
	uint32_t idx;

	memcpy(&idx, row, sizeof(idx));
	p += snprintf(p, (size_t)(end - p), "referdRow %u %u %d %d", t->arc,
	    idx, *referd_row_storage(ct, (void *)(uintptr_t)row),
	    *referd_row_status(ct, (void *)(uintptr_t)row));
	write_values(p, end, t, row);
	return fprintf(f, "%s\n", line) < 0 ? EIO : 0;
}

/* fsync the directory holding path. */
static int
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (copy == NULL)
		return ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		rc = errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

int
persist_save(const char *path, const struct referd_config *cfg)
{
	char tmp[PATH_MAX];
	FILE *f;
	int rc = 0, fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return ENAMETOOLONG;
	if (mkdirhier(path, NETSNMP_AGENT_DIRECTORY_MODE, 1) != 0)
		return EACCES;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	f = fdopen(fd, "w");
	if (f == NULL) {
		rc = errno;
		close(fd);
		unlink(tmp);
		return rc;
	}
	fprintf(f, "# referd's persistent state, rewritten at every "
	    "committed SET.\n# Do not edit while referd runs.\n");
	for (size_t g = 0; g < N_LINES; g++) {
		char line[LINE_MAX_LEN], *end;

		end = write_values(line + snprintf(line, sizeof(line), "%s",
		    lines[g].token), line + sizeof(line), lines[g].t,
		    (const char *)cfg);
		*end = '\0';
		fprintf(f, "%s\n", line);
	}
	for (size_t i = 0; i < mib_n_tables && rc == 0; i++) {
		const struct table *t = &mib_tables[i];
		enum referd_table ct = (enum referd_table)t->id;
		size_t n, sz;
		const char *rows;

		if (t->id >= 100)
			continue;
		sz = referd_row_size(ct);
		rows = referd_config_rows(cfg, ct, &n);
		for (size_t r = 0; r < n && rc == 0; r++) {
			int st = *referd_row_storage(ct,
			    (void *)(uintptr_t)(rows + r * sz));

			if (st == REFERD_ST_NONVOLATILE ||
			    st == REFERD_ST_PERMANENT)
				rc = write_row(f, t, rows + r * sz);
		}
	}
	if (rc == 0 && fflush(f) != 0)
		rc = errno;
	/* net-snmp's modules append their own lines to the same file. */
	if (rc == 0) {
		setenv("SNMP_PERSISTENT_FILE", tmp, 1);
		snmp_call_callbacks(SNMP_CALLBACK_LIBRARY,
		    SNMP_CALLBACK_STORE_DATA, NULL);
		unsetenv("SNMP_PERSISTENT_FILE");
	}
	if (rc == 0 && fsync(fileno(f)) != 0)
		rc = errno;
	if (fclose(f) != 0 && rc == 0)
		rc = errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = errno;
	if (rc == 0)
		rc = sync_dir(path);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

int
persist_begin(void)
{
	referd_config_free(saved);
	for (size_t g = 0; g < N_LINES; g++)
		lines[g].read = 0;
	return referd_config_new(&saved);
}

int
persist_load(const char *path, const struct referd_config *base,
    struct referd_config **cfgp)
{
	struct stat st;
	int rc;

	if ((rc = persist_begin()) != 0)
		return rc;
	if (stat(path, &st) == 0)
		read_config_with_type(path, "referd");
	return persist_end(path, base, cfgp);
}

int
persist_end(const char *path, const struct referd_config *base,
    struct referd_config **cfgp)
{
	struct referd_config *m = NULL;
	struct referd_config_error verr;
	int rc;

	if (saved == NULL)
		return EINVAL;
	if ((rc = referd_config_dup(base, &m)) != 0) {
		referd_config_free(saved);
		saved = NULL;
		return rc;
	}
	for (size_t g = 0; g < N_LINES; g++)
		copy_group(m, saved, lines[g].t, lines[g].read);
	for (size_t i = 0; i < mib_n_tables; i++) {
		const struct table *t = &mib_tables[i];
		enum referd_table ct = (enum referd_table)t->id;
		size_t n, sz;
		char *rows;

		if (t->id >= 100)
			continue;
		sz = referd_row_size(ct);
		rows = referd_config_rows(saved, ct, &n);
		for (size_t r = 0; r < n; r++) {
			char *row = rows + r * sz;
			uint32_t idx;
			int sst = *referd_row_storage(ct, row);
			void *frow;

			memcpy(&idx, row, sizeof(idx));
			frow = referd_config_row(m, ct, idx);
			if (frow != NULL &&
			    *referd_row_storage(ct, frow) == REFERD_ST_READONLY)
				continue;
			if (frow != NULL && sst != REFERD_ST_PERMANENT) {
				snmp_log(LOG_WARNING, "%s: %s row %u is now "
				    "provisioned by the configuration file; "
				    "the saved row is dropped\n", path,
				    t->name, idx);
				continue;
			}
			if (frow == NULL && sst == REFERD_ST_PERMANENT) {
				snmp_log(LOG_NOTICE, "%s: %s row %u is no "
				    "longer in the configuration file; its "
				    "saved values are dropped\n", path,
				    t->name, idx);
				continue;
			}
			referd_config_put(m, ct, row);
		}
	}
	referd_config_free(saved);
	saved = NULL;

	/* Rows that break a rule now are dropped, one at a time. */
	for (int guard = 0; guard < 100000; guard++) {
		void *row;

		if (referd_config_validate(NULL, m, &verr) == 0)
			break;
		if (verr.table == REFERD_TABLE_NONE) {
			snmp_log(LOG_ERR, "%s: saved scalars break rule %s "
			    "(%s): the configuration file's values are used\n",
			    path, referd_rule_name(verr.rule), verr.text);
			for (size_t g = 0; g < N_LINES; g++)
				copy_group(m, base, lines[g].t, SIZE_MAX);
			continue;
		}
		row = referd_config_row(base, verr.table, verr.index);
		if (row != NULL && memcmp(row, referd_config_row(m, verr.table,
		    verr.index), referd_row_size(verr.table)) == 0) {
			/* The file's own row is blamed for a saved change of
			 * another: use the file's rows, all of them. */
			snmp_log(LOG_ERR, "%s: saved rows break rule %s (%s): "
			    "every row of the configuration file takes its "
			    "file values\n", path, referd_rule_name(verr.rule),
			    verr.text);
			referd_config_put_all(m, base);
			continue;
		}
		if (row != NULL) {
			snmp_log(LOG_ERR, "%s: saved values of %s row %u break "
			    "rule %s (%s): the configuration file's row is "
			    "used\n", path, referd_table_name(verr.table),
			    verr.index, referd_rule_name(verr.rule), verr.text);
			referd_config_put(m, verr.table, row);
		} else {
			snmp_log(LOG_ERR, "%s: saved %s row %u breaks rule %s "
			    "(%s): dropped\n", path,
			    referd_table_name(verr.table), verr.index,
			    referd_rule_name(verr.rule), verr.text);
			referd_config_del(m, verr.table, verr.index);
		}
	}
	*cfgp = m;
	return 0;
}
