/*
 * columns.h: REFERD-MIB described once, column by column: where each
 * column is (its arc), what it holds (kind, range, enumeration values),
 * what the configuration file calls it, and what referctl calls it and
 * shows.  The agent's row engine
 * (agent/mib.c), its persistent file (agent/persist.c) and its
 * configuration-file reader (agent/conffile.c), and referctl (cli/),
 * all read these tables; none keeps a list of columns of its own.
 */
#ifndef REFERD_MODEL_COLUMNS_H
#define REFERD_MODEL_COLUMNS_H

#include <stddef.h>
#include <stdint.h>

#include "model/config.h"

/* What a column holds and how it is written. */
enum col_kind {
	K_INDEX,       /* not-accessible index */
	K_U32,         /* Unsigned32 field */
	K_ENUM,        /* INTEGER enumeration field (int) */
	K_STRING,      /* DisplayString field */
	K_ADDRESS,     /* DisplayString holding an IP literal */
	K_PREFIX,      /* DisplayString of 0-9*#+ */
	K_STORAGE,     /* StorageType */
	K_ROWSTATUS,   /* RowStatus */
	K_OPER,        /* referdSigOperStatus, from the engine */
	K_COUNTER,     /* Counter64 from the engine */
	K_CALL,        /* a column of the engine's call table */
	K_RUNTIME,     /* a read-only scalar the agent computes */
	K_PORT_RANGE,  /* two uint32_t fields, first and last (no MIB object) */
	K_SECRET,      /* a string written, never read: reads give "" */
};

/*
 * Whether a column that holds a setting is in referdConfigDigest
 * (model/digest.c): every such column says which, so that a new one is
 * classified where it is described (tests/unit/test_digest fails on a
 * setting left DIGEST_UNSET).  Columns the agent computes, indexes,
 * StorageType and RowStatus are out by their kind.
 */
enum col_digest {
	DIGEST_UNSET = 0,
	DIGEST_POLICY,     /* meant to be equal on every instance: in */
	DIGEST_INSTANCE,   /* the instance's own (addresses it listens on,
	                    * paths, ports, its name): out */
	DIGEST_SECRET,     /* a secret: out (model/digest.c says why) */
};

/* One value of an enumeration, in each place where it is written. */
struct col_word {
	int         value;   /* the MIB's number */
	const char *conf;    /* in the configuration file, or NULL */
	const char *cli;     /* referctl's word (command line, lists, JSON) */
	const char *label;   /* referctl's view of one row, or NULL: cli */
};

/* The end of a list of values (no enumeration of the MIB has a 0). */
#define WORDS_END { 0, NULL, NULL, NULL }

/* How a row's line in the configuration file gives a column. */
enum conf_form {
	CONF_NONE = 0,   /* not on the line */
	CONF_WORD,       /* a word after the index, in column order */
	CONF_KEY,        /* `keyword value`, in any order after the words */
};

/*
 * One column.  For referdGeneral, `arc` is the scalar's and `off` is in
 * struct referd_config; the settings the configuration file alone gives
 * follow the scalars with arc 0.
 */
struct column {
	unsigned      arc;
	const char   *name;       /* the MIB object (or the setting) */
	enum col_kind kind;
	size_t        off;        /* offset in the row struct */
	long          min, max;   /* value range, or string length range */
	const struct col_word *words;  /* an enumeration's values, or NULL */
	const char   *chars;      /* a string's characters, or NULL: any
	                           * printable */
	const char   *chars_text; /* ... as a refusal says them */

	/* The configuration file. */
	enum conf_form conf_form;
	const char   *conf;       /* its keyword (a setting's token), or the
	                           * word's name in messages ("address") */
	const char   *conf_empty; /* the word that stands for "" ("default") */
	const char   *conf_usage; /* a setting's arguments, for net-snmp */
	const char   *unit;       /* of a number: "minutes", "seconds" */

	enum col_digest digest;   /* in referdConfigDigest or not */

	/* referctl. */
	const char   *key;        /* FIELD= and JSON key, or NULL: none */
	const char   *label;      /* its text view */
};

#define COL_END { .name = NULL }

/* Pseudo-tables that are not configuration. */
#define TABLE_STATS 100
#define TABLE_CALLS 101

