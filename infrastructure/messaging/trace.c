/*
 * infrastructure/messaging/trace.c — the causal tree of a conversation: the model and
 * the linking (see trace.h).
 *
 * Linking is done on indexes into one array: sort by time, point each node at its cause,
 * collect children.  Records come from several tables written by several processes, so
 * nothing guarantees the causes form a tree; a loop of causes (or a node that names
 * itself) would make a walk from the roots miss its nodes, so every node that no root
 * reaches becomes a root of its own, the oldest first.
 * Read next: trace_pg.c (where the records come from), infrastructure/cli/cmd_trace.c
 */
#include "infrastructure/messaging/trace.h"

#include "domain/shared/memory.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void trace_init(struct trace *t, shop_uuid correlation_id)
{
    memset(t, 0, sizeof *t);
    t->correlation_id = correlation_id;
}

void trace_dispose(struct trace *t)
{
    for (size_t i = 0; i < t->count; i++) {
        struct trace_node *n = &t->nodes[i];
        for (size_t j = 0; j < n->note_count; j++)
            free(n->notes[j].error);
        free(n->notes);
        free(n->text);
        free(n->children);
    }
    free(t->nodes);
    free(t->roots);
    memset(t, 0, sizeof *t);
}

size_t trace_add(struct trace *t, const struct trace_node *node)
{
    if (t->count == t->capacity) {
        t->capacity = t->capacity ? 2 * t->capacity : 16;
        t->nodes = shop_xreallocarray(t->nodes, t->capacity, sizeof *t->nodes);
    }
    t->nodes[t->count] = *node;
    t->nodes[t->count].parent = TRACE_NONE;
    t->nodes[t->count].children = NULL;
    t->nodes[t->count].child_count = 0;
    return t->count++;
}

size_t trace_find(const struct trace *t, shop_uuid id)
{
    if (uuid_is_nil(id))
        return TRACE_NONE;
    for (size_t i = 0; i < t->count; i++)
        if (uuid_equal(t->nodes[i].message_id, id))
            return i;
    return TRACE_NONE;
}

void trace_add_note(struct trace *t, size_t i, const struct trace_note *note)
{
    struct trace_node *n = &t->nodes[i];
    n->notes = shop_xreallocarray(n->notes, n->note_count + 1, sizeof *n->notes);
    n->notes[n->note_count++] = *note;
}

/* Time order; the order of adding breaks ties (the nodes carry no index, so sort pairs). */
struct order_key {
    int64_t at_us;
    size_t added;
};

static int compare_keys(const void *a, const void *b)
{
    const struct order_key *x = a, *y = b;
    if (x->at_us != y->at_us)
        return x->at_us < y->at_us ? -1 : 1;
    return x->added < y->added ? -1 : x->added > y->added;
}

static void sort_by_time(struct trace *t)
{
    struct order_key *keys = shop_xcalloc(t->count ? t->count : 1, sizeof *keys);
    struct trace_node *sorted = shop_xcalloc(t->count ? t->count : 1, sizeof *sorted);
    for (size_t i = 0; i < t->count; i++)
        keys[i] = (struct order_key){t->nodes[i].at_us, i};
    qsort(keys, t->count, sizeof *keys, compare_keys);
    for (size_t i = 0; i < t->count; i++)
        sorted[i] = t->nodes[keys[i].added];
    free(t->nodes);
    free(keys);
    t->nodes = sorted;
    t->capacity = t->count ? t->count : 1;
}

static int compare_indexes(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static void add_child(struct trace *t, size_t parent, size_t child)
{
    struct trace_node *p = &t->nodes[parent];
    p->children = shop_xreallocarray(p->children, p->child_count + 1, sizeof *p->children);
    p->children[p->child_count++] = child;
}

/* Marks node i and everything below it as reached (iteratively: trees may be deep). */
static void mark_reached(struct trace *t, size_t i, bool *reached)
{
    size_t *stack = shop_xcalloc(t->count, sizeof *stack);
    size_t depth = 0;
    stack[depth++] = i;
    while (depth > 0) {
        size_t at = stack[--depth];
        if (reached[at])
            continue;
        reached[at] = true;
        for (size_t c = 0; c < t->nodes[at].child_count; c++)
            if (!reached[t->nodes[at].children[c]] && depth < t->count)
                stack[depth++] = t->nodes[at].children[c];
    }
    free(stack);
}

static void make_root(struct trace *t, size_t i)
{
    t->roots = shop_xreallocarray(t->roots, t->root_count + 1, sizeof *t->roots);
    t->roots[t->root_count++] = i;
}

void trace_link(struct trace *t)
{
    if (t->count == 0)
        return;
    sort_by_time(t);
    for (size_t i = 0; i < t->count; i++) {
        size_t cause = trace_find(t, t->nodes[i].causation_id);
        t->nodes[i].parent = cause == i ? TRACE_NONE : cause;
    }
    for (size_t i = 0; i < t->count; i++) { /* in time order, so children are oldest first */
        if (t->nodes[i].parent == TRACE_NONE)
            make_root(t, i);
        else
            add_child(t, t->nodes[i].parent, i);
    }

    bool *reached = shop_xcalloc(t->count, sizeof *reached);
    for (size_t r = 0; r < t->root_count; r++)
        mark_reached(t, t->roots[r], reached);
    for (size_t i = 0; i < t->count; i++) {
        if (reached[i])
            continue;
        /* in a loop of causes: cut i from its cause and make it a root */
        struct trace_node *p = &t->nodes[t->nodes[i].parent];
        for (size_t c = 0; c < p->child_count; c++)
            if (p->children[c] == i) {
                memmove(&p->children[c], &p->children[c + 1],
                        (p->child_count - c - 1) * sizeof *p->children);
                p->child_count--;
                break;
            }
        t->nodes[i].parent = TRACE_NONE;
        make_root(t, i);
        mark_reached(t, i, reached);
    }
    free(reached);
    qsort(t->roots, t->root_count, sizeof *t->roots, compare_indexes); /* oldest first */
}

const char *trace_traceparent(const struct trace *t)
{
    const struct trace_node *oldest = NULL;
    for (size_t i = 0; i < t->count; i++)
        if (t->nodes[i].traceparent[0] && (!oldest || t->nodes[i].at_us < oldest->at_us))
            oldest = &t->nodes[i];
    return oldest ? oldest->traceparent : "";
}
