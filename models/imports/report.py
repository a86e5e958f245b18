"""An import's report as CSV: every row's outcome and each of a failed row's problems, one line
each. The CLI writes it to the file `--report` names; `importCustomers` stores it like an
export's file and gives its link (`reportUrl`)."""

import csv
from typing import IO

from models.exports.files import neutralised
from models.imports.importer import RowResult

HEADER = ["row", "outcome", "customer_id", "column", "code", "message"]


class ReportCsv:
    """Called with each row's result as the import goes (`on_row`): nothing is held."""

    def __init__(self, out: IO[str]) -> None:
        self.rows = 0
        self._csv = csv.writer(out)
        self._csv.writerow(HEADER)

    def __call__(self, result: RowResult) -> None:
        self.rows += 1
        head = [result.row, result.outcome.value, result.customer_id or ""]
        if not result.problems:
            self._csv.writerow([*head, "", "", ""])
        for problem in result.problems:
            # The column is the file's header and the message may quote a cell: text a
            # spreadsheet must not run.
            self._csv.writerow([*head, neutralised(problem.column), problem.code.value,
                                neutralised(problem.message)])
