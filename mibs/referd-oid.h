/*
 * referd-oid.h: the root of REFERD-MIB, defined here once for the C code
 * (and once in REFERD-MIB.txt).  To move referd to the project's own
 * Private Enterprise Number, change REFERD_ROOT_OID here and the
 * MODULE-IDENTITY's value in the MIB, and nothing else.
 */
#ifndef REFERD_OID_H
#define REFERD_OID_H

/* netSnmpPlaypen (1.3.6.1.4.1.8072.9999.9999) 5060 */
#define REFERD_ROOT_OID      1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 5060
#define REFERD_ROOT_OID_LEN  10

#endif /* REFERD_OID_H */
