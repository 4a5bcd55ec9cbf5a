/*
 * conffile.c: referd.conf tokens.  Each line provisions one row or one
 * setting; net-snmp's config machinery reads the file and calls the
 * handler of each token.  The handlers fill `loading`, a configuration
 * that conffile_load() then checks as a whole.
 *
 * The tokens, their words and keywords, ranges and values are those of
 * the column description (model/columns.c): a table's token reads a row
 * with parse_row(), a setting's token one value with parse_setting().
 *
 * Tokens (see referd.conf(5)):
 *   maxCalls N
 *   notifyRateLimit N
 *   instanceName NAME
 *   rtpPortRange MIN MAX
 *   inviteTimeout SECONDS
 *   dialogKeepalive SECONDS
 *   profile INDEX NAME [readOnly]
 *   refer PROFILE [support enabled|disabled] [fromHeader referredBy|originalCaller]
 *         [delayedAnswer enabled|disabled] [delayedAnswerTimer MINUTES]
 *         [releaseSession enabled|disabled] [readOnly]
 *   signaling INDEX ADDRESS [port N] [transport udp|tcp] [profile N] [readOnly]
 *   gateway INDEX NAME ADDRESS [port N] [transport udp|tcp] [profile N] [readOnly]
 *   route INDEX PREFIX|default GATEWAY [readOnly]
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "model/columns.h"
#include "conffile.h"

#define WORD_MAX 256

/* The configuration being read, and whether a line failed. */
static struct referd_config *loading;
static int loading_errors;

/* Report a line's error through net-snmp (which adds file and line). */
static void __attribute__((format(printf, 1, 2)))
line_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	config_perror(buf);
	loading_errors++;
}

/* Tokens of the configuration file are read only by conffile_load(). */
#define NEED_LOADING() do { \
	if (loading == NULL) { \
		config_perror("this token belongs in the configuration file, " \
		    "not in the persistent file: ignored"); \
		return; \
	} \
} while (0)

/* Parse an unsigned decimal number within [min, max]. */
static int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *vp)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9')
		return EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return EINVAL;
	*vp = (uint32_t)v;
	return 0;
}

/*
 * A cursor over a line's words.  next_word() copies the next word into
 * w and returns 1, or returns 0 at the end of the line.
 */
struct words {
	const char *p;
	char w[WORD_MAX];
};

static int
next_word(struct words *ws)
{
	if (ws->p == NULL || *ws->p == '\0')
		return 0;
	ws->p = copy_nword_const(ws->p, ws->w, sizeof(ws->w));
	return 1;
}

/* A mandatory positional word; logs what is missing. */
static int
need_word(struct words *ws, const char *token, const char *what)
{
	if (next_word(ws))
		return 0;
	line_error("%s: missing %s", token, what);
	return EINVAL;
}

/* A mandatory index within [1, max]. */
static int
need_index(struct words *ws, const char *token, uint32_t max, uint32_t *vp)
{
	if (need_word(ws, token, "index"))
		return EINVAL;
	if (parse_u32(ws->w, 1, max, vp) == 0)
		return 0;
	line_error("%s: index \"%s\" is not a number from 1 to %u", token,
	    ws->w, max);
	return EINVAL;
}

/* A row provisioned twice in the file is an error, not a silent override. */
static int
check_new_row(const void *existing, const char *token, uint32_t index)
{
	if (existing == NULL)
		return 0;
	line_error("%s %u is defined twice", token, index);
	return EEXIST;
}

/* Copy a word into a fixed-size column, refusing one that does not fit. */
static int
copy_column(char *dst, size_t dstlen, const char *src, const char *token,
    const char *what)
{
	if (strlen(src) >= dstlen) {
		line_error("%s: %s \"%s\" is longer than %zu characters", token,
		    what, src, dstlen - 1);
		return EINVAL;
	}
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

/* The value of a configuration-file word of an enumeration (any case). */
static int
word_value(const struct col_word *w, const char *s, int *vp)
{
	for (; w != NULL && w->value != 0; w++)
		if (w->conf != NULL && strcasecmp(s, w->conf) == 0) {
			*vp = w->value;
			return 0;
		}
	return EINVAL;
}

/* Append "a, b or c" to buf, item by item (last: the final one). */
static void
list_add(char *buf, size_t len, const char *item, int last)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%s", used == 0 ? "" :
	    last ? " or " : ", ", item);
}

/* An enumeration's configuration-file words: "udp or tcp". */
static const char *
words_text(const struct col_word *words, char *buf, size_t len)
{
	const struct col_word *w, *last = NULL;

	buf[0] = '\0';
	for (w = words; w->value != 0; w++)
		if (w->conf != NULL)
			last = w;
	for (w = words; w->value != 0; w++)
		if (w->conf != NULL)
			list_add(buf, len, w->conf, w == last);
	return buf;
}

