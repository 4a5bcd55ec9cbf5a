/*
 * columns.c: the column descriptions of REFERD-MIB's tables and scalars,
 * with the words of the configuration file and of referctl.
 *
 * tests/integration/docs.sh reads the configuration-file tokens from the
 * lines that hold a `.conf_usage`: keep each token on the same line; and
 * referctl's words from the `.key`s.
 */
#include "model/columns.h"

#define F(type, field) offsetof(type, field)
#define CFG(field)     offsetof(struct referd_config, field)

/* The enumerations' values. */
static const struct col_word switch_words[] = {
	{ REFERD_DISABLED, "disabled", "disabled", "Disabled" },
	{ REFERD_ENABLED, "enabled", "enabled", "Enabled" },
	WORDS_END
};
static const struct col_word from_words[] = {
	{ REFERD_FROM_REFERRED_BY, "referredBy", "referred-by",
	  "Referred-By header" },
	{ REFERD_FROM_ORIGINAL_CALLER, "originalCaller", "original-caller",
	  "Original Caller" },
	WORDS_END
};
static const struct col_word rel100_words[] = {
	{ REFERD_100REL_DISABLED, "disabled", "disabled", "Disabled" },
	{ REFERD_100REL_SUPPORTED, "supported", "supported", "Supported" },
	{ REFERD_100REL_REQUIRED, "required", "required", "Required" },
	WORDS_END
};
static const struct col_word redirect_words[] = {
	{ REFERD_REDIRECT_RELAY, "relay", "relay", "Relay to the caller" },
	{ REFERD_REDIRECT_FOLLOW, "follow", "follow", "Follow" },
	WORDS_END
};
static const struct col_word header_policy_words[] = {
	{ REFERD_HP_CARRIER, "carrier", "carrier",
	  "Carrier (identity, Reason, Diversion, History-Info)" },
	{ REFERD_HP_NO_IDENTITY, "noIdentity", "no-identity",
	  "No identity (Reason, Diversion, History-Info)" },
	{ REFERD_HP_NONE, "none", "none", "None" },
	WORDS_END
};
static const struct col_word transport_words[] = {
	{ REFERD_TRANSPORT_UDP, "udp", "udp", "UDP" },
	{ REFERD_TRANSPORT_TCP, "tcp", "tcp", "TCP" },
	WORDS_END
};
/* A row of the configuration file is permanent, or readOnly when its
 * line ends so. */
static const struct col_word storage_words[] = {
	{ REFERD_ST_OTHER, NULL, "other", NULL },
	{ REFERD_ST_VOLATILE, NULL, "volatile", NULL },
	{ REFERD_ST_NONVOLATILE, NULL, "nonVolatile", NULL },
	{ REFERD_ST_PERMANENT, NULL, "permanent", NULL },
	{ REFERD_ST_READONLY, "readOnly", "readOnly", NULL },
	WORDS_END
};
static const struct col_word status_words[] = {
	{ REFERD_RS_ACTIVE, NULL, "active", NULL },
	{ REFERD_RS_NOTINSERVICE, NULL, "notInService", NULL },
	{ REFERD_RS_NOTREADY, NULL, "notReady", NULL },
	WORDS_END
};
static const struct col_word oper_words[] = {
	{ 1, NULL, "up", NULL },
	{ 2, NULL, "down", NULL },
	WORDS_END
};
static const struct col_word call_state_words[] = {
	{ 1, NULL, "trying", NULL },
	{ 2, NULL, "ringing", NULL },
	{ 3, NULL, "delayedAnswer", NULL },
	{ 4, NULL, "connected", NULL },
	{ 5, NULL, "transferring", NULL },
	{ 6, NULL, "releasing", NULL },
	WORDS_END
};

/* A table's StorageType and RowStatus; referctl's fields of the same
 * names (the Refer Support row's follow its profile's: no field). */
#define STORAGE(a, n) \
	{ .arc = a, .name = n, .kind = K_STORAGE, .words = storage_words, \
	  .key = "storage", .label = "Storage" }
#define ROWSTATUS(a, n) \
	{ .arc = a, .name = n, .kind = K_ROWSTATUS, .words = status_words, \
	  .key = "status", .label = "Row status" }
#define INDEX(a, n) { .arc = a, .name = n, .kind = K_INDEX }

