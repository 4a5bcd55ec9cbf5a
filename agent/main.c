/*
 * main.c: the referd daemon: command line, logging, the configuration
 * file, the agent thread's libev loop, the engine thread, and signals.
 *
 * Threads: this (main) thread runs the agent's libev loop (the default
 * loop): signals, the engine's event queue and, later, net-snmp.  The
 * engine runs on its own thread and loop (sip/engine.c).  The two meet
 * only through engine_apply(), engine_stats_get() and the event queue.
 */
#include "referd-build.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ev.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include "agent/conffile.h"
#include "cdr/radius.h"
#include "cdr/writer.h"
#include "agent/evq.h"
#include "agent/mib.h"
#include "agent/notify.h"
#include "agent/persist.h"
#include "agent/service.h"
#include "agent/snmploop.h"
#include "model/config.h"
#include "sip/engine.h"

/*
 * For -M mode: the VACM MIB's tables (libnetsnmpmibs), and net-snmp's
 * warning that no access control is configured (libnetsnmpagent's
 * vacm_conf module, which init_agent starts in a master agent).  Neither
 * library installs a header declaring them.
 */
void init_vacm_vars(void);
SNMPCallback vacm_warn_if_not_configured;

#ifdef HAVE_JEMALLOC
/*
 * jemalloc's options, read when it starts: a background thread gives
 * freed pages back to the system (10 s decay), so resident memory returns
 * to its baseline after a burst of calls even when referd goes idle.
 */
const char *malloc_conf = "background_thread:true";
#define REFERD_ALLOCATOR "jemalloc"
#else
#define REFERD_ALLOCATOR "glibc malloc"
#endif

#ifndef REFERD_SYSCONFDIR
#define REFERD_SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG REFERD_SYSCONFDIR "/referd/referd.conf"

/* What the command line asked for. */
struct options {
	int         foreground;
	int         log_given;
	const char *config_path;
	int         config_explicit;
	const char *agentx_address;
	const char *master_address;
	const char *pidfile;
};

/* The daemon's state, owned by the main thread. */
struct referd {
	struct options        opt;
	struct ev_loop       *loop;
	struct evq           *evq;
	struct engine        *engine;
	struct cdr_writer    *cdr;       /* the CDR files' thread */
	struct cdr_radius    *radius;    /* RADIUS accounting's thread */
	ev_timer              acct_watch; /* its server status, for the trap */
	unsigned              acct_changes;
	struct snmploop      *snmploop;
	struct mib_ctx        mib;
	char                  persist_path[PATH_MAX];
	struct referd_config *running;   /* the agent's copy */
	ev_signal             sig_term, sig_int, sig_hup;
	ev_timer              hup_retry;
	int                   exit_code;
	struct referd_config *file;      /* the file as init_snmp read it */
	int                   file_rc;
};

/*
 * agentxPingInterval is net-snmp's own token, but the first AgentX
 * session is opened (and its ping scheduled) before the configuration
 * file is read in full; so its value is taken during the early check.
 */
static int ping_interval;

static void
parse_ping_interval(const char *token, char *line)
{
	int v = atoi(line);

	if (v < 1 || v > 3600)
		config_perror("agentxPingInterval: expected 1 to 3600 seconds");
	else
		ping_interval = v;
}

/*
 * The AgentX session to the master went down.  net-snmp would log each
 * failed reconnection (every ping interval, for as long as the master is
 * away); referd logs the loss once, here, and keeps those quiet.
 */
static int
on_agentx_stop(int major, int minor, void *server, void *client)
{
	snmp_log(LOG_WARNING, "AgentX: master agent lost; calls go on; "
	    "reconnecting every %d s\n", netsnmp_ds_get_int(
	    NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL));
	return 0;
}

