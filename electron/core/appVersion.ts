import fs from "node:fs";
import path from "node:path";
import {findAppRoot} from "./install/appRoot.ts";

/** The version in package.json, read once. */
export const appVersion: string = (JSON.parse(fs.readFileSync(path.join(findAppRoot(), "package.json"), "utf8")) as {version: string}).version;
