/*
 * test_conffile.c: the configuration-file reader, through net-snmp's
 * real config machinery: every token, its refusals, and the merge on
 * SIGHUP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "agent/conffile.h"
#include "tap.h"

static char path[] = "/tmp/referd-conffile-XXXXXX";

/* Write text to the test file and load it. */
static int
load(const char *text, struct referd_config **cfgp)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	*cfgp = NULL;
	return conffile_load(path, cfgp);
}

static const char good[] =
    "# a full configuration\n"
    "maxCalls 250\n"
    "notifyRateLimit 20\n"
    "rtpPortRange 30000 30999\n"
    "inviteTimeout 30\n"
    "dialogKeepalive 45\n"
    "cdrDirectory /var/spool/referd/cdr\n"
    "cdrFormat json\n"
    "cdrRotateSize 1048576\n"
    "cdrRotateInterval 900\n"
    "cdrSyncInterval 250\n"
    "radiusServer 127.0.0.9\n"
    "radiusPort 11813\n"
    "radiusSecret s3cr3t\n"
    "radiusServer2 ::1\n"
    "radiusSpoolDirectory /var/spool/referd/radius\n"
    "radiusTimeout 2\n"
    "radiusRetryInterval 30\n"
    "radiusInterimInterval 300\n"
    "profile 1 pbx\n"
    "profile 2 ivr 100rel required readOnly\n"
    "refer 1 support enabled fromHeader originalCaller delayedAnswer enabled "
    "delayedAnswerTimer 5 releaseSession enabled\n"
    "refer 2\n"
    "signaling 1 127.0.0.1 port 5070 transport tcp profile 1\n"
    "signaling 2 ::1\n"
    "gateway 7 carrier-a 127.0.0.2 port 0 profile 2\n"
    "gateway 8 carrier-b 127.0.0.3 transport tcp readOnly\n"
    "route 1 +4420 7\n"
    "route 2 default 8\n";

static void
test_good(void)
{
	struct referd_config *c;
	const struct referd_refer *r;
	const struct referd_sig *s;
	const struct referd_gw *g;

	ok(load(good, &c) == 0 && c != NULL, "a full file loads");
	if (c == NULL)
		return;
	ok(c->max_calls == 250 && c->notify_rate_limit == 20 &&
	    c->rtp_port_min == 30000 && c->rtp_port_max == 30999 &&
	    c->invite_timeout == 30 && c->dialog_keepalive == 45,
	    "scalars are read");
	ok(strcmp(c->cdr_dir, "/var/spool/referd/cdr") == 0 &&
	    c->cdr_format == REFERD_CDR_JSON && c->cdr_rotate_size == 1048576 &&
	    c->cdr_rotate_interval == 900 && c->cdr_sync_interval == 250,
	    "the CDR settings are read");
	ok(strcmp(c->radius_server, "127.0.0.9") == 0 &&
	    c->radius_port == 11813 && strcmp(c->radius_secret, "s3cr3t") == 0 &&
	    strcmp(c->radius_server2, "::1") == 0 && c->radius_port2 == 1813 &&
	    strcmp(c->radius_spool, "/var/spool/referd/radius") == 0 &&
	    c->radius_timeout == 2 && c->radius_retry == 30 &&
	    c->radius_interim == 300,
	    "the RADIUS settings are read, port 1813 by default");
	ok(c->n_sgp == 2 && strcmp(referd_config_sgp(c, 1)->name, "pbx") == 0 &&
	    referd_config_sgp(c, 1)->storage == REFERD_ST_PERMANENT &&
	    referd_config_sgp(c, 2)->storage == REFERD_ST_READONLY &&
	    referd_config_sgp(c, 2)->status == REFERD_RS_ACTIVE,
	    "profiles are permanent, or readOnly when the line says so");
	ok(referd_config_sgp(c, 1)->rel100 == REFERD_100REL_SUPPORTED &&
	    referd_config_sgp(c, 2)->rel100 == REFERD_100REL_REQUIRED,
	    "referdSgp100rel: supported by default, or as the line says");
	r = referd_config_refer(c, 1);
	ok(r && r->support == REFERD_ENABLED &&
	    r->from_header == REFERD_FROM_ORIGINAL_CALLER &&
	    r->delayed_answer == REFERD_ENABLED && r->da_timer == 5 &&
	    r->release_session == REFERD_ENABLED,
	    "every Refer Support field is read");
	r = referd_config_refer(c, 2);
	ok(r && r->support == REFERD_DISABLED &&
	    r->from_header == REFERD_FROM_REFERRED_BY &&
	    r->delayed_answer == REFERD_DISABLED && r->da_timer == 1 &&
	    r->release_session == REFERD_DISABLED,
	    "an empty refer line has the MIB defaults");
	s = referd_config_sig(c, 1);
	ok(s && strcmp(s->address, "127.0.0.1") == 0 && s->port == 5070 &&
	    s->transport == REFERD_TRANSPORT_TCP && s->sgp_index == 1,
	    "a signaling line with options");
	s = referd_config_sig(c, 2);
	ok(s && s->port == 5060 && s->transport == REFERD_TRANSPORT_UDP &&
	    s->sgp_index == 0, "a signaling line with defaults");
	g = referd_config_gw(c, 7);
	ok(g && strcmp(g->name, "carrier-a") == 0 && g->port == 0 &&
	    g->sgp_index == 2, "a gateway with port 0 (any source port)");
	g = referd_config_gw(c, 8);
	ok(g && g->transport == REFERD_TRANSPORT_TCP && g->port == 5060 &&
	    g->storage == REFERD_ST_READONLY, "a readOnly tcp gateway");
	ok(c->n_route == 2 && strcmp(referd_config_route(c, 1)->prefix,
	    "+4420") == 0 && referd_config_route(c, 2)->prefix[0] == '\0' &&
	    referd_config_route(c, 2)->gw_index == 8,
	    "routes, with \"default\" as the empty prefix");
	referd_config_free(c);
}

