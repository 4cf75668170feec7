CREATE SCHEMA marts;
CREATE SEQUENCE event_ids;
CREATE TABLE main.page_views (
  id BIGINT PRIMARY KEY DEFAULT nextval('event_ids'),
  session_id UUID NOT NULL,
  url VARCHAR NOT NULL,
  viewed_at TIMESTAMP WITH TIME ZONE NOT NULL,
  referrer VARCHAR,
  properties STRUCT(device VARCHAR, campaign VARCHAR)
);
COMMENT ON TABLE main.page_views IS 'One row per page view, from the web tracker.';
CREATE TABLE marts.daily_revenue (
  day DATE NOT NULL,
  country VARCHAR(2) NOT NULL,
  revenue DECIMAL(14,2) NOT NULL,
  orders INTEGER NOT NULL,
  PRIMARY KEY (day, country)
);
CREATE TABLE marts.customer_segments (
  customer_id BIGINT PRIMARY KEY,
  segment VARCHAR NOT NULL,
  scores DOUBLE[],
  updated_at TIMESTAMP
);
CREATE VIEW marts.top_countries AS SELECT country, sum(revenue) AS revenue FROM marts.daily_revenue GROUP BY country;
INSERT INTO marts.daily_revenue VALUES ('2026-11-01', 'GB', 18.90, 1), ('2026-11-02', 'US', 4.50, 1);
