/** Terminal formatting shared by CLI commands. */
export {formatBytes, formatDuration} from "../../shared/format.ts";

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
export const bold = paint(1);
export const dim = paint(2);
export const green = paint(32);
export const yellow = paint(33);
export const red = paint(31);

/** Aligned "label  value" lines. */
export function keyValues(rows: [string, string][], indent = "  "): string {
    const width = Math.max(...rows.map(([key]) => key.length));
    return rows.map(([key, value]) => `${indent}${dim(key.padEnd(width))}  ${value}`).join("\n");
}

/** A plain text table with a header row; columns sized to their content. */
export function table(header: string[], rows: string[][]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => stripAnsi(r[i] ?? "").length)));
    const line = (cells: string[]) => cells.map((c, i) => c + " ".repeat(widths[i]! - stripAnsi(c).length)).join("  ").trimEnd();
    return [bold(line(header)), ...rows.map(line)].join("\n");
}

function stripAnsi(text: string): string {
    // eslint-disable-next-line no-control-regex
    return text.replace(/\x1b\[[0-9;]*m/g, "");
}
