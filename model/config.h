/*
 * config.h: the configuration model, shared by the agent, the SIP engine
 * and referctl.
 *
 * A struct referd_config is one complete, self-contained configuration:
 * the scalars and every row of the five writable tables of REFERD-MIB,
 * each row with its RowStatus and StorageType.  The agent keeps its
 * working copy in this form, validates a candidate against the previous
 * one with referd_config_validate() and hands the engine an immutable
 * copy (engine_apply).  The engine acts only on active rows.
 *
 * Nothing here knows about SNMP, SIP or the program using it: plain C
 * and the C library.  The numeric values of the enums are those of the
 * MIB so that no table of translations is needed.
 */
#ifndef REFERD_MODEL_CONFIG_H
#define REFERD_MODEL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

/* Index ranges of REFERD-MIB (SPEC section 4). */
#define REFERD_SGP_MAX        1024
#define REFERD_SIG_MAX        64
#define REFERD_GW_MAX         4096
#define REFERD_ROUTE_MAX      65535
#define REFERD_NAME_MAX       32      /* SGP and gateway names */
#define REFERD_ADDR_MAX       45      /* IPv6 literal, no brackets */
#define REFERD_PREFIX_MAX     32
#define REFERD_DA_TIMER_MIN   1       /* minutes */
#define REFERD_DA_TIMER_MAX   10
#define REFERD_NOTIFY_RATE_MAX 10000
#define REFERD_INVITE_TIMEOUT_MIN 1     /* seconds (Timer C) */
#define REFERD_INVITE_TIMEOUT_MAX 3600
#define REFERD_KEEPALIVE_MAX  3600    /* seconds; 0 = no dialog keepalive */
#define REFERD_MAX_REDIRECTS_MAX 10   /* redirections followed per call */
#define REFERD_MAX_REDIRECTS_DEF 5
#define REFERD_PATH_MAX       255     /* a directory (cdrDirectory) */
#define REFERD_CDR_SYNC_MAX   60000   /* ms */
#define REFERD_SECRET_MAX     64      /* a RADIUS shared secret */
#define REFERD_INSTANCE_MAX   32      /* referdInstanceName */

/* cdrFormat */
enum referd_cdr_format { REFERD_CDR_CSV = 1, REFERD_CDR_JSON = 2 };
/* RFC 4028 session timers of a profile, in seconds: Session-Expires is 0
 * (off) or SE_MIN..SE_MAX; Min-SE is SE_MIN..SE_MAX and not above it. */
#define REFERD_SE_MIN         90      /* RFC 4028 4: Min-SE never below 90 */
#define REFERD_SE_MAX         86400
#define REFERD_SE_DEFAULT     1800    /* RFC 4028 4's recommended interval */

/* TruthValue-like switches of the Refer Support row. */
enum referd_switch {
	REFERD_DISABLED = 1,
	REFERD_ENABLED = 2,
};

/* referdSgp100rel: reliable provisional responses (RFC 3262) on a leg. */
enum referd_rel100 {
	REFERD_100REL_DISABLED = 1,
	REFERD_100REL_SUPPORTED = 2,
	REFERD_100REL_REQUIRED = 3,
};

/* referdReferFromHeader. */
enum referd_from_header {
	REFERD_FROM_REFERRED_BY = 1,
	REFERD_FROM_ORIGINAL_CALLER = 2,
};

/* referdSgpRedirect: what a 3xx from the called side does. */
enum referd_redirect {
	REFERD_REDIRECT_RELAY = 1,
	REFERD_REDIRECT_FOLLOW = 2,
};

/* referdSigTransport / referdGwTransport. */
enum referd_transport {
	REFERD_TRANSPORT_UDP = 1,
	REFERD_TRANSPORT_TCP = 2,
};

/*
 * referdSgpHeaderPolicy: which headers referd carries between a
 * profile's legs and the others (see sip/build.c).
 */
