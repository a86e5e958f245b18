"""Staff users, sign-in and API keys: who may reach the organization's data."""
