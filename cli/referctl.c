/*
 * referctl: show and edit referd's REFERD-MIB over SNMP, in an operator's
 * words.  See referctl(1).
 *
 * Every change is checked first with the agent's own rules
 * (referd_config_validate() of model/config.c, run on the configuration
 * just read plus the change), so that a refusal names the rule, the
 * field and the row; only a change that passes is sent, as one SET PDU,
 * which the agent applies whole or not at all.
 *
 * The objects, their fields, words and labels are the column
 * description's (model/columns.c): referctl keeps no list of its own.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "referd-build.h"
#include "cli/fetch.h"

/* Exit statuses (referctl(1)). */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,     /* bad command line */
	EXIT_SNMP = 2,      /* no answer, SNMP error, agent without the MIB */
	EXIT_REFUSED = 3,   /* the change breaks a rule, or the agent refused */
	EXIT_NOTFOUND = 4,  /* no such row */
	EXIT_DIFFER = 5,    /* --agents show: the digests differ */
	EXIT_UNDONE = 6,    /* --agents: a SET failed; the agents already
	                     * changed were set back */
	EXIT_UNDO_FAILED = 7, /* --agents: ... and setting back failed */
};

static int json;  /* -o json */

/* With --agents: the agent a message is about, or NULL. */
static const char *agent_label;

/* "agent LABEL: " before a message about one of several agents. */
static const char *
on_agent(void)
{
	static char buf[96];

	if (agent_label == NULL)
		return "";
	snprintf(buf, sizeof(buf), "agent %s: ", agent_label);
	return buf;
}

/* ---- words for numbers ---------------------------------------------- */

/* The value v of an enumeration, or NULL. */
static const struct col_word *
word_of(const struct col_word *w, long v)
{
	for (; w != NULL && w->value != 0; w++)
		if (w->value == v)
			return w;
	return NULL;
}

/* ---- the objects an operator edits ------------------------------------ */

/*
 * A field of an object: one MIB column under an operator's name (its
 * key, label and words are the column's).
 */
struct field {
	const struct column *c;       /* NULL: after a kind's last field */
	enum referd_table    table;   /* REFERD_TABLE_NONE: a scalar */
	const struct table  *group;   /* the table (or group) c is of */
};

#define FIELDS_MAX 24

/* An object kind: a table (profile, signaling endpoint, gateway, route)
 * or referdGeneral (the global settings), named as the table is. */
struct kind {
	const struct table *t;
	const char         *name;     /* "gateway" */
	enum referd_table   table;    /* its main table */
	struct field        fields[FIELDS_MAX + 1];
};

#define N_KINDS_MAX 8
static struct kind kinds[N_KINDS_MAX];
static size_t n_kinds;
static struct kind global_kind;
static struct kind acct_kind;

/* The groups of scalars, each an object: global, accounting. */
static struct kind *const scalar_kinds[] = { &global_kind, &acct_kind };
#define N_SCALAR_KINDS (sizeof(scalar_kinds) / sizeof(scalar_kinds[0]))

/* Shown, not writable: what the agent computes. */
static int
field_ro(const struct field *f)
{
	return f->c->kind == K_OPER || f->c->kind == K_RUNTIME;
}

/* Append to k the fields of t's columns that referctl names. */
static void
kind_add(struct kind *k, size_t *n, const struct table *t,
    const struct column *c)
{
	if (c->key == NULL)
		return;
	if (*n == FIELDS_MAX) {
		fprintf(stderr, "referctl: %s has more than %d fields\n",
		    k->name, FIELDS_MAX);
		abort();
	}
	k->fields[(*n)++] = (struct field){ c, (enum referd_table)t->id, t };
}

/*
 * A kind's fields in the order they are shown: its table's columns, the
 * columns of its pane (a profile's Refer Support row) before its
 * StorageType.
 */
static void
kind_init(struct kind *k, const struct table *t)
{
	const struct table *pane = t->pane == REFERD_TABLE_NONE ? NULL :
	    mib_table_of(t->pane);
	size_t n = 0;

	k->t = t;
	k->name = t->word;
	k->table = (enum referd_table)t->id;
	for (const struct column *c = t->cols; c->name; c++) {
		if (c->kind == K_STORAGE && pane != NULL)
			for (const struct column *p = pane->cols; p->name; p++)
				kind_add(k, &n, pane, p);
		kind_add(k, &n, t, c);
	}
	k->fields[n].c = NULL;
}

/* The kinds, from the tables referctl has names for. */
static void
kinds_init(void)
{
	for (size_t i = 0; i < mib_n_tables; i++)
		if (mib_tables[i].alias != NULL && n_kinds < N_KINDS_MAX)
			kind_init(&kinds[n_kinds++], &mib_tables[i]);
	kind_init(&global_kind, &mib_general);
	kind_init(&acct_kind, &mib_accounting);
}

static const struct kind *
kind_of(const char *name)
{
	for (size_t i = 0; i < n_kinds; i++)
		if (strcmp(name, kinds[i].name) == 0 ||
		    strcmp(name, kinds[i].t->alias) == 0 ||
		    strcmp(name, kinds[i].t->plural) == 0)
			return &kinds[i];
	return NULL;
}

static const struct column *
column_of(enum referd_table t, unsigned arc)
{
	return mib_column(mib_table_of(t), arc);
}

/* The kind and field an operator knows a MIB column by. */
static int
field_of_column(enum referd_table t, const char *column,
    const struct kind **kp, const struct field **fp)
{
	for (size_t i = 0; i < n_kinds; i++)
		for (const struct field *f = kinds[i].fields; f->c; f++) {
			if (f->table == t && column != NULL &&
			    strcmp(f->c->name, column) == 0) {
				*kp = &kinds[i];
				*fp = f;
				return 0;
			}
		}
	for (size_t i = 0; i < n_kinds; i++)
		if (kinds[i].table == t ||
		    (t == REFERD_TABLE_REFER && kinds[i].table == REFERD_TABLE_SGP)) {
			*kp = &kinds[i];
			*fp = NULL;
			return 0;
		}
	*kp = NULL;
	*fp = NULL;
	return -1;
}

/* The scalar kind whose word is name, or NULL. */
static struct kind *
scalar_kind_of(const char *name)
{
	for (size_t i = 0; i < N_SCALAR_KINDS; i++)
		if (strcmp(name, scalar_kinds[i]->name) == 0)
			return scalar_kinds[i];
	return NULL;
}

/*
 * A scalar's field, by its group's arc and its own, or by its MIB name
 * (group 0); its kind in *kp (global when none matches).
 */
static const struct field *
scalar_field(unsigned group, unsigned arc, const char *column,
    const struct kind **kp)
{
	*kp = &global_kind;
	for (size_t i = 0; i < N_SCALAR_KINDS; i++)
		for (const struct field *f = scalar_kinds[i]->fields; f->c;
		    f++)
			if ((group == scalar_kinds[i]->t->arc && arc != 0 &&
			    f->c->arc == arc) || (group == 0 && column != NULL &&
			    strcmp(f->c->name, column) == 0)) {
				*kp = scalar_kinds[i];
				return f;
			}
	return NULL;
}

/* ---- output -------------------------------------------------------- */

/* A minimal JSON writer: values separated by commas as they come. */
static int json_first = 1;
static int json_open_line;   /* output started and not yet ended */

static void
json_sep(void)
{
	if (!json_first)
		putchar(',');
	json_first = 0;
	json_open_line = 1;
}

/* End a top-level JSON value with its newline. */
static void
json_end_line(void)
{
	putchar('\n');
	json_open_line = 0;
	json_first = 1;
}

static void
json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void
json_key(const char *k)
{
	json_sep();
	json_str(k);
	putchar(':');
	json_first = 1;
}

static void
json_open(int c)
{
	json_sep();
	putchar(c);
	json_first = 1;
}

static void
json_close(int c)
{
	putchar(c);
	json_first = 0;
}

static void
json_kv_str(const char *k, const char *v)
{
	json_key(k);
	json_sep();
	json_str(v);
}

static void
json_kv_num(const char *k, unsigned long long v)
{
	json_key(k);
	json_sep();
	printf("%llu", v);
}

/* ---- reading a field ---------------------------------------------- */

