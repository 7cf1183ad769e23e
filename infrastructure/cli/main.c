/*
 * infrastructure/cli/main.c — `shop`, the command line of ddd-shop.
 *
 * Pattern: a driving adapter of the hexagon.  main() only parses the global options,
 * finds the command in the table below, and hands over; each command lives in its own
 * cmd_*.c file.  The names, arguments and exit statuses are the contract of docs/cli.md.
 * Read next: cli.h (what commands share), cmd_db.c (`shop db migrate`).
 */
#include "config.h"

#include "domain/shared/memory.h"
#include "domain/shared/text.h"
#include "infrastructure/cli/cli.h"
#include "infrastructure/system/malloc_policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_help(struct cli *cli, int argc, char **argv);

const struct cli_command cli_commands[] = {
    {"db migrate", "[--dry-run]", "create or upgrade schemas and roles (idempotent)",
     "Applies every migration this shop ships that the database has not seen, in order,\n"
     "each in its own transaction together with its record in shop_meta.schema_migrations.\n"
     "Running it again is a no-op.  Needs a role that may create roles and schemas (a\n"
     "superuser, e.g. postgres).\n"
     "\n"
     "Options:\n"
     "      --dry-run       list what would be applied, change nothing\n"
     "\n"
     "Migrations are read from $SHOP_MIGRATIONS_DIR, else from where `make install` put\n"
     "them.  An applied migration that was edited afterwards is refused (exit 1).\n",
     cmd_db_migrate},
    {"db status", "", "schema version, pending migrations, contexts and their roles",
     "Shows the server, the applied and pending migrations, and for each bounded context\n"
     "whether its schema and login role exist and whether the role is confined to its\n"
     "own schema.\n",
     cmd_db_status},
    {"serve", "SERVICE [--listen HOST:PORT] [fault options]", "run one service",
     "Runs one service in the foreground until Ctrl-C or SIGTERM, then finishes the request\n"
     "in hand, closes its database connection and exits 0.  SERVICE is a bounded context\n"
     "(catalog, ordering, inventory, payments, shipping, reporting, notifications), which\n"
     "connects with --db and runs as its own role (shop_catalog, ...), or a simulated\n"
     "external system (payment-gateway, carrier), which has no database.  It listens\n"
     "where clients look for it: the port of --api / $SHOP_API_URL plus the service's\n"
     "offset, or $SHOP_<NAME>_URL.\n"
     "\n"
     "Options:\n"
     "      --listen HOST:PORT  listen there instead (port 0: the kernel chooses)\n"
     "      --log-requests      one line per request on stderr\n"
     "  Faults, for the simulated external systems:\n"
     "      --latency-ms MS     add MS milliseconds to every reply (0-600000)\n"
     "      --error-rate R      answer this share of requests 503 (0-1)\n"
     "      --outage FROM:UNTIL answer every request 503 from FROM until UNTIL seconds\n"
     "                          after start\n"
     "      --seed N            the same seed draws the same errors\n"
     "\n"
     "Examples:\n"
     "  shop serve catalog\n"
     "  shop serve payment-gateway --latency-ms 200 --error-rate 0.2 --seed 7\n"
     "\n"
     "Exit status: 0 after a requested stop; 1 if the database is not migrated (the\n"
     "role is missing); 2 for bad usage; 3 if the database cannot be reached or the\n"
     "address is taken.  `shop up` runs every service this way.\n",
     cmd_serve},
    {"up", "[--monolith] [--no-mesh] [--only NAME,...]", "run the whole system in the foreground",
     "Runs every service (the six contexts and the two simulated external systems) and\n"
     "supervises them until Ctrl-C, SIGTERM or SIGHUP.  Each service runs as its own\n"
     "process, `shop serve NAME` with the same --db, --api and --verbose; its output is\n"
     "printed line by line after its name (\"catalog | ...\").  A service that ends is\n"
     "started again after 0.5 s, then 1, 2, 4 ... up to 30 s while it keeps failing; a\n"
     "service that stayed up 30 s starts over at 0.5 s.  On Ctrl-C every service gets\n"
     "SIGTERM, and SIGKILL if still running 5 s later; no service outlives `shop up`.\n"
     "\n"
     "Options:\n"
     "      --monolith       every context in this one process (a thread each, each with\n"
     "                       its own database connection as its own role), at the same\n"
     "                       addresses; the simulated external systems still run as\n"
     "                       processes of their own.  A context that cannot start stops\n"
     "                       the start (all or nothing).\n"
     "      --no-mesh        services talk to each other directly; for now the only way\n"
     "                       (the service mesh is not built yet)\n"
     "      --only NAME,...  only these services, e.g. --only catalog,inventory\n"
     "\n"
     "Before starting, the database must be reachable and migrated.\n"
     "`shop status` shows what is up.\n"
     "\n"
     "Exit status: 0 after a requested stop; 1 if the database needs 'shop db migrate'\n"
     "(or, with --monolith, a context refused to start); 2 for bad usage; 3 if the\n"
     "database cannot be reached (or, with --monolith, an address is taken).\n",
     cmd_up},
    {"status", "[--only NAME,...]", "every service: up/down, address, pid, version",
     "Asks every service for GET /health at its address (--api, $SHOP_API_URL,\n"
     "$SHOP_<NAME>_URL), waiting at most 1 s each, and prints one line per service: up or\n"
     "down, address, pid, version, and its database role (or why it is down).  With\n"
     "--monolith every context shows the same pid.\n"
     "\n"
     "Options:\n"
     "      --only NAME,...  only these services\n"
     "\n"
     "With --json: an array of {name, state: \"up\"/\"down\", address, pid, version}, plus\n"
     "db_role when the service has one and reason when it is down (pid and version are\n"
     "null then).\n"
     "\n"
     "Exit status: 0 if every service asked about is up; 3 if one or more is down (the\n"
     "table is printed all the same), so a script can wait for the system:\n"
     "  until shop status >/dev/null; do sleep 1; done\n",
     cmd_status},
    {"catalog add", "SKU --name NAME --price AMOUNT [--currency CUR]", "add a product",
     "Adds a product to the catalogue through the Catalog service (POST /products).\n"
     "\n"
     "Options:\n"
     "      --name NAME     1-100 characters, no control characters, not all spaces\n"
     "      --price AMOUNT  the unit price, e.g. 12.50: above 0, below 1,000,000, with at\n"
     "                      most as many decimals as the currency has (2 for EUR)\n"
     "      --currency CUR  ISO 4217 code (default EUR)\n"
     "\n"
     "SKU: 1-32 characters of A-Z, 0-9 and '-' (lower case is upper-cased).\n"
     "Example: shop catalog add ABC-1 --name \"Mug\" --price 12.50\n"
     "\n"
     "Exit status: 0 added; 1 the SKU exists already; 2 a missing argument or a value that\n"
     "breaks a rule (the message names it); 3 the Catalog service is not reachable.\n"
     "Prints the product and, on a second line, the correlation id of the change to\n"
     "follow with 'shop trace'.  With --json: {sku, name, price, correlation_id}.\n",
     cmd_catalog_add},
    {"catalog price", "SKU AMOUNT [--currency CUR]", "change a price",
     "Changes a product's unit price through the Catalog service\n"
     "(PUT /products/SKU/price).  The price it has already changes nothing.\n"
     "\n"
     "Options:\n"
     "      --currency CUR  ISO 4217 code of AMOUNT (default EUR)\n"
     "\n"
     "Example: shop catalog price ABC-1 13.00\n"
     "\n"
     "Exit status: 0 changed; 1 unknown SKU; 2 a missing argument or a price that breaks\n"
     "a rule; 3 the Catalog service is not reachable.\n"
     "Prints the new price and, on a second line, the correlation id of the change to\n"
     "follow with 'shop trace'.  With --json: the product afterwards,\n"
     "{sku, name, price, correlation_id}.\n",
     cmd_catalog_price},
    {"catalog list", "", "the products and their prices",
     "Lists every product, sorted by SKU, from the Catalog service (GET /products).\n"
     "\n"
     "Exit status: 0 listed; 3 the Catalog service is not reachable.\n"
     "With --json: an array of {sku, name, price}, money as a string \"12.50 EUR\".\n",
     cmd_catalog_list},
    {"stock receive", "SKU QTY", "add received units to a SKU's stock",
     "Records QTY units of SKU received (an integer 1-999); the SKU is upper-cased.  Prints\n"
     "the SKU's stock afterwards; --json: {sku, on_hand, reserved, available}.\n"
     "\n"
     "    shop stock receive abc-1 10\n"
     "\n"
     "Exit status: 0 received; 1 refused (on hand would pass its limit); 2 a bad SKU or\n"
     "QTY; 3 the inventory service is not running (shop up, shop serve inventory).\n",
     cmd_stock_receive},
    {"stock list", "", "stock of every SKU",
     "Lists every SKU stock was ever received for, by SKU: on hand, reserved (held for\n"
     "orders) and available (on hand minus reserved).  --json: an array of\n"
     "{sku, on_hand, reserved, available}.  A query of Reporting's read model, which\n"
     "follows Inventory's events and may be a moment behind a receipt or an order.\n"
     "\n"
     "Exit status: 0 listed (also when empty); 3 the reporting service is not running.\n",
     cmd_stock_list},
    {"stock show", "SKU", "on hand, reserved and available for one SKU",
     "Shows one SKU's stock.  --json: {sku, on_hand, reserved, available}.  A query of\n"
     "Reporting's read model, which follows Inventory's events and may be a moment behind\n"
     "a receipt or an order.\n"
     "\n"
     "    shop stock show ABC-1\n"
     "\n"
     "Exit status: 0 shown; 1 no stock recorded for the SKU; 2 a bad SKU; 3 the reporting\n"
     "service is not running.\n",
     cmd_stock_show},
    {"order place",
     "--customer ID --line SKU:QTY [--line SKU:QTY ...] --ship-to ADDRESS --postcode CODE "
     "[--card TOKEN] [--wait [SECONDS]]",
     "place an order; prints its id",
     "Asks the Ordering service to place an order.  Ordering prices each line with Catalog's\n"
     "current price; the same SKU twice is one line.  Prints the new order's id.\n"
     "\n"
     "Options:\n"
     "      --customer ID      1-64 printable ASCII characters, not all spaces\n"
     "      --line SKU:QTY     a product and how many, 1-999 (SKU upper-cased); 1-50 SKUs\n"
     "      --ship-to ADDRESS  1-200 characters, one line\n"
     "      --postcode CODE    1-10 characters of A-Z, 0-9, '-' and space\n"
     "      --card TOKEN       payment token for later (default tok_visa); not charged yet\n"
     "      --wait [SECONDS]   then wait (default 30 s, at most 3600) until the order is\n"
     "                         confirmed or cancelled, as Reporting's read model shows it,\n"
     "                         and print the outcome and its reason\n"
     "\n"
     "Example: shop order place --customer c-42 --line MUG-RED:2 --line TEE-L:1 \\\n"
     "             --ship-to '1 Main Street, Springfield' --postcode 10115\n"
     "\n"
     "Exit status: 0 placed; 1 refused (unknown SKU ...); 2 an argument is invalid (named);\n"
     "3 Ordering or Catalog unavailable (nothing was placed: safe to retry).\n"
     "With --wait: 0 confirmed; 1 cancelled (the reason is the rule that refused it);\n"
     "3 no outcome in time (\"no outcome after 30 s: the order is still placed\").\n"
     "With --json: {order_id}; with --wait {order_id, status, reason}.\n",
     cmd_order_place},
    {"order show", "ORDER_ID [--as-of VERSION]", "one order: status, lines, total",
     "Shows an order as Reporting's read model has it: customer, status (and why it was\n"
     "cancelled), address, lines with their prices, total, and the version of its stream.\n"
     "The read model follows Ordering's events a moment behind; when some of the order's\n"
     "messages are not applied yet it says so: \"read model 2 messages behind\".\n"
     "\n"
     "Options:\n"
     "      --as-of VERSION  the order as it was at that version of its stream (1 = placed),\n"
     "                       read from Ordering's event store (the write side)\n"
     "\n"
     "Exit status: 0 shown; 1 no such order (yet); 2 ORDER_ID or VERSION malformed;\n"
     "3 Reporting (with --as-of: Ordering) unavailable.  With --json: {order_id, customer,\n"
     "status, reason, total, lines: [{sku, quantity, unit_price, line_total}], version,\n"
     "ship_to, postcode, placed_at, closed_at, lag}.\n",
     cmd_order_show},
    {"order list", "[--customer ID] [--status placed|confirmed|cancelled]", "orders, newest first",
     "Lists orders, newest first: id, status, total, when placed, customer, from Reporting's\n"
     "read model (at most 1000).\n"
     "\n"
     "Options:\n"
     "      --customer ID    only this customer's orders\n"
     "      --status S       only orders that are now placed, confirmed or cancelled\n"
     "\n"
     "Exit status: 0 listed (perhaps none); 2 an option is invalid; 3 Reporting unavailable.\n"
     "With --json: an array of {order_id, customer, status, total, placed_at}.\n",
     cmd_order_list},
    {"order cancel", "ORDER_ID [--reason TEXT]", "cancel an order that is not confirmed",
     "Cancels a placed order.  Cancelling a cancelled order changes nothing; a confirmed\n"
     "order cannot be cancelled.\n"
     "\n"
     "Options:\n"
     "      --reason TEXT    why (default: cancelled by the customer)\n"
     "\n"
     "Exit status: 0 cancelled; 1 no such order, or it is confirmed; 2 ORDER_ID malformed;\n"
     "3 Ordering unavailable.  With --json: {order_id, status}.\n",
     cmd_order_cancel},
    {"order history", "ORDER_ID [--as-of VERSION|TIME]",
     "the order's event stream, one event a line",
     "Reads the order's events from the Ordering event store, oldest first, and folds them\n"
     "with the Order aggregate to show what the order is now (or was then).  Events stored\n"
     "by older versions of shop are upcast to today's shape.\n"
     "\n"
     "Options:\n"
     "      --as-of VERSION  stop at that version of the order's stream\n"
     "      --as-of TIME     stop at that time, UTC: 2026-11-24T10:15:30Z, or 2026-11-24\n"
     "                       (a date alone is its midnight, the start of that day)\n"
     "\n"
     "An order that does not exist (or had no events by then) is exit 1.  So is a history\n"
     "with events that cannot be read or versions missing: it is printed, marked, and the\n"
     "state shown leaves those events out.\n"
     "With --json: an array of {stream_version, type, schema_version, recorded_at, data,\n"
     "metadata, global_position, transaction_id}; data is in the current schema.\n",
     cmd_order_history},
    {"events tail", "[--follow] [--from POSITION] [--lines N]",
     "the global event log, oldest first",
     "Prints committed events of the Ordering event store in the order a reader of the log\n"
     "gets them (transaction, then position), one a line: position, time, stream and\n"
     "version, type, data.  An event whose transaction commits late appears after events\n"
     "that committed before it, never lost.\n"
     "\n"
     "Options:\n"
     "      --from POSITION  from the first event at or after this global position, in\n"
     "                       log order (later events may have lower positions)\n"
     "      --lines N        at most N events (default: the last 10; with --from, all)\n"
     "      --follow         then keep printing events as they commit (woken by the\n"
     "                       database, and reading every second), until Ctrl-C or\n"
     "                       SIGTERM, which end it with exit 0; with --json, one JSON\n"
     "                       object per line instead of one array\n",
     cmd_events_tail},
    {"saga list", "[--state STATE]", "where each order's fulfilment saga is, newest first",
     "Lists the fulfilment sagas (ordering.sagas), newest first: order, state, how long\n"
     "until its deadline, reason.  Reads the database directly (--db, $SHOP_DATABASE_URL)\n"
     "as the operator.  A stuck saga (a compensation that got no reply after\n"
     "$SHOP_SAGA_COMPENSATION_ATTEMPTS attempts) waits for a person: its reason says which.\n"
     "\n"
     "Options:\n"
     "      --state STATE   only sagas in STATE: reserving_stock, authorizing_payment,\n"
     "                      scheduling_shipment, capturing_payment, cancelling_shipment,\n"
     "                      voiding_payment, releasing_stock, confirmed, cancelled, stuck\n"
     "\n"
     "Exit status: 0 listed (perhaps none); 2 an unknown STATE; 3 the database cannot be\n"
     "reached.  With --json: an array of {order_id, state, deadline, reason, updated_at,\n"
     "version} (deadline null in an end state).\n",
     cmd_saga_list},
    {"saga show", "ORDER_ID", "one order's saga: its steps, deadline and reason",
     "Shows the fulfilment saga of one order: its state and version, the current\n"
     "deadline, the reason it is being cancelled (or is stuck), and every step with its\n"
     "time (\"stock reserved\", \"payment authorization timed out\", \"releasing stock\n"
     "(attempt 2)\").  `shop trace ORDER_ID` shows the messages behind them.\n"
     "\n"
     "Exit status: 0 shown; 1 no saga for the order; 2 ORDER_ID is not a UUID; 3 the\n"
     "database cannot be reached.  With --json: {order_id, state, steps: [{name, at}],\n"
     "deadline, reason, version}.\n",
     cmd_saga_show},
    {"notifications list", "[--customer ID] [--order ID] [--limit N]",
     "what customers were told about their orders, newest first",
     "Lists the notifications the Notifications service recorded (GET /notifications):\n"
     "one per customer-visible order event (order-placed, order-confirmed,\n"
     "order-cancelled), newest first: when, kind, customer, text.\n"
     "\n"
     "Options:\n"
     "      --customer ID    only this customer's\n"
     "      --order ID       only this order's (a UUID)\n"
     "      --limit N        at most N, 1-1000 (default 100)\n"
     "\n"
     "Exit status: 0 listed (perhaps none); 2 an option is invalid; 3 the Notifications\n"
     "service is not reachable.\n"
     "With --json: an array of {id, customer, order_id, kind, text, recorded_at,\n"
     "message_id}.\n",
     cmd_notifications_list},
    {"dlq list", "", "messages the subscribers gave up on",
     "Lists messaging.dead_letters, oldest first: the messages a subscriber could not\n"
     "handle within its retry budget, or could never handle (a payload that breaks its\n"
     "contract).  Reads the database directly (--db, $SHOP_DATABASE_URL) as the\n"
     "operator, who sees every context's rows.\n"
     "\n"
     "Exit status: 0 listed (perhaps none); 3 the database cannot be reached.\n"
     "With --json: an array of {id, subscriber, message_type, attempts, last_error,\n"
     "stream, position, message_id, dead_at}.\n",
     cmd_dlq_list},
    {"dlq show", "ID", "one dead letter, with its message",
     "Shows a dead letter and the bus message it is about: payload, correlation and\n"
     "causation ids, traceparent, who published it and when.\n"
     "\n"
     "Exit status: 0 shown; 1 no dead letter ID; 2 ID is not a whole number; 3 the\n"
     "database cannot be reached.  With --json: the fields of `dlq list` and payload,\n"
     "correlation_id, causation_id, traceparent, source, schema_version, published_at.\n",
     cmd_dlq_show},
    {"dlq replay", "ID", "hand a dead letter back to its subscriber",
     "In one transaction, parks the message again in messaging.retries for its\n"
     "subscriber — no attempts yet, due now, in the partition of its stream — and\n"
     "deletes the dead letter.  The subscriber's consumer handles it on its next pass;\n"
     "its inbox keeps a message it had handled from counting twice.  Replay after\n"
     "fixing what made it fail.\n"
     "\n"
     "Exit status: 0 replayed; 1 no dead letter ID (or its subscriber has no\n"
     "checkpoint); 2 ID is not a whole number; 3 the database cannot be reached.\n"
     "With --json: the dead letter, with attempts 0 and its partition.\n",
     cmd_dlq_replay},
    {"dlq discard", "ID", "delete a dead letter for good",
     "Deletes a dead letter and prints what it was; the message stays on the bus, and\n"
     "its subscriber will not try it again.\n"
     "\n"
     "Exit status: 0 discarded; 1 no dead letter ID; 2 ID is not a whole number; 3 the\n"
     "database cannot be reached.  With --json: the dead letter discarded.\n",
     cmd_dlq_discard},
    {"report sales", "[--day YYYY-MM-DD]", "units and revenue of confirmed orders per SKU per day",
     "Asks the Reporting service for the sales read model: for each day (UTC) and SKU, the\n"
     "units and revenue of the lines of orders confirmed that day, and how many orders.\n"
     "\n"
     "Options:\n"
     "      --day YYYY-MM-DD  only that day\n"
     "\n"
     "Exit status: 0 shown (perhaps none); 2 --day is not a date; 3 Reporting unavailable.\n"
     "With --json: an array of {sku, day, currency, quantity, revenue, orders}.\n",
     cmd_report_sales},
    {"projection list", "", "Reporting's projections: checkpoint, lag, messages applied",
     "Lists the projections that build Reporting's read models from the bus (orders,\n"
     "stock-levels, sales): each one's checkpoint (the transaction id and position of the\n"
     "last message it read), its lag (messages of its types on the bus after the\n"
     "checkpoint), how many messages it applied, and when it last moved.  Reads the\n"
     "database directly (--db, $SHOP_DATABASE_URL) as the operator.\n"
     "\n"
     "Exit status: 0 listed; 3 the database cannot be reached.\n"
     "With --json: an array of {name, checkpoint: {transaction_id, position}, lag, handled,\n"
     "skipped, last_error, rebuilt_at, updated_at}.\n",
     cmd_projection_list},
    {"projection rebuild", "NAME", "build a projection's read tables again from the bus",
     "Builds new read tables for the projection from the first message on the bus while\n"
     "the old ones keep serving (and keep being updated by `shop serve reporting`), then,\n"
     "in one transaction, takes the projection's lock, applies the last messages, swaps\n"
     "the tables and moves the checkpoint.  Shows a progress bar on a terminal (messages\n"
     "done / total, rate), plain progress lines otherwise.  Ctrl-C stops it: the old\n"
     "tables keep serving, the half-built ones are dropped.\n"
     "\n"
     "    shop projection rebuild orders\n"
     "\n"
     "Exit status: 0 rebuilt; 1 no such projection (the message lists them), or\n"
     "interrupted; 2 NAME missing; 3 the database cannot be reached.\n"
     "With --json: the projection as `projection list` shows it, and seconds.\n",
     cmd_projection_rebuild},
    {"breaker status", "[--only SERVICE,...]", "the circuit breakers of the running services",
     "Asks each service that calls another system for its circuit breakers (GET\n"
     "/breakers): Payments for the payment-gateway's, Shipping for the carrier's.  One\n"
     "line each: name, state (CLOSED, OPEN, HALF_OPEN, DISABLED, FORCED_OPEN,\n"
     "METRICS_ONLY), failure rate and slow-call rate of the window it decides on (\"-\"\n"
     "below its minimum number of calls), calls in that window, since when.  Run it\n"
     "again to watch a breaker open and close (docs/patterns/circuit-breaker.md).\n"
     "\n"
     "Options:\n"
     "      --only SERVICE,...  ask only these services (payments, shipping)\n"
     "\n"
     "Exit status: 0 every service answered; 2 --only names another service; 3 a\n"
     "service did not answer: its breakers are shown as UNKNOWN, the others as they are.\n"
     "With --json: an array of {name, state: \"closed\"/\"open\"/\"half_open\"/\"disabled\"/\n"
     "\"forced_open\"/\"metrics_only\" (\"unknown\" when its service did not answer),\n"
     "failure_rate, slow_call_rate (percent, null below the minimum number of calls),\n"
     "calls, since, service}.\n",
     cmd_breaker_status},
    {"trace", "CORRELATION_ID", "causal tree of every message about one order",
     "Collects every record with that correlation id (for an order: its id) and prints\n"
     "them as a tree, each under the message that caused it (its causation id); records\n"
     "whose cause is not recorded are roots.  One line each: time (UTC), context, type,\n"
     "short message id.  Records: the domain events of Ordering, Payments and Shipping;\n"
     "the bus messages (a domain event's published form is shown on the event: \"published\n"
     "as ordering.OrderPlaced (bus #17)\"); what subscribers did with each message\n"
     "(handled, waiting for a retry, dead letter); the notifications sent.\n"
     "\n"
     "Exit status: 0 shown; 1 nothing recorded with that id; 2 CORRELATION_ID is not a\n"
     "UUID; 3 database unavailable.  With --json: {correlation_id, traceparent, nodes:\n"
     "[{message_id, causation_id, context, type, at, kind, published_as, handled_by,\n"
     "retries, dead_letters, children: [...]}]}.\n",
     cmd_trace},
    {"demo", "", "guided tour of every pattern on a live system",
     "Prepares the database (as `shop db migrate`), shows the contexts confined to their\n"
     "own data and the shared kernel's rules, then runs the shop: the services at their\n"
     "addresses if every one answers, or a `shop up` the demo starts itself (its output in\n"
     "a temporary log) and stops at the end.  It seeds a catalogue and stock and places\n"
     "four orders, one per outcome (a happy order, out of stock, a declined card, an\n"
     "undeliverable address), telling each in the saga's steps, then shows what they\n"
     "touched (event sourcing, the read model, notifications, the trace of the\n"
     "compensations, the circuit breaker) and checks that nothing is left reserved.  For\n"
     "each pattern it prints the file to read.  It takes a few seconds.\n"
     "\n"
     "--json: one document with every step, \"fulfilment\": {orders: [{scenario, order_id,\n"
     "status, reason, as_expected, saga_steps}], ...} and \"consistent\".\n"
     "\n"
     "Exit status: 0 every order ended as the shop promises; 1 a context not confined to\n"
     "its schema (refused before the shop runs) or an order that did not; 3 the database\n"
     "or the services could not be reached or started.\n",
     cmd_demo},
    {"help", "[COMMAND]", "show the help of a command", "", cmd_help},
};
const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];

