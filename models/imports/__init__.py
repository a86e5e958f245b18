"""Importing customers from CSV and XLSX files: reading, recognising the format, turning a row
into profile fields, writing a batch, and the report of every row's outcome."""
