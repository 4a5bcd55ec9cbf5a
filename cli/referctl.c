/*
 * referctl: show and edit referd's REFERD-MIB over SNMP, in an operator's
 * words.  See referctl(1).
 *
 * Every change is checked first with the agent's own rules
 * (referd_config_validate() of sip/config.c, run on the configuration
 * just read plus the change), so that a refusal names the rule, the
 * field and the row; only a change that passes is sent, as one SET PDU,
 * which the agent applies whole or not at all.
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
};

static int json;  /* -o json */

/* ---- words for numbers ---------------------------------------------- */

struct word {
	long        v;
	const char *w;
	const char *label;   /* the pane's wording, for the text view */
};

static const struct word w_switch[] = {
	{ 1, "disabled", "Disabled" }, { 2, "enabled", "Enabled" },
	{ 0, NULL, NULL } };
static const struct word w_from[] = {
	{ 1, "referred-by", "Referred-By header" },
	{ 2, "original-caller", "Original Caller" }, { 0, NULL, NULL } };
static const struct word w_transport[] = {
	{ 1, "udp", "UDP" }, { 2, "tcp", "TCP" }, { 0, NULL, NULL } };
static const struct word w_storage[] = {
	{ 1, "other", NULL }, { 2, "volatile", NULL },
	{ 3, "nonVolatile", NULL }, { 4, "permanent", NULL },
	{ 5, "readOnly", NULL }, { 0, NULL, NULL } };
static const struct word w_status[] = {
	{ 1, "active", NULL }, { 2, "notInService", NULL },
	{ 3, "notReady", NULL }, { 0, NULL, NULL } };
static const struct word w_oper[] = {
	{ 1, "up", NULL }, { 2, "down", NULL }, { 0, NULL, NULL } };
static const struct word w_state[] = {
	{ 1, "trying", NULL }, { 2, "ringing", NULL },
	{ 3, "delayedAnswer", NULL }, { 4, "connected", NULL },
	{ 5, "transferring", NULL }, { 6, "releasing", NULL },
	{ 0, NULL, NULL } };

static const struct word *
word_of(const struct word *w, long v)
{
	for (; w != NULL && w->w != NULL; w++)
		if (w->v == v)
			return w;
	return NULL;
}

/* ---- the objects an operator edits ------------------------------------ */

/* A field of an object: one MIB column under an operator's name. */
struct field {
	const char        *key;     /* command line and JSON */
	const char        *label;   /* text view */
	enum referd_table  table;   /* REFERD_TABLE_NONE: a scalar */
	unsigned           arc;     /* column, or scalar arc */
	const struct word *words;   /* enumeration, or NULL */
	int                ro;      /* shown, not writable */
};

/* An object kind: profile, signaling endpoint, gateway, route. */
struct kind {
	const char          *name;     /* "gateway" */
	const char          *alias;    /* "gw" */
	const char          *plural;   /* "gateways" */
	const char          *title;    /* "Gateway" */
	enum referd_table    table;    /* its main table */
	const struct field  *fields;   /* NULL-terminated */
};

#define F_STORAGE(t, a) { "storage", "Storage", t, a, w_storage, 0 }
#define F_STATUS(t, a)  { "status", "Row status", t, a, w_status, 0 }
#define F_END           { NULL, NULL, REFERD_TABLE_NONE, 0, NULL, 0 }

