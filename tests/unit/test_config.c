/*
 * test_config.c: one test per rule of SPEC section 4, each checked both
 * ways: the base configuration passes, and the same configuration with
 * the rule broken fails with that rule, for that table and row.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/config.h"
#include "tap.h"

/* A complete, valid configuration using every table. */
static struct referd_config *
base(void)
{
	struct referd_config *c;
	struct referd_sgp s;
	struct referd_refer r;
	struct referd_sig g;
	struct referd_gw w;
	struct referd_route t;

	if (referd_config_new(&c))
		abort();
	referd_sgp_init(&s, 1);
	strcpy(s.name, "pbx");
	s.status = REFERD_RS_ACTIVE;
	referd_config_put_sgp(c, &s);
	referd_sgp_init(&s, 2);
	strcpy(s.name, "ivr");
	s.status = REFERD_RS_ACTIVE;
	referd_config_put_sgp(c, &s);

	referd_refer_init(&r, 1);
	r.support = REFERD_ENABLED;
	r.delayed_answer = REFERD_ENABLED;
	r.da_timer = 3;
	r.status = REFERD_RS_ACTIVE;
	referd_config_put_refer(c, &r);

	referd_sig_init(&g, 1);
	strcpy(g.address, "127.0.0.1");
	g.sgp_index = 1;
	g.status = REFERD_RS_ACTIVE;
	referd_config_put_sig(c, &g);
	referd_sig_init(&g, 2);
	strcpy(g.address, "::1");
	g.transport = REFERD_TRANSPORT_TCP;
	g.status = REFERD_RS_ACTIVE;
	referd_config_put_sig(c, &g);

	referd_gw_init(&w, 10);
	strcpy(w.name, "a-side");
	strcpy(w.address, "127.0.0.2");
	w.sgp_index = 2;
	w.status = REFERD_RS_ACTIVE;
	referd_config_put_gw(c, &w);
	referd_gw_init(&w, 11);
	strcpy(w.name, "b-side");
	strcpy(w.address, "127.0.0.3");
	w.port = 0;
	w.status = REFERD_RS_ACTIVE;
	referd_config_put_gw(c, &w);

	referd_route_init(&t, 1);
	strcpy(t.prefix, "+1#*0");
	t.gw_index = 11;
	t.status = REFERD_RS_ACTIVE;
	referd_config_put_route(c, &t);
	referd_route_init(&t, 2);
	t.gw_index = 10;              /* default route */
	t.status = REFERD_RS_ACTIVE;
	referd_config_put_route(c, &t);
	return c;
}

/* One rule broken on a copy of the base (and, for change rules, prev). */
struct rule_case {
	const char *name;
	void (*breakit)(struct referd_config *c);
	int with_prev;            /* validate against the base as prev */
	enum referd_rule rule;
	enum referd_table table;
	uint32_t index;
};

