"""Exporting customers: jobs and their rules, the rows read for a filter and sort, the CSV and
XLSX writers (the XLSX row XML made here), and one customer's history as a file."""
