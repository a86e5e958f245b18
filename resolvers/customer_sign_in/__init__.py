"""The storefronts' public fields: a customer signs up, asks for a one-time code, signs in."""
