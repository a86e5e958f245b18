"""Organizations (the tenants) with their settings, what those settings let guests do on a
storefront, and their stores."""