/* A field's value: a word, a number or a string. */
struct value {
	int                 is_num;
	unsigned long long  num;
	const struct col_word *word;
	char                text[256];
};

static const void *
row_of(const struct view *v, enum referd_table t, uint32_t index)
{
	return referd_config_row(v->cfg, t, index);
}

/* The value of field f of object `index`; -1 when the row is absent. */
static int
field_get(const struct view *v, const struct field *f, uint32_t index,
    struct value *out)
{
	const struct column *c = f->c;
	const char *row;
	uint32_t u;

	memset(out, 0, sizeof(*out));
	if (f->table == REFERD_TABLE_NONE && (f->group == &mib_accounting ||
	    c->kind == K_STRING)) {
		const char *at = (const char *)v->cfg + c->off;

		switch (c->kind) {
		case K_RUNTIME:
			out->num = c->arc < sizeof(v->acct) / sizeof(v->acct[0]) ?
			    v->acct[c->arc] : 0;
			if ((out->word = word_of(c->words, (long)out->num)) ==
			    NULL)
				out->is_num = 1;
			break;
		case K_U32:
			out->is_num = 1;
			out->num = *(const uint32_t *)(const void *)at;
			break;
		case K_ENUM:
			out->word = word_of(c->words, *(const int *)(const void *)at);
			break;
		case K_SECRET:      /* the agent never tells it */
			snprintf(out->text, sizeof(out->text), "(write-only)");
			break;
		default:
			snprintf(out->text, sizeof(out->text), "%s", at);
			break;
		}
		return 0;
	}
	if (f->table == REFERD_TABLE_NONE) {
		out->is_num = 1;
		switch (c->arc) {
		case REFERD_SC_VERSION:
			out->is_num = 0;
			snprintf(out->text, sizeof(out->text), "%s", v->version);
			break;
		case REFERD_SC_ACTIVE_CALLS:
			out->num = v->active_calls;
			break;
		case REFERD_SC_NOTIFY_DROPPED:
			out->num = v->notify_dropped;
			break;
		default:    /* a setting of the configuration */
			memcpy(&u, (const char *)v->cfg + c->off, sizeof(u));
			out->num = u;
			break;
		}
		return 0;
	}
	if (c->kind == K_OPER) {
		for (size_t i = 0; i < v->n_oper; i++)
			if (v->oper[i].index == index) {
				out->word = word_of(c->words, v->oper[i].oper);
				return out->word ? 0 : -1;
			}
		return -1;
	}
	if ((row = row_of(v, f->table, index)) == NULL)
		return -1;
	switch (c->kind) {
	case K_U32:
		out->is_num = 1;
		out->num = *(const uint32_t *)(const void *)(row + c->off);
		break;
	case K_ENUM:
		out->word = word_of(c->words,
		    *(const int *)(const void *)(row + c->off));
		break;
	case K_STORAGE:
		out->word = word_of(c->words, *referd_row_storage(f->table,
		    (void *)(uintptr_t)row));
		break;
	case K_ROWSTATUS:
		out->word = word_of(c->words, *referd_row_status(f->table,
		    (void *)(uintptr_t)row));
		break;
	default:
		snprintf(out->text, sizeof(out->text), "%s", row + c->off);
		break;
	}
	return 0;
}

/* The text view of a value (the pane's wording when pane is set). */
static const char *
value_text(const struct value *val, int pane, char *buf, size_t len)
{
	if (val->word)
		return pane && val->word->label ? val->word->label :
		    val->word->cli;
	if (val->is_num) {
		snprintf(buf, len, "%llu", val->num);
		return buf;
	}
	return val->text;
}

static void
json_value(const char *key, const struct value *val)
{
	if (val->word)
		json_kv_str(key, val->word->cli);
	else if (val->is_num)
		json_kv_num(key, val->num);
	else
		json_kv_str(key, val->text);
}

/* ---- showing objects -------------------------------------------------- */

/* One object as a JSON object (fields whose row is absent are left out). */
static void
json_object(const struct view *v, const struct kind *k, uint32_t index)
{
	struct value val;

	json_open('{');
	json_kv_num("index", index);
	for (const struct field *f = k->fields; f->c; f++)
		if (field_get(v, f, index, &val) == 0)
			json_value(f->c->key, &val);
	if (k->table == REFERD_TABLE_SGP)
		json_kv_str("referSupportRow",
		    referd_config_refer(v->cfg, index) ? "present" : "absent");
	json_close('}');
}

/* The indexes of a kind's rows. */
static uint32_t
nth_index(const struct view *v, const struct kind *k, size_t i, size_t *n)
{
	size_t size = referd_row_size(k->table);
	const char *rows = referd_config_rows(v->cfg, k->table, n);
	uint32_t index = 0;

	if (i < *n)
		memcpy(&index, rows + i * size, sizeof(index));
	return index;
}

/* The length of an enumeration's longest word (0: none). */
static int
longest_word(const struct col_word *w)
{
	int n = 0;

	for (; w != NULL && w->value != 0; w++)
		if ((int)strlen(w->cli) > n)
			n = (int)strlen(w->cli);
	return n;
}

/* The width of a field's column in a list: 16 for names and addresses,
 * 15 for words longer than 9 characters, 9 for the rest. */
static int
list_width(const struct field *f)
{
	const struct column *c = f->c;
	int w = (int)strlen(c->key);

	if (c->kind == K_STRING || c->kind == K_ADDRESS)
		w = w < 16 ? 16 : w;
	else if (longest_word(c->words) > 9)
		w = w < 15 ? 15 : w;
	else
		w = w < 9 ? 9 : w;
	return w;
}

/* A kind's rows as a table, one line each. */
static void
list_kind(const struct view *v, const struct kind *k)
{
	size_t n;
	struct value val;
	char buf[32];

	nth_index(v, k, 0, &n);
	if (json) {
		json_open('[');
		for (size_t i = 0; i < n; i++)
			json_object(v, k, nth_index(v, k, i, &n));
		json_close(']');
		return;
	}
	printf("%-7s", "INDEX");
	for (const struct field *f = k->fields; f->c; f++)
		printf(" %-*s", f[1].c ? list_width(f) : 0, f->c->key);
	putchar('\n');
	for (size_t i = 0; i < n; i++) {
		uint32_t index = nth_index(v, k, i, &n);

		printf("%-7u", index);
		for (const struct field *f = k->fields; f->c; f++) {
			const char *t = field_get(v, f, index, &val) == 0 ?
			    value_text(&val, 0, buf, sizeof(buf)) : "-";

			if (f->c->kind == K_PREFIX && *t == '\0')
				t = "(default)";
			printf(" %-*s", f[1].c ? list_width(f) : 0, *t ? t : "-");
		}
		putchar('\n');
	}
	if (n == 0)
		printf("(no %s)\n", k->t->plural);
}

/* Who uses a profile: endpoints and gateways naming it. */
static void
show_users(const struct view *v, uint32_t sgp)
{
	const char *sep = "";

	printf("  %-42s ", "Signaling endpoints using it");
	for (size_t i = 0; i < v->cfg->n_sig; i++)
		if (v->cfg->sig[i].sgp_index == sgp) {
			printf("%s%u", sep, v->cfg->sig[i].index);
			sep = ", ";
		}
	printf("%s\n  %-42s ", *sep ? "" : "none", "Gateways using it");
	sep = "";
	for (size_t i = 0; i < v->cfg->n_gw; i++)
		if (v->cfg->gw[i].sgp_index == sgp) {
			printf("%s%u", sep, v->cfg->gw[i].index);
			sep = ", ";
		}
	printf("%s\n", *sep ? "" : "none");
}

