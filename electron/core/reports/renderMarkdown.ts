import type {ReportData} from "./collectReportData.ts";
import {reportSections, type ReportTable} from "./reportSections.ts";

/** A Markdown summary of the machine's results (GitHub-flavoured tables). */
export function renderMarkdown(data: ReportData): string {
    const out = [`# Can this machine run a usable coding agent? — AgentFit report`, ""];
    for (const section of reportSections(data)) {
        out.push(`## ${section.heading}`, "");
        for (const p of section.paragraphs ?? []) out.push(section.id === "answer" ? `**${p}**` : p, "");
        if (section.table) out.push(table(section.table), "");
        for (const sub of section.subtables ?? []) out.push(`### ${sub.caption}`, "", table(sub.table), "");
        if (section.bullets?.length) out.push(...section.bullets.map((b) => `- ${cell(b)}`), "");
    }
    return out.join("\n");
}

function table(t: ReportTable): string {
    return [`| ${t.columns.map(cell).join(" | ")} |`, `|${t.columns.map(() => "---").join("|")}|`, ...t.rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
