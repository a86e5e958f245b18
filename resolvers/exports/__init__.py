"""Exports in GraphQL: start a job, poll it, and get its download link."""