/* One object, its fields one per line (a profile like the seed's pane). */
static void
show_object(const struct view *v, const struct kind *k, uint32_t index)
{
	struct value val;
	char buf[32];

	if (json) {
		json_object(v, k, index);
		return;
	}
	printf("%s %u\n", k->t->title, index);
	/* The row's own fields, then (for a profile) its Refer Support
	 * pane, in the seed's order. */
	for (const struct field *f = k->fields; f->c; f++)
		if (f->table != REFERD_TABLE_REFER &&
		    field_get(v, f, index, &val) == 0)
			printf("  %-42s %s\n", f->c->label,
			    value_text(&val, 1, buf, sizeof(buf)));
	if (k->table != REFERD_TABLE_SGP)
		return;
	show_users(v, index);
	if (referd_config_refer(v->cfg, index) == NULL) {
		printf("SIP Refer Support: none (create it with `referctl ... "
		    "profile set %u support=disabled`)\n", index);
		return;
	}
	printf("SIP Refer Support\n");
	for (const struct field *f = k->fields; f->c; f++)
		if (f->table == REFERD_TABLE_REFER &&
		    field_get(v, f, index, &val) == 0)
			printf("  %-42s %s\n", f->c->label,
			    value_text(&val, 1, buf, sizeof(buf)));
}

static void
show_scalars(const struct view *v, const struct kind *k)
{
	struct value val;
	char buf[32];

	if (json)
		json_open('{');
	for (const struct field *f = k->fields; f->c; f++) {
		field_get(v, f, 0, &val);
		if (json)
			json_value(f->c->key, &val);
		else
			printf("%-44s %s\n", f->c->label,
			    value_text(&val, 1, buf, sizeof(buf)));
	}
	if (json)
		json_close('}');
}

/* ---- counters and calls -------------------------------------------- */

/* One profile's counters (the stats table's columns, in order): a JSON
 * object, one per line (one profile asked for), or a line of the list. */
static void
show_counters(const struct stats_row *s, const struct column *cols, int one)
{
	if (json) {
		json_open('{');
		json_kv_num("profile", s->sgp_index);
		for (const struct column *c = cols; c->name; c++)
			json_kv_num(c->key, s->ctr[c->off]);
		json_close('}');
	} else if (one) {
		printf("Counters of profile %u\n", s->sgp_index);
		for (const struct column *c = cols; c->name; c++)
			printf("  %-42s %llu\n", c->label,
			    (unsigned long long)s->ctr[c->off]);
	} else {
		printf("%-8u", s->sgp_index);
		for (const struct column *c = cols; c->name; c++)
			printf(" %*llu", (int)strlen(c->key),
			    (unsigned long long)s->ctr[c->off]);
		putchar('\n');
	}
}

static int
show_stats(const struct view *v, int argc, char **argv)
{
	const struct column *cols = mib_table_of(TABLE_STATS)->cols;
	unsigned long one = 0;
	int found = 0;

	if (argc > 1) {
		fprintf(stderr, "referctl: stats takes at most a profile "
		    "index\n");
		return EXIT_USAGE;
	}
	if (argc == 1) {
		char *end;

		errno = 0;
		one = strtoul(argv[0], &end, 10);
		if (errno || *end || one == 0 || one > REFERD_SGP_MAX) {
			fprintf(stderr, "referctl: '%s' is not a profile index "
			    "(1..%d)\n", argv[0], REFERD_SGP_MAX);
			return EXIT_USAGE;
		}
	}
	if (json)
		json_open('[');
	else if (!one) {
		printf("%-8s", "PROFILE");
		for (const struct column *c = cols; c->name; c++)
			printf(" %s", c->key);
		putchar('\n');
	}
	for (size_t i = 0; i < v->n_stats; i++) {
		if (one && v->stats[i].sgp_index != one)
			continue;
		found = 1;
		show_counters(&v->stats[i], cols, one != 0);
	}
	if (json)
		json_close(']');
	if (one && !found) {
		fprintf(stderr, "referctl: profile %lu has no counters (no "
		    "such profile)\n", one);
		return EXIT_NOTFOUND;
	}
	return EXIT_OK;
}

static void
show_calls(const struct view *v)
{
	/* referdCallState's words. */
	const struct col_word *states = mib_column(mib_table_of(TABLE_CALLS),
	    2)->words;

	if (json)
		json_open('[');
	else
		printf("%-8s %-14s %8s %-7s %-7s %-30s %-30s %s\n", "CALL",
		    "STATE", "SECONDS", "SGP-IN", "SGP-OUT", "CALLER", "CALLEE",
		    "TRANSFER-TARGET");
	for (size_t i = 0; i < v->n_calls; i++) {
		const struct call_row *k = &v->calls[i];
		const struct col_word *st = word_of(states, k->state);

		if (json) {
			json_open('{');
			json_kv_num("index", k->index);
			json_kv_str("state", st ? st->cli : "unknown");
			json_kv_num("duration", k->duration);
			json_kv_num("profile-in", k->sgp_in);
			json_kv_num("profile-out", k->sgp_out);
			json_kv_str("caller", k->caller);
			json_kv_str("callee", k->callee);
			json_kv_str("transfer-target", k->target);
			json_close('}');
		} else
			printf("%-8u %-14s %8u %-7u %-7u %-30s %-30s %s\n",
			    k->index, st ? st->cli : "unknown", k->duration,
			    k->sgp_in, k->sgp_out, k->caller, k->callee,
			    *k->target ? k->target : "-");
	}
	if (json)
		json_close(']');
	else if (v->n_calls == 0)
		printf("(no calls)\n");
}

/* ---- changes ------------------------------------------------------------ */

/* A refusal: print it (text or JSON) and return EXIT_REFUSED. */
static int
refuse(const char *rule, const struct kind *k, uint32_t index,
    const struct field *f, const char *column, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json) {
		json_open('{');
		json_kv_str("result", "refused");
		json_kv_str("rule", rule);
		if (k) {
			json_kv_str("object", k->name);
			json_kv_num("index", index);
		}
		if (f)
			json_kv_str("field", f->c->key);
		if (column)
			json_kv_str("column", column);
		json_kv_str("message", msg);
		json_close('}');
		json_end_line();
	}
	fprintf(stderr, "referctl: %srefused (rule %s): ", on_agent(), rule);
	if (k && k->table == REFERD_TABLE_NONE)
		fprintf(stderr, "%s", k->t->plural);
	else if (k)
		fprintf(stderr, "%s %u", k->name, index);
	if (f)
		fprintf(stderr, ", field %s (%s)", f->c->key, f->c->label);
	fprintf(stderr, ": %s\n", msg);
	return EXIT_REFUSED;
}

/*
 * Parse `value` for field f (of kind k, row index) and store it into
 * the candidate row.  Returns 0, or EXIT_USAGE/EXIT_REFUSED after
 * printing why.
 */
static int
field_put(struct referd_config *cand, const struct kind *k,
    const struct field *f, uint32_t index, const char *value)
{
	const struct column *c = f->c;
	long num = 0;
	char *row;

	if (c->words) {
		const struct col_word *w = c->words;

		for (; w->value != 0; w++)
			if (strcasecmp(value, w->cli) == 0)
				break;
		if (w->value == 0) {
			char list[128] = "";

			/* A RowStatus is written active or notInService. */
			for (w = c->words; w->value != 0; w++)
				if (c->kind != K_ROWSTATUS ||
				    w->value <= REFERD_RS_NOTINSERVICE)
					snprintf(list + strlen(list),
					    sizeof(list) - strlen(list), "%s%s",
					    *list ? ", " : "", w->cli);
			return refuse("enum-value", k, index, f, NULL,
			    "'%s' is not one of: %s", value, list);
		}
		num = w->value;
	} else if (c->kind == K_U32) {
		/* Ranges are referd_config_validate()'s to judge, so that
		 * the refusal names the same rule as the agent's log. */
		char *end;
		unsigned long long u;

		errno = 0;
		u = strtoull(value, &end, 10);
		if (!isdigit((unsigned char)*value) || *end || errno ||
		    u > UINT32_MAX)
			return refuse("not-a-number", k, index, f,
			    f->table == REFERD_TABLE_NONE ? NULL : c->name,
			    "'%s' is not a number in 0..4294967295", value);
		num = (long)u;
	} else if (strlen(value) > (size_t)c->max) {
		return refuse(c->kind == K_STRING ? "name-length" :
		    c->kind == K_ADDRESS ? "address-literal" : "prefix-length",
		    k, index, f, c->name, "'%s' is longer than %ld characters",
		    value, c->max);
	}
	if (f->table == REFERD_TABLE_NONE) {
		char *at = (char *)cand + c->off;

		if (c->kind == K_U32) {
			uint32_t u = (uint32_t)num;

			memcpy(at, &u, sizeof(u));
		} else if (c->kind == K_ENUM) {
			int e = (int)num;

			memcpy(at, &e, sizeof(e));
		} else
			snprintf(at, (size_t)c->max + 1, "%s", value);
		return 0;
	}
	if ((row = referd_config_row_ensure(cand, f->table, index)) == NULL) {
		fprintf(stderr, "referctl: out of memory\n");
		return EXIT_SNMP;
	}
	switch (c->kind) {
	case K_U32:
		*(uint32_t *)(void *)(row + c->off) = (uint32_t)num;
		break;
	case K_ENUM:
		*(int *)(void *)(row + c->off) = (int)num;
		break;
	case K_STORAGE:
		*referd_row_storage(f->table, row) = (int)num;
		break;
	case K_ROWSTATUS:
		if (num != REFERD_RS_ACTIVE && num != REFERD_RS_NOTINSERVICE)
			return refuse("row-status", k, index, f, c->name,
			    "a row can be set active or notInService only");
		*referd_row_status(f->table, row) = (int)num;
		break;
	default:
		snprintf(row + c->off, (size_t)c->max + 1, "%s", value);
		break;
	}
	return 0;
}

