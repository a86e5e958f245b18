"""Exporting customers: jobs and their rules, the rows read for a filter and sort, the CSV and
XLSX writers (the XLSX row XML made here), and one customer's history as a file.

Its tables are named here too (`from models import exports`, then `exports.ExportJob`), so that
the layers above can tell them from their own types of the same name without renaming."""

from models.exports.jobs import ExportJob

__all__ = ["ExportJob"]
