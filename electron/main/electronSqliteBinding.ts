import fs from "node:fs";
import path from "node:path";

/**
 * better-sqlite3 compiled for Electron's ABI lives beside, never instead of, the Node build that the
 * CLI and tests use. `npm start` prepares it (scripts/prepareElectronNative.js) under
 * `.cache/electron-native/<electron version>/`.
 */
export function electronSqliteBindingPath(appRoot: string, electronVersion: string): string {
    return path.join(appRoot, ".cache", "electron-native", electronVersion, "better_sqlite3.node");
}

export function findElectronSqliteBinding(appRoot: string, electronVersion: string): string | undefined {
    const file = electronSqliteBindingPath(appRoot, electronVersion);
    return fs.existsSync(file) ? file : undefined;
}