static const struct column sgp_cols[] = {
	INDEX(1, "referdSgpIndex"),
	{ .arc = 2, .name = "referdSgpName", .kind = K_STRING,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_sgp, name), .min = 1, .max = REFERD_NAME_MAX,
	  .conf_form = CONF_WORD, .conf = "name",
	  .key = "name", .label = "Name" },
	STORAGE(3, "referdSgpStorageType"),
	ROWSTATUS(4, "referdSgpRowStatus"),
	{ .arc = 5, .name = "referdSgp100rel", .kind = K_ENUM,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_sgp, rel100), .min = 1, .max = 3,
	  .words = rel100_words, .conf_form = CONF_KEY, .conf = "100rel",
	  .key = "100rel", .label = "Reliable provisional responses (100rel)" },
	/* Session-Expires: 0 or 90..86400 (the rule session-timer-range). */
	{ .arc = 6, .name = "referdSgpSessionExpires", .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_sgp, session_expires), .min = 0,
	  .max = REFERD_SE_MAX, .unit = "seconds", .conf_form = CONF_KEY,
	  .conf = "sessionExpires", .key = "session-expires",
	  .label = "Session-Expires (s, 0 = no session timers)" },
	{ .arc = 7, .name = "referdSgpMinSE", .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_sgp, min_se), .min = REFERD_SE_MIN,
	  .max = REFERD_SE_MAX, .unit = "seconds", .conf_form = CONF_KEY,
	  .conf = "minSE", .key = "min-se", .label = "Min-SE (s)" },
	{ .arc = 8, .name = "referdSgpHeaderPolicy", .kind = K_ENUM,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_sgp, header_policy), .min = 1, .max = 3,
	  .words = header_policy_words, .conf_form = CONF_KEY,
	  .conf = "headerPolicy", .key = "headers",
	  .label = "Headers carried between legs" },
	{ .arc = 9, .name = "referdSgpTopologyHiding", .kind = K_ENUM,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_sgp, topology_hiding), .min = 1, .max = 2,
	  .words = switch_words, .conf_form = CONF_KEY,
	  .conf = "topologyHiding", .key = "topology-hiding",
	  .label = "Topology hiding" },
	{ .arc = 10, .name = "referdSgpRedirect", .kind = K_ENUM,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_sgp, redirect), .min = 1, .max = 2,
	  .words = redirect_words, .conf_form = CONF_KEY, .conf = "redirect",
	  .key = "redirect", .label = "3xx Redirect" },
	{ .arc = 11, .name = "referdSgpMaxRedirects", .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_sgp, max_redirects), .min = 0,
	  .max = REFERD_MAX_REDIRECTS_MAX, .unit = "redirections",
	  .conf_form = CONF_KEY, .conf = "maxRedirects",
	  .key = "max-redirects", .label = "Max Redirections" },
	COL_END
};
static const struct column refer_cols[] = {
	{ .arc = 1, .name = "referdReferSupport", .kind = K_ENUM,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_refer, support), .min = 1, .max = 2,
	  .words = switch_words, .conf_form = CONF_KEY, .conf = "support",
	  .key = "support", .label = "Refer Support" },
	{ .arc = 2, .name = "referdReferFromHeader", .kind = K_ENUM,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_refer, from_header), .min = 1, .max = 2,
	  .words = from_words, .conf_form = CONF_KEY, .conf = "fromHeader",
	  .key = "from", .label = "From Header in Invite triggered by REFER" },
	{ .arc = 3, .name = "referdReferDelayedAnswer", .kind = K_ENUM,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_refer, delayed_answer), .min = 1, .max = 2,
	  .words = switch_words, .conf_form = CONF_KEY,
	  .conf = "delayedAnswer",
	  .key = "delayed-answer", .label = "Delayed Answer Support" },
	{ .arc = 4, .name = "referdReferDelayedAnswerTimer", .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_refer, da_timer), .min = REFERD_DA_TIMER_MIN,
	  .max = REFERD_DA_TIMER_MAX, .unit = "minutes",
	  .conf_form = CONF_KEY, .conf = "delayedAnswerTimer",
	  .key = "timer", .label = "Delayed Answer Timer (mins)" },
	{ .arc = 5, .name = "referdReferReleaseSession", .kind = K_ENUM,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_refer, release_session), .min = 1, .max = 2,
	  .words = switch_words, .conf_form = CONF_KEY,
	  .conf = "releaseSession",
	  .key = "release", .label = "Release REFER Session" },
	{ .arc = 6, .name = "referdReferStorageType", .kind = K_STORAGE,
	  .words = storage_words },
	{ .arc = 7, .name = "referdReferRowStatus", .kind = K_ROWSTATUS,
	  .words = status_words },
	COL_END
};
static const struct column sig_cols[] = {
	INDEX(1, "referdSigIndex"),
	{ .arc = 2, .name = "referdSigAddress", .kind = K_ADDRESS,
	  .digest = DIGEST_INSTANCE,
	  .off = F(struct referd_sig, address), .min = 1,
	  .max = REFERD_ADDR_MAX, .conf_form = CONF_WORD, .conf = "address",
	  .key = "address", .label = "Address" },
	{ .arc = 3, .name = "referdSigPort", .kind = K_U32,
	  .digest = DIGEST_INSTANCE,
	  .off = F(struct referd_sig, port), .min = 1, .max = 65535,
	  .conf_form = CONF_KEY, .conf = "port", .key = "port", .label = "Port" },
	{ .arc = 4, .name = "referdSigTransport", .kind = K_ENUM,
	  .digest = DIGEST_INSTANCE,
	  .off = F(struct referd_sig, transport), .min = 1, .max = 2,
	  .words = transport_words, .conf_form = CONF_KEY,
	  .conf = "transport", .key = "transport", .label = "Transport" },
	{ .arc = 5, .name = "referdSigSgpIndex", .kind = K_U32,
	  .digest = DIGEST_INSTANCE,
	  .off = F(struct referd_sig, sgp_index), .min = 0,
	  .max = REFERD_SGP_MAX, .conf_form = CONF_KEY, .conf = "profile",
	  .key = "profile", .label = "Profile" },
	STORAGE(6, "referdSigStorageType"),
	ROWSTATUS(7, "referdSigRowStatus"),
	{ .arc = 8, .name = "referdSigOperStatus", .kind = K_OPER,
	  .words = oper_words, .key = "oper", .label = "Operational status" },
	COL_END
};
static const struct column gw_cols[] = {
	INDEX(1, "referdGwIndex"),
	{ .arc = 2, .name = "referdGwName", .kind = K_STRING,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_gw, name), .min = 1, .max = REFERD_NAME_MAX,
	  .conf_form = CONF_WORD, .conf = "name",
	  .key = "name", .label = "Name" },
	{ .arc = 3, .name = "referdGwAddress", .kind = K_ADDRESS,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_gw, address), .min = 1,
	  .max = REFERD_ADDR_MAX, .conf_form = CONF_WORD, .conf = "address",
	  .key = "address", .label = "Address" },
	{ .arc = 4, .name = "referdGwPort", .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_gw, port), .min = 0, .max = 65535,
	  .conf_form = CONF_KEY, .conf = "port", .key = "port", .label = "Port" },
	{ .arc = 5, .name = "referdGwTransport", .kind = K_ENUM,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_gw, transport), .min = 1, .max = 2,
	  .words = transport_words, .conf_form = CONF_KEY,
	  .conf = "transport", .key = "transport", .label = "Transport" },
	{ .arc = 6, .name = "referdGwSgpIndex", .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_gw, sgp_index), .min = 0,
	  .max = REFERD_SGP_MAX, .conf_form = CONF_KEY, .conf = "profile",
	  .key = "profile", .label = "Profile" },
	STORAGE(7, "referdGwStorageType"),
	ROWSTATUS(8, "referdGwRowStatus"),
	{ .arc = 9, .name = "referdGwReplaces", .kind = K_ENUM,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_gw, replaces), .min = 1, .max = 2,
	  .words = switch_words, .conf_form = CONF_KEY, .conf = "replaces",
	  .key = "replaces", .label = "May replace any dialog" },
	COL_END
};
static const struct column route_cols[] = {
	INDEX(1, "referdRouteIndex"),
	{ .arc = 2, .name = "referdRoutePrefix", .kind = K_PREFIX,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_route, prefix), .min = 0,
	  .max = REFERD_PREFIX_MAX, .conf_form = CONF_WORD, .conf = "prefix",
	  .conf_empty = "default", .key = "prefix", .label = "Prefix" },
	{ .arc = 3, .name = "referdRouteGatewayIndex", .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = F(struct referd_route, gw_index), .min = 1,
	  .max = REFERD_GW_MAX, .conf_form = CONF_WORD, .conf = "gateway",
	  .key = "gateway", .label = "Gateway" },
	STORAGE(4, "referdRouteStorageType"),
	ROWSTATUS(5, "referdRouteRowStatus"),
	COL_END
};