enum referd_header_policy {
	REFERD_HP_CARRIER = 1,     /* identity (P-Asserted-Identity, Privacy),
	                              Reason, Diversion, History-Info */
	REFERD_HP_NO_IDENTITY = 2, /* the same without identity: the profile's
	                              peers are outside the trust domain */
	REFERD_HP_NONE = 3,        /* nothing is carried */
};

/* StorageType (RFC 2579). */
enum referd_storage {
	REFERD_ST_OTHER = 1,
	REFERD_ST_VOLATILE = 2,
	REFERD_ST_NONVOLATILE = 3,
	REFERD_ST_PERMANENT = 4,
	REFERD_ST_READONLY = 5,
};

/* RowStatus (RFC 2579) as stored: only the three states a row can be in. */
enum referd_row_status {
	REFERD_RS_ACTIVE = 1,
	REFERD_RS_NOTINSERVICE = 2,
	REFERD_RS_NOTREADY = 3,
};

/*
 * The per-profile counters: referdSgpStatsTable's columns 1..13, in
 * order.  The engine counts them (engine_count) and the agent reads them
 * (engine_sgp_counter) by these numbers.
 */
enum referd_counter {
	REFERD_CTR_REFER_RECEIVED = 0,
	REFERD_CTR_REFER_ACCEPTED,
	REFERD_CTR_REFER_REJECTED,
	REFERD_CTR_TRANSFERS_COMPLETED,
	REFERD_CTR_TRANSFERS_FAILED,
	REFERD_CTR_REPLACES_RECEIVED,
	REFERD_CTR_REPLACES_COMPLETED,
	REFERD_CTR_DA_TIMEOUTS,
	REFERD_CTR_CALLS_IN,
	REFERD_CTR_CALLS_OUT,
	REFERD_CTR_DIALOG_REFUSED,     /* 11: dialog requests not from the
	                                  dialog's peer (403) */
	REFERD_CTR_RTP_DROPPED,        /* 12: media packets not relayed */
	REFERD_CTR_REPLACES_REFUSED,   /* 13: INVITEs with Replaces from a
	                                  sender not entitled to (403) */
	REFERD_CTR_SESSION_EXPIRED,    /* 14: calls ended because a session
	                                  refresh never came (RFC 4028) */
	REFERD_CTR__COUNT
};

/* A SIP SGP profile (referdSgpEntry). */
struct referd_sgp {
	uint32_t index;
	char     name[REFERD_NAME_MAX + 1];
	int      rel100;           /* enum referd_rel100 */
	int      redirect;          /* enum referd_redirect */
	uint32_t max_redirects;     /* 0..REFERD_MAX_REDIRECTS_MAX */
	uint32_t session_expires;  /* seconds, 0: no session timers */
	uint32_t min_se;           /* seconds */
	int      header_policy;    /* enum referd_header_policy */
	int      topology_hiding;  /* enum referd_switch */
	int      storage;
	int      status;
};

/* A Refer Support row (referdReferEntry), indexed by its profile. */
struct referd_refer {
	uint32_t sgp_index;
	int      support;          /* enum referd_switch */
	int      from_header;      /* enum referd_from_header */
	int      delayed_answer;   /* enum referd_switch */
	uint32_t da_timer;         /* minutes */
	int      release_session;  /* enum referd_switch */
	int      storage;
	int      status;
};

/* A signaling endpoint (referdSignalingEntry). */
struct referd_sig {
	uint32_t index;
	char     address[REFERD_ADDR_MAX + 1];  /* "" = not set yet */
	uint32_t port;
	int      transport;
	uint32_t sgp_index;                     /* 0 = none */
	int      storage;
	int      status;
};

/* A trusted peer (referdGatewayEntry). */
struct referd_gw {
	uint32_t index;
	char     name[REFERD_NAME_MAX + 1];     /* "" = not set yet */
	char     address[REFERD_ADDR_MAX + 1];  /* "" = not set yet */
	uint32_t port;                          /* 0 = any source port */
	int      transport;
	uint32_t sgp_index;                     /* 0 = the endpoint's */
	int      replaces;  /* enum referd_switch: may replace any dialog */
	int      storage;
	int      status;
};

