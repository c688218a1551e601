-- One database and one owner per service that keeps data: no service can read another's tables.
-- Runs once, when the PostgreSQL volume is created. Local-only passwords (compose.yaml).
CREATE ROLE auth LOGIN PASSWORD 'auth-local';
CREATE DATABASE auth OWNER auth;
CREATE ROLE catalog LOGIN PASSWORD 'catalog-local';
CREATE DATABASE catalog OWNER catalog;
CREATE ROLE orders LOGIN PASSWORD 'orders-local';
CREATE DATABASE orders OWNER orders;
CREATE ROLE payments LOGIN PASSWORD 'payments-local';
CREATE DATABASE payments OWNER payments;
CREATE ROLE shipping LOGIN PASSWORD 'shipping-local';
CREATE DATABASE shipping OWNER shipping;
CREATE ROLE notifications LOGIN PASSWORD 'notifications-local';
CREATE DATABASE notifications OWNER notifications;
-- Nobody but the owner may connect to a service's database.
REVOKE CONNECT ON DATABASE auth, catalog, orders, payments, shipping, notifications FROM PUBLIC;
