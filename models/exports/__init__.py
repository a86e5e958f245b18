"""Exporting customers: jobs and their rules, the rows read for a filter and sort, the CSV and
XLSX writers (the XLSX row XML made here), and one customer's history as a file.

Its tables are named here too (`from models import exports`, then `exports.ExportJob`):
the layers above tell them from their own types of the same name without renaming them."""

from models.exports.jobs import ExportJob

__all__ = ["ExportJob"]
