import unittest
from datetime import date
from decimal import Decimal

from ledger import Transaction, monthly_totals


class MonthlyTotalsTest(unittest.TestCase):
    def test_sums_per_month_and_category(self):
        totals = monthly_totals(
            [
                Transaction(date(2025, 3, 1), "Bakery", Decimal("-4.20"), "EUR", "food"),
                Transaction(date(2025, 3, 9), "Market", Decimal("-10.00"), "EUR", "food"),
                Transaction(date(2025, 2, 28), "Employer", Decimal("2500"), "EUR", "income"),
            ]
        )
        self.assertEqual(list(totals), [("2025-02", "income"), ("2025-03", "food")])
        self.assertEqual(totals[("2025-03", "food")], Decimal("-14.20"))


if __name__ == "__main__":
    unittest.main()
