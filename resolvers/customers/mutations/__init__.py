"""The customer mutations, one module each (input, payload, one call to the rule);
`resolvers/customers/schema.py` declares them."""
