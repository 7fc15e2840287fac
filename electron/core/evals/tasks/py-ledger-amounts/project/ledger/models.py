from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Transaction:
    """One line of a bank statement. Negative amounts are money going out."""

    booked: date
    payee: str
    amount: Decimal
    currency: str
    category: str = "uncategorised"