static const struct field profile_fields[] = {
	{ "name", "Name", REFERD_TABLE_SGP, 2, NULL, 0 },
	{ "support", "Refer Support", REFERD_TABLE_REFER, 1, w_switch, 0 },
	{ "from", "From Header in Invite triggered by REFER",
	  REFERD_TABLE_REFER, 2, w_from, 0 },
	{ "delayed-answer", "Delayed Answer Support", REFERD_TABLE_REFER, 3,
	  w_switch, 0 },
	{ "timer", "Delayed Answer Timer (mins)", REFERD_TABLE_REFER, 4,
	  NULL, 0 },
	{ "release", "Release REFER Session", REFERD_TABLE_REFER, 5,
	  w_switch, 0 },
	F_STORAGE(REFERD_TABLE_SGP, 3),
	F_STATUS(REFERD_TABLE_SGP, 4),
	F_END
};
static const struct field sig_fields[] = {
	{ "address", "Address", REFERD_TABLE_SIG, 2, NULL, 0 },
	{ "port", "Port", REFERD_TABLE_SIG, 3, NULL, 0 },
	{ "transport", "Transport", REFERD_TABLE_SIG, 4, w_transport, 0 },
	{ "profile", "Profile", REFERD_TABLE_SIG, 5, NULL, 0 },
	F_STORAGE(REFERD_TABLE_SIG, 6),
	F_STATUS(REFERD_TABLE_SIG, 7),
	{ "oper", "Operational status", REFERD_TABLE_SIG, 8, w_oper, 1 },
	F_END
};
static const struct field gw_fields[] = {
	{ "name", "Name", REFERD_TABLE_GW, 2, NULL, 0 },
	{ "address", "Address", REFERD_TABLE_GW, 3, NULL, 0 },
	{ "port", "Port", REFERD_TABLE_GW, 4, NULL, 0 },
	{ "transport", "Transport", REFERD_TABLE_GW, 5, w_transport, 0 },
	{ "profile", "Profile", REFERD_TABLE_GW, 6, NULL, 0 },
	F_STORAGE(REFERD_TABLE_GW, 7),
	F_STATUS(REFERD_TABLE_GW, 8),
	F_END
};
static const struct field route_fields[] = {
	{ "prefix", "Prefix", REFERD_TABLE_ROUTE, 2, NULL, 0 },
	{ "gateway", "Gateway", REFERD_TABLE_ROUTE, 3, NULL, 0 },
	F_STORAGE(REFERD_TABLE_ROUTE, 4),
	F_STATUS(REFERD_TABLE_ROUTE, 5),
	F_END
};
/* referdGeneral: writable scalars and what is shown with them. */
static const struct field global_fields[] = {
	{ "version", "Version", REFERD_TABLE_NONE, 1, NULL, 1 },
	{ "max-calls", "Max calls (0 = no limit)", REFERD_TABLE_NONE, 2,
	  NULL, 0 },
	{ "active-calls", "Active calls", REFERD_TABLE_NONE, 3, NULL, 1 },
	{ "notify-rate-limit", "Notification rate limit (/s, 0 = none)",
	  REFERD_TABLE_NONE, 4, NULL, 0 },
	{ "notify-dropped", "Notifications dropped", REFERD_TABLE_NONE, 5,
	  NULL, 1 },
	F_END
};

