import type Database from "better-sqlite3";
import type {DownloadState} from "../../api/DownloadsApi.ts";
import type {DownloadPlan} from "./DownloadPlan.ts";
import type {DownloadJobRecord, DownloadJobRepository} from "./Store.ts";

interface Row {
    id: number;
    reference: string;
    name: string;
    state: string;
    plan: string;
    position: number;
    error_code: string | null;
    error_message: string | null;
    model_id: string | null;
    owner: string | null;
    created_at: string;
    updated_at: string;
}

const toRecord = (row: Row): DownloadJobRecord => ({
    id: row.id,
    reference: row.reference,
    name: row.name,
    state: row.state as DownloadState,
    plan: JSON.parse(row.plan) as DownloadPlan,
    position: row.position,
    error: row.error_code ? {code: row.error_code, message: row.error_message ?? ""} : null,
    modelId: row.model_id,
    owner: row.owner,
    createdAt: row.created_at,
    updatedAt: row.updated_at
});

export function createDownloadJobRepository(db: Database.Database): DownloadJobRepository {
    const insert = db.prepare(
        `INSERT INTO downloads (reference, name, state, plan, position, created_at, updated_at)
         VALUES (@reference, @name, @state, @plan, (SELECT coalesce(max(position), 0) + 1 FROM downloads), @now, @now)`
    );
    const selectOne = db.prepare<[number], Row>("SELECT * FROM downloads WHERE id = ?");
    const selectAll = db.prepare<[], Row>("SELECT * FROM downloads ORDER BY position, id");
    const remove = db.prepare<[number]>("DELETE FROM downloads WHERE id = ?");

    const repository: DownloadJobRepository = {
        create(job) {
            const now = new Date().toISOString();
            const result = insert.run({reference: job.reference, name: job.plan.name, state: job.state, plan: JSON.stringify(job.plan), now});
            return repository.get(Number(result.lastInsertRowid))!;
        },
        get(id) {
            const row = selectOne.get(id);
            return row ? toRecord(row) : undefined;
        },
        list() {
            return selectAll.all().map(toRecord);
        },
        update(id, patch) {
            const sets: string[] = ["updated_at = @updatedAt"];
            const values: Record<string, unknown> = {id, updatedAt: new Date().toISOString()};
            const set = (column: string, name: string, value: unknown) => {
                sets.push(`${column} = @${name}`);
                values[name] = value;
            };
            if (patch.state !== undefined) set("state", "state", patch.state);
            if (patch.plan !== undefined) set("plan", "plan", JSON.stringify(patch.plan));
            if (patch.error !== undefined) {
                set("error_code", "errorCode", patch.error?.code ?? null);
                set("error_message", "errorMessage", patch.error?.message ?? null);
            }
            if (patch.modelId !== undefined) set("model_id", "modelId", patch.modelId);
            if (patch.owner !== undefined) set("owner", "owner", patch.owner);
            db.prepare(`UPDATE downloads SET ${sets.join(", ")} WHERE id = @id`).run(values);
            return repository.get(id)!;
        },
        claim(id, owner, isAlive) {
            return db.transaction(() => {
                const row = selectOne.get(id);
                if (!row) return false;
                if (row.owner && row.owner !== owner && isAlive(row.owner)) return false;
                db.prepare("UPDATE downloads SET owner = ? WHERE id = ?").run(owner, id);
                return true;
            }).immediate();
        },
        remove(id) {
            return remove.run(id).changes > 0;
        }
    };
    return repository;
}
