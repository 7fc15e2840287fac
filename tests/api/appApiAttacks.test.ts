import fs from "node:fs";
import path from "node:path";
import {afterAll, beforeAll, describe, expect, it} from "vitest";
import type {z} from "zod";
import {openSqliteDatabase} from "../../electron/core/store/openSqliteDatabase.ts";
import type {ApiMethod} from "../../electron/shared/MethodTable.ts";
import {ggufModelPresets, writeGgufModel} from "../../testkit/gguf/writeGgufModel.ts";
import {rawHttp, type RawResponse} from "../utils/rawHttp.ts";
import {startApp, type RunningApp} from "../utils/startApp.ts";

// The attack set for the app's HTTP API: malformed requests to every method of the method table
// (found from the table itself, so a new method is attacked without editing this file), damaged
// files through the methods that read models, and many clients at once. Every refusal is a 4xx with
// a code; nothing answers 5xx; the app keeps working and loses nothing.

let app: RunningApp;

beforeAll(async () => {
    app = await startApp({service: {measureBandwidthAutomatically: false}});
});
afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
});

type Attack = {method: string; what: string; contentType?: string; body: string | Buffer; /** A valid argument after all: any answer but a 5xx. */ mayPass?: boolean};

function post(attack: Attack): Promise<RawResponse> {
    return rawHttp(`${app.server.url}/api/${attack.method}`, {
        method: "POST",
        headers: {"Content-Type": attack.contentType ?? "application/json"},
        body: attack.body
    });
}

/** The object fields a method's argument schema declares (through checks, transforms and optionals). */
function fieldsOf(schema: z.ZodType): string[] {
    let def = (schema as unknown as {_zod: {def: Record<string, unknown>}})._zod.def;
    for (let depth = 0; depth < 10; depth++) {
        if (def.type === "object") return Object.keys(def.shape as object);
        const inner = (def.in ?? def.innerType ?? def.schema) as {_zod: {def: Record<string, unknown>}} | undefined;
        if (!inner) return [];
        def = inner._zod.def;
    }
    return [];
}

/** Values of every JSON type, and a few that break naive code (a huge number, NaN-like text, a prototype key). */
const wrongValues: unknown[] = [null, true, -1, 1e308, 0.5, "", "x", "../../etc/passwd", [], [1, "a"], {}, {__proto__: {polluted: true}}];

function malformedArguments(method: string, entry: ApiMethod<unknown, unknown>): Attack[] {
    const attacks: Attack[] = [];
    const refused = (arg: unknown) => !entry.schema.safeParse(arg).success;
    for (const arg of [[], "text", 42, null, false])
        if (refused(arg)) attacks.push({method, what: `argument ${JSON.stringify(arg)}`, body: JSON.stringify(arg)});
    if (refused({})) attacks.push({method, what: "no fields", body: "{}"});
    for (const field of fieldsOf(entry.schema))
        for (const value of wrongValues) {
            const arg = {[field]: value};
            if (refused(arg)) attacks.push({method, what: `${field}: ${JSON.stringify(value)}`, body: JSON.stringify(arg)});
        }
    // A huge string in each field, under the body limit: refused, or at least never a crash.
    for (const field of fieldsOf(entry.schema)) attacks.push({method, what: `${field}: a 512 KiB string`, body: JSON.stringify({[field]: "a/".repeat(256 * 1024)}), mayPass: !refused({[field]: "a"})});
    attacks.push(
        {method, what: "not JSON", body: "{models: [oops"},
        {method, what: "truncated JSON", body: '{"a": "b'},
        {method, what: "text/plain", contentType: "text/plain", body: "{}"},
        {method, what: "a form", contentType: "application/x-www-form-urlencoded", body: "a=1"},
        {method, what: "a body over the limit", body: JSON.stringify({padding: "x".repeat(2 * 1024 * 1024)})}
    );
    return attacks;
}

function expectCodedRefusal(attack: Attack, response: RawResponse) {
    const label = `${attack.method} with ${attack.what}: ${response.status} ${response.body.slice(0, 300)}`;
    if (attack.mayPass && response.status < 300) return;
    expect(response.status, label).toBeGreaterThanOrEqual(400);
    expect(response.status, label).toBeLessThan(500);
    expect(response.json(), label).toMatchObject({error: {code: expect.stringMatching(/^[A-Z][A-Z0-9_]+$/), message: expect.any(String)}});
}

/** The app still answers and still holds what it held. */
async function expectWorking(models: number) {
    const info = await post({method: "app.info", what: "", body: "{}"});
    expect(info.status).toBe(200);
    const listed = await post({method: "models.list", what: "", body: "{}"});
    expect(listed.status).toBe(200);
    expect(listed.json()).toHaveLength(models);
}

