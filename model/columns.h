/*
 * columns.h: REFERD-MIB's tables described by their columns, shared by
 * the agent (its row engine, agent/mib.c, and its persistent file,
 * agent/persist.c) and referctl.
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
};

struct column {
	unsigned      arc;
	const char   *name;
	enum col_kind kind;
	size_t        off;     /* offset in the row struct */
	long          min, max; /* value range, or string length range */
};

#define COL_END { 0, NULL, K_INDEX, 0, 0, 0 }

/* Pseudo-tables that are not configuration. */
#define TABLE_STATS 100
#define TABLE_CALLS 101

struct table {
	int                  id;       /* enum referd_table, or TABLE_* */
	unsigned             arc;      /* under referdObjects */
	uint32_t             max_index;
	const char          *name;
	const struct column *cols;
};

extern const struct table mib_tables[];
extern const size_t mib_n_tables;

/* The MIB table of a configuration table. */
const struct table *mib_table_of(enum referd_table t);

/* A column of a table by its arc, or NULL (t may be NULL). */
const struct column *mib_column(const struct table *t, unsigned arc);

#endif /* REFERD_MODEL_COLUMNS_H */
