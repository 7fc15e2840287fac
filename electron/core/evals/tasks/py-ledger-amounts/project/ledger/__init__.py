"""Import bank statements into a household ledger."""

from .importer import LedgerFormatError, read_transactions
from .models import Transaction
from .report import monthly_totals

__all__ = ["LedgerFormatError", "Transaction", "monthly_totals", "read_transactions"]