static void print_usage(void)
{
    printf("Usage: shop [--json] [--verbose] [--db CONNINFO] COMMAND [ARGS]\n"
           "\n"
           "ddd-shop: order fulfilment, built with domain-driven design in C.\n"
           "\n"
           "Commands:\n");
    for (size_t i = 0; i < cli_command_count; i++) {
        char left[160];
        snprintf(left, sizeof left, "%s%s%s", cli_commands[i].name,
                 *cli_commands[i].args ? " " : "", cli_commands[i].args);
        if (strlen(left) > 26) /* a long synopsis gets a line of its own */
            printf("  %s\n  %-26s %s\n", left, "", cli_commands[i].summary);
        else
            printf("  %-26s %s\n", left, cli_commands[i].summary);
    }
    printf("\n"
           "Options (before or after the command):\n"
           "      --json          print one JSON document instead of text\n"
           "  -v, --verbose       print detail on stderr\n"
           "      --db CONNINFO   database connection string or URI (default:\n"
           "                      $SHOP_DATABASE_URL, then PGHOST, PGPORT, PGDATABASE, ...)\n"
           "      --api URL       where the services listen (default: $SHOP_API_URL, then\n"
           "                      http://127.0.0.1:8080; each service at its own port above)\n"
           "  -h, --help          print this help; 'shop COMMAND --help' for a command\n"
           "  -V, --version       print the version\n"
           "\n"
           "Exit status: 0 done, 1 refused or not found, 2 bad usage, 3 a dependency is\n"
           "unavailable (safe to retry).\n");
}