/* The OID of column c of table t, row index (or of scalar arc.0). */
static void
change_oid(struct change *ch, const struct table *t, unsigned arc,
    uint32_t index)
{
	memcpy(ch->name, referd_objects_oid, referd_objects_len * sizeof(oid));
	ch->len = referd_objects_len;
	if (t == NULL) {
		ch->name[ch->len++] = 1;
		ch->name[ch->len++] = arc;
		ch->name[ch->len++] = 0;
		return;
	}
	ch->name[ch->len++] = t->arc;
	ch->name[ch->len++] = 1;
	ch->name[ch->len++] = arc;
	ch->name[ch->len++] = index;
}

/* The change list being built. */
struct changes {
	struct change v[32];
	size_t        n;
};

static struct change *
change_add(struct changes *cs, enum referd_table table, unsigned arc,
    uint32_t index)
{
	struct change *ch = &cs->v[cs->n++];

	memset(ch, 0, sizeof(*ch));
	ch->t = table == REFERD_TABLE_NONE ? NULL : mib_table_of(table);
	ch->c = ch->t ? column_of(table, arc) : NULL;
	ch->index = index;
	change_oid(ch, ch->t, arc, index);
	return ch;
}

/*
 * The varbinds that take row `index` of table t from `old` (NULL: the
 * row is new) to `new` (NULL: the row goes): createAndGo with every
 * column that differs from the DEFVALs, destroy, or the changed columns.
 */
static void
diff_row(struct changes *cs, enum referd_table t, uint32_t index,
    const void *old, const void *new)
{
	const struct table *tb = mib_table_of(t);
	union referd_row defaults;
	const char *base;
	const struct column *rs = NULL;

	for (const struct column *c = tb->cols; c->name; c++)
		if (c->kind == K_ROWSTATUS)
			rs = c;
	if (new == NULL) {
		change_add(cs, t, rs->arc, index)->num = 6;   /* destroy */
		cs->v[cs->n - 1].type = ASN_INTEGER;
		return;
	}
	if (old == NULL) {
		referd_row_init(t, &defaults, index);
		base = (const char *)&defaults;
	} else
		base = old;
	for (const struct column *c = tb->cols; c->name; c++) {
		const char *a = base + c->off, *b = (const char *)new + c->off;
		struct change *ch;
		long x, y;

		switch (c->kind) {
		case K_U32:
			x = *(const uint32_t *)(const void *)a;
			y = *(const uint32_t *)(const void *)b;
			break;
		case K_ENUM:
			x = *(const int *)(const void *)a;
			y = *(const int *)(const void *)b;
			break;
		case K_STORAGE:
			x = *referd_row_storage(t, (void *)(uintptr_t)base);
			y = *referd_row_storage(t, (void *)(uintptr_t)new);
			break;
		case K_ROWSTATUS:
			x = old ? *referd_row_status(t, (void *)(uintptr_t)old) : 0;
			y = *referd_row_status(t, (void *)(uintptr_t)new);
			break;
		case K_STRING:
		case K_ADDRESS:
		case K_PREFIX:
			if (strcmp(a, b) == 0)
				continue;
			ch = change_add(cs, t, c->arc, index);
			ch->type = ASN_OCTET_STR;
			snprintf(ch->str, sizeof(ch->str), "%s", b);
			continue;
		default:
			continue;
		}
		if (c->kind == K_ROWSTATUS && old == NULL)
			y = 4;   /* createAndGo */
		else if (x == y)
			continue;
		ch = change_add(cs, t, c->arc, index);
		ch->type = c->kind == K_U32 ? ASN_UNSIGNED : ASN_INTEGER;
		ch->num = y;
	}
}

/* The changes between two configurations, row by row, for one object. */
static void
diff_object(struct changes *cs, const struct referd_config *old,
    const struct referd_config *new, const struct kind *k, uint32_t index)
{
	if (k->table == REFERD_TABLE_NONE) {
		for (const struct field *f = k->fields; f->c; f++) {
			const struct column *c = f->c;
			const char *a = (const char *)old + c->off;
			const char *b = (const char *)new + c->off;
			struct change *ch;

			if (field_ro(f) || (c->kind == K_U32 || c->kind == K_ENUM ?
			    memcmp(a, b, mib_column_size(c)) : strcmp(a, b)) == 0)
				continue;
			ch = change_add(cs, REFERD_TABLE_NONE, c->arc, 0);
			ch->name[referd_objects_len] = k->t->arc;  /* group */
			ch->scalar = c->name;
			if (c->kind == K_U32 || c->kind == K_ENUM) {
				uint32_t u;
				int e;

				ch->type = c->kind == K_U32 ? ASN_UNSIGNED :
				    ASN_INTEGER;
				if (c->kind == K_U32)
					memcpy(&u, b, sizeof(u));
				else
					memcpy(&e, b, sizeof(e));
				ch->num = c->kind == K_U32 ? (long)u : e;
			} else {
				ch->type = ASN_OCTET_STR;
				snprintf(ch->str, sizeof(ch->str), "%s", b);
			}
		}
		return;
	}
	/* The Refer Support row goes before its profile when both go, and
	 * after it when both come: the agent takes the PDU whole, this is
	 * only what a reader of the PDU expects. */
	if (k->table == REFERD_TABLE_SGP &&
	    referd_config_row(new, REFERD_TABLE_SGP, index) == NULL &&
	    referd_config_row(old, REFERD_TABLE_REFER, index) != NULL)
		diff_row(cs, REFERD_TABLE_REFER, index,
		    referd_config_row(old, REFERD_TABLE_REFER, index), NULL);
	diff_row(cs, k->table, index, referd_config_row(old, k->table, index),
	    referd_config_row(new, k->table, index));
	if (k->table == REFERD_TABLE_SGP &&
	    referd_config_row(new, REFERD_TABLE_REFER, index) != NULL)
		diff_row(cs, REFERD_TABLE_REFER, index,
		    referd_config_row(old, REFERD_TABLE_REFER, index),
		    referd_config_row(new, REFERD_TABLE_REFER, index));
}

static const char *
snmp_err_name(long st)
{
	static const char *const names[] = {
		"noError", "tooBig", "noSuchName", "badValue", "readOnly",
		"genErr", "noAccess", "wrongType", "wrongLength",
		"wrongEncoding", "wrongValue", "noCreation",
		"inconsistentValue", "resourceUnavailable", "commitFailed",
		"undoFailed", "authorizationError", "notWritable",
		"inconsistentName",
	};

	return st >= 0 && (size_t)st < sizeof(names) / sizeof(names[0]) ?
	    names[st] : "unknown error";
}