/* Print the usage text. */
static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: referd [-f] [-c FILE] [-x ADDRESS | -M ADDRESS] [-p PIDFILE]\n"
	    "              [-L LOGOPTS] [-D TOKENS] [-V] [-h]\n"
	    "\n"
	    "  -f          stay in the foreground (log to stderr unless -L says otherwise)\n"
	    "  -c FILE     configuration file (default %s)\n"
	    "  -x ADDRESS  master agent's AgentX address: subagent mode, the default\n"
	    "  -M ADDRESS  be a master SNMP agent listening on ADDRESS (e.g. udp:127.0.0.1:1161)\n"
	    "  -p PIDFILE  write the process id to PIDFILE\n"
	    "  -L LOGOPTS  net-snmp logging options:\n",
	    DEFAULT_CONFIG);
	snmp_log_options_usage("                ", out);
	fprintf(out,
	    "  -D TOKENS   turn on net-snmp debugging output for TOKENS\n"
	    "  -V          print the version and exit\n"
	    "  -h          print this help and exit\n"
	    "\n"
	    "Signals: SIGTERM stops referd cleanly; SIGHUP re-reads the configuration file.\n");
}

/* Print versions of referd and the libraries it runs on. */
static void
version(void)
{
	printf("referd %s\n", PACKAGE_VERSION);
	printf("net-snmp %s, libev %d.%d, built with oSIP2 %s, %s\n",
	    netsnmp_get_version(), ev_version_major(), ev_version_minor(),
	    REFERD_OSIP_VERSION, REFERD_ALLOCATOR);
}

/* Parse the command line; returns 0, 1 to exit successfully, or -1. */
static int
parse_args(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->config_path = DEFAULT_CONFIG;
	opterr = 0;
	while ((c = getopt(argc, argv, ":fc:x:M:p:L:D:Vh")) != -1) {
		switch (c) {
		case 'f':
			o->foreground = 1;
			break;
		case 'c':
			o->config_path = optarg;
			o->config_explicit = 1;
			break;
		case 'x':
			o->agentx_address = optarg;
			break;
		case 'M':
			o->master_address = optarg;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'L':
			if (snmp_log_options(optarg, argc, argv) < 0) {
				fprintf(stderr, "referd: bad -L option \"%s\"\n",
				    optarg);
				return -1;
			}
			o->log_given = 1;
			break;
		case 'D':
			debug_register_tokens(optarg);
			snmp_set_do_debugging(1);
			break;
		case 'V':
			version();
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "referd: option -%c needs an argument\n",
			    optopt);
			usage(stderr);
			return -1;
		default:
			fprintf(stderr, "referd: unknown option -%c\n", optopt);
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "referd: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(stderr);
		return -1;
	}
	if (o->agentx_address != NULL && o->master_address != NULL) {
		fprintf(stderr, "referd: -x and -M exclude each other\n");
		return -1;
	}
	return 0;
}

/*
 * A line of the engine's: "[INSTANCE] engine: TEXT", the instance the
 * engine had when it made the line (the CDR threads' lines have none).
 */
static void
engine_line(int level, const struct engine_event *ev)
{
	if (ev->instance[0] != '\0')
		snmp_log(level, "[%s] engine: %s\n", ev->instance, ev->text);
	else
		snmp_log(level, "engine: %s\n", ev->text);
}

/* Engine events, delivered on the main thread by the queue. */
static void
on_engine_event(const struct engine_event *ev, void *arg)
{
	switch (ev->type) {
	case ENGINE_EV_LOG:
		engine_line(ev->level, ev);
		break;
	case ENGINE_EV_CONFIG_APPLIED:
	case ENGINE_EV_STOPPED:
		engine_line(LOG_INFO, ev);
		break;
	case ENGINE_EV_SIG_STATUS:
		notify_sig_status(ev->index, ev->up);
		break;
	case ENGINE_EV_DA_TIMEOUT:
		engine_line(LOG_NOTICE, ev);
		notify_da_timeout(ev->index, ev->call_index, ev->call_id);
		break;
	case ENGINE_EV_TRANSFER_FAILED:
		engine_line(LOG_NOTICE, ev);
		notify_transfer_failed(ev->index, ev->call_index, ev->call_id,
		    ev->target, ev->status);
		break;
	case ENGINE_EV_REPLACES_REFUSED:
		engine_line(LOG_NOTICE, ev);
		notify_replaces_refused(ev->index, ev->call_index, ev->call_id,
		    ev->source, ev->status);
		break;
	}
}

