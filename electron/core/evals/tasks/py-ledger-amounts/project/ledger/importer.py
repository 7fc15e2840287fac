import csv
from datetime import datetime
from decimal import Decimal, InvalidOperation

from .models import Transaction

REQUIRED_COLUMNS = {"date", "payee", "amount"}


class LedgerFormatError(ValueError):
    """The statement file cannot be read; the message names the line."""


def read_transactions(path, default_currency="EUR"):
    """Read a semicolon-separated bank statement into a list of Transactions."""
    transactions = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
        if missing:
            raise LedgerFormatError(f"missing columns: {', '.join(sorted(missing))}")

        for line_no, row in enumerate(reader, start=2):
            try:
                booked = datetime.strptime(row["date"].strip(), "%Y-%m-%d").date()
            except ValueError:
                raise LedgerFormatError(f"line {line_no}: bad date {row['date']!r}") from None

            # Normalise the amount: accounting negatives, currency signs, separators
            text = row["amount"].strip()
            negative = text.startswith("(") and text.endswith(")")
            if negative:
                text = text[1:-1]
            text = text.replace("€", "").replace("$", "").replace(" ", "")
            if "," in text and "." in text:
                if text.rfind(",") > text.rfind("."):
                    text = text.replace(".", "").replace(",", ".")
                else:
                    text = text.replace(",", "")
            elif "," in text:
                text = text.replace(",", ".")
            try:
                amount = Decimal(text)
            except InvalidOperation:
                raise LedgerFormatError(f"line {line_no}: cannot read the amount {row['amount']!r}") from None
            if negative:
                amount = -amount

            transactions.append(
                Transaction(
                    booked=booked,
                    payee=row["payee"].strip(),
                    amount=amount,
                    currency=(row.get("currency") or default_currency).strip(),
                    category=(row.get("category") or "uncategorised").strip(),
                )
            )
    return transactions
