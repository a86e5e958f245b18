"""The audit log as GraphQL shows it: `Customer.activity`."""