/* The agent refused a SET that our own checks passed: say what we know. */
static int
agent_refused(const struct changes *cs, const struct set_error *e)
{
	const struct change *ch = e->which < cs->n ? &cs->v[e->which] : NULL;
	const struct kind *k = NULL;
	const struct field *f = NULL;
	const char *hint = "";
	char column[96] = "";

	switch (e->status) {
	case SNMP_ERR_NOACCESS:
	case SNMP_ERR_NOTWRITABLE:
	case SNMP_ERR_READONLY:
	case SNMP_ERR_AUTHORIZATIONERROR:
	case SNMP_ERR_NOSUCHNAME:
		hint = "; this community or user may not write REFERD-MIB "
		    "(use the read-write community, or a user with write "
		    "access)";
		break;
	case SNMP_ERR_INCONSISTENTVALUE:
	case SNMP_ERR_INCONSISTENTNAME:
	case SNMP_ERR_WRONGVALUE:
		hint = "; the configuration changed since referctl read it, "
		    "or another rule applies: referd's log names it";
		break;
	case SNMP_ERR_COMMITFAILED:
	case SNMP_ERR_RESOURCEUNAVAILABLE:
		hint = "; nothing was changed (referd could not write its "
		    "persistent file: see its log)";
		break;
	default:
		break;
	}
	if (ch && ch->c) {
		field_of_column((enum referd_table)ch->t->id, ch->c->name, &k, &f);
		snprintf(column, sizeof(column), "%s.%u", ch->c->name,
		    ch->index);
	} else if (ch) {
		f = scalar_field((unsigned)ch->name[referd_objects_len],
		    (unsigned)ch->name[referd_objects_len + 1], NULL, &k);
		snprintf(column, sizeof(column), "%s.0", ch->scalar);
	}
	return refuse(snmp_err_name(e->status), k, ch ? ch->index : 0, f,
	    *column ? column : NULL, "the agent answered %s%s%s%s",
	    snmp_err_name(e->status), *column ? " for " : "", column, hint);
}

/* Check a candidate with the agent's rules; explain a failure. */
static int
check_candidate(const struct view *v, const struct referd_config *cand)
{
	struct referd_config_error err;
	const struct kind *k;
	const struct field *f;

	if (referd_config_validate(v->cfg, cand, &err) == 0)
		return 0;
	if (err.table == REFERD_TABLE_NONE)
		f = scalar_field(0, 0, err.column, &k);
	else
		field_of_column(err.table, err.column, &k, &f);
	return refuse(referd_rule_name(err.rule), k, err.index, f, err.column,
	    "%s", err.text);
}

/* Send the changes; report. */
static int
apply(netsnmp_session *ss, const struct changes *cs, const char *what,
    const struct kind *k, uint32_t index)
{
	struct set_error e;
	int rc;

	if (cs->n == 0) {
		if (json) {
			json_open('{');
			json_kv_str("result", "unchanged");
			json_close('}');
			json_end_line();
		} else
			printf("nothing to change\n");
		return EXIT_OK;
	}
	rc = fetch_set(ss, cs->v, cs->n, &e);
	if (rc < 0)
		return EXIT_SNMP;
	if (rc > 0)
		return agent_refused(cs, &e);
	if (json) {
		json_open('{');
		json_kv_str("result", what);
		json_kv_str("object", k->name);
		if (k->table != REFERD_TABLE_NONE)
			json_kv_num("index", index);
		json_kv_num("varbinds", cs->n);
		json_close('}');
		json_end_line();
	} else if (k->table == REFERD_TABLE_NONE)
		printf("%s %s\n", k->t->plural, what);
	else
		printf("%s %u %s\n", k->name, index, what);
	return EXIT_OK;
}

/* Parse an object index for kind k. */
static int
parse_index(const struct kind *k, const char *s, uint32_t *index)
{
	const struct table *t = mib_table_of(k->table);
	char *end;
	unsigned long u;

	errno = 0;
	u = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno || u == 0 ||
	    u > t->max_index) {
		fprintf(stderr, "referctl: '%s' is not a %s index (1..%u)\n",
		    s, k->name, t->max_index);
		return EXIT_USAGE;
	}
	*index = (uint32_t)u;
	return EXIT_OK;
}

/*
 * The storage type of a row referctl creates beside an existing one:
 * the same, unless that one came from the configuration file (permanent
 * or readOnly, which SNMP cannot write): then nonVolatile.
 */
static int
writable_storage(int storage)
{
	return storage == REFERD_ST_VOLATILE ? storage : REFERD_ST_NONVOLATILE;
}

/* Apply `key=value` arguments to the candidate. */
static int
put_args(struct referd_config *cand, const struct kind *k, uint32_t index,
    int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		const struct field *f;
		int rc;

		for (f = k->fields; eq && f->c; f++)
			if (strlen(f->c->key) == (size_t)(eq - argv[i]) &&
			    strncmp(f->c->key, argv[i],
			    (size_t)(eq - argv[i])) == 0)
				break;
		if (eq == NULL || f->c == NULL || field_ro(f)) {
			fprintf(stderr, "referctl: '%s': expected FIELD=VALUE "
			    "with FIELD one of:", argv[i]);
			for (f = k->fields; f->c; f++)
				if (!field_ro(f))
					fprintf(stderr, " %s", f->c->key);
			fputc('\n', stderr);
			return EXIT_USAGE;
		}
		if (f->table == REFERD_TABLE_REFER &&
		    referd_config_refer(cand, index) == NULL) {
			/* The Refer Support row comes with its first field,
			 * with the profile's storage type. */
			struct referd_refer *r = referd_config_row_ensure(cand,
			    REFERD_TABLE_REFER, index);
			const struct referd_sgp *s = referd_config_sgp(cand, index);

			if (r == NULL)
				return EXIT_SNMP;
			r->status = REFERD_RS_ACTIVE;
			if (s)
				r->storage = writable_storage(s->storage);
		}
		if ((rc = field_put(cand, k, f, index, eq + 1)) != 0)
			return rc;
	}
	return EXIT_OK;
}

/* A change worked out on one agent's configuration. */
struct prepared {
	struct referd_config *cand;   /* the configuration after it */
	struct changes        cs;     /* the SET that makes it */
	uint32_t              index;  /* the row, or 0 */
};

/* What a verb did, for the report. */
static const char *
verb_done(const char *verb)
{
	return strcmp(verb, "add") == 0 ? "added" :
	    strcmp(verb, "delete") == 0 ? "deleted" : "changed";
}

/*
 * `KIND add|set|delete INDEX ...` on the configuration of v: the
 * candidate, checked with the agent's rules, and its varbinds into *p
 * (p->cand to be freed).  Nothing is sent.
 */
static int
prepare(const struct view *v, const struct kind *k, const char *verb,
    int argc, char **argv, struct prepared *p)
{
	struct referd_config *cand;
	uint32_t index = 0;
	void *row;
	int rc;

	p->cand = NULL;
	p->cs.n = 0;

	if (k->table != REFERD_TABLE_NONE) {
		if (argc < 1) {
			fprintf(stderr, "referctl: %s %s needs an index\n",
			    k->name, verb);
			return EXIT_USAGE;
		}
		if ((rc = parse_index(k, argv[0], &index)) != 0)
			return rc;
		argc--;
		argv++;
	}
	if (strcmp(verb, "delete") == 0 && argc > 0) {
		fprintf(stderr, "referctl: %s delete takes only an index\n",
		    k->name);
		return EXIT_USAGE;
	}
	if (strcmp(verb, "add") != 0 && argc == 0 &&
	    strcmp(verb, "delete") != 0) {
		fprintf(stderr, "referctl: %s set needs FIELD=VALUE arguments\n",
		    k->name);
		return EXIT_USAGE;
	}
	row = k->table == REFERD_TABLE_NONE ? NULL :
	    referd_config_row(v->cfg, k->table, index);
	if (strcmp(verb, "add") == 0 && row != NULL)
		return refuse("exists", k, index, NULL, NULL,
		    "%s %u already exists; use `%s set`", k->name, index,
		    k->name);
	if (strcmp(verb, "add") != 0 && k->table != REFERD_TABLE_NONE &&
	    row == NULL) {
		fprintf(stderr, "referctl: %sthere is no %s %u\n", on_agent(),
		    k->name, index);
		return EXIT_NOTFOUND;
	}
	if (referd_config_dup(v->cfg, &cand) != 0) {
		fprintf(stderr, "referctl: out of memory\n");
		return EXIT_SNMP;
	}
	if (strcmp(verb, "delete") == 0) {
		if (k->table == REFERD_TABLE_SGP)
			referd_config_del(cand, REFERD_TABLE_REFER, index);
		referd_config_del(cand, k->table, index);
	} else if (strcmp(verb, "add") == 0) {
		if ((row = referd_config_row_ensure(cand, k->table, index)) == NULL) {
			referd_config_free(cand);
			return EXIT_SNMP;
		}
		*referd_row_status(k->table, row) = REFERD_RS_ACTIVE;
		rc = put_args(cand, k, index, argc, argv);
		/* A profile comes with its Refer Support row (the pane exists
		 * once per profile), Refer Support disabled unless given. */
		if (rc == 0 && k->table == REFERD_TABLE_SGP &&
		    referd_config_refer(cand, index) == NULL) {
			struct referd_refer *r = referd_config_row_ensure(cand,
			    REFERD_TABLE_REFER, index);

			if (r == NULL)
				rc = EXIT_SNMP;
			else {
				r->status = REFERD_RS_ACTIVE;
				r->storage = writable_storage(referd_config_sgp(
				    cand, index)->storage);
			}
		}
		if (rc) {
			referd_config_free(cand);
			return rc;
		}
	} else if ((rc = put_args(cand, k, index, argc, argv)) != 0) {
		referd_config_free(cand);
		return rc;
	}
	/* A profile's storage type set by the operator is its Refer Support
	 * row's too (rows from the file keep theirs). */
	if (k->table == REFERD_TABLE_SGP && referd_config_sgp(cand, index) &&
	    referd_config_refer(cand, index) &&
	    referd_config_sgp(cand, index)->storage <= REFERD_ST_NONVOLATILE &&
	    referd_config_refer(cand, index)->storage <= REFERD_ST_NONVOLATILE)
		referd_config_refer(cand, index)->storage =
		    referd_config_sgp(cand, index)->storage;
	if ((rc = check_candidate(v, cand)) != 0) {
		referd_config_free(cand);
		return rc;
	}
	diff_object(&p->cs, v->cfg, cand, k, index);
	p->cand = cand;
	p->index = index;
	return EXIT_OK;
}

