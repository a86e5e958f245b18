"""What every concept uses: the declarative base and column types, tenancy and store scope,
actors, enums, user errors, domain events and their change payloads, keyset paging, money,
phones, text folding and input validation."""