static void b_sgp_index0(struct referd_config *c) { c->sgp[0].index = 0; }
static void b_sig_index65(struct referd_config *c) { c->sig[1].index = 65; }
static void b_gw_index(struct referd_config *c) { c->gw[1].index = 4097; }
static void b_route_index(struct referd_config *c) { c->route[1].index = 65536; }
static void b_dup_index(struct referd_config *c) { c->sgp[1].index = 1; }
static void b_enum_support(struct referd_config *c) { c->refer[0].support = 3; }
static void b_enum_from(struct referd_config *c) { c->refer[0].from_header = 0; }
static void b_enum_transport(struct referd_config *c) { c->gw[0].transport = 3; }
static void b_storage(struct referd_config *c) { c->route[0].storage = 1; }
static void b_status(struct referd_config *c) { c->sig[0].status = 4; }
static void b_name_empty(struct referd_config *c) { c->sgp[1].name[0] = '\0'; }
static void b_name_long(struct referd_config *c)
{
	memset(c->gw[0].name, 'x', sizeof(c->gw[0].name));
}
static void b_name_unique(struct referd_config *c) { strcpy(c->sgp[1].name, "pbx"); }
static void b_addr_host(struct referd_config *c) { strcpy(c->gw[1].address, "pbx.example"); }
static void b_addr_brackets(struct referd_config *c) { strcpy(c->sig[1].address, "[::1]"); }
static void b_addr_missing(struct referd_config *c) { c->sig[0].address[0] = '\0'; }
static void b_sig_port0(struct referd_config *c) { c->sig[0].port = 0; }
static void b_gw_port(struct referd_config *c) { c->gw[0].port = 65536; }
static void b_prefix_chars(struct referd_config *c) { strcpy(c->route[0].prefix, "12a"); }
static void b_route_no_gw(struct referd_config *c) { c->route[0].gw_index = 0; }
static void b_refer_no_sgp(struct referd_config *c) { c->refer[0].sgp_index = 5; }
static void b_sgp_destroyed_refer(struct referd_config *c)
{
	/* profile 1 removed while its refer row and endpoint use it */
	c->sig[0].sgp_index = 0;
	referd_config_del(c, REFERD_TABLE_SGP, 1);
}
static void b_sgp_destroyed_sig(struct referd_config *c)
{
	referd_config_del(c, REFERD_TABLE_REFER, 1);
	referd_config_del(c, REFERD_TABLE_SGP, 1);
}
static void b_sgp_destroyed_gw(struct referd_config *c)
{
	referd_config_del(c, REFERD_TABLE_SGP, 2);
}
static void b_gw_destroyed(struct referd_config *c)
{
	referd_config_del(c, REFERD_TABLE_GW, 11);
}
static void b_da_no_support(struct referd_config *c)
{
	c->refer[0].support = REFERD_DISABLED;
}
static void b_da_timer0(struct referd_config *c) { c->refer[0].da_timer = 0; }
static void b_da_timer11(struct referd_config *c) { c->refer[0].da_timer = 11; }
static void b_da_timer_write(struct referd_config *c)
{
	/* DA disabled, and the timer written in the same change */
	c->refer[0].delayed_answer = REFERD_DISABLED;
	c->refer[0].da_timer = 4;
}
static void b_sig_unique(struct referd_config *c)
{
	strcpy(c->sig[1].address, "127.0.0.1");
	c->sig[1].transport = REFERD_TRANSPORT_UDP;
}
static void b_rtp_odd(struct referd_config *c) { c->rtp_port_min = 20001; }
static void b_rtp_low(struct referd_config *c) { c->rtp_port_min = 1000; }
static void b_rtp_empty(struct referd_config *c) { c->rtp_port_max = c->rtp_port_min; }
static void b_rate(struct referd_config *c) { c->notify_rate_limit = 10001; }
static void b_inst_dot(struct referd_config *c)
{ snprintf(c->instance_name, sizeof(c->instance_name), "a.b"); }
static void b_inst_tilde(struct referd_config *c)
{ snprintf(c->instance_name, sizeof(c->instance_name), "a~b"); }
static void b_inst_under(struct referd_config *c)
{ snprintf(c->instance_name, sizeof(c->instance_name), "a_b"); }
static void b_redirect3(struct referd_config *c) { c->sgp[0].redirect = 3; }
static void b_redirects11(struct referd_config *c) { c->sgp[1].max_redirects = 11; }
static void b_se_low(struct referd_config *c) { c->sgp[0].session_expires = 89; }
static void b_se_high(struct referd_config *c) { c->sgp[0].session_expires = 86401; }
static void b_minse_low(struct referd_config *c) { c->sgp[0].min_se = 60; }
static void b_hpolicy(struct referd_config *c) { c->sgp[0].header_policy = 4; }
static void b_hiding(struct referd_config *c) { c->sgp[0].topology_hiding = 3; }
static void b_minse_above(struct referd_config *c)
{
	c->sgp[0].session_expires = 120;
	c->sgp[0].min_se = 300;
}
static void b_sgp_volatile_to_perm(struct referd_config *c)
{
	c->sgp[0].storage = REFERD_ST_PERMANENT;
}

