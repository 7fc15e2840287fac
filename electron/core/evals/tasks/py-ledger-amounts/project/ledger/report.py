from collections import defaultdict
from decimal import Decimal


def monthly_totals(transactions):
    """Sum of amounts per (year-month, category), sorted by month then category."""
    totals = defaultdict(lambda: Decimal("0"))
    for transaction in transactions:
        month = transaction.booked.strftime("%Y-%m")
        totals[(month, transaction.category)] += transaction.amount
    return dict(sorted(totals.items()))
