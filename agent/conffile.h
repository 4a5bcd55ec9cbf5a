/*
 * conffile.h: the configuration file (net-snmp config syntax) that
 * pre-provisions rows of REFERD-MIB.  See referd.conf(5).
 */
#ifndef REFERD_AGENT_CONFFILE_H
#define REFERD_AGENT_CONFFILE_H

#include "model/config.h"

/* Register referd's configuration tokens with net-snmp. */
void conffile_register(void);

/*
 * Read path into a new configuration holding only the rows and settings
 * the file provisions (storage permanent, or readOnly where the line
 * says so, all active).  Syntax errors are logged with the file name and
 * line by net-snmp; the whole-configuration rules are checked too and
 * the failed one is logged.  Returns 0 with *cfgp set, ENOENT when the
 * file does not exist, or EINVAL when it has errors (nothing is set).
 */
int conffile_load(const char *path, struct referd_config **cfgp);

/*
 * The same in two steps, for when net-snmp reads the file itself (during
 * init_snmp, with the agent's own tokens): begin before, end after.
 */
int conffile_begin(void);
int conffile_end(const char *path, struct referd_config **cfgp);

/*
 * Merge a freshly read file configuration into the running one: rows
 * the file provisioned before are replaced by what it provisions now,
 * rows created over SNMP (volatile, nonVolatile) are kept, and the
 * file's scalars win.  Returns 0 with *mergedp set, or an errno value.
 */
int conffile_merge(const struct referd_config *running,
    const struct referd_config *file, struct referd_config **mergedp);

#endif /* REFERD_AGENT_CONFFILE_H */