static const struct rule_case cases[] = {
	{ "SGP index 0 is outside 1..1024", b_sgp_index0, 0,
	  REFERD_RULE_INDEX_RANGE, REFERD_TABLE_SGP, 0 },
	{ "signaling index 65 is outside 1..64", b_sig_index65, 0,
	  REFERD_RULE_INDEX_RANGE, REFERD_TABLE_SIG, 65 },
	{ "gateway index 4097 is outside 1..4096", b_gw_index, 0,
	  REFERD_RULE_INDEX_RANGE, REFERD_TABLE_GW, 4097 },
	{ "route index 65536 is outside 1..65535", b_route_index, 0,
	  REFERD_RULE_INDEX_RANGE, REFERD_TABLE_ROUTE, 65536 },
	{ "an index appears once", b_dup_index, 0,
	  REFERD_RULE_INDEX_ORDER, REFERD_TABLE_SGP, 1 },
	{ "referdReferSupport is disabled(1) or enabled(2)", b_enum_support, 0,
	  REFERD_RULE_ENUM_VALUE, REFERD_TABLE_REFER, 1 },
	{ "referdReferFromHeader is referredBy or originalCaller", b_enum_from, 0,
	  REFERD_RULE_ENUM_VALUE, REFERD_TABLE_REFER, 1 },
	{ "transport is udp or tcp", b_enum_transport, 0,
	  REFERD_RULE_ENUM_VALUE, REFERD_TABLE_GW, 10 },
	{ "StorageType other(1) is refused", b_storage, 0,
	  REFERD_RULE_STORAGE_VALUE, REFERD_TABLE_ROUTE, 1 },
	{ "a stored RowStatus is active, notInService or notReady", b_status, 0,
	  REFERD_RULE_STATUS_VALUE, REFERD_TABLE_SIG, 1 },
	{ "an active profile needs a name", b_name_empty, 0,
	  REFERD_RULE_INCOMPLETE, REFERD_TABLE_SGP, 2 },
	{ "a name is at most 32 characters", b_name_long, 0,
	  REFERD_RULE_NAME_LENGTH, REFERD_TABLE_GW, 10 },
	{ "profile names are unique", b_name_unique, 0,
	  REFERD_RULE_NAME_UNIQUE, REFERD_TABLE_SGP, 2 },
	{ "a gateway address is an IP literal, not a host name", b_addr_host, 0,
	  REFERD_RULE_ADDRESS, REFERD_TABLE_GW, 11 },
	{ "an IPv6 address has no brackets", b_addr_brackets, 0,
	  REFERD_RULE_ADDRESS, REFERD_TABLE_SIG, 2 },
	{ "an active endpoint needs an address", b_addr_missing, 0,
	  REFERD_RULE_INCOMPLETE, REFERD_TABLE_SIG, 1 },
	{ "a signaling port is 1..65535", b_sig_port0, 0,
	  REFERD_RULE_PORT_RANGE, REFERD_TABLE_SIG, 1 },
	{ "a gateway port is 0..65535", b_gw_port, 0,
	  REFERD_RULE_PORT_RANGE, REFERD_TABLE_GW, 10 },
	{ "a prefix has only 0-9 * # +", b_prefix_chars, 0,
	  REFERD_RULE_PREFIX_CHARS, REFERD_TABLE_ROUTE, 1 },
	{ "an active route needs a gateway", b_route_no_gw, 0,
	  REFERD_RULE_INCOMPLETE, REFERD_TABLE_ROUTE, 1 },
	{ "a Refer Support row needs its profile row", b_refer_no_sgp, 0,
	  REFERD_RULE_REFER_NEEDS_SGP, REFERD_TABLE_REFER, 5 },
	{ "a profile used by a Refer Support row cannot go", b_sgp_destroyed_refer, 1,
	  REFERD_RULE_REFER_NEEDS_SGP, REFERD_TABLE_REFER, 1 },
	{ "a profile used by a signaling endpoint cannot go", b_sgp_destroyed_sig, 1,
	  REFERD_RULE_SGP_REF, REFERD_TABLE_SIG, 1 },
	{ "a profile used by a gateway cannot go", b_sgp_destroyed_gw, 1,
	  REFERD_RULE_SGP_REF, REFERD_TABLE_GW, 10 },
	{ "a gateway used by a route cannot go", b_gw_destroyed, 1,
	  REFERD_RULE_GW_REF, REFERD_TABLE_ROUTE, 1 },
	{ "Delayed Answer needs Refer Support enabled", b_da_no_support, 0,
	  REFERD_RULE_DA_NEEDS_SUPPORT, REFERD_TABLE_REFER, 1 },
	{ "the Delayed Answer Timer is at least 1 minute", b_da_timer0, 0,
	  REFERD_RULE_DA_TIMER_RANGE, REFERD_TABLE_REFER, 1 },
	{ "the Delayed Answer Timer is at most 10 minutes", b_da_timer11, 0,
	  REFERD_RULE_DA_TIMER_RANGE, REFERD_TABLE_REFER, 1 },
	{ "the timer cannot be written while Delayed Answer is disabled",
	  b_da_timer_write, 1,
	  REFERD_RULE_DA_TIMER_WRITE, REFERD_TABLE_REFER, 1 },
	{ "signaling endpoints are unique by address/port/transport",
	  b_sig_unique, 0, REFERD_RULE_SIG_UNIQUE, REFERD_TABLE_SIG, 2 },
	{ "the media port range starts even", b_rtp_odd, 0,
	  REFERD_RULE_RTP_RANGE, REFERD_TABLE_NONE, 0 },
	{ "the media port range starts at 1024 or above", b_rtp_low, 0,
	  REFERD_RULE_RTP_RANGE, REFERD_TABLE_NONE, 0 },
	{ "the media port range holds a pair", b_rtp_empty, 0,
	  REFERD_RULE_RTP_RANGE, REFERD_TABLE_NONE, 0 },
	{ "referdNotifyRateLimit is at most 10000", b_rate, 0,
	  REFERD_RULE_LIMIT_RANGE, REFERD_TABLE_NONE, 0 },
	{ "an instance name holds no dot", b_inst_dot, 0,
	  REFERD_RULE_INSTANCE_NAME, REFERD_TABLE_NONE, 0 },
	{ "an instance name holds no '~'", b_inst_tilde, 0,
	  REFERD_RULE_INSTANCE_NAME, REFERD_TABLE_NONE, 0 },
	{ "an instance name holds no '_'", b_inst_under, 0,
	  REFERD_RULE_INSTANCE_NAME, REFERD_TABLE_NONE, 0 },
	{ "referdSgpRedirect is relay or follow", b_redirect3, 0,
	  REFERD_RULE_ENUM_VALUE, REFERD_TABLE_SGP, 1 },
	{ "referdSgpMaxRedirects is at most 10", b_redirects11, 0,
	  REFERD_RULE_REDIRECTS_RANGE, REFERD_TABLE_SGP, 2 },
	{ "Session-Expires is 0 or at least 90 s", b_se_low, 0,
	  REFERD_RULE_SESSION_TIMER, REFERD_TABLE_SGP, 1 },
	{ "Session-Expires is at most 86400 s", b_se_high, 0,
	  REFERD_RULE_SESSION_TIMER, REFERD_TABLE_SGP, 1 },
	{ "Min-SE is at least 90 s (RFC 4028)", b_minse_low, 0,
	  REFERD_RULE_SESSION_TIMER, REFERD_TABLE_SGP, 1 },
	{ "Min-SE is not above Session-Expires", b_minse_above, 0,
	  REFERD_RULE_SESSION_TIMER, REFERD_TABLE_SGP, 1 },
	{ "the header policy is carrier, noIdentity or none", b_hpolicy, 0,
	  REFERD_RULE_ENUM_VALUE, REFERD_TABLE_SGP, 1 },
	{ "topology hiding is disabled or enabled", b_hiding, 0,
	  REFERD_RULE_ENUM_VALUE, REFERD_TABLE_SGP, 1 },
	{ "an SNMP change cannot make a row permanent", b_sgp_volatile_to_perm, 1,
	  REFERD_RULE_STORAGE_CHANGE, REFERD_TABLE_SGP, 1 },
};

