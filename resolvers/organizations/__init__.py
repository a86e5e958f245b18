"""The caller's organization: its settings, what they let guests do on each storefront, and its
stores."""