/* The table whose rows a token provisions, or NULL. */
static const struct table *
table_of_token(const char *token)
{
	for (size_t i = 0; i < mib_n_tables; i++)
		if (mib_tables[i].conf_usage != NULL &&
		    strcasecmp(token, mib_tables[i].word) == 0)
			return &mib_tables[i];
	return NULL;
}

/* The setting a token gives, or NULL. */
static const struct column *
setting_of_token(const char *token)
{
	for (size_t g = 0; mib_scalar_groups[g] != NULL; g++)
		for (const struct column *c = mib_scalar_groups[g]->cols;
		    c->name; c++)
			if (c->conf != NULL && strcasecmp(token, c->conf) == 0)
				return c;
	return NULL;
}

/* A column of t given by `keyword value` (any case), or NULL. */
static const struct column *
key_column(const struct table *t, const char *key)
{
	for (const struct column *c = t->cols; c->name; c++)
		if (c->conf_form == CONF_KEY && strcasecmp(key, c->conf) == 0)
			return c;
	return NULL;
}

/* True when a row's line may carry `keyword value` pairs. */
static int
has_keys(const struct table *t)
{
	for (const struct column *c = t->cols; c->name; c++)
		if (c->conf_form == CONF_KEY)
			return 1;
	return 0;
}

/*
 * A word that sets the row's StorageType ("readOnly"): sets it and
 * returns 1, or returns 0.
 */
static int
storage_word(const struct table *t, const char *w, void *row)
{
	int v;

	for (const struct column *c = t->cols; c->name; c++)
		if (c->kind == K_STORAGE && word_value(c->words, w, &v) == 0) {
			*referd_row_storage((enum referd_table)t->id, row) = v;
			return 1;
		}
	return 0;
}

/*
 * A value column c does not take.  `who` starts the message: the token
 * as the line spells it, or the table's own word, as the reader has
 * always said it; `key` is the keyword as the line spells it.
 */
static void
bad_value(const struct table *t, const char *who, const struct column *c,
    const char *key, const char *value)
{
	char list[128];

	if (t->conf_wording == CONF_WORDING_VALUE && c->unit != NULL)
		line_error("%s: \"%s\" is not a valid value for %s (%ld to %ld "
		    "%s)", who, value, key, c->min, c->max, c->unit);
	else if (t->conf_wording == CONF_WORDING_VALUE)
		line_error("%s: \"%s\" is not a valid value for %s", who, value,
		    key);
	else if (c->kind == K_ENUM)
		line_error("%s: %s \"%s\" is not %s", who, c->conf, value,
		    words_text(c->words, list, sizeof(list)));
	else
		line_error("%s: %s \"%s\" is not a number from %ld to %ld", who,
		    c->conf, value, c->min, c->max);
}

/* Store one word's value into column c of row; 0, or EINVAL (logged). */
static int
put_value(const struct table *t, const char *who, const struct column *c,
    const char *key, const char *value, char *row)
{
	uint32_t u;
	int e;

	switch (c->kind) {
	case K_U32:
		if (parse_u32(value, (uint32_t)c->min, (uint32_t)c->max, &u))
			break;
		memcpy(row + c->off, &u, sizeof(u));
		return 0;
	case K_ENUM:
		if (word_value(c->words, value, &e))
			break;
		memcpy(row + c->off, &e, sizeof(e));
		return 0;
	default:
		if (c->chars != NULL && strspn(value, c->chars) < strlen(value)) {
			line_error("%s: \"%s\" may hold only %s", who, value,
			    c->chars_text);
			return EINVAL;
		}
		return copy_column(row + c->off, (size_t)c->max + 1, value, who,
		    c->conf);
	}
	bad_value(t, who, c, key, value);
	return EINVAL;
}

/* The words after the index, in column order ("NAME ADDRESS"). */
static int
read_words(struct words *ws, const char *token, const struct table *t,
    char *row)
{
	for (const struct column *c = t->cols; c->name; c++) {
		char what[64];

		if (c->conf_form != CONF_WORD)
			continue;
		if (c->conf_empty != NULL)
			snprintf(what, sizeof(what), "%s (or \"%s\")", c->conf,
			    c->conf_empty);
		else
			snprintf(what, sizeof(what), "%s", c->conf);
		if (need_word(ws, token, what))
			return EINVAL;
		if (c->conf_empty != NULL && strcmp(ws->w, c->conf_empty) == 0)
			continue;   /* the row's default, "" */
		/* A number is refused in the table's word, a string in the
		 * token's spelling, as they always were. */
		if (put_value(t, c->kind == K_U32 ? t->word : token, c, c->conf,
		    ws->w, row))
			return EINVAL;
	}
	return 0;
}