/* Run every case of the table. */
static void
test_rules(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rule_case *k = &cases[i];
		struct referd_config *prev = base(), *next;
		struct referd_config_error err;
		int rc;

		if (referd_config_dup(prev, &next))
			abort();
		k->breakit(next);
		rc = referd_config_validate(k->with_prev ? prev : NULL, next,
		    &err);
		ok(rc == EINVAL && err.rule == k->rule &&
		    err.table == k->table && err.index == k->index &&
		    err.text[0] != '\0',
		    "rule %s: %s (got %s, %s row %u: %s)",
		    referd_rule_name(k->rule), k->name,
		    referd_rule_name(err.rule), referd_table_name(err.table),
		    err.index, err.text);
		referd_config_free(prev);
		referd_config_free(next);
	}
}

/* The base itself, and the legal variants next to each rule, pass. */
static void
test_valid(void)
{
	struct referd_config *prev = base(), *next;
	struct referd_config_error err;
	char dflt[REFERD_INSTANCE_MAX + 1];

	ok(referd_config_validate(NULL, prev, &err) == 0,
	    "a complete configuration passes (%s)", err.text);

	/* Instance names: none (the host's), 32 of every kind allowed. */
	referd_config_dup(prev, &next);
	snprintf(next->instance_name, sizeof(next->instance_name),
	    "Az-09-xxxxxxxxxxxxxxxxxxxxxxxxxx");
	ok(strlen(next->instance_name) == 32 &&
	    referd_config_validate(NULL, next, &err) == 0,
	    "an instance name of 32 of A-Z a-z 0-9 - passes (%s)", err.text);
	referd_config_free(next);
	ok(!referd_instance_name_ok("") &&
	    !referd_instance_name_ok("123456789012345678901234567890123"),
	    "an instance name is 1 to 32 characters");
	referd_instance_default(dflt, sizeof(dflt));
	ok(referd_instance_name_ok(dflt), "the default instance name (%s) is "
	    "one", dflt);
	ok(referd_config_validate(prev, prev, &err) == 0,
	    "an unchanged configuration passes as a change");

	/* Delayed Answer enabled in the same change that enables support. */
	referd_config_dup(prev, &next);
	next->refer[0].support = REFERD_DISABLED;
	next->refer[0].delayed_answer = REFERD_DISABLED;
	ok(referd_config_validate(prev, next, &err) == 0,
	    "disabling support and Delayed Answer together passes (%s)",
	    err.text);
	referd_config_free(next);

	/* The timer written while DA is enabled is fine. */
	referd_config_dup(prev, &next);
	next->refer[0].da_timer = 10;
	ok(referd_config_validate(prev, next, &err) == 0,
	    "the timer written while Delayed Answer is enabled passes");
	referd_config_free(next);

	/* Incomplete rows are fine while not active. */
	referd_config_dup(prev, &next);
	next->sig[0].address[0] = '\0';
	next->sig[0].status = REFERD_RS_NOTREADY;
	next->route[0].gw_index = 0;
	next->route[0].status = REFERD_RS_NOTREADY;
	next->sgp[1].name[0] = '\0';
	next->sgp[1].status = REFERD_RS_NOTREADY;
	ok(referd_config_validate(prev, next, &err) == 0,
	    "notReady rows may lack required columns (%s)", err.text);
	referd_config_free(next);

	/* Same address and port on the other transport is another endpoint. */
	referd_config_dup(prev, &next);
	strcpy(next->sig[1].address, "127.0.0.1");
	ok(referd_config_validate(prev, next, &err) == 0,
	    "one address and port on udp and on tcp passes");
	referd_config_free(next);

	/* Unused profiles and gateways can go. */
	referd_config_dup(prev, &next);
	next->gw[0].sgp_index = 0;
	referd_config_del(next, REFERD_TABLE_SGP, 2);
	referd_config_del(next, REFERD_TABLE_ROUTE, 1);
	referd_config_del(next, REFERD_TABLE_GW, 11);
	ok(referd_config_validate(prev, next, &err) == 0,
	    "profiles and gateways nothing uses can be destroyed (%s)",
	    err.text);
	referd_config_free(next);

	/* A new row with Delayed Answer off keeps the default timer. */
	referd_config_dup(prev, &next);
	{
		struct referd_refer r;

		referd_refer_init(&r, 2);
		r.status = REFERD_RS_ACTIVE;
		referd_config_put_refer(next, &r);
	}
	ok(referd_config_validate(prev, next, &err) == 0,
	    "a new Refer Support row with defaults passes (%s)", err.text);
	referd_config_free(next);
	referd_config_free(prev);
}

