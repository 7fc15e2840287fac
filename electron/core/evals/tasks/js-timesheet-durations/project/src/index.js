export {summarizeWeek} from "./timesheet.js";
export {invoiceLines} from "./invoice.js";
export {formatMinutes} from "./format.js";
