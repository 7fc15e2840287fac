import path from "node:path";
import {describe, expect, it} from "vitest";
import {launchBrowserForUi, screenshotDir} from "../utils/browser.ts";
import {benchQuickly, writeComparedModel, writeOtherMachineReport} from "../utils/machineReports.ts";
import {startApp} from "../utils/startApp.ts";

describe("Machines screen (browser mode)", () => {
    it("imports another machine's report and shows it as a second column beside this machine, at 900 and 1440 px", {timeout: 400_000}, async () => {
        await using browser = await launchBrowserForUi();
        await using app = await startApp({serveUi: true});
        const report = path.join(app.home.home, "team", "laptop-a.json");
        await writeOtherMachineReport(report, "rtx4060-32gb");
        await benchQuickly(app, writeComparedModel(app.home.models));

        for (const width of [900, 1440]) {
            const page = await browser.newPage({viewport: {width, height: 900}});
            const errors: string[] = [];
            page.on("pageerror", (error) => errors.push(error.message));
            await page.goto(`${app.server.url}/#/machines`);
            await page.getByTestId("machines-path").fill(path.dirname(report));
            await page.getByTestId("machines-import-button").click();
            await expect.poll(() => page.getByTestId("machines-import-result").textContent(), {timeout: 60_000}).toMatch(width === 900 ? /imported.*RTX 4060/ : /unchanged.*already imported/);
            await expect.poll(() => page.getByTestId("machine-column").count(), {timeout: 60_000}).toBe(2);
            const columns = await page.getByTestId("machine-column").allTextContents();
            expect(columns[0]).toContain("this machine");
            expect(columns[1]).toContain("test-laptop: Ryzen 7 7840U, 32 GB RAM, NVIDIA GeForce RTX 4060 Laptop GPU");
            const row = page.getByTestId("machine-row").filter({hasText: "team-tiny"});
            const cells = await row.locator("td").allTextContents();
            expect(cells).toHaveLength(3);
            for (const cell of cells.slice(1)) {
                expect(cell).toMatch(/tok\/s/);
                // Said once: by the badge when the cell is untested, else by the eval line.
                expect(cell.match(/not evaluated/gi)).toHaveLength(1);
            }
            await page.screenshot({path: path.join(screenshotDir, `machines-${width}.png`), fullPage: true});
            // Nothing overflows the page sideways: a wide team table scrolls inside its card.
            expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
            expect(errors).toEqual([]);
            await page.close();
        }
    });
});
