import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {invoiceLines, summarizeWeek} from "../src/index.js";

describe("invoiceLines", () => {
    it("bills billable time per project, rounded up to a quarter hour", () => {
        const week = summarizeWeek([
            {date: "2025-03-03", project: "acme", duration: "1h 05m"},
            {date: "2025-03-04", project: "acme", duration: "0:30", billable: false},
            {date: "2025-03-05", project: "zen", duration: "40m"}
        ]);
        assert.deepEqual(invoiceLines(week, {hourlyRate: 1200}), [
            {project: "acme", time: "1:15", amount: "1,500.00", cents: 150000},
            {project: "zen", time: "0:45", amount: "900.00", cents: 90000}
        ]);
    });

    it("needs a positive rate", () => {
        assert.throws(() => invoiceLines(summarizeWeek([]), {hourlyRate: 0}), /hourlyRate/);
    });
});
