import fs from "node:fs";
import path from "node:path";
import postcss, {type Root, type Rule} from "postcss";
import {describe, expect, it} from "vitest";
import {reportCss} from "../../electron/core/reports/renderHtml.ts";
import {levelColors} from "../../electron/shared/verdictCharts.ts";
import {projectRoot} from "../utils/runCli.ts";

// The renderer's stylesheets: design tokens in renderer/src/styles/tokens.css, shared rules in
// renderer/src/styles/, each screen's rules next to it under renderer/src/features/<area>/.

const rendererSrc = path.join(projectRoot, "renderer", "src");
const tokensFile = path.join(rendererSrc, "styles", "tokens.css");

interface Sheet {
    /** Path relative to renderer/src, e.g. "features/models/ModelsScreen.css". */
    file: string;
    root: Root;
}

function readSheets(): Sheet[] {
    const files = (fs.readdirSync(rendererSrc, {recursive: true}) as string[]).filter((f) => f.endsWith(".css")).sort();
    return files.map((file) => ({file: file.split(path.sep).join("/"), root: postcss.parse(fs.readFileSync(path.join(rendererSrc, file), "utf8"), {from: file})}));
}

/** Every custom property of `:root` in the tokens file, by name without the dashes. */
function readTokens(css: string): Map<string, string> {
    const tokens = new Map<string, string>();
    postcss.parse(css).walkDecls(/^--/, (decl) => {
        if (decl.parent?.type === "rule" && (decl.parent as Rule).selector === ":root") tokens.set(decl.prop.slice(2), decl.value.trim());
    });
    return tokens;
}

/** WCAG 2.x relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
    const match = /^#([0-9a-f]{6})$/i.exec(hex);
    if (!match) throw new Error(`Not a #rrggbb colour: ${hex}`);
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(match[1]!.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light! + 0.05) / (dark! + 0.05);
}

/** Colour pairs below their minimum ratio, as readable lines. */
function contrastFailures(tokens: Map<string, string>, pairs: [foreground: string, background: string, minimum: number][]): string[] {
    const colour = (name: string) => {
        const value = tokens.get(name);
        if (!value) throw new Error(`--${name} is not a token`);
        return value;
    };
    return pairs.flatMap(([fg, bg, minimum]) => {
        const ratio = contrast(colour(fg), colour(bg));
        return ratio + 1e-9 < minimum ? [`--${fg} on --${bg}: ${ratio.toFixed(2)}:1, needs ${minimum}:1`] : [];
    });
}

const TEXT = 4.5; // WCAG AA, body text
const NON_TEXT = 3; // WCAG AA, large text, control boundaries, focus indicators, data graphics

const surfaces = ["bg", "surface", "surface-2", "surface-3", "accent-soft"];
const textOnSurfaces = ["text", "muted", "faint", "accent", "good", "warn", "bad", "info", "neutral-text"];
const fills = ["fill-neutral", "fill-good", "fill-warn", "fill-bad", "fill-info", "fill-accent"];

/**
 * The pairs the UI draws. Text tokens appear on every surface (cards, the page, table rows,
 * selected rows); state colours on their soft backgrounds; controls and the focus ring against
 * everything they sit on.
 */
const tokenPairs: [string, string, number][] = [
    ...textOnSurfaces.flatMap((fg) => surfaces.map((bg): [string, string, number] => [fg, bg, TEXT])),
    ...(["good", "good-text"] as const).map((fg): [string, string, number] => [fg, "good-soft", TEXT]),
    ...(["warn", "warn-text", "text", "muted"] as const).map((fg): [string, string, number] => [fg, "warn-soft", TEXT]),
    ...(["bad", "bad-text", "text", "muted"] as const).map((fg): [string, string, number] => [fg, "bad-soft", TEXT]),
    ["info", "info-soft", TEXT],
    ["on-accent", "accent", TEXT],
    ["on-accent", "accent-hover", TEXT],
    ...fills.map((bg): [string, string, number] => ["on-fill", bg, TEXT]),
    ...(["sidebar-text", "sidebar-faint", "sidebar-strong"] as const).map((fg): [string, string, number] => [fg, "sidebar", TEXT]),
    ["sidebar-strong", "sidebar-hover", TEXT],
    ["sidebar-strong", "sidebar-active", TEXT],
    ["code-text", "code-bg", TEXT],
    ["text", "tool-call-bg", TEXT],
    ...["surface", "surface-2"].map((bg): [string, string, number] => ["control-border", bg, NON_TEXT]),
    ...surfaces.map((bg): [string, string, number] => ["focus-ring-color", bg, NON_TEXT]),
    ...["sidebar", "sidebar-hover", "sidebar-active"].map((bg): [string, string, number] => ["focus-ring-on-dark", bg, NON_TEXT]),
    ...fills.flatMap((fill) => ["track", "surface"].map((bg): [string, string, number] => [fill, bg, NON_TEXT]))
];

