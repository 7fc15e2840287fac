import fs from "node:fs";
import path from "node:path";
import {describe, expect, it} from "vitest";

/** Reads of what a page shows: asserting one of them once races the page on a busy machine. */
const pageReads = /\.(textContent|innerText|innerHTML|allTextContents|allInnerTexts|count|isVisible|isHidden|isChecked|isDisabled|isEnabled|getAttribute|inputValue)\(/;

/** Every `expect(await …)` whose argument reads the page, as "file:line: code". */
function onceReadAssertions(source: string, file: string): string[] {
    const found: string[] = [];
    for (let at = source.indexOf("expect(await "); at >= 0; at = source.indexOf("expect(await ", at + 1)) {
        let depth = 0;
        let end = at + "expect".length;
        for (; end < source.length; end++) {
            if (source[end] === "(") depth++;
            else if (source[end] === ")" && --depth === 0) break;
        }
        const argument = source.slice(at, end + 1);
        if (pageReads.test(argument)) found.push(`${file}:${source.slice(0, at).split("\n").length}: ${argument.replace(/\s+/g, " ")}`);
    }
    return found;
}

const browserTestFolders = ["tests/e2e", "tests/build"];

describe("browser tests wait for states", () => {
    it("finds a once-read assertion (the check itself works)", () => {
        expect(onceReadAssertions('await go();\nexpect(await page.getByTestId("row").textContent()).toBe("x");', "a.ts")).toEqual(['a.ts:2: expect(await page.getByTestId("row").textContent())']);
        expect(onceReadAssertions('await expect.poll(() => page.getByTestId("row").count()).toBe(2);\nexpect(await response.text()).toContain("root");', "a.ts")).toEqual([]);
    });

    it("asserts what a page shows only through expect.poll, never from one read", () => {
        const found = browserTestFolders.flatMap((folder) =>
            fs
                .readdirSync(folder, {recursive: true, encoding: "utf8"})
                .filter((name) => name.endsWith(".ts"))
                .flatMap((name) => onceReadAssertions(fs.readFileSync(path.join(folder, name), "utf8"), path.join(folder, name)))
        );
        expect(found, "use `await expect.poll(() => locator.read()).matcher(…)` instead").toEqual([]);
    });
});
