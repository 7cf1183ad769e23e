-- 0009_participants.sql
--
-- The participants of the fulfilment saga (docs/architecture.md §3): Inventory, Payments
-- and Shipping take Ordering's commands from the bus and answer each with one reply.
--
--   messaging.bus ─► consumer "<ctx>.commands": <ctx>.inbox row + the change
--                    + the reply in <ctx>.outbox, one transaction ─► <ctx>'s relay ─► bus
--
-- So each of the three gets an inbox (the commands it has handled: a command delivered
-- twice changes nothing twice) and an outbox (its replies, and Inventory's StockReceived,
-- written in the transaction of the change).  Payments and Shipping keep their domain
-- events in their event stores as before; what they tell the others goes through the
-- outbox, in the same transaction (infrastructure/payments/payment_commands.c).
--
-- Grants: 0001's default privileges give each context's role SELECT, INSERT, UPDATE and
-- DELETE on the tables of its own schema and nothing on the others'.  Of these, the relay
-- needs SELECT and DELETE on the outbox, the consumer SELECT and INSERT on the inbox, the
-- handlers INSERT on the outbox: rows of either are never updated, and inbox rows are
-- never deleted (an inbox that forgot a message would let it count twice), so that is
-- taken back.
--
-- Rules for every migration file (see 0001): no BEGIN/COMMIT, never edited once
-- released, objects created as shop_owner so that 0001's default privileges apply.

SET LOCAL ROLE shop_owner;

CALL shop_ddl.create_outbox('inventory');
CALL shop_ddl.create_inbox('inventory');
CALL shop_ddl.create_outbox('payments');
CALL shop_ddl.create_inbox('payments');
CALL shop_ddl.create_outbox('shipping');
CALL shop_ddl.create_inbox('shipping');

REVOKE UPDATE ON inventory.outbox FROM shop_inventory;
REVOKE UPDATE, DELETE ON inventory.inbox FROM shop_inventory;
REVOKE UPDATE ON payments.outbox FROM shop_payments;
REVOKE UPDATE, DELETE ON payments.inbox FROM shop_payments;
REVOKE UPDATE ON shipping.outbox FROM shop_shipping;
REVOKE UPDATE, DELETE ON shipping.inbox FROM shop_shipping;

-- The opening balance: on a database that had stock before Inventory published its
-- receipts, one inventory.StockReceived per SKU with the units on hand now, so that the
-- read side (Reporting's stock levels, and a rebuild of them from the bus) starts from
-- what Inventory holds.  On a new database there is no stock yet and this adds nothing.
INSERT INTO inventory.outbox (message_id, type, schema_version, stream, payload)
SELECT gen_random_uuid(), 'inventory.StockReceived', 1, 'stock-' || sku,
       jsonb_build_object('sku', sku, 'quantity', on_hand, 'on_hand', on_hand,
                          'received_at', to_char(statement_timestamp() AT TIME ZONE 'UTC',
                                                 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
  FROM inventory.stock_items
 WHERE on_hand > 0
 ORDER BY sku;