/* A digit-prefix route (referdRouteEntry). */
struct referd_route {
	uint32_t index;
	char     prefix[REFERD_PREFIX_MAX + 1]; /* "" = default route */
	uint32_t gw_index;                      /* 0 = not set yet */
	int      storage;
	int      status;
};

/*
 * One whole configuration.  Each table is an array sorted by index with
 * no duplicates (referd_config_validate checks it).  Settings that are
 * not in the MIB (media port range) come from the configuration file.
 */
struct referd_config {
	uint32_t max_calls;          /* 0 = unlimited */
	uint32_t notify_rate_limit;  /* per second, 0 = unlimited */
	uint32_t rtp_port_min;       /* even, inclusive */
	uint32_t rtp_port_max;       /* inclusive */
	uint32_t invite_timeout;     /* Timer C: seconds without a final answer */
	uint32_t dialog_keepalive;   /* in-dialog OPTIONS every N s; 0 = off */
	/* referdInstanceName: 1..32 of [A-Za-z0-9-]; "" = not configured,
	 * the host's short name is used (referd_instance_default). */
	char     instance_name[REFERD_INSTANCE_MAX + 1];
	/* Call detail record files (referd-cdr(5)). */
	char     cdr_dir[REFERD_PATH_MAX + 1];  /* "" = no files */
	int      cdr_format;         /* REFERD_CDR_CSV, REFERD_CDR_JSON */
	uint32_t cdr_rotate_size;    /* bytes; 0 = no rotation by size */
	uint32_t cdr_rotate_interval;/* seconds; 0 = no rotation by time */
	uint32_t cdr_sync_interval;  /* ms: fsync within; 0 = every record */
	/* RADIUS accounting: two servers ("" = none), the spool. */
	char     radius_server[REFERD_ADDR_MAX + 1];
	uint32_t radius_port;
	char     radius_secret[REFERD_SECRET_MAX + 1];
	char     radius_server2[REFERD_ADDR_MAX + 1];
	uint32_t radius_port2;
	char     radius_secret2[REFERD_SECRET_MAX + 1];
	char     radius_spool[REFERD_PATH_MAX + 1];
	uint32_t radius_timeout;     /* seconds per try */
	uint32_t radius_retry;       /* seconds between tries when down */
	uint32_t radius_interim;     /* periodic Interim-Update, s; 0 = off */

	struct referd_sgp   *sgp;    size_t n_sgp;
	struct referd_refer *refer;  size_t n_refer;
	struct referd_sig   *sig;    size_t n_sig;
	struct referd_gw    *gw;     size_t n_gw;
	struct referd_route *route;  size_t n_route;
};

