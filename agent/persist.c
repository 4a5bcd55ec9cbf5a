/*
 * persist.c: the persistent file, $persistentDir/referd.conf, in
 * net-snmp's config syntax.
 *
 * It holds one line per scalar and per nonVolatile or permanent row:
 *   referdScalars MAXCALLS RATELIMIT
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
static int saved_scalars;

/* True for a column whose value is stored on a line. */
static int
stored_column(const struct column *c)
{
	switch (c->kind) {
	case K_U32:
	case K_ENUM:
	case K_STRING:
	case K_ADDRESS:
	case K_PREFIX:
		return 1;
	default:
		return 0;
	}
}

/* referdScalars MAXCALLS RATELIMIT */
static void
parse_scalars(const char *token, char *line)
{
	unsigned long mc, rl;
	char extra;

	if (saved == NULL) {
		config_perror("referdScalars belongs in the persistent file only");
		return;
	}
	if (sscanf(line, "%lu %lu %c", &mc, &rl, &extra) != 2 ||
	    mc > UINT32_MAX || rl > REFERD_NOTIFY_RATE_MAX) {
		config_perror("persistent scalars unreadable: dropped");
		return;
	}
	saved->max_calls = (uint32_t)mc;
	saved->notify_rate_limit = (uint32_t)rl;
	saved_scalars = 1;
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

/* referdRow TABLE INDEX STORAGE STATUS VALUE... */
static void
parse_row(const char *token, char *line)
{
	union referd_row rowbuf;
	char *row = (char *)&rowbuf;
	const struct table *t = NULL;
	unsigned long arc, index, storage, status, v;
	const char *p = line;
	char why[200];

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
	for (const struct column *c = t->cols; c->name != NULL; c++) {
		if (!stored_column(c))
			continue;
		if (c->kind == K_U32 || c->kind == K_ENUM) {
			/*
			 * A number missing at the end of the line: a row a
			 * referd before the column was added saved.  It
			 * keeps the column's default (the MIB's DEFVAL).
			 */
			if (p == NULL || *(p + strspn(p, " \t")) == '\0')
				continue;
			if ((p = read_ulong(p, &v)) == NULL ||
			    (long)v < c->min || (long)v > c->max) {
				snprintf(why, sizeof(why), "persistent %s row "
				    "%lu: %s missing or out of range: dropped",
				    t->name, index, c->name);
				config_perror(why);
				return;
			}
			if (c->kind == K_U32) {
				uint32_t u = (uint32_t)v;
				memcpy(row + c->off, &u, sizeof(u));
			} else {
				int e = (int)v;
				memcpy(row + c->off, &e, sizeof(e));
			}
		} else {
			u_char *s = NULL;
			size_t len = 0;

			if (p == NULL || *p == '\0' ||
			    (p = read_config_read_octet_string_const(p, &s,
			    &len), s == NULL) || len > (size_t)c->max) {
				free(s);
				snprintf(why, sizeof(why), "persistent %s row "
				    "%lu: %s missing or too long: dropped",
				    t->name, index, c->name);
				config_perror(why);
				return;
			}
			memcpy(row + c->off, s, len);
			row[c->off + len] = '\0';
			free(s);
			if (p == NULL)
				p = "";
		}
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
	register_app_config_handler("referdScalars", parse_scalars, NULL, NULL);
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
	for (const struct column *c = t->cols; c->name != NULL; c++) {
		if (!stored_column(c))
			continue;
		if (c->kind == K_U32) {
			uint32_t u;
			memcpy(&u, row + c->off, sizeof(u));
			p += snprintf(p, (size_t)(end - p), " %u", u);
		} else if (c->kind == K_ENUM) {
			int e;
			memcpy(&e, row + c->off, sizeof(e));
			p += snprintf(p, (size_t)(end - p), " %d", e);
		} else {
			/* worst case 2 hex digits a byte, plus "0x" */
			*p++ = ' ';
			p = read_config_save_octet_string(p,
			    (const u_char *)row + c->off, strlen(row + c->off));
		}
	}
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
	fprintf(f, "referdScalars %u %u\n", cfg->max_calls,
	    cfg->notify_rate_limit);
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
	saved_scalars = 0;
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
	if (saved_scalars) {
		m->max_calls = saved->max_calls;
		m->notify_rate_limit = saved->notify_rate_limit;
	}
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
			m->max_calls = base->max_calls;
			m->notify_rate_limit = base->notify_rate_limit;
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
