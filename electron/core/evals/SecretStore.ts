/**
 * Where provider API keys live. The desktop app backs it with the OS keychain (Electron
 * safeStorage); the CLI and browser mode with environment variables. Keys read from here go only
 * into the HTTP client: never into SQLite, logs, events or exports.
 */
export interface SecretStore {
    readonly storage: "keychain" | "environment";
    /** The key saved for `name` (a provider id), or undefined. */
    get(name: string): Promise<string | undefined>;
    /** Saves a key, or removes it with null. An environment-backed store throws EVAL_KEYS_READ_ONLY. */
    set(name: string, value: string | null): Promise<void>;
}