/* The storage rules for rows provisioned in the configuration file. */
static void
test_storage(void)
{
	struct referd_config *prev = base(), *next;
	struct referd_config_error err;

	prev->gw[1].storage = REFERD_ST_PERMANENT;
	prev->sgp[1].storage = REFERD_ST_READONLY;

	referd_config_dup(prev, &next);
	strcpy(next->gw[1].name, "renamed");
	ok(referd_config_validate(prev, next, &err) == 0,
	    "a permanent row can be changed");
	referd_config_free(next);

	referd_config_dup(prev, &next);
	referd_config_del(next, REFERD_TABLE_ROUTE, 1);
	referd_config_del(next, REFERD_TABLE_GW, 11);
	ok(referd_config_validate(prev, next, &err) == EINVAL &&
	    err.rule == REFERD_RULE_PERMANENT_DESTROY &&
	    err.table == REFERD_TABLE_GW && err.index == 11,
	    "rule permanent-not-destroyable: a permanent row cannot be "
	    "destroyed (%s)", err.text);
	referd_config_free(next);

	referd_config_dup(prev, &next);
	strcpy(next->sgp[1].name, "other");
	ok(referd_config_validate(prev, next, &err) == EINVAL &&
	    err.rule == REFERD_RULE_READONLY_CHANGE &&
	    err.table == REFERD_TABLE_SGP && err.index == 2,
	    "rule readonly-not-writable: a readOnly row cannot change (%s)",
	    err.text);
	referd_config_free(next);

	referd_config_dup(prev, &next);
	next->gw[1].storage = REFERD_ST_NONVOLATILE;
	ok(referd_config_validate(prev, next, &err) == EINVAL &&
	    err.rule == REFERD_RULE_STORAGE_CHANGE,
	    "rule storage-type-change: permanent cannot become nonVolatile "
	    "(%s)", err.text);
	referd_config_free(next);

	referd_config_dup(prev, &next);
	next->gw[0].storage = REFERD_ST_VOLATILE;
	ok(referd_config_validate(prev, next, &err) == 0,
	    "nonVolatile can become volatile (%s)", err.text);
	referd_config_free(next);
	referd_config_free(prev);
}

