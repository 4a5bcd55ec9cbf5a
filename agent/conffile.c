/*
 * conffile.c: referd.conf tokens.  Each line provisions one row or one
 * setting; net-snmp's config machinery reads the file and calls the
 * handler of each token.  The handlers fill `loading`, a configuration
 * that conffile_load() then checks as a whole.
 *
 * Tokens (see referd.conf(5)):
 *   maxCalls N
 *   notifyRateLimit N
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

/* One enumeration keyword and its MIB value. */
struct keyword {
	const char *word;
	int value;
};

static const struct keyword kw_switch[] = {
	{ "disabled", REFERD_DISABLED }, { "enabled", REFERD_ENABLED },
	{ NULL, 0 }
};
static const struct keyword kw_from[] = {
	{ "referredBy", REFERD_FROM_REFERRED_BY },
	{ "originalCaller", REFERD_FROM_ORIGINAL_CALLER },
	{ NULL, 0 }
};
static const struct keyword kw_transport[] = {
	{ "udp", REFERD_TRANSPORT_UDP }, { "tcp", REFERD_TRANSPORT_TCP },
	{ NULL, 0 }
};

/* Look a keyword up (case-insensitively); returns 0 or EINVAL. */
static int
parse_keyword(const char *s, const struct keyword *kw, int *vp)
{
	for (; kw->word != NULL; kw++)
		if (strcasecmp(s, kw->word) == 0) {
			*vp = kw->value;
			return 0;
		}
	return EINVAL;
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

/*
 * The optional "key value" pairs and the readOnly flag shared by the
 * signaling and gateway lines.
 */
struct endpoint_opts {
	uint32_t *port;
	uint32_t  port_min;
	int      *transport;
	uint32_t *sgp_index;
	int      *storage;
};

static int
parse_endpoint_opts(struct words *ws, const char *token, struct endpoint_opts *o)
{
	while (next_word(ws)) {
		char key[WORD_MAX];

		if (strcasecmp(ws->w, "readOnly") == 0) {
			*o->storage = REFERD_ST_READONLY;
			continue;
		}
		snprintf(key, sizeof(key), "%s", ws->w);
		if (!next_word(ws)) {
			line_error("%s: \"%s\" needs a value", token, key);
			return EINVAL;
		}
		if (strcasecmp(key, "port") == 0) {
			if (parse_u32(ws->w, o->port_min, 65535, o->port) == 0)
				continue;
			line_error("%s: port \"%s\" is not a number from %u to "
			    "65535", token, ws->w, o->port_min);
		} else if (strcasecmp(key, "transport") == 0) {
			if (parse_keyword(ws->w, kw_transport, o->transport) == 0)
				continue;
			line_error("%s: transport \"%s\" is not udp or tcp",
			    token, ws->w);
		} else if (strcasecmp(key, "profile") == 0) {
			if (parse_u32(ws->w, 0, REFERD_SGP_MAX, o->sgp_index) == 0)
				continue;
			line_error("%s: profile \"%s\" is not a number from 0 "
			    "to %d", token, ws->w, REFERD_SGP_MAX);
		} else {
			line_error("%s: unknown keyword \"%s\" (expected port, "
			    "transport, profile or readOnly)", token, key);
		}
		return EINVAL;
	}
	return 0;
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

/* maxCalls N */
static void
parse_max_calls(const char *token, char *line)
{
	uint32_t v;

	NEED_LOADING();

	if (parse_u32(line, 0, UINT32_MAX, &v) == 0)
		loading->max_calls = v;
	else
		line_error("maxCalls: \"%s\" is not a number (0 = unlimited)",
		    line);
}

/* notifyRateLimit N */
static void
parse_notify_rate(const char *token, char *line)
{
	uint32_t v;

	NEED_LOADING();

	if (parse_u32(line, 0, REFERD_NOTIFY_RATE_MAX, &v) == 0)
		loading->notify_rate_limit = v;
	else
		line_error("notifyRateLimit: \"%s\" is not a number from 0 to "
		    "%d", line, REFERD_NOTIFY_RATE_MAX);
}

/* inviteTimeout SECONDS */
static void
parse_invite_timeout(const char *token, char *line)
{
	uint32_t v;

	NEED_LOADING();
	if (parse_u32(line, REFERD_INVITE_TIMEOUT_MIN, REFERD_INVITE_TIMEOUT_MAX,
	    &v) == 0)
		loading->invite_timeout = v;
	else
		line_error("inviteTimeout: \"%s\" is not a number of seconds "
		    "from %d to %d", line, REFERD_INVITE_TIMEOUT_MIN,
		    REFERD_INVITE_TIMEOUT_MAX);
}

/* dialogKeepalive SECONDS */
static void
parse_keepalive(const char *token, char *line)
{
	uint32_t v;

	NEED_LOADING();
	if (parse_u32(line, 0, REFERD_KEEPALIVE_MAX, &v) == 0)
		loading->dialog_keepalive = v;
	else
		line_error("dialogKeepalive: \"%s\" is not a number of seconds "
		    "from 0 to %d", line, REFERD_KEEPALIVE_MAX);
}

/* rtpPortRange MIN MAX */
static void
parse_rtp_range(const char *token, char *line)
{
	struct words ws = { .p = line };
	uint32_t lo, hi;

	NEED_LOADING();

	if (need_word(&ws, token, "first port") ||
	    parse_u32(ws.w, 1024, 65535, &lo) ||
	    need_word(&ws, token, "last port") ||
	    parse_u32(ws.w, 1024, 65535, &hi) || next_word(&ws)) {
		line_error("rtpPortRange: expected two port numbers from 1024 "
		    "to 65535");
		return;
	}
	loading->rtp_port_min = lo;
	loading->rtp_port_max = hi;
}

/* profile INDEX NAME [readOnly] */
static void
parse_profile(const char *token, char *line)
{
	struct words ws = { .p = line };
	struct referd_sgp row;
	uint32_t index;

	NEED_LOADING();

	if (need_index(&ws, token, REFERD_SGP_MAX, &index) ||
	    check_new_row(referd_config_sgp(loading, index), token, index))
		return;
	referd_sgp_init(&row, index);
	row.storage = REFERD_ST_PERMANENT;
	row.status = REFERD_RS_ACTIVE;
	if (need_word(&ws, token, "name") ||
	    copy_column(row.name, sizeof(row.name), ws.w, token, "name"))
		return;
	if (next_word(&ws)) {
		if (strcasecmp(ws.w, "readOnly") != 0 || next_word(&ws)) {
			line_error("profile: unexpected \"%s\" after the name",
			    ws.w);
			return;
		}
		row.storage = REFERD_ST_READONLY;
	}
	if (referd_config_put_sgp(loading, &row))
		line_error("profile: out of memory");
}

/* refer PROFILE [key value]... [readOnly] */
static void
parse_refer(const char *token, char *line)
{
	struct words ws = { .p = line };
	struct referd_refer row;
	uint32_t index;
	int timer_given = 0;

	NEED_LOADING();

	if (need_index(&ws, token, REFERD_SGP_MAX, &index) ||
	    check_new_row(referd_config_refer(loading, index), token, index))
		return;
	referd_refer_init(&row, index);
	row.storage = REFERD_ST_PERMANENT;
	row.status = REFERD_RS_ACTIVE;
	while (next_word(&ws)) {
		char key[WORD_MAX];
		int bad;

		if (strcasecmp(ws.w, "readOnly") == 0) {
			row.storage = REFERD_ST_READONLY;
			continue;
		}
		snprintf(key, sizeof(key), "%s", ws.w);
		if (!next_word(&ws)) {
			line_error("refer: \"%s\" needs a value", key);
			return;
		}
		if (strcasecmp(key, "support") == 0)
			bad = parse_keyword(ws.w, kw_switch, &row.support);
		else if (strcasecmp(key, "fromHeader") == 0)
			bad = parse_keyword(ws.w, kw_from, &row.from_header);
		else if (strcasecmp(key, "delayedAnswer") == 0)
			bad = parse_keyword(ws.w, kw_switch, &row.delayed_answer);
		else if (strcasecmp(key, "releaseSession") == 0)
			bad = parse_keyword(ws.w, kw_switch,
			    &row.release_session);
		else if (strcasecmp(key, "delayedAnswerTimer") == 0) {
			bad = parse_u32(ws.w, REFERD_DA_TIMER_MIN,
			    REFERD_DA_TIMER_MAX, &row.da_timer);
			timer_given = 1;
		} else {
			line_error("refer: unknown keyword \"%s\" (expected "
			    "support, fromHeader, delayedAnswer, "
			    "delayedAnswerTimer, releaseSession or readOnly)",
			    key);
			return;
		}
		if (bad) {
			line_error("refer: \"%s\" is not a valid value for %s%s",
			    ws.w, key, strcasecmp(key, "delayedAnswerTimer") == 0
			    ? " (1 to 10 minutes)" : "");
			return;
		}
	}
	/* The seed: the timer is enabled by enabling Delayed Answer first. */
	if (timer_given && row.delayed_answer != REFERD_ENABLED) {
		line_error("refer: delayedAnswerTimer needs delayedAnswer "
		    "enabled");
		return;
	}
	if (referd_config_put_refer(loading, &row))
		line_error("refer: out of memory");
}

/* signaling INDEX ADDRESS [port N] [transport T] [profile N] [readOnly] */
static void
parse_signaling(const char *token, char *line)
{
	struct words ws = { .p = line };
	struct referd_sig row;
	uint32_t index;
	struct endpoint_opts o;

	NEED_LOADING();

	if (need_index(&ws, token, REFERD_SIG_MAX, &index) ||
	    check_new_row(referd_config_sig(loading, index), token, index))
		return;
	referd_sig_init(&row, index);
	row.storage = REFERD_ST_PERMANENT;
	row.status = REFERD_RS_ACTIVE;
	if (need_word(&ws, token, "address") ||
	    copy_column(row.address, sizeof(row.address), ws.w, token,
	    "address"))
		return;
	o = (struct endpoint_opts){ &row.port, 1, &row.transport,
	    &row.sgp_index, &row.storage };
	if (parse_endpoint_opts(&ws, token, &o))
		return;
	if (referd_config_put_sig(loading, &row))
		line_error("signaling: out of memory");
}

/* gateway INDEX NAME ADDRESS [port N] [transport T] [profile N] [readOnly] */
static void
parse_gateway(const char *token, char *line)
{
	struct words ws = { .p = line };
	struct referd_gw row;
	uint32_t index;
	struct endpoint_opts o;

	NEED_LOADING();

	if (need_index(&ws, token, REFERD_GW_MAX, &index) ||
	    check_new_row(referd_config_gw(loading, index), token, index))
		return;
	referd_gw_init(&row, index);
	row.storage = REFERD_ST_PERMANENT;
	row.status = REFERD_RS_ACTIVE;
	if (need_word(&ws, token, "name") ||
	    copy_column(row.name, sizeof(row.name), ws.w, token, "name") ||
	    need_word(&ws, token, "address") ||
	    copy_column(row.address, sizeof(row.address), ws.w, token,
	    "address"))
		return;
	o = (struct endpoint_opts){ &row.port, 0, &row.transport,
	    &row.sgp_index, &row.storage };
	if (parse_endpoint_opts(&ws, token, &o))
		return;
	if (referd_config_put_gw(loading, &row))
		line_error("gateway: out of memory");
}

/* route INDEX PREFIX|default GATEWAY [readOnly] */
static void
parse_route(const char *token, char *line)
{
	struct words ws = { .p = line };
	struct referd_route row;
	uint32_t index;

	NEED_LOADING();

	if (need_index(&ws, token, REFERD_ROUTE_MAX, &index) ||
	    check_new_row(referd_config_route(loading, index), token, index))
		return;
	referd_route_init(&row, index);
	row.storage = REFERD_ST_PERMANENT;
	row.status = REFERD_RS_ACTIVE;
	if (need_word(&ws, token, "prefix (or \"default\")"))
		return;
	if (strcmp(ws.w, "default") != 0 &&
	    copy_column(row.prefix, sizeof(row.prefix), ws.w, token, "prefix"))
		return;
	if (need_word(&ws, token, "gateway"))
		return;
	if (parse_u32(ws.w, 1, REFERD_GW_MAX, &row.gw_index)) {
		line_error("route: gateway \"%s\" is not a number from 1 to %d",
		    ws.w, REFERD_GW_MAX);
		return;
	}
	if (next_word(&ws)) {
		if (strcasecmp(ws.w, "readOnly") != 0 || next_word(&ws)) {
			line_error("route: unexpected \"%s\"", ws.w);
			return;
		}
		row.storage = REFERD_ST_READONLY;
	}
	if (referd_config_put_route(loading, &row))
		line_error("route: out of memory");
}

void
conffile_register(void)
{
	register_app_config_handler("maxCalls", parse_max_calls, NULL,
	    "N (0 = unlimited)");
	register_app_config_handler("notifyRateLimit", parse_notify_rate,
	    NULL, "N (notifications per second, 0 = unlimited)");
	register_app_config_handler("rtpPortRange", parse_rtp_range, NULL,
	    "FIRST LAST");
	register_app_config_handler("inviteTimeout", parse_invite_timeout,
	    NULL, "SECONDS (Timer C)");
	register_app_config_handler("dialogKeepalive", parse_keepalive,
	    NULL, "SECONDS (in-dialog OPTIONS; 0 = off)");
	register_app_config_handler("profile", parse_profile, NULL,
	    "INDEX NAME [readOnly]");
	register_app_config_handler("refer", parse_refer, NULL,
	    "PROFILE [support S] [fromHeader F] [delayedAnswer S] "
	    "[delayedAnswerTimer MIN] [releaseSession S] [readOnly]");
	register_app_config_handler("signaling", parse_signaling, NULL,
	    "INDEX ADDRESS [port N] [transport udp|tcp] [profile N] "
	    "[readOnly]");
	register_app_config_handler("gateway", parse_gateway, NULL,
	    "INDEX NAME ADDRESS [port N] [transport udp|tcp] [profile N] "
	    "[readOnly]");
	register_app_config_handler("route", parse_route, NULL,
	    "INDEX PREFIX|default GATEWAY [readOnly]");
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
	m->max_calls = file->max_calls;
	m->notify_rate_limit = file->notify_rate_limit;
	m->rtp_port_min = file->rtp_port_min;
	m->rtp_port_max = file->rtp_port_max;
	m->invite_timeout = file->invite_timeout;
	m->dialog_keepalive = file->dialog_keepalive;
	rc = referd_config_put_all(m, file);
	if (rc) {
		referd_config_free(m);
		return rc;
	}
	*mergedp = m;
	return 0;
}
