import type {Command} from "commander";
import {bold, dim, formatBytes, green, red, table} from "../utils/format.ts";
import {withAppService} from "../utils/withAppService.ts";
import {formatKTokens} from "../../shared/format.ts";

export function registerCatalogCommand(program: Command) {
    const catalog = program.command("catalog").description("The curated model catalog");
    catalog
        .command("list", {isDefault: true})
        .description("List the catalog's models, quantizations and where their facts come from")
        .option("--json", "print JSON")
        .action(async (options: {json?: boolean}) => {
            const models = await withAppService((app) => app["models.catalog"]({}));
            if (options.json) return console.log(JSON.stringify(models, null, 2));
            console.log(
                table(
                    ["id", "params", "ctx", "tools", "license", "quantizations (size; est. = estimated)", "repository"],
                    models.map((m) => [
                        m.id,
                        `${(m.architecture.parameters / 1e9).toFixed(1)}B${m.architecture.activeParameters ? `/${(m.architecture.activeParameters / 1e9).toFixed(1)}B` : ""}`,
                        formatKTokens(m.architecture.contextLength),
                        m.toolCalling,
                        m.license,
                        m.quantizations.map((q) => `${q.quantization} ${formatBytes(q.sizeBytes)}${q.sizeEstimated ? " est." : ""}`).join(", "),
                        m.huggingFaceRepo
                    ])
                )
            );
        });
    catalog
        .command("refresh")
        .description("Replace estimated sizes with exact file names, sizes and SHA-256 from the Hugging Face API (needs internet; HF_ENDPOINT and HF_TOKEN are honoured)")
        .option("--model <id...>", "only these models")
        .option("--json", "print JSON")
        .action(async (options: {model?: string[]; json?: boolean}) => {
            const report = await withAppService((app) => app["models.refreshCatalog"]({models: options.model}));
            if (options.json) return console.log(JSON.stringify(report, null, 2));
            console.log(bold(`Catalog refreshed from ${report.endpoint}`) + dim(`  ${report.refreshedAt}`));
            for (const r of report.results) {
                const mark = r.status === "failed" ? red("failed   ") : r.status === "updated" ? green("updated  ") : dim("unchanged");
                console.log(`  ${mark} ${r.modelId}  ${dim(r.message)}`);
            }
            const failed = report.results.filter((r) => r.status === "failed").length;
            if (failed > 0) process.exitCode = 1;
        });
}
