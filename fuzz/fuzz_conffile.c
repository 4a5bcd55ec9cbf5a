/*
 * fuzz_conffile.c: libFuzzer target for the configuration-file reader
 * (agent/conffile.c) through net-snmp's own config machinery, as referd
 * reads /etc/referd/referd.conf: conffile_load() on a file holding the
 * input.  The file is a memfd, read through /proc/self/fd.
 *
 * net-snmp's include directives (includeFile, includeDir, ...) would make
 * the reader open arbitrary files of the fuzzing host; inputs naming
 * them are skipped.  Only referd's tokens are registered, as in the unit
 * test (no init_snmp), and net-snmp's log is silenced.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "agent/conffile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

static void
init(void)
{
	fd = memfd_create("referd-fuzz-conf", 0);
	if (fd < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	netsnmp_ds_set_string(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_APPTYPE,
	    "referd");
	if (getenv("FUZZ_VERBOSE") != NULL)
		snmp_enable_stderrlog();
	else if (netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE,
	    LOG_DEBUG) == NULL)
		abort();     /* with no handler net-snmp would use stderr */
	conffile_register();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct referd_config *cfg = NULL;
	int rc;

	if (size > 65536)
		return 0;
	for (size_t i = 0; i + 6 <= size; i++)
		if (strncasecmp((const char *)data + i, "nclude", 6) == 0)
			return 0;
	if (fd < 0)
		init();
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	rc = conffile_load(path, &cfg);
	if (rc == 0) {
		/* What the reader hands over passes the whole-config rules. */
		if (cfg == NULL || referd_config_validate(NULL, cfg, NULL) != 0)
			abort();
		referd_config_free(cfg);
	} else if (rc != EINVAL || cfg != NULL)
		abort();
	return 0;
}
