/*
 * tap.h: a few macros that print the Test Anything Protocol, for the
 * unit tests run by automake's TAP driver.
 */
#ifndef REFERD_TESTS_TAP_H
#define REFERD_TESTS_TAP_H

#include <stdio.h>

static int tap_n, tap_failed;

/* One named check. */
#define ok(cond, ...) do { \
	int ok_ = (cond) ? 1 : 0; \
	printf("%sok %d - ", ok_ ? "" : "not ", ++tap_n); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	if (!ok_) { \
		tap_failed++; \
		printf("# failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

/* Print the plan last and return the exit status. */
#define tap_done() (printf("1..%d\n", tap_n), tap_failed ? 1 : 0)

#endif /* REFERD_TESTS_TAP_H */