/* `KIND add|set|delete INDEX ...`: one agent. */
static int
edit(netsnmp_session *ss, const struct view *v, const struct kind *k,
    const char *verb, int argc, char **argv)
{
	struct prepared p;
	int rc = prepare(v, k, verb, argc, argv, &p);

	if (rc == 0)
		rc = apply(ss, &p.cs, verb_done(verb), k, p.index);
	referd_config_free(p.cand);
	return rc;
}

/* ---- several agents (--agents FILE) ------------------------------------ */

#define AGENTS_MAX 64

/* One agent of the file. */
struct agent {
	char             label[64];
	netsnmp_session *ss;
	struct view      v;
	int              fetched;   /* v holds its configuration */
};

/* A value in the digest, where it is in the canonical order. */
struct item {
	size_t              group;   /* scalar groups, then tables */
	uint32_t            index;
	size_t              col;     /* the column's place in its table */
	struct digest_item  it;
};

struct items {
	struct item *v;
	size_t       n, group;
	const struct table *last;
};

static int
on_item(void *arg, const struct digest_item *it)
{
	struct items *is = arg;
	struct item *v;

	if (it->c->arc == 0)     /* a setting of the file: SNMP cannot see */
		return 0;
	if (it->t != is->last) {
		is->last = it->t;
		is->group = 0;
		for (const struct table *const *g = mib_scalar_groups; *g; g++,
		    is->group++)
			if (*g == it->t)
				break;
		if (mib_scalar_groups[is->group] == NULL)
			is->group += (size_t)(it->t - mib_tables);
	}
	if ((v = realloc(is->v, (is->n + 1) * sizeof(*v))) == NULL)
		return -1;
	is->v = v;
	v[is->n].group = is->group;
	v[is->n].index = it->index;
	v[is->n].col = (size_t)(it->c - it->t->cols);
	v[is->n].it = *it;
	is->n++;
	return 0;
}

static int
item_cmp(const struct item *a, const struct item *b)
{
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (a->index != b->index)
		return a->index < b->index ? -1 : 1;
	return a->col < b->col ? -1 : a->col > b->col;
}

/* A value as referctl words it. */
static void
item_text(const struct item *x, char *buf, size_t size)
{
	const struct column *c = x->it.c;
	const struct col_word *w;

	if (c->kind == K_ENUM &&
	    (w = word_of(c->words, strtol(x->it.value, NULL, 10))) != NULL)
		snprintf(buf, size, "%s", w->cli);
	else if (c->kind == K_U32)
		snprintf(buf, size, "%s", x->it.value);
	else
		snprintf(buf, size, "\"%s\"", x->it.value);
}

/*
 * Print each value in the digest that is not the same on every agent
 * that answered: `OBJECT [INDEX] FIELD: LABEL VALUE, LABEL VALUE`.
 * Returns how many.
 */
static size_t
agents_differences(struct agent *ag, size_t n)
{
	struct items is[AGENTS_MAX];
	size_t at[AGENTS_MAX], lines = 0;

	memset(is, 0, sizeof(is));
	for (size_t i = 0; i < n; i++) {
		at[i] = 0;
		if (ag[i].fetched && referd_digest_walk(ag[i].v.cfg, on_item,
		    &is[i]) != 0) {
			fprintf(stderr, "referctl: out of memory\n");
			goto out;
		}
	}
	for (;;) {
		const struct item *min = NULL, *ref = NULL;
		int same = 1, have_ref = 0;
		char text[300];

		for (size_t i = 0; i < n; i++)
			if (ag[i].fetched && at[i] < is[i].n && (min == NULL ||
			    item_cmp(&is[i].v[at[i]], min) < 0))
				min = &is[i].v[at[i]];
		if (min == NULL)
			break;
		for (size_t i = 0; i < n; i++) {
			const struct item *x;

			if (!ag[i].fetched)
				continue;
			x = at[i] < is[i].n && item_cmp(&is[i].v[at[i]], min)
			    == 0 ? &is[i].v[at[i]] : NULL;
			if (!have_ref) {
				ref = x;
				have_ref = 1;
			} else if ((x == NULL) != (ref == NULL) || (x &&
			    strcmp(x->it.value, ref->it.value) != 0))
				same = 0;
		}
		if (!same) {
			const struct table *t = min->it.t;
			const char *object = t->id == REFERD_TABLE_REFER ?
			    mib_table_of(REFERD_TABLE_SGP)->word : t->word;
			const char *sep = "";

			if (t->id == REFERD_TABLE_NONE)
				printf("  %s %s:", object, min->it.c->key);
			else
				printf("  %s %u %s:", object, min->index,
				    min->it.c->key);
			for (size_t i = 0; i < n; i++) {
				const struct item *x;

				if (!ag[i].fetched)
					continue;
				x = at[i] < is[i].n && item_cmp(&is[i].v[at[i]],
				    min) == 0 ? &is[i].v[at[i]] : NULL;
				if (x)
					item_text(x, text, sizeof(text));
				printf("%s %s %s", sep, ag[i].label,
				    x ? text : "(no active row)");
				sep = ",";
			}
			putchar('\n');
			lines++;
		}
		/* min stays readable: the arrays are not touched */
		for (size_t i = 0; i < n; i++)
			if (ag[i].fetched && at[i] < is[i].n &&
			    item_cmp(&is[i].v[at[i]], min) == 0)
				at[i]++;
	}
out:
	for (size_t i = 0; i < n; i++)
		free(is[i].v);
	return lines;
}

