/*
 * persist.h: the configuration made over SNMP, kept in net-snmp's
 * persistent directory as referd.conf.
 */
#ifndef REFERD_AGENT_PERSIST_H
#define REFERD_AGENT_PERSIST_H

#include "model/config.h"

/* Register the persistent file's tokens. */
void persist_register(void);

/* The persistent file's path (net-snmp's persistent directory). */
const char *persist_default_path(void);

/*
 * Write cfg's nonVolatile and permanent rows and its scalars, plus what
 * net-snmp's own modules store (SNMPv3 users in -M mode), to path:
 * a temporary file, fsync, rename over path, fsync of the directory.
 * Returns 0 or an errno value; on error path is unchanged.
 */
int persist_save(const char *path, const struct referd_config *cfg);

/*
 * Read path (if it exists) and lay what it holds over base, the rows of
 * the configuration file: nonVolatile rows are added, permanent rows take
 * their saved column values if the file still provisions them, readOnly
 * rows are never changed.  A line that cannot be read, or a row that
 * breaks a rule of the MIB, is dropped and logged exactly.  Returns 0
 * with *cfgp set (a new configuration), or ENOMEM.
 */
int persist_load(const char *path, const struct referd_config *base,
    struct referd_config **cfgp);

/* The same in two steps, around net-snmp reading the file itself. */
int persist_begin(void);
int persist_end(const char *path, const struct referd_config *base,
    struct referd_config **cfgp);

#endif /* REFERD_AGENT_PERSIST_H */
