"""Orders from every channel: the tables, recording an order, changing its status, reading
orders of many customers, and the order aggregates kept on the customer row."""