/* The table primitives the agent builds on. */
static void
test_tables(void)
{
	struct referd_config *c, *d;
	struct referd_route r;

	referd_config_new(&c);
	for (uint32_t i = 50; i >= 1; i--) {
		referd_route_init(&r, i * 7);
		referd_config_put_route(c, &r);
	}
	ok(c->n_route == 50 && c->route[0].index == 7 &&
	    c->route[49].index == 350, "rows are kept sorted by index");
	r.index = 14;
	r.gw_index = 99;
	referd_config_put_route(c, &r);
	ok(c->n_route == 50 && referd_config_route(c, 14)->gw_index == 99,
	    "putting an existing index replaces the row");
	ok(referd_config_route(c, 15) == NULL, "a missing index is not found");
	ok(referd_config_del(c, REFERD_TABLE_ROUTE, 14) == 0 &&
	    referd_config_route(c, 14) == NULL && c->n_route == 49,
	    "a row can be removed");
	ok(referd_config_del(c, REFERD_TABLE_ROUTE, 14) == ENOENT,
	    "removing a missing row says ENOENT");
	referd_config_dup(c, &d);
	d->route[0].gw_index = 1234;
	ok(c->route[0].gw_index != 1234 && d->n_route == 49,
	    "a copy is independent of its original");
	c->route[3].storage = REFERD_ST_PERMANENT;
	c->route[5].storage = REFERD_ST_READONLY;
	referd_config_drop_storage(c, REFERD_ST_PERMANENT);
	ok(c->n_route == 47, "dropping file rows keeps the others");
	referd_config_free(c);
	referd_config_free(d);
	ok(referd_addr_is_literal("192.0.2.1") && referd_addr_is_literal("::1") &&
	    referd_addr_is_literal("2001:db8::5") &&
	    !referd_addr_is_literal("192.0.2") &&
	    !referd_addr_is_literal("example.com") &&
	    !referd_addr_is_literal(""), "IP literals are recognised");
}

int
main(void)
{
	test_valid();
	test_rules();
	test_storage();
	test_tables();
	return tap_done();
}
