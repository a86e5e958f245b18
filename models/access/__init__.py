"""Who may act and how they prove it: staff users, API keys, sign-in sessions, one-time codes,
customer passwords, customer sign-in and sign-up, password hashing, the role matrix, and the
last-used stamps of credentials."""
