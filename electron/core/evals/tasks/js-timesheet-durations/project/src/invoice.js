import {formatCents, formatMinutes} from "./format.js";

/**
 * Invoice lines for the billable time of a week summary, one per project, rounded up to the
 * next quarter hour.
 */
export function invoiceLines(summary, {hourlyRate}) {
    if (!(hourlyRate > 0)) throw new RangeError("hourlyRate must be a positive number");
    return summary.projects
        .filter((project) => project.billableMinutes > 0)
        .map((project) => {
            const billed = Math.ceil(project.billableMinutes / 15) * 15;
            const cents = Math.round((billed / 60) * hourlyRate * 100);
            return {project: project.name, time: formatMinutes(billed), amount: formatCents(cents), cents};
        });
}