/* referdSgpStatsTable: `off` is the counter (enum referd_counter). */
#define COUNTER(a, n, ctr) .arc = a, .name = n, .kind = K_COUNTER, .off = ctr
static const struct column stats_cols[] = {
	{ COUNTER(1, "referdSgpReferReceived", REFERD_CTR_REFER_RECEIVED),
	  .key = "refer-received", .label = "REFER received" },
	{ COUNTER(2, "referdSgpReferAccepted", REFERD_CTR_REFER_ACCEPTED),
	  .key = "refer-accepted", .label = "REFER accepted (202)" },
	{ COUNTER(3, "referdSgpReferRejected", REFERD_CTR_REFER_REJECTED),
	  .key = "refer-rejected", .label = "REFER rejected" },
	{ COUNTER(4, "referdSgpTransfersCompleted", REFERD_CTR_TRANSFERS_COMPLETED),
	  .key = "transfers-completed", .label = "Transfers completed" },
	{ COUNTER(5, "referdSgpTransfersFailed", REFERD_CTR_TRANSFERS_FAILED),
	  .key = "transfers-failed", .label = "Transfers failed" },
	{ COUNTER(6, "referdSgpReplacesReceived", REFERD_CTR_REPLACES_RECEIVED),
	  .key = "replaces-received", .label = "INVITE with Replaces received" },
	{ COUNTER(7, "referdSgpReplacesCompleted", REFERD_CTR_REPLACES_COMPLETED),
	  .key = "replaces-completed", .label = "Replaces completed" },
	{ COUNTER(8, "referdSgpDelayedAnswerTimeouts", REFERD_CTR_DA_TIMEOUTS),
	  .key = "delayed-answer-timeouts", .label = "Delayed Answer timeouts" },
	{ COUNTER(9, "referdSgpCallsIn", REFERD_CTR_CALLS_IN),
	  .key = "calls-in", .label = "Calls in" },
	{ COUNTER(10, "referdSgpCallsOut", REFERD_CTR_CALLS_OUT),
	  .key = "calls-out", .label = "Calls out" },
	{ COUNTER(11, "referdSgpDialogRequestsRefused", REFERD_CTR_DIALOG_REFUSED),
	  .key = "dialog-requests-refused",
	  .label = "Dialog requests refused (not from the dialog's peer)" },
	{ COUNTER(12, "referdSgpRtpDropped", REFERD_CTR_RTP_DROPPED),
	  .key = "rtp-dropped", .label = "RTP/RTCP packets dropped" },
	{ COUNTER(13, "referdSgpReplacesRefused", REFERD_CTR_REPLACES_REFUSED),
	  .key = "replaces-refused",
	  .label = "INVITE with Replaces refused (not entitled)" },
	{ COUNTER(14, "referdSgpSessionExpired", REFERD_CTR_SESSION_EXPIRED),
	  .key = "session-expired",
	  .label = "Calls ended: session refresh never came" },
	COL_END
};

