"""The caller's organization: its settings, and what they let guests do on each storefront."""