/* Hand the engine a copy of the running configuration. */
static int
referd_push_config(struct referd *r)
{
	struct referd_config *snap;
	int rc = referd_config_dup(r->running, &snap);

	mib_config_changed();
	if (rc) {
		snmp_log(LOG_ERR, "cannot copy the configuration: %s\n",
		    strerror(rc));
		return rc;
	}
	return engine_apply(r->engine, snap);
}

/*
 * Read the configuration file into the running configuration (the engine
 * is not told; see referd_push_config).  At start an unreadable or
 * invalid file is fatal; on SIGHUP it leaves the running configuration
 * exactly as it was.
 */
static int
referd_read_config(struct referd *r, int at_start)
{
	struct referd_config *file = NULL, *merged = NULL;
	struct referd_config_error verr;
	int rc;

	rc = conffile_load(r->opt.config_path, &file);
	if (rc == ENOENT && !r->opt.config_explicit) {
		snmp_log(LOG_NOTICE, "%s: not found; starting with no "
		    "provisioned rows\n", r->opt.config_path);
		rc = referd_config_new(&file);
	} else if (rc == ENOENT) {
		snmp_log(LOG_ERR, "%s: no such file\n", r->opt.config_path);
		return rc;
	}
	if (rc) {
		if (!at_start)
			snmp_log(LOG_ERR, "%s: not reloaded; the running "
			    "configuration is unchanged\n", r->opt.config_path);
		return rc;
	}
	rc = conffile_merge(r->running, file, &merged);
	referd_config_free(file);
	if (rc)
		return rc;
	if (referd_config_validate(NULL, merged, &verr)) {
		snmp_log(LOG_ERR, "%s: rule %s broken: %s; the running "
		    "configuration is unchanged\n", r->opt.config_path,
		    referd_rule_name(verr.rule), verr.text);
		referd_config_free(merged);
		return EINVAL;
	}
	referd_config_free(r->running);
	r->running = merged;
	if (!at_start && (rc = persist_save(r->persist_path, merged)) != 0)
		snmp_log(LOG_ERR, "%s: cannot be written: %s\n",
		    r->persist_path, strerror(rc));
	snmp_log(LOG_INFO, "%s: read: %zu profiles, %zu refer support, "
	    "%zu signaling, %zu gateways, %zu routes\n", r->opt.config_path,
	    merged->n_sgp, merged->n_refer, merged->n_sig, merged->n_gw,
	    merged->n_route);
	return 0;
}

/* SIGTERM / SIGINT: leave the loop; main() shuts down in order. */
static void
on_sig_term(struct ev_loop *loop, ev_signal *w, int revents)
{
	snmp_log(LOG_NOTICE, "signal %d: shutting down\n", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

/* Re-read the configuration file, unless a SET is half done. */
static void
referd_reload(struct referd *r)
{
	if (mib_set_in_progress()) {
		/* A SET between its phases owns the configuration: retry. */
		ev_timer_start(r->loop, &r->hup_retry);
		return;
	}
	snmp_log(LOG_NOTICE, "SIGHUP: re-reading %s\n", r->opt.config_path);
	service_reloading();
	if (referd_read_config(r, 0) == 0) {
		notify_configure(r->running, r->mib.instance_default);
		(void)referd_push_config(r);
	}
	service_ready(r->opt.master_address != NULL);
}

/* SIGHUP: re-read the configuration file. */
static void
on_sig_hup(struct ev_loop *loop, ev_signal *w, int revents)
{
	referd_reload(w->data);
}

/* The deferred SIGHUP. */
static void
on_hup_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
	referd_reload(w->data);
}

/* Write the pid file; returns 0 or an errno value. */
static int
write_pidfile(const char *path)
{
	FILE *f;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return errno;
	}
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0)
		return errno;
	return 0;
}

/* Set up logging: -L wins; otherwise stderr in foreground, syslog else. */
static void
setup_logging(const struct options *o)
{
	if (o->log_given)
		return;
	if (o->foreground)
		snmp_enable_stderrlog();
	else
		snmp_enable_syslog_ident("referd", LOG_DAEMON);
}