static const struct kind kinds[] = {
	{ "profile", "sgp", "profiles", "SIP SGP profile", REFERD_TABLE_SGP,
	  profile_fields },
	{ "signaling", "sig", "endpoints", "Signaling endpoint",
	  REFERD_TABLE_SIG, sig_fields },
	{ "gateway", "gw", "gateways", "Gateway", REFERD_TABLE_GW, gw_fields },
	{ "route", "rt", "routes", "Route", REFERD_TABLE_ROUTE, route_fields },
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static const struct kind *
kind_of(const char *name)
{
	for (size_t i = 0; i < N_KINDS; i++)
		if (strcmp(name, kinds[i].name) == 0 ||
		    strcmp(name, kinds[i].alias) == 0 ||
		    strcmp(name, kinds[i].plural) == 0)
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
	for (size_t i = 0; i < N_KINDS; i++)
		for (const struct field *f = kinds[i].fields; f->key; f++) {
			const struct column *c = column_of(f->table, f->arc);

			if (f->table == t && c != NULL && column != NULL &&
			    strcmp(c->name, column) == 0) {
				*kp = &kinds[i];
				*fp = f;
				return 0;
			}
		}
	for (size_t i = 0; i < N_KINDS; i++)
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
	const struct word  *word;
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
	const struct column *c;
	const char *row;

	memset(out, 0, sizeof(*out));
	if (f->table == REFERD_TABLE_NONE) {
		out->is_num = 1;
		switch (f->arc) {
		case 1: out->is_num = 0;
			snprintf(out->text, sizeof(out->text), "%s", v->version);
			break;
		case 2: out->num = v->cfg->max_calls; break;
		case 3: out->num = v->active_calls; break;
		case 4: out->num = v->cfg->notify_rate_limit; break;
		default: out->num = v->notify_dropped; break;
		}
		return 0;
	}
	c = column_of(f->table, f->arc);
	if (c->kind == K_OPER) {
		for (size_t i = 0; i < v->n_oper; i++)
			if (v->oper[i].index == index) {
				out->word = word_of(f->words, v->oper[i].oper);
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
		out->word = word_of(f->words,
		    *(const int *)(const void *)(row + c->off));
		break;
	case K_STORAGE:
		out->word = word_of(f->words, *referd_row_storage(f->table,
		    (void *)(uintptr_t)row));
		break;
	case K_ROWSTATUS:
		out->word = word_of(f->words, *referd_row_status(f->table,
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
		return pane && val->word->label ? val->word->label : val->word->w;
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
		json_kv_str(key, val->word->w);
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
	for (const struct field *f = k->fields; f->key; f++)
		if (field_get(v, f, index, &val) == 0)
			json_value(f->key, &val);
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

/* The width of a field's column in a list. */
static int
list_width(const struct field *f)
{
	const struct column *c = column_of(f->table, f->arc);
	int w = (int)strlen(f->key);

	if (c && (c->kind == K_STRING || c->kind == K_ADDRESS))
		w = w < 16 ? 16 : w;
	else if (f->words == w_storage || f->words == w_status ||
	    f->words == w_from)
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
	for (const struct field *f = k->fields; f->key; f++)
		printf(" %-*s", f[1].key ? list_width(f) : 0, f->key);
	putchar('\n');
	for (size_t i = 0; i < n; i++) {
		uint32_t index = nth_index(v, k, i, &n);

		printf("%-7u", index);
		for (const struct field *f = k->fields; f->key; f++) {
			const char *t = field_get(v, f, index, &val) == 0 ?
			    value_text(&val, 0, buf, sizeof(buf)) : "-";

			if (strcmp(f->key, "prefix") == 0 && *t == '\0')
				t = "(default)";
			printf(" %-*s", f[1].key ? list_width(f) : 0, *t ? t : "-");
		}
		putchar('\n');
	}
	if (n == 0)
		printf("(no %s)\n", k->plural);
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
	printf("%s %u\n", k->title, index);
	/* The row's own fields, then (for a profile) its Refer Support
	 * pane, in the seed's order. */
	for (const struct field *f = k->fields; f->key; f++)
		if (f->table != REFERD_TABLE_REFER &&
		    field_get(v, f, index, &val) == 0)
			printf("  %-42s %s\n", f->label,
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
	for (const struct field *f = k->fields; f->key; f++)
		if (f->table == REFERD_TABLE_REFER &&
		    field_get(v, f, index, &val) == 0)
			printf("  %-42s %s\n", f->label,
			    value_text(&val, 1, buf, sizeof(buf)));
}

static void
show_global(const struct view *v)
{
	struct value val;
	char buf[32];

	if (json)
		json_open('{');
	for (const struct field *f = global_fields; f->key; f++) {
		field_get(v, f, 0, &val);
		if (json)
			json_value(f->key, &val);
		else
			printf("%-44s %s\n", f->label,
			    value_text(&val, 1, buf, sizeof(buf)));
	}
	if (json)
		json_close('}');
}

/* ---- counters and calls -------------------------------------------- */

static const char *const ctr_keys[ENGINE_CTR__COUNT] = {
	"refer-received", "refer-accepted", "refer-rejected",
	"transfers-completed", "transfers-failed", "replaces-received",
	"replaces-completed", "delayed-answer-timeouts", "calls-in",
	"calls-out", "rtp-dropped",
};
static const char *const ctr_labels[ENGINE_CTR__COUNT] = {
	"REFER received", "REFER accepted (202)", "REFER rejected",
	"Transfers completed", "Transfers failed",
	"INVITE with Replaces received", "Replaces completed",
	"Delayed Answer timeouts", "Calls in", "Calls out",
	"RTP/RTCP packets dropped",
};

static int
show_stats(const struct view *v, int argc, char **argv)
{
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
		for (int i = 0; i < ENGINE_CTR__COUNT; i++)
			printf(" %s", ctr_keys[i]);
		putchar('\n');
	}
	for (size_t i = 0; i < v->n_stats; i++) {
		const struct stats_row *s = &v->stats[i];

		if (one && s->sgp_index != one)
			continue;
		found = 1;
		if (json) {
			json_open('{');
			json_kv_num("profile", s->sgp_index);
			for (int c = 0; c < ENGINE_CTR__COUNT; c++)
				json_kv_num(ctr_keys[c], s->ctr[c]);
			json_close('}');
		} else if (one) {
			printf("Counters of profile %u\n", s->sgp_index);
			for (int c = 0; c < ENGINE_CTR__COUNT; c++)
				printf("  %-42s %llu\n", ctr_labels[c],
				    (unsigned long long)s->ctr[c]);
		} else {
			printf("%-8u", s->sgp_index);
			for (int c = 0; c < ENGINE_CTR__COUNT; c++)
				printf(" %*llu", (int)strlen(ctr_keys[c]),
				    (unsigned long long)s->ctr[c]);
			putchar('\n');
		}
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
	if (json)
		json_open('[');
	else
		printf("%-8s %-14s %8s %-7s %-7s %-30s %-30s %s\n", "CALL",
		    "STATE", "SECONDS", "SGP-IN", "SGP-OUT", "CALLER", "CALLEE",
		    "TRANSFER-TARGET");
	for (size_t i = 0; i < v->n_calls; i++) {
		const struct call_row *k = &v->calls[i];
		const struct word *st = word_of(w_state, k->state);

		if (json) {
			json_open('{');
			json_kv_num("index", k->index);
			json_kv_str("state", st ? st->w : "unknown");
			json_kv_num("duration", k->duration);
			json_kv_num("profile-in", k->sgp_in);
			json_kv_num("profile-out", k->sgp_out);
			json_kv_str("caller", k->caller);
			json_kv_str("callee", k->callee);
			json_kv_str("transfer-target", k->target);
			json_close('}');
		} else
			printf("%-8u %-14s %8u %-7u %-7u %-30s %-30s %s\n",
			    k->index, st ? st->w : "unknown", k->duration,
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
			json_kv_str("field", f->key);
		if (column)
			json_kv_str("column", column);
		json_kv_str("message", msg);
		json_close('}');
		json_end_line();
	}
	fprintf(stderr, "referctl: refused (rule %s): ", rule);
	if (k && k->table == REFERD_TABLE_NONE)
		fprintf(stderr, "global settings");
	else if (k)
		fprintf(stderr, "%s %u", k->name, index);
	if (f)
		fprintf(stderr, ", field %s (%s)", f->key, f->label);
	fprintf(stderr, ": %s\n", msg);
	return EXIT_REFUSED;
}

static const struct kind global_kind = {
	"global", "global", "global settings", "Global settings",
	REFERD_TABLE_NONE, global_fields
};

/*
 * Parse `value` for field f (of kind k, row index) and store it into
 * the candidate row.  Returns 0, or EXIT_USAGE/EXIT_REFUSED after
 * printing why.
 */
static int
field_put(struct referd_config *cand, const struct kind *k,
    const struct field *f, uint32_t index, const char *value)
{
	const struct column *c = f->table == REFERD_TABLE_NONE ? NULL :
	    column_of(f->table, f->arc);
	long num = 0;
	char *row;

	if (f->words) {
		const struct word *w = f->words;

		for (; w->w; w++)
			if (strcasecmp(value, w->w) == 0)
				break;
		if (w->w == NULL) {
			char list[128] = "";

			for (w = f->words; w->w; w++)
				if (f->words != w_status || w->v <= 2)
					snprintf(list + strlen(list),
					    sizeof(list) - strlen(list), "%s%s",
					    *list ? ", " : "", w->w);
			return refuse("enum-value", k, index, f, NULL,
			    "'%s' is not one of: %s", value, list);
		}
		num = w->v;
	} else if (c == NULL || c->kind == K_U32) {
		/* Ranges are referd_config_validate()'s to judge, so that
		 * the refusal names the same rule as the agent's log. */
		char *end;
		unsigned long long u;

		errno = 0;
		u = strtoull(value, &end, 10);
		if (!isdigit((unsigned char)*value) || *end || errno ||
		    u > UINT32_MAX)
			return refuse("not-a-number", k, index, f,
			    c ? c->name : NULL, "'%s' is not a number in "
			    "0..4294967295", value);
		num = (long)u;
	} else if (strlen(value) > (size_t)c->max) {
		return refuse(c->kind == K_STRING ? "name-length" :
		    c->kind == K_ADDRESS ? "address-literal" : "prefix-length",
		    k, index, f, c->name, "'%s' is longer than %ld characters",
		    value, c->max);
	}
	if (c == NULL) {
		if (f->arc == 2)
			cand->max_calls = (uint32_t)num;
		else
			cand->notify_rate_limit = (uint32_t)num;
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
		if (old->max_calls != new->max_calls) {
			struct change *ch = change_add(cs, REFERD_TABLE_NONE, 2, 0);

			ch->type = ASN_UNSIGNED;
			ch->num = new->max_calls;
			ch->scalar = "referdMaxCalls";
		}
		if (old->notify_rate_limit != new->notify_rate_limit) {
			struct change *ch = change_add(cs, REFERD_TABLE_NONE, 4, 0);

			ch->type = ASN_UNSIGNED;
			ch->num = new->notify_rate_limit;
			ch->scalar = "referdNotifyRateLimit";
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
		k = &global_kind;
		for (f = global_fields; f->key && f->arc != ch->name[
		    referd_objects_len + 1]; f++)
			;
		if (f->key == NULL)
			f = NULL;
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
	if (err.table == REFERD_TABLE_NONE) {
		/* Of the writable scalars only the rate limit has a rule. */
		k = &global_kind;
		f = err.column && strcmp(err.column, "referdNotifyRateLimit")
		    == 0 ? &global_fields[3] : NULL;
	} else
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
		printf("global settings %s\n", what);
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

		for (f = k->fields; eq && f->key; f++)
			if (strlen(f->key) == (size_t)(eq - argv[i]) &&
			    strncmp(f->key, argv[i], (size_t)(eq - argv[i])) == 0)
				break;
		if (eq == NULL || f->key == NULL || f->ro) {
			fprintf(stderr, "referctl: '%s': expected FIELD=VALUE "
			    "with FIELD one of:", argv[i]);
			for (f = k->fields; f->key; f++)
				if (!f->ro)
					fprintf(stderr, " %s", f->key);
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

/* `KIND add|set|delete INDEX ...` */
static int
edit(netsnmp_session *ss, const struct view *v, const struct kind *k,
    const char *verb, int argc, char **argv)
{
	struct referd_config *cand;
	struct changes cs = { .n = 0 };
	uint32_t index = 0;
	void *row;
	int rc;

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
		fprintf(stderr, "referctl: there is no %s %u\n", k->name, index);
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
	if ((rc = check_candidate(v, cand)) == 0) {
		diff_object(&cs, v->cfg, cand, k, index);
		rc = apply(ss, &cs, strcmp(verb, "add") == 0 ? "added" :
		    strcmp(verb, "delete") == 0 ? "deleted" : "changed", k,
		    index);
	}
	referd_config_free(cand);
	return rc;
}

/* ---- command line ------------------------------------------------------ */

static void
usage(FILE *to)
{
	fprintf(to,
"usage: referctl [SNMP OPTIONS] [-o text|json] AGENT COMMAND [ARGS]\n"
"\n"
"Commands:\n"
"  show                              everything: settings and every table\n"
"  global [set FIELD=VALUE...]       max-calls, notify-rate-limit\n"
"  profile|signaling|gateway|route   list the rows\n"
"  KIND show INDEX                   one row, field by field\n"
"  KIND add INDEX FIELD=VALUE...     create a row (active)\n"
"  KIND set INDEX FIELD=VALUE...     change fields of a row\n"
"  KIND delete INDEX                 remove a row\n"
"  calls                             the calls in progress\n"
"  stats [PROFILE]                   the counters, per profile\n"
"\n"
"Fields:\n"
"  profile    name support from delayed-answer timer release storage status\n"
"  signaling  address port transport profile storage status\n"
"  gateway    name address port transport profile storage status\n"
"  route      prefix gateway storage status\n"
"\n"
"SNMP OPTIONS are net-snmp's (-v 2c -c COMMUNITY, or -v 3 -u USER -l LEVEL\n"
"-a/-A -x/-X, -t, -r ...); see snmpcmd(1).  Exit status: 0 done, 1 usage,\n"
"2 SNMP failure, 3 refused, 4 no such row.  See referctl(1).\n");
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
	else if (strcmp(cmd, "global") != 0 && kind_of(cmd) == NULL) {
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
		if (json) {
			json_open('{');
			json_key("global");
			show_global(&v);
		} else
			show_global(&v);
		for (size_t i = 0; i < N_KINDS; i++) {
			if (json)
				json_key(kinds[i].plural);
			else
				printf("\n%ss\n", kinds[i].title);
			list_kind(&v, &kinds[i]);
		}
		if (json)
			json_close('}');
	} else if (strcmp(cmd, "global") == 0) {
		if (argc == 1)
			show_global(&v);
		else if (strcmp(argv[1], "set") == 0)
			rc = edit(ss, &v, &global_kind, "set", argc - 2, argv + 2);
		else {
			fprintf(stderr, "referctl: global takes `set "
			    "FIELD=VALUE...` or nothing\n");
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

	/* Numeric OIDs only: no MIB file is needed, none is read. */
	setenv("MIBS", "", 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
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