/* referdCallTable: `off` is the column's arc. */
#define CALL(a, n) { .arc = a, .name = n, .kind = K_CALL, .off = a }
static const struct column call_cols[] = {
	INDEX(1, "referdCallIndex"),
	{ .arc = 2, .name = "referdCallState", .kind = K_CALL, .off = 2,
	  .words = call_state_words },
	CALL(3, "referdCallCallerUri"),
	CALL(4, "referdCallCalleeUri"),
	CALL(5, "referdCallTransferTargetUri"),
	CALL(6, "referdCallDuration"),
	CALL(7, "referdCallSgpIn"),
	CALL(8, "referdCallSgpOut"),
	CALL(9, "referdCallInstance"),
	COL_END
};

const struct table mib_tables[] = {
	{ .id = REFERD_TABLE_SGP, .arc = 2, .max_index = REFERD_SGP_MAX,
	  .name = "referdSgpTable", .cols = sgp_cols,
	  .word = "profile", .conf_usage = "INDEX NAME "
	  "[100rel disabled|supported|required] [sessionExpires S] "
	  "[minSE S] [headerPolicy P] [topologyHiding S] "
	  "[redirect relay|follow] [maxRedirects N] [readOnly]",
	  .conf_after = " after the name",
	  .alias = "sgp", .plural = "profiles", .title = "SIP SGP profile",
	  .pane = REFERD_TABLE_REFER },
	{ .id = REFERD_TABLE_REFER, .arc = 3, .max_index = REFERD_SGP_MAX,
	  .name = "referdReferTable", .cols = refer_cols,
	  .word = "refer", .conf_usage = "PROFILE [support S] [fromHeader F] "
	  "[delayedAnswer S] [delayedAnswerTimer MIN] [releaseSession S] "
	  "[readOnly]", .conf_wording = CONF_WORDING_VALUE },
	{ .id = REFERD_TABLE_SIG, .arc = 4, .max_index = REFERD_SIG_MAX,
	  .name = "referdSignalingTable", .cols = sig_cols,
	  .word = "signaling", .conf_usage = "INDEX ADDRESS [port N] "
	  "[transport udp|tcp] [profile N] [readOnly]",
	  .alias = "sig", .plural = "endpoints", .title = "Signaling endpoint" },
	{ .id = REFERD_TABLE_GW, .arc = 5, .max_index = REFERD_GW_MAX,
	  .name = "referdGatewayTable", .cols = gw_cols,
	  .word = "gateway", .conf_usage = "INDEX NAME ADDRESS [port N] "
	  "[transport udp|tcp] [profile N] [replaces enabled|disabled] "
	  "[readOnly]",
	  .alias = "gw", .plural = "gateways", .title = "Gateway" },
	{ .id = REFERD_TABLE_ROUTE, .arc = 6, .max_index = REFERD_ROUTE_MAX,
	  .name = "referdRouteTable", .cols = route_cols,
	  .word = "route", .conf_usage = "INDEX PREFIX|default GATEWAY [readOnly]",
	  .conf_after = "",
	  .alias = "rt", .plural = "routes", .title = "Route" },
	{ .id = TABLE_STATS, .arc = 7, .max_index = REFERD_SGP_MAX,
	  .name = "referdSgpStatsTable", .cols = stats_cols },
	{ .id = TABLE_CALLS, .arc = 8, .max_index = UINT32_MAX,
	  .name = "referdCallTable", .cols = call_cols },
};
const size_t mib_n_tables = sizeof(mib_tables) / sizeof(mib_tables[0]);

