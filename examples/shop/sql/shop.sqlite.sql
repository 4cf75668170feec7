CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  full_name TEXT NOT NULL,
  country CHAR(2),
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME
);
CREATE TABLE products (
  sku VARCHAR(32) PRIMARY KEY,
  title VARCHAR(200) NOT NULL,
  price NUMERIC(10,2) NOT NULL,
  active BOOLEAN NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE TABLE orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  status TEXT NOT NULL DEFAULT 'new',
  total NUMERIC(12,2) NOT NULL,
  ordered_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);
CREATE TABLE order_items (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  sku VARCHAR(32) NOT NULL REFERENCES products(sku),
  quantity INTEGER NOT NULL,
  unit_price NUMERIC(10,2) NOT NULL,
  line_total NUMERIC(12,2) GENERATED ALWAYS AS (quantity * unit_price) STORED
);
CREATE VIEW customer_order_totals AS
  SELECT c.id AS customer_id, c.email, count(o.id) AS orders, sum(o.total) AS revenue
  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.email;
INSERT INTO customers (id, email, full_name, country, created_at) VALUES
  (1, 'ada@example.com', 'Ada Lovelace', 'GB', '2026-01-05 10:00:00'),
  (2, 'grace@example.com', 'Grace Hopper', 'US', '2026-02-11 09:30:00');
INSERT INTO products VALUES ('TEA-01', 'Green tea', 4.50, 1), ('MUG-02', 'Mug', 9.90, 1);
INSERT INTO orders (customer_id, status, total, ordered_at, updated_at) VALUES
  (1, 'paid', 18.90, '2026-11-01 12:00:00', '2026-11-01 12:05:00'),
  (2, 'new', 4.50, '2026-11-02 08:00:00', '2026-11-02 08:00:00');
INSERT INTO order_items (order_id, sku, quantity, unit_price) VALUES (1, 'TEA-01', 2, 4.50), (1, 'MUG-02', 1, 9.90), (2, 'TEA-01', 1, 4.50);