/* Which rule of SPEC section 4 a configuration broke. */
enum referd_rule {
	REFERD_RULE_OK = 0,
	REFERD_RULE_INDEX_RANGE,        /* index outside the table's range */
	REFERD_RULE_INDEX_ORDER,        /* duplicate index (or unsorted) */
	REFERD_RULE_ENUM_VALUE,         /* enumeration out of its values */
	REFERD_RULE_STORAGE_VALUE,      /* StorageType not one of 2..5 */
	REFERD_RULE_STATUS_VALUE,       /* stored RowStatus not 1..3 */
	REFERD_RULE_NAME_LENGTH,        /* name not 1..32 characters */
	REFERD_RULE_NAME_UNIQUE,        /* SGP name used twice */
	REFERD_RULE_ADDRESS,            /* not an IPv4/IPv6 literal */
	REFERD_RULE_PORT_RANGE,         /* port out of range */
	REFERD_RULE_PREFIX_CHARS,       /* prefix has other than 0-9*#+ */
	REFERD_RULE_INCOMPLETE,         /* active row lacks a column */
	REFERD_RULE_REFER_NEEDS_SGP,    /* refer row without its SGP row */
	REFERD_RULE_SGP_REF,            /* sig/gw names a missing SGP */
	REFERD_RULE_GW_REF,             /* route names a missing gateway */
	REFERD_RULE_DA_NEEDS_SUPPORT,   /* delayed answer without support */
	REFERD_RULE_DA_TIMER_RANGE,     /* timer not 1..10 minutes */
	REFERD_RULE_DA_TIMER_WRITE,     /* timer changed while DA disabled */
	REFERD_RULE_SIG_UNIQUE,         /* endpoint address/port/transport twice */
	REFERD_RULE_PERMANENT_DESTROY,  /* permanent/readOnly row removed */
	REFERD_RULE_READONLY_CHANGE,    /* readOnly row changed */
	REFERD_RULE_STORAGE_CHANGE,     /* permanent/readOnly set by SNMP, or changed away */
	REFERD_RULE_RTP_RANGE,          /* media port range unusable */
	REFERD_RULE_LIMIT_RANGE,        /* notify rate limit out of range */
	REFERD_RULE_TIMER_RANGE,        /* invite timeout out of range */
	REFERD_RULE_KEEPALIVE_RANGE,    /* dialog keepalive out of range */
	REFERD_RULE_REDIRECTS_RANGE,    /* max redirects not 0..10 */
	REFERD_RULE_RADIUS_SECRET,      /* a secret radcli cannot carry */
	REFERD_RULE_SESSION_TIMER,      /* Session-Expires/Min-SE out of range */
	REFERD_RULE_INSTANCE_NAME,      /* instance name not 1..32 [A-Za-z0-9-] */
	REFERD_RULE__COUNT
};

/* The tables of the configuration, to name the row a rule failed for. */
enum referd_table {
	REFERD_TABLE_NONE = 0,   /* a scalar */
	REFERD_TABLE_SGP,
	REFERD_TABLE_REFER,
	REFERD_TABLE_SIG,
	REFERD_TABLE_GW,
	REFERD_TABLE_ROUTE,
};

/* What referd_config_validate() found wrong, if anything. */
struct referd_config_error {
	enum referd_rule  rule;
	enum referd_table table;
	uint32_t          index;      /* row index; 0 for a scalar */
	const char       *column;     /* MIB column name, or NULL */
	char              text[256];  /* one sentence for an operator */
};

/* Allocate an empty configuration with the documented defaults. */
int referd_config_new(struct referd_config **cfgp);

/* Free a configuration; NULL is allowed. */
void referd_config_free(struct referd_config *cfg);

/* Deep-copy a configuration. */
int referd_config_dup(const struct referd_config *cfg,
    struct referd_config **copyp);

/*
 * Check a whole configuration against every rule of SPEC section 4.
 * With prev non-NULL, the rules about changes are checked too: the
 * Delayed Answer Timer written while Delayed Answer stays disabled,
 * permanent or readOnly rows destroyed, readOnly rows changed, storage
 * types moved to or from permanent/readOnly.  Returns 0 when every rule
 * holds, EINVAL otherwise with *err saying which rule failed for which
 * row (err may be NULL).
 */
int referd_config_validate(const struct referd_config *prev,
    const struct referd_config *next, struct referd_config_error *err);

/*
 * Whether s is an instance name: 1 to REFERD_INSTANCE_MAX characters of
 * A-Z, a-z, 0-9 and '-' (so that it can start a Call-ID and end before
 * its '~', and name the instance in a log line or a file name).
 */
int referd_instance_name_ok(const char *s);

/*
 * The instance name used when none is configured, into buf (at least
 * REFERD_INSTANCE_MAX + 1 bytes): the host name up to its first dot,
 * every character outside the grammar replaced by '-', cut to
 * REFERD_INSTANCE_MAX; "referd" when that is empty.
 */
void referd_instance_default(char *buf, size_t len);