/* rtpPortRange's two ports are read as a pair. */
_Static_assert(CFG(rtp_port_max) == CFG(rtp_port_min) + sizeof(uint32_t),
    "rtp_port_max follows rtp_port_min");

static const struct col_word cdr_format_words[] = {
	{ REFERD_CDR_CSV, "csv", "csv", NULL },
	{ REFERD_CDR_JSON, "json", "json", NULL },
	WORDS_END
};

/* referdRadiusServerStatus, as referctl shows it. */
static const struct col_word radius_status_words[] = {
	{ 1, NULL, "up", NULL },
	{ 2, NULL, "down", NULL },
	{ 3, NULL, "not-configured", NULL },
	WORDS_END
};

static const struct column general_cols[] = {
	{ .arc = REFERD_SC_VERSION, .name = "referdVersion", .kind = K_RUNTIME,
	  .key = "version", .label = "Version" },
	{ .arc = REFERD_SC_MAX_CALLS, .name = "referdMaxCalls", .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = CFG(max_calls), .min = 0, .max = UINT32_MAX,
	  .conf_form = CONF_KEY,
	  .conf = "maxCalls", .conf_usage = "N (0 = unlimited)",
	  .key = "max-calls", .label = "Max calls (0 = no limit)" },
	{ .arc = REFERD_SC_ACTIVE_CALLS, .name = "referdActiveCalls",
	  .kind = K_RUNTIME, .key = "active-calls", .label = "Active calls" },
	{ .arc = REFERD_SC_NOTIFY_RATE_LIMIT, .name = "referdNotifyRateLimit",
	  .kind = K_U32, .off = CFG(notify_rate_limit), .min = 0,
	  .digest = DIGEST_POLICY,
	  .max = REFERD_NOTIFY_RATE_MAX, .conf_form = CONF_KEY,
	  .conf = "notifyRateLimit", .conf_usage = "N (notifications per "
	  "second, 0 = unlimited)",
	  .key = "notify-rate-limit",
	  .label = "Notification rate limit (/s, 0 = none)" },
	{ .arc = REFERD_SC_NOTIFY_DROPPED, .name = "referdNotifyDropped",
	  .kind = K_RUNTIME, .key = "notify-dropped",
	  .label = "Notifications dropped" },
	/* "" in the configuration: not configured, the host's short name
	 * is used (and read). */
	{ .arc = REFERD_SC_INSTANCE_NAME, .name = "referdInstanceName",
	  .kind = K_STRING, .digest = DIGEST_INSTANCE,
	  .off = CFG(instance_name), .min = 1,
	  .max = REFERD_INSTANCE_MAX,
	  .chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	  "0123456789-", .chars_text = "letters A-Z a-z, digits and '-'",
	  .conf_form = CONF_KEY,
	  .conf = "instanceName", .conf_usage = "NAME (1-32 of A-Z a-z 0-9 -)",
	  .key = "instance-name", .label = "Instance name" },
	/* No referctl field: `referctl --agents FILE show` compares it. */
	{ .arc = REFERD_SC_CONFIG_DIGEST, .name = "referdConfigDigest",
	  .kind = K_RUNTIME },
	/* The configuration file's alone. */
	{ .arc = 0, .name = "rtpPortRange", .kind = K_PORT_RANGE,
	  .digest = DIGEST_INSTANCE,
	  .off = CFG(rtp_port_min), .min = 1024, .max = 65535,
	  .conf_form = CONF_KEY,
	  .conf = "rtpPortRange", .conf_usage = "FIRST LAST" },
	{ .arc = 0, .name = "inviteTimeout", .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = CFG(invite_timeout), .min = REFERD_INVITE_TIMEOUT_MIN,
	  .max = REFERD_INVITE_TIMEOUT_MAX, .unit = "seconds",
	  .conf_form = CONF_KEY,
	  .conf = "inviteTimeout", .conf_usage = "SECONDS (Timer C)" },
	{ .arc = 0, .name = "dialogKeepalive", .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = CFG(dialog_keepalive), .min = 0, .max = REFERD_KEEPALIVE_MAX,
	  .unit = "seconds", .conf_form = CONF_KEY,
	  .conf = "dialogKeepalive", .conf_usage = "SECONDS (in-dialog "
	  "OPTIONS; 0 = off)" },
	COL_END
};