/* A log line of the CDR writer's thread: to the agent's thread. */
static void
cdr_log(void *arg, int level, const char *text)
{
	struct engine_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = ENGINE_EV_LOG;
	ev.level = level;
	snprintf(ev.text, sizeof(ev.text), "CDR: %s", text);
	evq_push(&ev, arg);
}

/* The engine's billing records go to the files and to RADIUS. */
static void
acct_record(void *arg, enum cdr_event ev, const struct cdr_record *rec)
{
	struct referd *r = arg;

	cdr_writer_record(r->cdr, ev, rec);
	cdr_radius_record(r->radius, ev, rec);
}

static void
acct_settings(void *arg, const struct cdr_settings *s)
{
	struct referd *r = arg;

	cdr_writer_settings(r->cdr, s);
	cdr_radius_settings(r->radius, s);
}

/* The RADIUS servers stopped or started answering: the trap. */
static void
on_acct_watch(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct referd *r = w->data;
	struct cdr_radius_stats st;

	(void)loop;
	(void)revents;
	cdr_radius_stats_get(r->radius, &st);
	if (st.changes == r->acct_changes)
		return;
	r->acct_changes = st.changes;
	if (st.up >= 0)
		notify_acct_status(st.up);
}

/* Start the engine thread with every signal blocked in it. */
static int
start_engine(struct referd *r)
{
	sigset_t all, old;
	int rc;

	rc = engine_new(&r->engine, evq_push, r->evq);
	if (rc)
		return rc;
	/* -D referd (or -D ALL): the engine logs its state changes too. */
	engine_set_debug(r->engine, debug_is_token_registered("referd") ==
	    SNMPERR_SUCCESS);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	/* The CDR writer's thread, signals blocked too; the engine's sink. */
	rc = cdr_writer_new(&r->cdr, cdr_log, r->evq);
	if (rc == 0)
		rc = cdr_radius_new(&r->radius, cdr_log, r->evq);
	if (rc == 0) {
		engine_set_cdr(r->engine, &(struct cdr_sink){ .record =
		    acct_record, .settings = acct_settings, .arg = r });
		rc = engine_start(r->engine);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/*
 * The configuration file, read during init_snmp() as net-snmp reads its
 * own configuration files: after the persistent file, and before every
 * other callback that acts on what was read (this one runs first).  For
 * -M, its rocommunity, rwuser, createUser, trap2sink ... lines are then
 * in place when the agent starts; net-snmp's own check for access control
 * ran before referd had read them, and named a configuration path that
 * referd does not use, so referd checks itself, here.
 */
static int
on_config_read(int major, int minor, void *server, void *client)
{
	struct referd *r = client;

	r->file_rc = conffile_load(r->opt.config_path, &r->file);
	if (r->file_rc == ENOENT && !r->opt.config_explicit)
		r->file_rc = referd_config_new(&r->file);
	if (r->opt.master_address != NULL && !vacm_is_configured())
		snmp_log(LOG_WARNING, "%s: no SNMP access is configured "
		    "(rocommunity, rwcommunity, rouser, rwuser): every request "
		    "will be refused\n", r->opt.config_path);
	return SNMPERR_SUCCESS;
}

/*
 * Start the SNMP side: the subagent (or the master agent for -M), the
 * MIB handler, and the reading of both files by net-snmp, so that its own
 * tokens (agentxPingInterval, and for -M rocommunity, rwuser, createUser,
 * trap2sink ...) are read at the right moment.  The configuration file
 * was checked already; the persistent file is laid over it.
 */
static int
referd_snmp_init(struct referd *r)
{
	struct referd_config *merged = NULL;
	int master = r->opt.master_address != NULL;
	/* referd is no SMUX master: net-snmp's smux module stays off. */
	char noinit[] = "-smux";
	int rc;

	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	if (master) {
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_ROLE, 0);   /* master */
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_PORTS, r->opt.master_address);
	} else {
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_ROLE, 1);   /* subagent */
		if (r->opt.agentx_address != NULL)
			netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
			    NETSNMP_DS_AGENT_X_SOCKET, r->opt.agentx_address);
	}
	add_to_init_list(noinit);
	if (init_agent("referd") != 0) {
		snmp_log(LOG_ERR, "cannot initialise the SNMP agent\n");
		return EIO;
	}
	if (master) {
		/* init_agent started the vacm_conf module (the tokens and the
		 * access checks); its warning is replaced by on_config_read's. */
		init_vacm_vars();
		snmp_unregister_callback(SNMP_CALLBACK_LIBRARY,
		    SNMP_CALLBACK_POST_READ_CONFIG, vacm_warn_if_not_configured,
		    NULL, 0);
	}
	snprintf(r->persist_path, sizeof(r->persist_path), "%s",
	    persist_default_path());
	r->mib.running = &r->running;
	r->mib.engine = r->engine;
	r->mib.persist_path = r->persist_path;
	r->mib.cdr = r->cdr;
	r->mib.radius = r->radius;
	r->mib.instance_default = engine_instance_default(r->engine);
	if ((rc = mib_register(&r->mib)) != 0) {
		snmp_log(LOG_ERR, "cannot register REFERD-MIB: %s\n",
		    strerror(rc));
		return rc;
	}
	if (ping_interval > 0)
		netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL, ping_interval);
	/* net-snmp reads the persistent file, and referd its configuration
	 * file, during init_snmp. */
	if ((rc = persist_begin()) != 0)
		return rc;
	netsnmp_register_callback(SNMP_CALLBACK_LIBRARY,
	    SNMP_CALLBACK_POST_READ_CONFIG, on_config_read, r,
	    NETSNMP_CALLBACK_HIGHEST_PRIORITY);
	if (!master)
		service_watch_agentx();
	init_snmp("referd");
	snmp_unregister_callback(SNMP_CALLBACK_LIBRARY,
	    SNMP_CALLBACK_POST_READ_CONFIG, on_config_read, r, 1);
	if (!master) {
		/* The first attempt has been logged; retries stay quiet. */
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
		    NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
		snmp_register_callback(SNMP_CALLBACK_APPLICATION,
		    SNMPD_CALLBACK_INDEX_STOP, on_agentx_stop, NULL);
	}
	if (master && init_master_agent() != 0) {
		snmp_log(LOG_ERR, "cannot listen on %s\n",
		    r->opt.master_address);
		return EADDRINUSE;
	}
	if (r->file == NULL) {
		snmp_log(LOG_ERR, "%s changed while referd started\n",
		    r->opt.config_path);
		return r->file_rc ? r->file_rc : EINVAL;
	}
	rc = persist_end(r->persist_path, r->file, &merged);
	referd_config_free(r->file);
	r->file = NULL;
	if (rc)
		return rc;
	referd_config_free(r->running);
	r->running = merged;
	notify_configure(merged, r->mib.instance_default);
	snmp_log(LOG_INFO, "%s mode%s%s; persistent state in %s; instance "
	    "%s\n", master ? "master agent" : "AgentX subagent",
	    master ? " on " : "",
	    master ? r->opt.master_address : "", r->persist_path,
	    referd_instance_name(merged, r->mib.instance_default));
	return 0;
}

