export interface AppInfo {
    name: string;
    version: string;
    /** Data directory: the SQLite file and downloaded models live here. */
    home: string;
    databasePath: string;
    modelsPath: string;
    /** "electron" for the desktop window, "web" for the browser mode. */
    shell: "electron" | "web";
    schemaVersion: number;
}

export interface AppInfoApi {
    "app.info": (arg: Record<string, never>) => Promise<AppInfo>;
}