/* Files that must be refused, each for one reason. */
static void
test_bad(void)
{
	static const struct {
		const char *what, *text;
	} bad[] = {
		{ "a non-numeric maxCalls", "maxCalls lots\n" },
		{ "a profile index out of range", "profile 1025 x\n" },
		{ "a profile without a name", "profile 3\n" },
		{ "a 33-character name",
		  "profile 3 abcdefghijklmnopqrstuvwxyz0123456\n" },
		{ "a profile twice", "profile 3 a\nprofile 3 b\n" },
		{ "an unknown refer keyword", "profile 1 a\nrefer 1 color blue\n" },
		{ "a bad switch value", "profile 1 a\nrefer 1 support maybe\n" },
		{ "a bad 100rel value", "profile 1 a 100rel always\n" },
		{ "a timer without Delayed Answer",
		  "profile 1 a\nrefer 1 support enabled delayedAnswerTimer 3\n" },
		{ "a timer of 11 minutes",
		  "profile 1 a\nrefer 1 support enabled delayedAnswer enabled "
		  "delayedAnswerTimer 11\n" },
		{ "Delayed Answer without Refer Support",
		  "profile 1 a\nrefer 1 delayedAnswer enabled\n" },
		{ "a refer row without its profile", "refer 4\n" },
		{ "a host name as address", "signaling 1 localhost\n" },
		{ "a signaling port 0", "signaling 1 127.0.0.1 port 0\n" },
		{ "a transport other than udp/tcp",
		  "signaling 1 127.0.0.1 transport sctp\n" },
		{ "a duplicate endpoint",
		  "signaling 1 127.0.0.1\nsignaling 2 127.0.0.1\n" },
		{ "a gateway naming a missing profile",
		  "gateway 1 a 127.0.0.2 profile 9\n" },
		{ "a route to a missing gateway", "route 1 12 5\n" },
		{ "a prefix with letters", "gateway 1 a 127.0.0.2\nroute 1 12ab 1\n" },
		{ "duplicate profile names", "profile 1 a\nprofile 2 a\n" },
		{ "an odd media port range start", "rtpPortRange 20001 20100\n" },
		{ "a dialog keepalive over an hour", "dialogKeepalive 3601\n" },
		{ "a dialog keepalive that is not a number", "dialogKeepalive often\n" },
		{ "a CDR format other than csv/json", "cdrFormat xml\n" },
		{ "two CDR directories on a line", "cdrDirectory /a /b\n" },
		{ "a CDR sync interval over a minute", "cdrSyncInterval 60001\n" },
		{ "a CDR rotation interval over a week",
		  "cdrRotateInterval 604801\n" },
		{ "a RADIUS server that is a host name",
		  "radiusServer radius.example\n" },
		{ "a RADIUS secret with a colon", "radiusSecret a:b\n" },
		{ "a RADIUS port 0", "radiusPort 0\n" },
		{ "a RADIUS timeout of 0", "radiusTimeout 0\n" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct referd_config *c;

		ok(load(bad[i].text, &c) == EINVAL && c == NULL,
		    "refused: %s", bad[i].what);
	}
	ok(conffile_load("/nonexistent/referd.conf", &(struct referd_config *){
	    NULL }) == ENOENT, "a missing file is ENOENT");
}

/* SIGHUP merge: file rows replaced, SNMP rows kept. */
static void
test_merge(void)
{
	struct referd_config *running, *file, *m;
	struct referd_sgp s;

	load("profile 1 old\nprofile 2 gone\n", &running);
	referd_sgp_init(&s, 5);
	strcpy(s.name, "from-snmp");
	s.status = REFERD_RS_ACTIVE;
	referd_config_put_sgp(running, &s);
	load("maxCalls 9\nprofile 1 new\n", &file);
	ok(conffile_merge(running, file, &m) == 0 && m->n_sgp == 2 &&
	    strcmp(referd_config_sgp(m, 1)->name, "new") == 0 &&
	    referd_config_sgp(m, 2) == NULL &&
	    strcmp(referd_config_sgp(m, 5)->name, "from-snmp") == 0 &&
	    m->max_calls == 9,
	    "a reload replaces file rows and keeps rows created over SNMP");
	referd_config_free(running);
	referd_config_free(file);
	referd_config_free(m);
}

int
main(void)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return 99;
	close(fd);
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_APPTYPE,
	    "referd");
	snmp_enable_stderrlog();
	conffile_register();
	test_good();
	test_bad();
	test_merge();
	unlink(path);
	return tap_done();
}
