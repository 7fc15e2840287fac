import os
import tempfile
import unittest
from datetime import date
from decimal import Decimal

from ledger import LedgerFormatError, read_transactions


def write_statement(test, text):
    handle = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8")
    handle.write(text)
    handle.close()
    test.addCleanup(os.remove, handle.name)
    return handle.name


def amounts(test, *values):
    rows = "".join(f"2025-03-0{i + 1};Shop;{value}\n" for i, value in enumerate(values))
    return [t.amount for t in read_transactions(write_statement(test, "date;payee;amount\n" + rows))]


class ReadTransactionsTest(unittest.TestCase):
    def test_plain_amounts(self):
        self.assertEqual(amounts(self, "12.50", "-3", "0"), [Decimal("12.50"), Decimal("-3"), Decimal("0")])

    def test_european_format(self):
        self.assertEqual(amounts(self, "1.234,56", "12,5", "-0,99"), [Decimal("1234.56"), Decimal("12.5"), Decimal("-0.99")])

    def test_us_format_with_thousands(self):
        self.assertEqual(amounts(self, "1,234.56", "$2,000.00"), [Decimal("1234.56"), Decimal("2000.00")])

    def test_accounting_negatives_and_currency_signs(self):
        self.assertEqual(amounts(self, "(12.00)", "(1.000,00 €)", "€ 7,10"), [Decimal("-12.00"), Decimal("-1000.00"), Decimal("7.10")])

    def test_bad_amount_names_the_line(self):
        path = write_statement(self, "date;payee;amount\n2025-03-01;Shop;1.00\n2025-03-02;Shop;twelve\n")
        with self.assertRaisesRegex(LedgerFormatError, r"line 3: cannot read the amount 'twelve'"):
            read_transactions(path)

    def test_fields_and_defaults(self):
        path = write_statement(
            self,
            "date;payee;amount;currency;category\n2025-03-01; Bakery ;-4,20;;food\n2025-03-02;Employer;2500;CHF;\n",
        )
        first, second = read_transactions(path)
        self.assertEqual(first.booked, date(2025, 3, 1))
        self.assertEqual(first.payee, "Bakery")
        self.assertEqual(first.currency, "EUR")
        self.assertEqual(first.category, "food")
        self.assertEqual(second.currency, "CHF")
        self.assertEqual(second.category, "uncategorised")

    def test_missing_columns(self):
        path = write_statement(self, "date;amount\n2025-03-01;1\n")
        with self.assertRaisesRegex(LedgerFormatError, "missing columns: payee"):
            read_transactions(path)

    def test_bad_date(self):
        path = write_statement(self, "date;payee;amount\n01.03.2025;Shop;1\n")
        with self.assertRaisesRegex(LedgerFormatError, "line 2: bad date"):
            read_transactions(path)


if __name__ == "__main__":
    unittest.main()
