import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {summarizeWeek} from "../src/timesheet.js";

const entry = (duration, extra = {}) => ({date: "2025-03-03", project: "acme", duration, ...extra});

describe("summarizeWeek", () => {
    it("reads clock durations", () => {
        assert.equal(summarizeWeek([entry("1:30"), entry("0:05")]).totalMinutes, 95);
    });

    it("reads hours and minutes", () => {
        assert.equal(summarizeWeek([entry("1h 30m")]).totalMinutes, 90);
        assert.equal(summarizeWeek([entry("2h")]).totalMinutes, 120);
        assert.equal(summarizeWeek([entry("45m")]).totalMinutes, 45);
        assert.equal(summarizeWeek([entry("1H15M")]).totalMinutes, 75);
        assert.equal(summarizeWeek([entry("  3 h 5 m ")]).totalMinutes, 185);
    });

    it("rejects unreadable durations with the date", () => {
        assert.throws(() => summarizeWeek([entry("")]), /Unreadable duration "" on 2025-03-03/);
        assert.throws(() => summarizeWeek([entry("1:75")]), /Unreadable duration "1:75"/);
        assert.throws(() => summarizeWeek([entry("ninety")]), /Unreadable duration/);
        assert.throws(() => summarizeWeek([entry("1.5h")]), RangeError);
    });

    it("totals per project, busiest first", () => {
        const week = summarizeWeek([
            entry("1:00", {project: "beta"}),
            entry("2h", {project: "acme"}),
            entry("30m", {project: "beta", billable: false})
        ]);
        assert.equal(week.total, "3:30");
        assert.deepEqual(week.projects, [
            {name: "acme", minutes: 120, billableMinutes: 120},
            {name: "beta", minutes: 90, billableMinutes: 60}
        ]);
    });

    it("checks dates and projects", () => {
        assert.throws(() => summarizeWeek([entry("1h", {date: "03/03/2025"})]), /Bad date/);
        assert.throws(() => summarizeWeek([entry("1h", {project: ""})]), /has no project/);
        assert.throws(() => summarizeWeek("1h"), TypeError);
    });

    it("gives an empty summary for an empty week", () => {
        assert.deepEqual(summarizeWeek([]), {totalMinutes: 0, total: "0:00", projects: []});
    });
});