/* The instance name in effect: cfg's, or dflt when cfg gives none. */
const char *referd_instance_name(const struct referd_config *cfg,
    const char *dflt);

/* A short name for a rule ("refer-needs-sgp"), for logs and tests. */
const char *referd_rule_name(enum referd_rule rule);

/* The MIB name of a table ("referdGatewayTable"). */
const char *referd_table_name(enum referd_table table);

/* Row lookups by index (binary search); NULL when absent. */
struct referd_sgp   *referd_config_sgp(const struct referd_config *cfg, uint32_t index);
struct referd_refer *referd_config_refer(const struct referd_config *cfg, uint32_t sgp_index);
struct referd_sig   *referd_config_sig(const struct referd_config *cfg, uint32_t index);
struct referd_gw    *referd_config_gw(const struct referd_config *cfg, uint32_t index);
struct referd_route *referd_config_route(const struct referd_config *cfg, uint32_t index);

/*
 * Insert or replace a row, keeping the table sorted.  The row is copied.
 * Returns 0, or ENOMEM.
 */
int referd_config_put_sgp(struct referd_config *cfg, const struct referd_sgp *row);
int referd_config_put_refer(struct referd_config *cfg, const struct referd_refer *row);
int referd_config_put_sig(struct referd_config *cfg, const struct referd_sig *row);
int referd_config_put_gw(struct referd_config *cfg, const struct referd_gw *row);
int referd_config_put_route(struct referd_config *cfg, const struct referd_route *row);

/* Remove a row by index; returns 0, or ENOENT. */
int referd_config_del(struct referd_config *cfg, enum referd_table table,
    uint32_t index);

/* Remove every row whose StorageType is at least storage. */
void referd_config_drop_storage(struct referd_config *cfg, int storage);

/* Insert (or replace) every row of src into dst; returns 0 or ENOMEM. */
int referd_config_put_all(struct referd_config *dst,
    const struct referd_config *src);

/* Rows with default column values (MIB DEFVALs), not yet complete. */
void referd_sgp_init(struct referd_sgp *row, uint32_t index);
void referd_refer_init(struct referd_refer *row, uint32_t sgp_index);
void referd_sig_init(struct referd_sig *row, uint32_t index);
void referd_gw_init(struct referd_gw *row, uint32_t index);
void referd_route_init(struct referd_route *row, uint32_t index);

/*
 * Generic access to the five tables, for code that treats rows alike
 * (the SNMP row engine).  Every row type starts with its uint32_t index
 * and ends with `int storage, status`.
 */
size_t referd_row_size(enum referd_table table);
/* Room for a row of any table. */
union referd_row {
	struct referd_sgp   sgp;
	struct referd_refer refer;
	struct referd_sig   sig;
	struct referd_gw    gw;
	struct referd_route route;
};
/* The row with this index, first created with the MIB's DEFVALs (and
 * RowStatus notReady) when absent; NULL on ENOMEM. */
void  *referd_config_row_ensure(struct referd_config *cfg,
    enum referd_table table, uint32_t index);
void  *referd_config_rows(const struct referd_config *cfg,
    enum referd_table table, size_t *np);
void  *referd_config_row(const struct referd_config *cfg,
    enum referd_table table, uint32_t index);
int    referd_config_put(struct referd_config *cfg, enum referd_table table,
    const void *row);
void   referd_row_init(enum referd_table table, void *row, uint32_t index);
int   *referd_row_storage(enum referd_table table, void *row);
int   *referd_row_status(enum referd_table table, void *row);
/* True when an active row would have every column it needs. */
int    referd_row_complete(enum referd_table table, const void *row);

/* True when s is an IPv4 or IPv6 literal (no brackets). */
int referd_addr_is_literal(const char *s);

/* True when s can be a RADIUS shared secret here: printable, no space,
 * ':' or ',' (radcli's server list separates with them). */
int referd_secret_ok(const char *s);

#endif /* REFERD_MODEL_CONFIG_H */
