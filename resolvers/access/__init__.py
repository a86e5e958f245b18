"""Staff users, sign-in sessions, API keys, and the storefronts' customer sign-up and sign-in:
who may reach the organization's data, and how they prove it."""