/* "db, demo, help" — or, for group "db", "migrate, status": one entry per first word. */
static void list_commands(char *buf, size_t size, const char *group)
{
    size_t group_len = group ? strlen(group) : 0;
    const char *seen[32];
    size_t seen_len[32], n_seen = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < cli_command_count && n_seen < 32; i++) {
        const char *name = cli_commands[i].name;
        if (group) {
            if (strncmp(name, group, group_len) != 0 || name[group_len] != ' ')
                continue;
            name += group_len + 1;
        }
        size_t len = strcspn(name, " ");
        bool dup = false;
        for (size_t k = 0; k < n_seen; k++)
            dup = dup || (seen_len[k] == len && strncmp(seen[k], name, len) == 0);
        if (dup)
            continue;
        seen[n_seen] = name;
        seen_len[n_seen++] = len;
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%.*s", used ? ", " : "", (int)len, name);
    }
}

/* Finds "db migrate" from {"db", "migrate"}; *words says how many argv words it took. */
static const struct cli_command *resolve(int argc, char **argv, int *words, bool *is_group)
{
    *is_group = false;
    if (argc >= 2 && argv[1][0] != '-') {
        char two[128];
        snprintf(two, sizeof two, "%s %s", argv[0], argv[1]);
        const struct cli_command *c = cli_find_command(two);
        if (c) {
            *words = 2;
            return c;
        }
    }
    *words = 1;
    const struct cli_command *c = cli_find_command(argv[0]);
    if (c)
        return c;
    size_t len = strlen(argv[0]);
    for (size_t i = 0; i < cli_command_count; i++)
        if (strncmp(cli_commands[i].name, argv[0], len) == 0 && cli_commands[i].name[len] == ' ')
            *is_group = true;
    return NULL;
}

