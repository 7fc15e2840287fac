import {createRequire} from "node:module";

/** The version in package.json, read once. */
export const appVersion: string = (() => {
    try {
        return (createRequire(import.meta.url)("../../package.json") as {version: string}).version;
    } catch {
        return "0.0.0";
    }
})();
