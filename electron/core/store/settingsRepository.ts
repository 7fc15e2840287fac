import type Database from "better-sqlite3";

/** Small choices people make once and the app remembers (a dismissed offer, a tip already shown). */
export interface SettingsRepository {
    get(key: string): {value: string; updatedAt: string} | null;
    set(key: string, value: string, updatedAt?: string): void;
}

export function createSettingsRepository(db: Database.Database): SettingsRepository {
    const select = db.prepare<[string], {value: string; updated_at: string}>("SELECT value, updated_at FROM app_settings WHERE key = ?");
    const upsert = db.prepare<[string, string, string]>(
        "INSERT INTO app_settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
    );
    return {
        get(key) {
            const row = select.get(key);
            return row ? {value: row.value, updatedAt: row.updated_at} : null;
        },
        set(key, value, updatedAt = new Date().toISOString()) {
            upsert.run(key, value, updatedAt);
        }
    };
}