/*
 * Every call holds four media sockets (RTP and RTCP on two legs): referd
 * raises its soft limit on open files to the hard limit at start.
 */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	{
		unsigned long was = (unsigned long)rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			snmp_log(LOG_INFO, "open files limit raised from %lu "
			    "to %lu\n", was, (unsigned long)rl.rlim_cur);
	}
}

int
main(int argc, char **argv)
{
	struct referd r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = parse_args(argc, argv, &r.opt);
	if (rc != 0)
		return rc > 0 ? 0 : 1;
	setup_logging(&r.opt);

	/*
	 * net-snmp reads exactly two files for referd: the configuration file
	 * (-c) and the persistent file in its persistent directory.  Its
	 * default configuration path (/etc/snmp ...) and SNMPCONFPATH are not
	 * used: they hold other programs' settings.
	 */
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_APPTYPE,
	    "referd");
	unsetenv("SNMPCONFPATH");
	setenv("MIBS", "", 1);          /* referd needs no MIB files itself */
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_CONFIGURATION_DIR, "/dev/null/referd-none");
	conffile_register();
	persist_register();
	if ((rc = referd_config_new(&r.running)) != 0) {
		snmp_log(LOG_ERR, "out of memory\n");
		return 1;
	}
	/* Check the file before daemonizing so the caller hears of errors. */
	register_app_config_handler("agentxPingInterval", parse_ping_interval,
	    NULL, "SECONDS");
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_NO_TOKEN_WARNINGS, 1);
	rc = referd_read_config(&r, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_NO_TOKEN_WARNINGS, 0);
	if (rc != 0) {
		snmp_log(LOG_ERR, "referd not started\n");
		referd_config_free(r.running);
		return 1;
	}

	if (!r.opt.foreground && netsnmp_daemonize(1, 0) != 0) {
		snmp_log(LOG_ERR, "cannot run in the background\n");
		return 1;
	}
	if (r.opt.pidfile != NULL && (rc = write_pidfile(r.opt.pidfile))) {
		snmp_log(LOG_ERR, "%s: %s\n", r.opt.pidfile, strerror(rc));
		return 1;
	}
	snmp_log(LOG_NOTICE, "referd %s starting\n", PACKAGE_VERSION);
	raise_nofile();

	r.loop = ev_default_loop(EVFLAG_AUTO);
	if ((rc = evq_new(&r.evq, r.loop, on_engine_event, &r)) != 0 ||
	    (rc = start_engine(&r)) != 0) {
		snmp_log(LOG_ERR, "cannot start the engine: %s\n", strerror(rc));
		r.exit_code = 1;
		goto out;
	}
	if (referd_snmp_init(&r) != 0 || referd_push_config(&r) != 0) {
		r.exit_code = 1;
		goto out;
	}
	if ((rc = snmploop_new(&r.snmploop, r.loop)) != 0) {
		snmp_log(LOG_ERR, "cannot drive net-snmp: %s\n", strerror(rc));
		r.exit_code = 1;
		goto out;
	}

	ev_signal_init(&r.sig_term, on_sig_term, SIGTERM);
	ev_signal_init(&r.sig_int, on_sig_term, SIGINT);
	ev_signal_init(&r.sig_hup, on_sig_hup, SIGHUP);
	r.sig_hup.data = &r;
	ev_signal_start(r.loop, &r.sig_term);
	ev_signal_start(r.loop, &r.sig_int);
	ev_signal_start(r.loop, &r.sig_hup);
	ev_timer_init(&r.hup_retry, on_hup_retry, 0.1, 0.);
	r.hup_retry.data = &r;
	/* The accounting thread's server status, read twice a second. */
	ev_timer_init(&r.acct_watch, on_acct_watch, 0.5, 0.5);
	r.acct_watch.data = &r;
	ev_timer_start(r.loop, &r.acct_watch);

	service_ready(r.opt.master_address != NULL);
	ev_run(r.loop, 0);
	service_stopping();

	ev_signal_stop(r.loop, &r.sig_term);
	ev_signal_stop(r.loop, &r.sig_int);
	ev_signal_stop(r.loop, &r.sig_hup);
	ev_timer_stop(r.loop, &r.hup_retry);
	ev_timer_stop(r.loop, &r.acct_watch);
out:
	if (r.engine != NULL)
		engine_stop(r.engine);
	/* The calls the engine ended at its stop are in the queues: written,
	 * and RADIUS requests not sent yet spooled. */
	cdr_writer_free(r.cdr);
	cdr_radius_free(r.radius);
	if (r.evq != NULL)
		evq_drain(r.evq);
	engine_free(r.engine);
	evq_free(r.evq);
	snmploop_free(r.snmploop);
	/* Every committed change is on disk already; write it once more and
	 * keep net-snmp from rewriting the file its own, non-atomic way. */
	if (r.exit_code == 0 && r.running != NULL &&
	    persist_save(r.persist_path, r.running) != 0)
		snmp_log(LOG_ERR, "%s: cannot be written\n", r.persist_path);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	referd_config_free(r.file);
	referd_config_free(r.running);
	if (r.opt.pidfile != NULL)
		unlink(r.opt.pidfile);
	snmp_log(LOG_NOTICE, "referd stopped\n");
	snmp_shutdown("referd");
	return r.exit_code;
}
