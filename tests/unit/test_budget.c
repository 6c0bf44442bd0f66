/*
 * test_budget.c - the connection budget (budget.c): the total and the
 * per-host caps, a pause that doubles while a host keeps saying slow down
 * and starts over once it accepts, the earliest wake-up, and hosts
 * forgotten once nothing is left to remember of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "smtpprobe/budget.h"

static void test_caps(void **state)
{
	struct budget *b = budget_new(3, 2, 1);

	(void)state;
	assert_non_null(b);
	assert_true(budget_may_open(b, "192.0.2.1", 0));
	assert_int_equal(budget_open(b, "192.0.2.1"), 0);
	assert_int_equal(budget_open(b, "192.0.2.1"), 0);
	/* Per host: two. */
	assert_false(budget_may_open(b, "192.0.2.1", 0));
	assert_true(budget_may_open(b, "192.0.2.2", 0));
	assert_int_equal(budget_open(b, "192.0.2.2"), 0);
	/* In all: three. */
	assert_false(budget_may_open(b, "192.0.2.3", 0));
	assert_int_equal(budget_open_total(b), 3);
	budget_close(b, "192.0.2.1", 0);
	assert_true(budget_may_open(b, "192.0.2.1", 0));
	assert_true(budget_may_open(b, "192.0.2.3", 0));
	assert_int_equal(budget_open_to(b, "192.0.2.1"), 1);
	budget_close(b, "192.0.2.1", 0);
	budget_close(b, "192.0.2.2", 0);
	assert_int_equal(budget_open_total(b), 0);
	assert_int_equal(budget_open_to(b, "192.0.2.1"), 0);
	budget_free(b);
}

static void test_pauses_double_and_start_over(void **state)
{
	struct budget *b = budget_new(10, 10, 1);
	const char *h = "192.0.2.9";

	(void)state;
	assert_int_equal(budget_next_wake(b, 0), -1);
	assert_int_equal(budget_pause(b, h, 0), BACKOFF_FIRST_MS);
	assert_false(budget_may_open(b, h, 500));
	assert_true(budget_may_open(b, "192.0.2.10", 500)); /* others go on */
	assert_int_equal(budget_next_wake(b, 500), BACKOFF_FIRST_MS);
	/* A second "slow down" within the pause does not double it. */
	assert_int_equal(budget_pause(b, h, 600), BACKOFF_FIRST_MS - 600);
	assert_true(budget_may_open(b, h, BACKOFF_FIRST_MS));
	/* After it: twice as long, then again, up to the most. */
	long t = BACKOFF_FIRST_MS, want = 2 * BACKOFF_FIRST_MS;
	for (int i = 0; i < 8; i++) {
		assert_int_equal(budget_pause(b, h, t), want);
		assert_int_equal(budget_next_wake(b, t), t + want);
		t += want;
		want = want * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : want * 2;
	}
	assert_int_equal(budget_next_wake(b, t), -1); /* the last one ended */
	/* An accepted RCPT: the next pause is the first again. */
	budget_relax(b, h, t);
	assert_int_equal(budget_pause(b, h, t), BACKOFF_FIRST_MS);
	assert_int_equal(budget_pauses(b), 11);
	budget_free(b);
}

static void test_without_pauses(void **state)
{
	struct budget *b = budget_new(2, 2, 0);

	(void)state;
	assert_int_equal(budget_pause(b, "192.0.2.1", 0), 0);
	assert_true(budget_may_open(b, "192.0.2.1", 0));
	assert_int_equal(budget_next_wake(b, 0), -1);
	budget_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_pauses_double_and_start_over),
	    cmocka_unit_test(test_without_pauses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
