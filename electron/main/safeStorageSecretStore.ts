import fs from "node:fs";
import path from "node:path";
import {safeStorage} from "electron";
import {EvalError} from "../core/evals/EvalError.ts";
import {createEnvironmentSecretStore} from "../core/evals/environmentSecretStore.ts";
import type {SecretStore} from "../core/evals/SecretStore.ts";

/**
 * API keys in the OS keychain: each key is encrypted with Electron safeStorage (Keychain on macOS,
 * DPAPI on Windows, the Secret Service or kwallet on Linux) and the ciphertext kept in
 * `<userData>/secrets.json` (mode 0600). Environment variables still work as a fallback.
 */
export function createSafeStorageSecretStore(userData: string): SecretStore {
    const file = path.join(userData, "secrets.json");
    const environment = createEnvironmentSecretStore();
    const read = (): Record<string, string> => {
        try {
            return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
        } catch {
            return {};
        }
    };
    return {
        storage: "keychain",
        async get(name) {
            const sealed = read()[name];
            if (sealed && safeStorage.isEncryptionAvailable()) {
                try {
                    return safeStorage.decryptString(Buffer.from(sealed, "base64"));
                } catch {}
            }
            return environment.get(name);
        },
        async set(name, value) {
            const all = read();
            if (value === null) delete all[name];
            else {
                if (!safeStorage.isEncryptionAvailable())
                    throw new EvalError("EVAL_KEYCHAIN_UNAVAILABLE", "The OS keychain is not available, so the key cannot be stored safely. Set it as an environment variable instead.");
                all[name] = safeStorage.encryptString(value).toString("base64");
            }
            fs.mkdirSync(userData, {recursive: true});
            fs.writeFileSync(file, JSON.stringify(all, null, 2), {mode: 0o600});
        }
    };
}