static void print_group_help(const char *group)
{
    printf("Usage: shop %s SUBCOMMAND [ARGS]\n\nSubcommands:\n", group);
    size_t len = strlen(group);
    for (size_t i = 0; i < cli_command_count; i++)
        if (strncmp(cli_commands[i].name, group, len) == 0 && cli_commands[i].name[len] == ' ')
            printf("  %-26s %s\n", cli_commands[i].name, cli_commands[i].summary);
    printf("\n'shop %s SUBCOMMAND --help' for one of them.\n", group);
}

static int dispatch(struct cli *cli, int argc, char **argv)
{
    int words;
    bool is_group;
    char allowed[256], quoted[TEXT_QUOTE_SIZE];
    const struct cli_command *cmd = resolve(argc, argv, &words, &is_group);

    if (!cmd && is_group) {
        list_commands(allowed, sizeof allowed, argv[0]);
        cli->command = argv[0]; /* a known group name, safe to print */
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            print_group_help(argv[0]);
            return CLI_EXIT_OK;
        }
        if (argc < 2 || argv[1][0] == '-') {
            fprintf(stderr, "shop %s: missing subcommand; expected one of: %s\n", argv[0], allowed);
            return CLI_EXIT_USAGE;
        }
        fprintf(stderr, "shop %s: unknown subcommand '%s'; expected one of: %s\n", argv[0],
                text_quote(quoted, argv[1]), allowed);
        return CLI_EXIT_USAGE;
    }
    if (!cmd) {
        list_commands(allowed, sizeof allowed, NULL);
        fprintf(stderr, "shop: unknown command '%s'; expected one of: %s\n",
                text_quote(quoted, argv[0]), allowed);
        return CLI_EXIT_USAGE;
    }
    cli->command = cmd->name;
    /* The command sees argv from its last word on, as if it were its own program. */
    return cmd->run(cli, argc - (words - 1), argv + (words - 1));
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
    int first, status;
    status = cli_parse(cli, cli_find_command("help"), argc, argv, NULL, NULL, NULL, 2, &first);
    if (status >= 0)
        return status;
    if (first >= argc) {
        print_usage();
        return CLI_EXIT_OK;
    }
    int words;
    bool is_group;
    const struct cli_command *cmd = resolve(argc - first, argv + first, &words, &is_group);
    if (cmd) {
        cli_print_command_help(cmd);
        return CLI_EXIT_OK;
    }
    if (is_group && argc - first == 1) {
        print_group_help(argv[first]);
        return CLI_EXIT_OK;
    }
    char allowed[256], quoted[TEXT_QUOTE_SIZE];
    list_commands(allowed, sizeof allowed, is_group ? argv[first] : NULL);
    return cli_usage_error(cli, "no command '%s'; expected one of: %s",
                           text_quote(quoted, argv[first + (is_group ? 1 : 0)]), allowed);
}

