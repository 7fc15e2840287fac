import {formatMinutes} from "./format.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Totals a week of timesheet entries per project.
 *
 * @param {{date: string, project: string, duration: string, billable?: boolean}[]} entries
 * @returns {{totalMinutes: number, total: string, projects: {name: string, minutes: number, billableMinutes: number}[]}}
 */
export function summarizeWeek(entries) {
    if (!Array.isArray(entries)) throw new TypeError("entries must be an array");
    const projects = new Map();
    let totalMinutes = 0;

    for (const entry of entries) {
        if (!DATE.test(entry.date ?? "")) throw new RangeError(`Bad date "${entry.date}"`);
        if (!entry.project) throw new RangeError(`Entry on ${entry.date} has no project`);

        // Parse the duration: "1:30", "1h 30m", "90m" or "2h"
        let minutes;
        const text = String(entry.duration ?? "").trim().toLowerCase();
        const clock = /^(\d+):([0-5]\d)$/.exec(text);
        if (clock) {
            minutes = Number(clock[1]) * 60 + Number(clock[2]);
        } else {
            const units = /^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?$/.exec(text);
            if (!units || (units[1] === undefined && units[2] === undefined)) {
                throw new RangeError(`Unreadable duration "${entry.duration}" on ${entry.date}`);
            }
            minutes = Number(units[1] ?? 0) * 60 + Number(units[2] ?? 0);
        }

        const project = projects.get(entry.project) ?? {name: entry.project, minutes: 0, billableMinutes: 0};
        project.minutes += minutes;
        if (entry.billable !== false) project.billableMinutes += minutes;
        projects.set(entry.project, project);
        totalMinutes += minutes;
    }

    return {
        totalMinutes,
        total: formatMinutes(totalMinutes),
        projects: [...projects.values()].sort((a, b) => b.minutes - a.minutes || a.name.localeCompare(b.name))
    };
}