/** Rules that set a text colour and a background from tokens: each such pair must read as text. */
function declaredPairs(sheets: Sheet[]): [string, string, number][] {
    const pairs: [string, string, number][] = [];
    for (const sheet of sheets)
        sheet.root.walkRules((rule) => {
            let fg: string | undefined;
            let bg: string | undefined;
            rule.each((node) => {
                if (node.type !== "decl") return;
                const token = /^var\(--([\w-]+)\)$/.exec(node.value.trim())?.[1];
                if (node.prop === "color" && token) fg = token;
                if ((node.prop === "background" || node.prop === "background-color") && token) bg = token;
            });
            if (fg && bg) pairs.push([fg, bg, TEXT]);
        });
    return pairs;
}

/** Colours written outside the tokens file, and variables that no token defines. */
function tokenViolations(sheets: Sheet[], tokens: Map<string, string>): string[] {
    const violations: string[] = [];
    for (const sheet of sheets) {
        if (sheet.file === "styles/tokens.css") continue;
        sheet.root.walkDecls((decl) => {
            const where = `${sheet.file}:${decl.source?.start?.line} ${decl.prop}: ${decl.value}`;
            if (decl.prop.startsWith("--")) violations.push(`${where} (tokens are defined only in styles/tokens.css)`);
            if (/#[0-9a-f]{3,8}\b|\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(|(?:^|[\s,(])(?:white|black|red|green|blue|gray|grey|orange|yellow|purple)(?:$|[\s,)])/i.test(decl.value))
                violations.push(`${where} (a raw colour: use a token)`);
            for (const [, name] of decl.value.matchAll(/var\(--([\w-]+)/g)) if (!tokens.has(name!)) violations.push(`${where} (--${name} is not a token)`);
        });
    }
    return violations;
}

/** Selectors defined twice in the same context (same media query), across all sheets. */
function duplicateSelectors(sheets: Sheet[]): string[] {
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const sheet of sheets)
        sheet.root.walkRules((rule) => {
            const context: string[] = [];
            for (let parent = rule.parent; parent && parent.type !== "root"; parent = parent.parent)
                if (parent.type === "atrule") context.unshift(`@${(parent as unknown as {name: string; params: string}).name} ${(parent as unknown as {params: string}).params}`);
            for (const selector of rule.selectors) {
                const key = `${context.join(" ")} ${selector.replace(/\s+/g, " ").trim()}`;
                const where = `${sheet.file}:${rule.source?.start?.line}`;
                const first = seen.get(key);
                if (first) duplicates.push(`"${key.trim()}" at ${where} and ${first}`);
                else seen.set(key, where);
            }
        });
    return duplicates;
}

/**
 * A screen's sheet may only style inside its screen: every selector starts with the screen's
 * root class, and no two feature folders share a root class.
 */
function scopingViolations(sheets: Sheet[]): string[] {
    const violations: string[] = [];
    const rootsByArea = new Map<string, Set<string>>();
    for (const sheet of sheets) {
        const area = /^features\/([^/]+)\//.exec(sheet.file)?.[1];
        if (!area) continue;
        const roots = rootsByArea.get(area) ?? new Set<string>();
        rootsByArea.set(area, roots);
        sheet.root.walkRules((rule) => {
            for (const selector of rule.selectors) {
                const root = /^\.([\w-]+-page)(?=[\s.:[]|$)/.exec(selector.trim())?.[1];
                if (!root) violations.push(`${sheet.file}:${rule.source?.start?.line} "${selector}" is not scoped under the screen's root class (.<area>-page)`);
                else roots.add(root);
            }
        });
    }
    const owner = new Map<string, string>();
    for (const [area, roots] of rootsByArea) {
        if (roots.size > 1) violations.push(`features/${area} styles under several roots: ${[...roots].join(", ")}`);
        for (const root of roots) {
            if (owner.has(root)) violations.push(`.${root} is the root of both features/${owner.get(root)} and features/${area}`);
            owner.set(root, area);
        }
    }
    return violations;
}

describe("renderer stylesheets", () => {
    const sheets = readSheets();
    const tokens = readTokens(fs.readFileSync(tokensFile, "utf8"));

    it("keep every colour pair the UI draws at WCAG AA contrast", () => {
        expect(tokens.size).toBeGreaterThan(40);
        expect(contrastFailures(tokens, tokenPairs)).toEqual([]);
        const declared = declaredPairs(sheets);
        expect(declared.length).toBeGreaterThan(10);
        expect(contrastFailures(tokens, declared)).toEqual([]);
    });

    it("keep the HTML report's text and the verdict levels' colours at WCAG AA", () => {
        // The report draws text on white sections and on its grey page; its level pill writes white on the level's colour.
        const textColours = [...reportCss.matchAll(/(?<![-\w])color:(#[0-9a-f]{6})/gi)].map((m) => m[1]!.toLowerCase()).filter((c) => c !== "#ffffff" && c !== "#fff");
        expect(textColours.length).toBeGreaterThan(3);
        const failures = textColours.flatMap((fg) => ["#ffffff", "#f4f6f9"].filter((bg) => contrast(fg, bg) < TEXT).map((bg) => `${fg} on ${bg}: ${contrast(fg, bg).toFixed(2)}:1`));
        expect(failures).toEqual([]);
        const pills = Object.entries(levelColors).filter(([, colour]) => contrast("#ffffff", colour) < TEXT);
        expect(pills).toEqual([]);
    });

    it("write colours only as tokens, and only use tokens that exist", () => {
        expect(tokenViolations(sheets, tokens)).toEqual([]);
    });

    it("define each selector once and style each screen only under its own root class", () => {
        expect(duplicateSelectors(sheets)).toEqual([]);
        expect(scopingViolations(sheets)).toEqual([]);
        const screens = sheets.filter((s) => s.file.startsWith("features/")).map((s) => s.file.split("/")[1]);
        expect(new Set(screens)).toEqual(new Set(["answer", "bench", "downloads", "evals", "hardware", "machines", "models", "serve", "verdict"]));
    });

    it("catch what they are meant to catch", () => {
        const parse = (file: string, css: string): Sheet => ({file, root: postcss.parse(css)});
        const lowContrast = new Map([...tokens, ["muted", "#a0a0a0"]]);
        expect(contrastFailures(lowContrast, tokenPairs)).toContain(`--muted on --surface: ${contrast("#a0a0a0", "#ffffff").toFixed(2)}:1, needs 4.5:1`);
        expect(contrastFailures(tokens, declaredPairs([parse("x.css", ".x { color: var(--sidebar-faint); background: var(--surface); }")]))).toHaveLength(1);
        expect(tokenViolations([parse("features/x/X.css", ".x-page a { color: #333; border: 1px solid var(--nope); }")], tokens)).toEqual([
            expect.stringContaining("a raw colour"),
            expect.stringContaining("--nope is not a token")
        ]);
        expect(duplicateSelectors([parse("a.css", ".a, .b {} @media (max-width: 1px) { .a {} }"), parse("b.css", ".b {}")])).toEqual([expect.stringContaining('".b" at b.css')]);
        expect(scopingViolations([parse("features/x/X.css", ".x-page .a {} .a {}"), parse("features/y/Y.css", ".x-page .b {}")])).toEqual([
            expect.stringContaining('".a" is not scoped'),
            expect.stringContaining(".x-page is the root of both")
        ]);
    });
});