describe("app API attack set", () => {
    it("refuses malformed requests to every method with a coded 4xx, never a 5xx, from many clients at once", async () => {
        const methods = Object.entries(app.service.methods) as [string, ApiMethod<unknown, unknown>][];
        expect(methods.length).toBeGreaterThan(40);
        const attacks = methods.flatMap(([method, entry]) => malformedArguments(method, entry));
        attacks.push(
            ...["no.such.method", "constructor", "__proto__", "toString", "hasOwnProperty", "app.info.x", "%2e%2e"].map((method) => ({method, what: "an unknown method", body: "{}"}))
        );
        // Eight clients at once, each working through its share of the attacks.
        const clients = 8;
        await Promise.all(
            Array.from({length: clients}, async (_, client) => {
                for (let i = client; i < attacks.length; i += clients) expectCodedRefusal(attacks[i]!, await post(attacks[i]!));
            })
        );
        await expectWorking(0);
    }, 300_000);

    it("answers unknown methods with UNKNOWN_METHOD and bad bodies with their own codes", async () => {
        for (const method of ["no.such.method", "constructor", "__proto__"])
            expect((await post({method, what: "", body: "{}"})).json()).toMatchObject({error: {code: "UNKNOWN_METHOD"}});
        expect(await post({method: "models.list", what: "", body: "{"})).toMatchObject({status: 400});
        expect((await post({method: "models.list", what: "", body: "{"})).json()).toMatchObject({error: {code: "INVALID_JSON"}});
        expect((await post({method: "models.list", what: "", contentType: "text/plain", body: "{}"})).json()).toMatchObject({error: {code: "UNSUPPORTED_MEDIA_TYPE"}});
        const big = await post({method: "models.list", what: "", body: JSON.stringify({padding: "x".repeat(2 * 1024 * 1024)})});
        expect(big.status).toBe(413);
        expect(big.json()).toMatchObject({error: {code: "PAYLOAD_TOO_LARGE"}});
    });
});

describe("damaged files", () => {
    it("refuses a truncated GGUF, random bytes, an empty file, a folder and a SQLite file named .gguf through every method that reads a model, losing nothing", async () => {
        const good = writeGgufModel(path.join(app.home.models, "good.gguf"), {...ggufModelPresets.tiny, contextLength: 1024});
        expect((await post({method: "models.import", what: "", body: JSON.stringify({path: good.path})})).status).toBe(200);
        const folder = path.join(app.home.home, "damaged");
        fs.mkdirSync(folder);
        const damaged: Record<string, string> = {
            truncated: path.join(folder, "truncated.gguf"),
            randomBytes: path.join(folder, "random.gguf"),
            empty: path.join(folder, "empty.gguf"),
            directory: path.join(folder, "directory.gguf"),
            sqlite: path.join(folder, "database.gguf")
        };
        fs.writeFileSync(damaged.truncated!, fs.readFileSync(good.path).subarray(0, Math.floor(good.fileSizeBytes / 3)));
        fs.writeFileSync(damaged.randomBytes!, Buffer.from(Array.from({length: 64 * 1024}, (_, i) => (i * 7919 + 13) % 251)));
        fs.writeFileSync(damaged.empty!, "");
        fs.mkdirSync(damaged.directory!);
        const db = openSqliteDatabase(damaged.sqlite!);
        db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1);");
        db.close();
        // A damaged SQLite file: its header kept, a page overwritten.
        const sqliteBytes = fs.readFileSync(damaged.sqlite!);
        sqliteBytes.fill(0xff, 100, Math.min(sqliteBytes.length, 3000));
        fs.writeFileSync(damaged.sqlite!, sqliteBytes);
        const before = Object.fromEntries(Object.entries(damaged).map(([name, file]) => [name, fs.statSync(file).isFile() ? fs.readFileSync(file).toString("base64") : "folder"]));

        for (const [name, file] of Object.entries(damaged)) {
            const attacks: Attack[] = [
                {method: "models.inspect", what: `a ${name} file`, body: JSON.stringify({source: file})},
                {method: "models.import", what: `a ${name} file`, body: JSON.stringify({path: file})},
                {method: "engine.start", what: `a ${name} file`, body: JSON.stringify({model: file, settings: {threads: 1}, server: {port: 0}})},
                {method: "bench.start", what: `a ${name} file`, body: JSON.stringify({models: [file], repetitions: 1, matrix: {threads: [1]}})}
            ];
            for (const attack of attacks) {
                const response = await post(attack);
                expectCodedRefusal(attack, response);
                expect(response.json(), `${attack.method} with a ${name} file names it`).toMatchObject({error: {message: expect.stringContaining(path.basename(file))}});
            }
        }
        // Nothing lost: the registered model is still there, the damaged files untouched, no run left running.
        await expectWorking(1);
        for (const [name, file] of Object.entries(damaged)) expect(fs.statSync(file).isFile() ? fs.readFileSync(file).toString("base64") : "folder", name).toBe(before[name]);
        expect((await post({method: "bench.runs", what: "", body: "{}"})).json()).toEqual([]);
        expect((await post({method: "engine.status", what: "", body: "{}"})).json()).toMatchObject({state: expect.not.stringMatching(/loading|serving/)});
    }, 300_000);
});