/* "Expected port, transport, profile or readOnly": what a key may be. */
static void
unknown_key(const char *who, const struct table *t, const char *key)
{
	char list[256] = "";

	for (const struct column *c = t->cols; c->name; c++)
		if (c->conf_form == CONF_KEY)
			list_add(list, sizeof(list), c->conf, 0);
	for (const struct column *c = t->cols; c->name; c++)
		for (const struct col_word *w = c->kind == K_STORAGE ?
		    c->words : NULL; w != NULL && w->value != 0; w++)
			if (w->conf != NULL)
				list_add(list, sizeof(list), w->conf, 1);
	line_error("%s: unknown keyword \"%s\" (expected %s)", who, key, list);
}

/*
 * The `keyword value` pairs and the storage word, in any order, to the
 * end of the line.  *given gets a bit per column given (its position).
 */
static int
read_keys(struct words *ws, const char *token, const struct table *t,
    char *row, unsigned *given)
{
	const char *who = t->conf_wording == CONF_WORDING_VALUE ? t->word :
	    token;

	while (next_word(ws)) {
		char key[WORD_MAX];
		const struct column *c;

		if (storage_word(t, ws->w, row))
			continue;
		snprintf(key, sizeof(key), "%s", ws->w);
		if (!next_word(ws)) {
			line_error("%s: \"%s\" needs a value", who, key);
			return EINVAL;
		}
		if ((c = key_column(t, key)) == NULL) {
			unknown_key(who, t, key);
			return EINVAL;
		}
		if (put_value(t, who, c, key, ws->w, row))
			return EINVAL;
		*given |= 1u << (c - t->cols);
	}
	return 0;
}

/* A line without keywords ends after its words, or with the storage word. */
static int
read_end(struct words *ws, const struct table *t, char *row)
{
	if (!next_word(ws))
		return 0;
	if (storage_word(t, ws->w, row) && !next_word(ws))
		return 0;
	line_error("%s: unexpected \"%s\"%s", t->word, ws->w, t->conf_after);
	return EINVAL;
}

/*
 * The file's own rule for a Refer Support row, as in the seed: the
 * Delayed Answer Timer is given only with Delayed Answer enabled.
 */
static int
refer_timer_rule(const struct table *t, const char *row, unsigned given)
{
	const struct referd_refer *r = (const void *)row;
	const struct column *c;

	if (t->id != REFERD_TABLE_REFER || r->delayed_answer == REFERD_ENABLED)
		return 0;
	for (c = t->cols; c->name; c++)
		if (c->kind == K_U32 &&
		    c->off == offsetof(struct referd_refer, da_timer))
			break;
	if (c->name == NULL || !(given & (1u << (c - t->cols))))
		return 0;
	line_error("refer: delayedAnswerTimer needs delayedAnswer enabled");
	return EINVAL;
}

/* profile|refer|signaling|gateway|route INDEX WORD... [key value]... */
static void
parse_row(const char *token, char *line)
{
	const struct table *t = table_of_token(token);
	struct words ws = { .p = line };
	union referd_row rowbuf;
	char *row = (char *)&rowbuf;
	enum referd_table id;
	unsigned given = 0;
	uint32_t index;

	NEED_LOADING();

	if (t == NULL)
		return;     /* only tables' tokens are registered here */
	id = (enum referd_table)t->id;
	if (need_index(&ws, token, t->max_index, &index) ||
	    check_new_row(referd_config_row(loading, id, index), token, index))
		return;
	referd_row_init(id, row, index);
	*referd_row_storage(id, row) = REFERD_ST_PERMANENT;
	*referd_row_status(id, row) = REFERD_RS_ACTIVE;
	if (read_words(&ws, token, t, row) ||
	    (has_keys(t) ? read_keys(&ws, token, t, row, &given) :
	    read_end(&ws, t, row)) ||
	    refer_timer_rule(t, row, given))
		return;
	if (referd_config_put(loading, id, row))
		line_error("%s: out of memory", t->word);
}

/* rtpPortRange FIRST LAST */
static void
parse_range(const char *token, char *line, const struct column *c)
{
	struct words ws = { .p = line };
	uint32_t lo, hi, min = (uint32_t)c->min, max = (uint32_t)c->max;

	if (need_word(&ws, token, "first port") ||
	    parse_u32(ws.w, min, max, &lo) ||
	    need_word(&ws, token, "last port") ||
	    parse_u32(ws.w, min, max, &hi) || next_word(&ws)) {
		line_error("%s: expected two port numbers from %u to %u",
		    c->conf, min, max);
		return;
	}
	memcpy((char *)loading + c->off, &lo, sizeof(lo));
	memcpy((char *)loading + c->off + sizeof(lo), &hi, sizeof(hi));
}