/* referctl's "global" object. */
const struct table mib_general = {
	.id = REFERD_TABLE_NONE, .arc = 1, .name = "referdGeneral",
	.cols = general_cols, .word = "global", .alias = "global",
	.plural = "global settings", .title = "Global settings",
};

/* referdAccounting: the call detail records (referd-cdr(5)). */
static const struct column accounting_cols[] = {
	{ .arc = REFERD_AC_CDR_DIRECTORY, .name = "referdCdrDirectory",
	  .kind = K_STRING,
	  .digest = DIGEST_INSTANCE,
	  .off = CFG(cdr_dir), .min = 0, .max = REFERD_PATH_MAX,
	  .conf_form = CONF_KEY,
	  .conf = "cdrDirectory", .conf_usage = "DIRECTORY (CDR files)",
	  .key = "cdr-directory",
	  .label = "CDR directory ("" = no records)" },
	{ .arc = REFERD_AC_CDR_FORMAT, .name = "referdCdrFormat",
	  .kind = K_ENUM,
	  .digest = DIGEST_POLICY,
	  .off = CFG(cdr_format), .min = REFERD_CDR_CSV,
	  .max = REFERD_CDR_JSON, .words = cdr_format_words,
	  .conf_form = CONF_KEY,
	  .conf = "cdrFormat", .conf_usage = "csv|json",
	  .key = "cdr-format",
	  .label = "CDR format" },
	{ .arc = REFERD_AC_CDR_ROTATE_SIZE, .name = "referdCdrRotateSize",
	  .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = CFG(cdr_rotate_size), .min = 0, .max = UINT32_MAX,
	  .unit = "bytes", .conf_form = CONF_KEY,
	  .conf = "cdrRotateSize", .conf_usage = "BYTES (0 = none)",
	  .key = "cdr-rotate-size",
	  .label = "CDR rotation size (bytes, 0 = none)" },
	{ .arc = REFERD_AC_CDR_ROTATE_INTERVAL, .name = "referdCdrRotateInterval",
	  .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = CFG(cdr_rotate_interval), .min = 0, .max = 86400 * 7,
	  .unit = "seconds", .conf_form = CONF_KEY,
	  .conf = "cdrRotateInterval", .conf_usage = "SECONDS (0 = none)",
	  .key = "cdr-rotate-interval",
	  .label = "CDR rotation interval (s, 0 = none)" },
	{ .arc = REFERD_AC_CDR_SYNC_INTERVAL, .name = "referdCdrSyncInterval",
	  .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = CFG(cdr_sync_interval), .min = 0,
	  .max = REFERD_CDR_SYNC_MAX, .unit = "milliseconds",
	  .conf_form = CONF_KEY,
	  .conf = "cdrSyncInterval", .conf_usage = "MILLISECONDS (fsync)",
	  .key = "cdr-sync-interval",
	  .label = "CDR sync interval (ms)" },
	{ .arc = REFERD_AC_CDR_WRITTEN, .name = "referdCdrRecordsWritten",
	  .kind = K_RUNTIME,
	  .key = "cdr-written",
	  .label = "CDR records written" },
	{ .arc = REFERD_AC_CDR_FAILED, .name = "referdCdrRecordsFailed",
	  .kind = K_RUNTIME,
	  .key = "cdr-failed",
	  .label = "CDR records lost" },
	{ .arc = REFERD_AC_RADIUS_SERVER, .name = "referdRadiusServer",
	  .kind = K_ADDRESS, .off = CFG(radius_server), .min = 0,
	  .digest = DIGEST_POLICY,
	  .max = REFERD_ADDR_MAX, .conf_form = CONF_KEY,
	  .conf = "radiusServer", .conf_usage = "ADDRESS (accounting)",
	  .key = "radius-server",
	  .label = "RADIUS server ("" = none)" },
	{ .arc = REFERD_AC_RADIUS_PORT, .name = "referdRadiusPort",
	  .kind = K_U32, .off = CFG(radius_port), .min = 1, .max = 65535,
	  .digest = DIGEST_POLICY,
	  .conf_form = CONF_KEY,
	  .conf = "radiusPort", .conf_usage = "PORT (default 1813)",
	  .key = "radius-port",
	  .label = "RADIUS port" },
	{ .arc = REFERD_AC_RADIUS_SECRET, .name = "referdRadiusSecret",
	  .kind = K_SECRET, .off = CFG(radius_secret), .min = 0,
	  .digest = DIGEST_SECRET,
	  .max = REFERD_SECRET_MAX, .conf_form = CONF_KEY,
	  .conf = "radiusSecret", .conf_usage = "SECRET (shared secret)",
	  .key = "radius-secret",
	  .label = "RADIUS secret" },
	{ .arc = REFERD_AC_RADIUS_SERVER2, .name = "referdRadiusServer2",
	  .kind = K_ADDRESS, .off = CFG(radius_server2), .min = 0,
	  .digest = DIGEST_POLICY,
	  .max = REFERD_ADDR_MAX, .conf_form = CONF_KEY,
	  .conf = "radiusServer2", .conf_usage = "ADDRESS (the second)",
	  .key = "radius-server2",
	  .label = "RADIUS second server" },
	{ .arc = REFERD_AC_RADIUS_PORT2, .name = "referdRadiusPort2",
	  .kind = K_U32, .off = CFG(radius_port2), .min = 1, .max = 65535,
	  .digest = DIGEST_POLICY,
	  .conf_form = CONF_KEY,
	  .conf = "radiusPort2", .conf_usage = "PORT (default 1813)",
	  .key = "radius-port2",
	  .label = "RADIUS second port" },
	{ .arc = REFERD_AC_RADIUS_SECRET2, .name = "referdRadiusSecret2",
	  .kind = K_SECRET, .off = CFG(radius_secret2), .min = 0,
	  .digest = DIGEST_SECRET,
	  .max = REFERD_SECRET_MAX, .conf_form = CONF_KEY,
	  .conf = "radiusSecret2", .conf_usage = "SECRET (shared secret)",
	  .key = "radius-secret2",
	  .label = "RADIUS second secret" },
	{ .arc = REFERD_AC_RADIUS_SPOOL, .name = "referdRadiusSpoolDirectory",
	  .kind = K_STRING, .off = CFG(radius_spool), .min = 0,
	  .digest = DIGEST_INSTANCE,
	  .max = REFERD_PATH_MAX, .conf_form = CONF_KEY,
	  .conf = "radiusSpoolDirectory", .conf_usage = "DIRECTORY (spool)",
	  .key = "radius-spool",
	  .label = "RADIUS spool directory" },
	{ .arc = REFERD_AC_RADIUS_TIMEOUT, .name = "referdRadiusTimeout",
	  .kind = K_U32, .off = CFG(radius_timeout), .min = 1, .max = 60,
	  .digest = DIGEST_POLICY,
	  .unit = "seconds", .conf_form = CONF_KEY,
	  .conf = "radiusTimeout", .conf_usage = "SECONDS (per try)",
	  .key = "radius-timeout",
	  .label = "RADIUS timeout per try (s)" },
	{ .arc = REFERD_AC_RADIUS_RETRY, .name = "referdRadiusRetryInterval",
	  .kind = K_U32, .off = CFG(radius_retry), .min = 1, .max = 3600,
	  .digest = DIGEST_POLICY,
	  .unit = "seconds", .conf_form = CONF_KEY,
	  .conf = "radiusRetryInterval", .conf_usage = "SECONDS (when down)",
	  .key = "radius-retry-interval",
	  .label = "RADIUS retry interval when down (s)" },
	{ .arc = REFERD_AC_RADIUS_SENT, .name = "referdRadiusRequestsSent",
	  .kind = K_RUNTIME,
	  .key = "radius-sent",
	  .label = "RADIUS requests sent (answered)" },
	{ .arc = REFERD_AC_RADIUS_RETRIED,
	  .name = "referdRadiusRequestsRetried", .kind = K_RUNTIME,
	  .key = "radius-retried",
	  .label = "RADIUS requests sent again" },
	{ .arc = REFERD_AC_RADIUS_SPOOLED,
	  .name = "referdRadiusRequestsSpooled", .kind = K_RUNTIME,
	  .key = "radius-spooled",
	  .label = "RADIUS requests spooled" },
	{ .arc = REFERD_AC_RADIUS_FAILED,
	  .name = "referdRadiusRequestsFailed", .kind = K_RUNTIME,
	  .key = "radius-failed",
	  .label = "RADIUS requests lost" },
	{ .arc = REFERD_AC_RADIUS_STATUS, .name = "referdRadiusServerStatus",
	  .kind = K_RUNTIME,
	  .words = radius_status_words, .key = "radius-status",
	  .label = "RADIUS server status" },
	{ .arc = REFERD_AC_RADIUS_INTERIM,
	  .name = "referdRadiusInterimInterval", .kind = K_U32,
	  .digest = DIGEST_POLICY,
	  .off = CFG(radius_interim), .min = 0, .max = 86400,
	  .unit = "seconds", .conf_form = CONF_KEY,
	  .conf = "radiusInterimInterval", .conf_usage = "SECONDS (0 = none)",
	  .key = "radius-interim-interval",
	  .label = "RADIUS periodic Interim-Update (s, 0 = none)" },
	COL_END
};

/* referctl's "accounting" object. */
const struct table mib_accounting = {
	.id = REFERD_TABLE_NONE, .arc = 10, .name = "referdAccounting",
	.cols = accounting_cols, .word = "accounting", .alias = "accounting",
	.plural = "accounting settings", .title = "Accounting",
};

const struct table *const mib_scalar_groups[] = {
	&mib_general, &mib_accounting, NULL
};

const struct table *
mib_table_of(int id)
{
	for (size_t i = 0; i < mib_n_tables; i++)
		if (mib_tables[i].id == id)
			return &mib_tables[i];
	return NULL;
}

size_t
mib_column_size(const struct column *c)
{
	return c->kind == K_U32 ? sizeof(uint32_t) : c->kind == K_ENUM ?
	    sizeof(int) : c->kind == K_PORT_RANGE ? 2 * sizeof(uint32_t) :
	    (size_t)c->max + 1;
}

const struct column *
mib_column(const struct table *t, unsigned arc)
{
	for (const struct column *c = t ? t->cols : NULL; c && c->name; c++)
		if (c->arc == arc && arc != 0)
			return c;
	return NULL;
}
