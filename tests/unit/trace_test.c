/*
 * tests/unit/trace_test.c — linking the records of a conversation into the causal tree
 * that `shop trace` prints (infrastructure/messaging/trace.c), with no database.
 *
 * What a reader of the tree relies on: each record sits under the record that caused it,
 * siblings oldest first whatever order they were read in; a record whose cause was not
 * recorded is a root; and no record is ever hidden — not one that names itself as its
 * cause, not the records of a loop of causes (written by buggy or hostile code).
 * Read next: tests/integration/cli_trace_test.sh (the same, read from PostgreSQL)
 */
#include "infrastructure/messaging/trace.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct trace t;

static shop_uuid id(int n)
{
    shop_uuid u;
    char text[UUID_STRING_SIZE];
    snprintf(text, sizeof text, "00000000-0000-7000-8000-%012d", n);
    cr_assert_eq(uuid_parse(&u, text), 0);
    return u;
}

/* Adds event n (message id n) caused by message `cause` (0: none) at time `at`. */
static void add(int n, int cause, int64_t at)
{
    struct trace_node node = {.kind = TRACE_EVENT, .at_us = at, .version = 1};
    node.message_id = id(n);
    if (cause)
        node.causation_id = id(cause);
    snprintf(node.context, sizeof node.context, "ordering");
    snprintf(node.type, sizeof node.type, "Event%d", n);
    trace_add(&t, &node);
}

/* The type of the node at index i ("Event3"). */
static const char *type_at(size_t i)
{
    return t.nodes[i].type;
}

static void setup(void)
{
    trace_init(&t, id(999));
}

static void teardown(void)
{
    trace_dispose(&t);
}

TestSuite(linking_a_trace, .init = setup, .fini = teardown);

Test(linking_a_trace, puts_each_record_under_its_cause_with_siblings_oldest_first)
{
    add(3, 1, 300); /* read before its cause and its older sibling */
    add(1, 0, 100);
    add(2, 1, 200);
    add(4, 2, 400);
    trace_link(&t);

    cr_assert_eq(t.root_count, 1);
    const struct trace_node *root = &t.nodes[t.roots[0]];
    cr_assert_str_eq(root->type, "Event1");
    cr_assert_eq(root->child_count, 2);
    cr_expect_str_eq(type_at(root->children[0]), "Event2");
    cr_expect_str_eq(type_at(root->children[1]), "Event3");
    const struct trace_node *two = &t.nodes[root->children[0]];
    cr_assert_eq(two->child_count, 1);
    cr_expect_str_eq(type_at(two->children[0]), "Event4");
    cr_expect_eq(t.nodes[two->children[0]].parent, root->children[0]);
}

Test(linking_a_trace, makes_a_record_whose_cause_was_not_recorded_a_root)
{
    add(1, 0, 100);
    add(2, 77, 200); /* message 77 is not in the trace */
    trace_link(&t);

    cr_assert_eq(t.root_count, 2);
    cr_expect_str_eq(type_at(t.roots[0]), "Event1");
    cr_expect_str_eq(type_at(t.roots[1]), "Event2");
}

Test(linking_a_trace, shows_a_record_that_names_itself_as_its_cause_as_a_root)
{
    add(1, 1, 100);
    trace_link(&t);
    cr_assert_eq(t.root_count, 1);
    cr_expect_eq(t.nodes[t.roots[0]].parent, TRACE_NONE);
    cr_expect_eq(t.nodes[t.roots[0]].child_count, 0);
}

Test(linking_a_trace, hides_no_record_of_a_loop_of_causes)
{
    add(1, 0, 50);  /* a root of its own */
    add(2, 4, 100); /* 2 -> 3 -> 4 -> 2: a loop */
    add(3, 2, 200);
    add(4, 3, 300);
    trace_link(&t);

    cr_assert_eq(t.root_count, 2);
    cr_expect_str_eq(type_at(t.roots[0]), "Event1");
    const struct trace_node *oldest = &t.nodes[t.roots[1]];
    cr_assert_str_eq(oldest->type, "Event2", "the oldest of the loop becomes its root");
    cr_assert_eq(oldest->child_count, 1);
    const struct trace_node *three = &t.nodes[oldest->children[0]];
    cr_expect_str_eq(three->type, "Event3");
    cr_assert_eq(three->child_count, 1);
    const struct trace_node *four = &t.nodes[three->children[0]];
    cr_expect_str_eq(four->type, "Event4");
    cr_expect_eq(four->child_count, 0, "the loop was not cut");
}

Test(linking_a_trace, finds_nodes_by_message_id_and_never_by_a_nil_one)
{
    add(1, 0, 100);
    struct trace_node notification = {.kind = TRACE_NOTIFICATION, .at_us = 150};
    notification.causation_id = id(1);
    trace_add(&t, &notification);
    trace_link(&t);

    cr_expect_neq(trace_find(&t, id(1)), TRACE_NONE);
    cr_expect_eq(trace_find(&t, (shop_uuid){0}), TRACE_NONE, "a nil id matched a notification");
    cr_assert_eq(t.root_count, 1);
    cr_expect_eq(t.nodes[t.roots[0]].child_count, 1);
}

Test(linking_a_trace, takes_the_trace_context_of_the_oldest_record_that_has_one)
{
    add(1, 0, 300);
    add(2, 0, 100); /* oldest, no traceparent */
    add(3, 0, 200);
    strcpy(t.nodes[0].traceparent, "00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01");
    strcpy(t.nodes[2].traceparent, "00-cccccccccccccccccccccccccccccccc-dddddddddddddddd-01");
    trace_link(&t);
    cr_expect_str_eq(trace_traceparent(&t),
                     "00-cccccccccccccccccccccccccccccccc-dddddddddddddddd-01");
}