/* maxCalls N, notifyRateLimit N, inviteTimeout S, dialogKeepalive S... */
static void
parse_setting(const char *token, char *line)
{
	const struct column *c = setting_of_token(token);
	uint32_t v;

	NEED_LOADING();

	if (c == NULL)
		return;     /* only settings' tokens are registered here */
	if (c->kind == K_PORT_RANGE) {
		parse_range(token, line, c);
		return;
	}
	if (c->kind == K_STRING || c->kind == K_ENUM || c->kind == K_ADDRESS ||
	    c->kind == K_SECRET) {
		/* cdrDirectory PATH, cdrFormat WORD: one word. */
		struct words ws = { .p = line };

		if (need_word(&ws, token, "value") == 0) {
			if (next_word(&ws))
				line_error("%s: one value expected", c->conf);
			else
				put_value(&mib_general, token, c, c->conf,
				    ws.w, (char *)loading);
		}
		return;
	}
	if (parse_u32(line, (uint32_t)c->min, (uint32_t)c->max, &v) == 0)
		memcpy((char *)loading + c->off, &v, sizeof(v));
	else if (c->min == 0 && c->max == UINT32_MAX)
		line_error("%s: \"%s\" is not a number (0 = unlimited)",
		    c->conf, line);
	else if (c->unit != NULL)
		line_error("%s: \"%s\" is not a number of %s from %ld to %ld",
		    c->conf, line, c->unit, c->min, c->max);
	else
		line_error("%s: \"%s\" is not a number from %ld to %ld",
		    c->conf, line, c->min, c->max);
}

/* Every token of the column description: the settings, then the tables. */
void
conffile_register(void)
{
	for (size_t g = 0; mib_scalar_groups[g] != NULL; g++)
		for (const struct column *c = mib_scalar_groups[g]->cols;
		    c->name; c++)
			if (c->conf_usage != NULL)
				register_app_config_handler(c->conf,
				    parse_setting, NULL, c->conf_usage);
	for (size_t i = 0; i < mib_n_tables; i++)
		if (mib_tables[i].conf_usage != NULL)
			register_app_config_handler(mib_tables[i].word,
			    parse_row, NULL, mib_tables[i].conf_usage);
}

int
conffile_begin(void)
{
	referd_config_free(loading);
	loading_errors = 0;
	return referd_config_new(&loading);
}

int
conffile_end(const char *path, struct referd_config **cfgp)
{
	struct referd_config_error verr;
	int rc = 0;

	if (loading == NULL)
		return EINVAL;
	if (loading_errors > 0) {
		snmp_log(LOG_ERR, "%s: %d line(s) in error; configuration not "
		    "used\n", path, loading_errors);
		rc = EINVAL;
		goto out;
	}
	if (referd_config_validate(NULL, loading, &verr)) {
		snmp_log(LOG_ERR, "%s: rule %s broken: %s; configuration not "
		    "used\n", path, referd_rule_name(verr.rule), verr.text);
		rc = EINVAL;
		goto out;
	}
	*cfgp = loading;
	loading = NULL;
out:
	referd_config_free(loading);
	loading = NULL;
	return rc;
}

int
conffile_load(const char *path, struct referd_config **cfgp)
{
	struct stat st;
	int rc;

	if (stat(path, &st) != 0)
		return ENOENT;
	if ((rc = conffile_begin()) != 0)
		return rc;
	if (read_config_with_type(path, "referd") != SNMPERR_SUCCESS) {
		snmp_log(LOG_ERR, "%s: cannot be read\n", path);
		loading_errors++;
	}
	return conffile_end(path, cfgp);
}

int
conffile_merge(const struct referd_config *running,
    const struct referd_config *file, struct referd_config **mergedp)
{
	struct referd_config *m;
	int rc;

	rc = referd_config_dup(running, &m);
	if (rc)
		return rc;
	/* Rows the file provisioned before are what it provisions now. */
	referd_config_drop_storage(m, REFERD_ST_PERMANENT);
	/* Every setting: referdGeneral's and referdAccounting's, and those
	 * of the file alone. */
	for (size_t g = 0; mib_scalar_groups[g] != NULL; g++)
		for (const struct column *c = mib_scalar_groups[g]->cols;
		    c->name; c++)
			if (c->kind != K_RUNTIME)
				memcpy((char *)m + c->off,
				    (const char *)file + c->off,
				    mib_column_size(c));
	rc = referd_config_put_all(m, file);
	if (rc) {
		referd_config_free(m);
		return rc;
	}
	*mergedp = m;
	return 0;
}