/* `--agents FILE show`: each agent's digest, and what differs. */
static int
agents_show(struct agent *ag, size_t n)
{
	size_t dead = 0, answered = 0, lines;
	const char *digest = NULL;
	int same = 1;

	for (size_t i = 0; i < n; i++) {
		agent_label = ag[i].label;
		if (fetch_view(ag[i].ss, VIEW_CONFIG, &ag[i].v) != 0) {
			printf("%s  no answer\n", ag[i].label);
			fprintf(stderr, "referctl: agent %s: no usable answer "
			    "(above)\n", ag[i].label);
			dead++;
			continue;
		}
		ag[i].fetched = 1;
		answered++;
		printf("%s  digest %s", ag[i].label, *ag[i].v.digest ?
		    ag[i].v.digest : "(none: this referd has no "
		    "referdConfigDigest)");
		if (ag[i].v.cfg->instance_name[0] != '\0')
			printf("  instance %s", ag[i].v.cfg->instance_name);
		putchar('\n');
		if (*ag[i].v.digest == '\0' ||
		    (digest && strcmp(digest, ag[i].v.digest) != 0))
			same = 0;
		digest = ag[i].v.digest;
	}
	agent_label = NULL;
	if (answered > 0 && same)
		printf("the configuration digests are equal (%zu agent%s)\n",
		    answered, answered == 1 ? "" : "s");
	else if (answered > 0) {
		printf("the configuration digests differ:\n");
		lines = agents_differences(ag, n);
		if (lines == 0)
			printf("  nothing SNMP shows differs: the configuration "
			    "files' inviteTimeout or dialogKeepalive do\n");
	}
	if (dead)
		fprintf(stderr, "referctl: %zu of %zu agents did not answer\n",
		    dead, n);
	return dead ? EXIT_SNMP : same ? EXIT_OK : EXIT_DIFFER;
}

/* The report of one agent's part of a change. */
static void
agent_done(const struct agent *a, const struct kind *k, uint32_t index,
    const char *what)
{
	if (k->table == REFERD_TABLE_NONE)
		printf("%s: %s %s\n", a->label, k->t->plural, what);
	else
		printf("%s: %s %u %s\n", a->label, k->name, index, what);
}

/*
 * A change on every agent or on none: read every agent, work the change
 * out and check it on each one's configuration (a refusal anywhere:
 * nothing is sent), then SET agent by agent; when agent i fails, the
 * agents before it (and agent i itself when its answer never came) are
 * set back to what was read from them.
 */
static int
agents_edit(struct agent *ag, size_t n, const struct kind *k,
    const char *verb, int argc, char **argv)
{
	static struct prepared p[AGENTS_MAX];   /* 2 MB: not on the stack */
	size_t i, failed_at = n;
	int rc = EXIT_OK, undo_failed = 0, sent[AGENTS_MAX];

	for (i = 0; i < n; i++) {
		p[i].cand = NULL;
		sent[i] = 0;
	}
	for (i = 0; i < n && rc == EXIT_OK; i++) {
		agent_label = ag[i].label;
		if (fetch_view(ag[i].ss, VIEW_CONFIG, &ag[i].v) != 0)
			rc = EXIT_SNMP;
		else {
			ag[i].fetched = 1;
			rc = prepare(&ag[i].v, k, verb, argc, argv, &p[i]);
		}
	}
	if (rc != EXIT_OK) {
		fprintf(stderr, "referctl: nothing was sent to any agent\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct set_error e;
		int r;

		agent_label = ag[i].label;
		if (p[i].cs.n == 0) {
			agent_done(&ag[i], k, p[i].index, "unchanged");
			continue;
		}
		if ((r = fetch_set(ag[i].ss, p[i].cs.v, p[i].cs.n, &e)) == 0) {
			sent[i] = 1;
			agent_done(&ag[i], k, p[i].index, verb_done(verb));
			continue;
		}
		if (r < 0) {
			fprintf(stderr, "referctl: agent %s: the SET got no "
			    "answer: it may have been applied there\n",
			    ag[i].label);
			sent[i] = 1;     /* set it back too, if it answers */
			rc = EXIT_SNMP;
		} else
			rc = agent_refused(&p[i].cs, &e);
		failed_at = i;
		break;
	}
	if (failed_at == n)
		goto out;
	for (i = failed_at + 1; i-- > 0;) {
		struct changes undo = { .n = 0 };
		struct set_error e;

		if (!sent[i])
			continue;
		agent_label = ag[i].label;
		diff_object(&undo, p[i].cand, ag[i].v.cfg, k, p[i].index);
		if (fetch_set(ag[i].ss, undo.v, undo.n, &e) == 0) {
			agent_done(&ag[i], k, p[i].index, "set back");
			continue;
		}
		undo_failed = 1;
		fprintf(stderr, "referctl: UNDO FAILED on agent %s: ",
		    ag[i].label);
		if (k->table == REFERD_TABLE_NONE)
			fprintf(stderr, "its %s", k->t->plural);
		else
			fprintf(stderr, "its %s %u", k->name, p[i].index);
		fprintf(stderr, " may be left %s: the agents no longer "
		    "agree; set it back by hand (`referctl --agents FILE "
		    "show` names the differences)\n", verb_done(verb));
	}
	agent_label = NULL;
	if (undo_failed)
		rc = EXIT_UNDO_FAILED;
	else {
		int any = 0;

		for (i = 0; i <= failed_at; i++)
			any |= sent[i];
		if (any) {
			fprintf(stderr, "referctl: the change failed on agent "
			    "%s; every agent is as it was\n",
			    ag[failed_at].label);
			rc = EXIT_UNDONE;
		}
	}
out:
	agent_label = NULL;
	for (i = 0; i < n; i++)
		referd_config_free(p[i].cand);
	return rc;
}

/* Read FILE: one agent a line, `LABEL NET-SNMP-ARGUMENTS... AGENT`. */
static int
agents_read(const char *path, struct agent *ag, size_t *np)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int lineno = 0, rc = EXIT_OK;

	*np = 0;
	if (f == NULL) {
		fprintf(stderr, "referctl: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	while (rc == EXIT_OK && fgets(line, sizeof(line), f) != NULL) {
		char *words[64], *save = NULL, *w, *hash;
		netsnmp_session sess;
		int n = 0, arg;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "referctl: %s:%d: line too long\n",
			    path, lineno);
			rc = EXIT_USAGE;
			break;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		words[n++] = (char *)"referctl";
		for (w = strtok_r(line, " \t\r\n", &save); w != NULL && n < 64;
		    w = strtok_r(NULL, " \t\r\n", &save))
			words[n++] = w;
		if (n == 1)
			continue;
		if (w != NULL || n < 3 || *np == AGENTS_MAX) {
			fprintf(stderr, "referctl: %s:%d: %s\n", path, lineno,
			    *np == AGENTS_MAX ? "too many agents" : n < 3 ?
			    "expected a label, then the agent's SNMP options "
			    "and address" : "too many words");
			rc = EXIT_USAGE;
			break;
		}
		for (size_t i = 0; i < *np; i++)
			if (strcmp(ag[i].label, words[1]) == 0) {
				fprintf(stderr, "referctl: %s:%d: label %s "
				    "used twice\n", path, lineno, words[1]);
				rc = EXIT_USAGE;
			}
		if (rc != EXIT_OK || strlen(words[1]) >= sizeof(ag[0].label)) {
			if (rc == EXIT_OK)
				fprintf(stderr, "referctl: %s:%d: label too "
				    "long\n", path, lineno);
			rc = EXIT_USAGE;
			break;
		}
		/* The label stands where argv[0] would. */
		optind = 1;
		arg = snmp_parse_args(n - 1, words + 1, &sess, "", NULL);
		if (arg != n - 1) {
			fprintf(stderr, "referctl: %s:%d: %s: not net-snmp "
			    "options and one agent address\n", path, lineno,
			    words[1]);
			rc = EXIT_USAGE;
			break;
		}
		memset(&ag[*np], 0, sizeof(ag[*np]));
		snprintf(ag[*np].label, sizeof(ag[*np].label), "%s", words[1]);
		if ((ag[*np].ss = snmp_open(&sess)) == NULL) {
			fprintf(stderr, "referctl: %s:%d: ", path, lineno);
			snmp_sess_perror(words[1], &sess);
			rc = EXIT_USAGE;
			break;
		}
		(*np)++;
	}
	fclose(f);
	if (rc == EXIT_OK && *np == 0) {
		fprintf(stderr, "referctl: %s: no agent in it\n", path);
		rc = EXIT_USAGE;
	}
	return rc;
}