/* Output that could not be written is a failure, not a success (`shop ... > /dev/full`). */
static int check_output(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "shop: cannot write the output: %s\n", strerror(errno));
        return CLI_EXIT_UNAVAILABLE;
    }
    return status;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_COMMON_LONG_OPTIONS, {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
    struct cli cli = {0};
    int opt;

    malloc_policy_apply();

    cJSON_InitHooks(&(cJSON_Hooks){.malloc_fn = shop_xmalloc, .free_fn = free});
    setvbuf(stdout, NULL, _IOLBF, 0);

    opterr = 0;
    while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS "V", options, NULL)) != -1) {
        if (cli_common_option(&cli, opt, optarg))
            continue;
        switch (opt) {
        case 'h': print_usage(); return check_output(CLI_EXIT_OK);
        case 'V':
            printf("shop (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION);
            return check_output(CLI_EXIT_OK);
        default: return cli_option_error(&cli, NULL, opt, argv);
        }
    }
    if (optind >= argc) {
        char allowed[256];
        list_commands(allowed, sizeof allowed, NULL);
        fprintf(stderr, "shop: missing command; expected one of: %s; see 'shop --help'\n", allowed);
        return CLI_EXIT_USAGE;
    }
    return check_output(dispatch(&cli, argc - optind, argv + optind));
}