/* How the configuration-file reader words a value a key does not take. */
enum conf_wording {
	CONF_WORDING_NAMED,  /* `signaling: port "0" is not a number from ...` */
	CONF_WORDING_VALUE,  /* `refer: "maybe" is not a valid value for support` */
};

struct table {
	int                  id;       /* enum referd_table, or TABLE_* */
	unsigned             arc;      /* under referdObjects */
	uint32_t             max_index;
	const char          *name;
	const struct column *cols;

	/* The configuration file: a row is `word INDEX ...`; referctl: the
	 * same word names the object (`referctl ... word show INDEX`). */
	const char          *word;       /* the token and object, or NULL */
	const char          *conf_usage; /* its arguments, for net-snmp */
	enum conf_wording    conf_wording;
	const char          *conf_after; /* ends "unexpected WORD" ("" or
	                                  * " after the name") */

	/* referctl. */
	const char          *alias;      /* "gw" */
	const char          *plural;     /* "gateways" */
	const char          *title;      /* "Gateway" */
	enum referd_table    pane;       /* a table whose columns are the
	                                  * object's fields too (a profile's
	                                  * Refer Support row), or NONE */
};

extern const struct table mib_tables[];
extern const size_t mib_n_tables;

/* referdGeneral's scalars (root.1.1.N.0), its columns' arcs. */
enum referd_scalar {
	REFERD_SC_VERSION = 1,
	REFERD_SC_MAX_CALLS,
	REFERD_SC_ACTIVE_CALLS,
	REFERD_SC_NOTIFY_RATE_LIMIT,
	REFERD_SC_NOTIFY_DROPPED,
	REFERD_SC_INSTANCE_NAME,
	REFERD_SC_CONFIG_DIGEST,
	REFERD_SC__LAST = REFERD_SC_CONFIG_DIGEST
};

/* referdGeneral's scalars, then the settings with no MIB object.  Its
 * arcs 1..REFERD_SC__LAST may have gaps: mib_column() says which exist. */
extern const struct table mib_general;

/* referdAccounting's scalars (root.1.10.N.0), its columns' arcs. */
enum referd_acct_scalar {
	REFERD_AC_CDR_DIRECTORY = 1,
	REFERD_AC_CDR_FORMAT,
	REFERD_AC_CDR_ROTATE_SIZE,
	REFERD_AC_CDR_ROTATE_INTERVAL,
	REFERD_AC_CDR_SYNC_INTERVAL,
	REFERD_AC_CDR_WRITTEN,
	REFERD_AC_CDR_FAILED,
	REFERD_AC_RADIUS_SERVER,
	REFERD_AC_RADIUS_PORT,
	REFERD_AC_RADIUS_SECRET,
	REFERD_AC_RADIUS_SERVER2,
	REFERD_AC_RADIUS_PORT2,
	REFERD_AC_RADIUS_SECRET2,
	REFERD_AC_RADIUS_SPOOL,
	REFERD_AC_RADIUS_TIMEOUT,
	REFERD_AC_RADIUS_RETRY,
	REFERD_AC_RADIUS_SENT,
	REFERD_AC_RADIUS_RETRIED,
	REFERD_AC_RADIUS_SPOOLED,
	REFERD_AC_RADIUS_FAILED,
	REFERD_AC_RADIUS_STATUS,
	REFERD_AC_RADIUS_INTERIM,
};

/* referdAccounting: the call detail records and accounting. */
extern const struct table mib_accounting;

/* The groups of scalars, each a table of columns at root.1.ARC.N.0:
 * referdGeneral, referdAccounting; NULL after the last. */
extern const struct table *const mib_scalar_groups[];

/* The MIB table of a configuration table (an enum referd_table), or a
 * pseudo-table (TABLE_STATS, TABLE_CALLS); NULL for anything else. */
const struct table *mib_table_of(int id);

/* The bytes a stored value of column c takes in its struct (a number,
 * an enumeration, a port range, or a string's whole array). */
size_t mib_column_size(const struct column *c);

/* A column of a table by its arc (not 0), or NULL (t may be NULL). */
const struct column *mib_column(const struct table *t, unsigned arc);

#endif /* REFERD_MODEL_COLUMNS_H */