/* `referctl --agents FILE COMMAND ...` */
static int
run_agents(const char *path, int argc, char **argv)
{
	static struct agent ag[AGENTS_MAX];
	const char *cmd = argv[0];
	const struct kind *k = NULL;
	size_t n = 0;
	int rc;

	if (strcmp(cmd, "show") == 0 && argc == 1)
		;
	else if ((k = scalar_kind_of(cmd)) != NULL && argc > 1 &&
	    strcmp(argv[1], "set") == 0)
		;
	else if ((k = kind_of(cmd)) != NULL && argc > 1 &&
	    (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "set") == 0 ||
	    strcmp(argv[1], "delete") == 0))
		;
	else {
		fprintf(stderr, "referctl: with --agents: show, or a change "
		    "(global set, accounting set, KIND add|set|delete)\n");
		return EXIT_USAGE;
	}
	if ((rc = agents_read(path, ag, &n)) == EXIT_OK)
		rc = k == NULL ? agents_show(ag, n) :
		    agents_edit(ag, n, k, argv[1], argc - 2, argv + 2);
	for (size_t i = 0; i < n; i++) {
		view_free(&ag[i].v);
		snmp_close(ag[i].ss);
	}
	return rc;
}

/* ---- command line ------------------------------------------------------ */

/* A kind's writable fields, each after sep. */
static void
usage_fields(FILE *to, const struct kind *k, const char *sep)
{
	const char *before = "";

	for (const struct field *f = k->fields; f->c; f++)
		if (!field_ro(f)) {
			fprintf(to, "%s%s", before, f->c->key);
			before = sep;
		}
}

static void
usage(FILE *to)
{
	fprintf(to,
"usage: referctl [SNMP OPTIONS] [-o text|json] AGENT COMMAND [ARGS]\n"
"       referctl --agents FILE show|CHANGE\n"
"\n"
"Commands:\n"
"  show                              everything: settings and every table\n"
"  global [set FIELD=VALUE...]       ");
	usage_fields(to, &global_kind, ", ");
	fprintf(to, "\n"
"  accounting [set FIELD=VALUE...]   CDR files and RADIUS: ");
	usage_fields(to, &acct_kind, ", ");
	fprintf(to, "\n"
"  profile|signaling|gateway|route   list the rows\n"
"  KIND show INDEX                   one row, field by field\n"
"  KIND add INDEX FIELD=VALUE...     create a row (active)\n"
"  KIND set INDEX FIELD=VALUE...     change fields of a row\n"
"  KIND delete INDEX                 remove a row\n"
"  calls                             the calls in progress\n"
"  stats [PROFILE]                   the counters, per profile\n"
"\n"
"Fields:\n");
	for (size_t i = 0; i < n_kinds; i++) {
		fprintf(to, "  %-10s ", kinds[i].name);
		usage_fields(to, &kinds[i], " ");
		fputc('\n', to);
	}
	fprintf(to, "\n"
"SNMP OPTIONS are net-snmp's (-v 2c -c COMMUNITY, or -v 3 -u USER -l LEVEL\n"
"-a/-A -x/-X, -t, -r ...); see snmpcmd(1).  Exit status: 0 done, 1 usage,\n"
"2 SNMP failure, 3 refused, 4 no such row; with --agents also 5 the\n"
"digests differ, 6 a SET failed and was undone, 7 an undo failed.\n"
"See referctl(1).\n");
}

static void
opt_proc(int argc, char *const *argv, int opt)
{
	(void)argc;
	(void)argv;
	if (opt == 'o') {
		if (strcmp(optarg, "json") == 0)
			json = 1;
		else if (strcmp(optarg, "text") == 0)
			json = 0;
		else {
			fprintf(stderr, "referctl: -o takes text or json\n");
			exit(EXIT_USAGE);
		}
	}
}

static int
run(netsnmp_session *ss, int argc, char **argv)
{
	const char *cmd = argv[0];
	const struct kind *k;
	struct view v;
	int rc = EXIT_OK, what = VIEW_CONFIG;

	if (strcmp(cmd, "calls") == 0)
		what = VIEW_CALLS;
	else if (strcmp(cmd, "stats") == 0)
		what = VIEW_STATS;
	else if (strcmp(cmd, "show") == 0)
		what = VIEW_CONFIG;
	else if (scalar_kind_of(cmd) == NULL && kind_of(cmd) == NULL) {
		fprintf(stderr, "referctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (fetch_view(ss, what, &v) != 0) {
		view_free(&v);
		return EXIT_SNMP;
	}
	if (strcmp(cmd, "calls") == 0) {
		if (argc > 1) {
			fprintf(stderr, "referctl: calls takes no argument\n");
			rc = EXIT_USAGE;
		} else
			show_calls(&v);
	} else if (strcmp(cmd, "stats") == 0) {
		rc = show_stats(&v, argc - 1, argv + 1);
	} else if (strcmp(cmd, "show") == 0) {
		if (json)
			json_open('{');
		for (size_t i = 0; i < N_SCALAR_KINDS; i++) {
			if (json)
				json_key(scalar_kinds[i]->name);
			else if (i > 0)
				printf("\n%s\n", scalar_kinds[i]->t->title);
			show_scalars(&v, scalar_kinds[i]);
		}
		for (size_t i = 0; i < n_kinds; i++) {
			if (json)
				json_key(kinds[i].t->plural);
			else
				printf("\n%ss\n", kinds[i].t->title);
			list_kind(&v, &kinds[i]);
		}
		if (json)
			json_close('}');
	} else if ((k = scalar_kind_of(cmd)) != NULL) {
		if (argc == 1)
			show_scalars(&v, k);
		else if (strcmp(argv[1], "set") == 0)
			rc = edit(ss, &v, k, "set", argc - 2, argv + 2);
		else {
			fprintf(stderr, "referctl: %s takes `set "
			    "FIELD=VALUE...` or nothing\n", cmd);
			rc = EXIT_USAGE;
		}
	} else {
		const char *verb = argc > 1 ? argv[1] : "list";
		uint32_t index;

		k = kind_of(cmd);
		if (strcmp(verb, "list") == 0 && argc <= 2)
			list_kind(&v, k);
		else if (strcmp(verb, "show") == 0 && argc == 3) {
			if ((rc = parse_index(k, argv[2], &index)) == 0) {
				if (referd_config_row(v.cfg, k->table, index))
					show_object(&v, k, index);
				else {
					fprintf(stderr, "referctl: there is no "
					    "%s %u\n", k->name, index);
					rc = EXIT_NOTFOUND;
				}
			}
		} else if (strcmp(verb, "add") == 0 ||
		    strcmp(verb, "set") == 0 || strcmp(verb, "delete") == 0)
			rc = edit(ss, &v, k, verb, argc - 2, argv + 2);
		else {
			fprintf(stderr, "referctl: %s: expected list, show "
			    "INDEX, add, set or delete\n", k->name);
			rc = EXIT_USAGE;
		}
	}
	if (json && json_open_line)
		putchar('\n');
	view_free(&v);
	return rc;
}

int
main(int argc, char **argv)
{
	netsnmp_session session, *ss;
	int arg, rc;

	kinds_init();
	/* Numeric OIDs only: no MIB file is needed, none is read. */
	setenv("MIBS", "", 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	if (argc > 1 && strcmp(argv[1], "--agents") == 0) {
		if (argc < 4) {
			fprintf(stderr, "referctl: --agents FILE COMMAND ...\n");
			usage(stderr);
			return EXIT_USAGE;
		}
		SOCK_STARTUP;
		rc = run_agents(argv[2], argc - 3, argv + 3);
		snmp_shutdown("referctl");
		SOCK_CLEANUP;
		return rc;
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("referctl %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		}
	arg = snmp_parse_args(argc, argv, &session, "o:", opt_proc);
	switch (arg) {
	case NETSNMP_PARSE_ARGS_SUCCESS_EXIT:
		return EXIT_OK;
	case NETSNMP_PARSE_ARGS_ERROR_USAGE:
		usage(stderr);
		return EXIT_USAGE;
	case NETSNMP_PARSE_ARGS_ERROR:
		return EXIT_USAGE;
	default:
		break;
	}
	if (arg >= argc) {
		fprintf(stderr, "referctl: no command given\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	SOCK_STARTUP;
	if ((ss = snmp_open(&session)) == NULL) {
		snmp_sess_perror("referctl", &session);
		SOCK_CLEANUP;
		return EXIT_SNMP;
	}
	rc = run(ss, argc - arg, argv + arg);
	snmp_close(ss);
	snmp_shutdown("referctl");
	SOCK_CLEANUP;
	return rc;
}
