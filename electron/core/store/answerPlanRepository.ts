import type Database from "better-sqlite3";
import type {AnswerPlan} from "../../api/AnswerApi.ts";

/** Guided answer plans with their step states, so a plan survives a restart. */
export interface AnswerPlanRepository {
    /** Saves a new plan (its `id` is ignored) and returns it with its id. */
    create(plan: Omit<AnswerPlan, "id">): AnswerPlan;
    /** Writes the whole plan over the stored one. */
    save(plan: AnswerPlan): void;
    get(id: number): AnswerPlan | undefined;
    /** The newest plan. */
    latest(): AnswerPlan | undefined;
}

export function createAnswerPlanRepository(db: Database.Database): AnswerPlanRepository {
    const insert = db.prepare<[string, string, string, string]>("INSERT INTO answer_plans (created_at, updated_at, state, data) VALUES (?, ?, ?, ?)");
    const update = db.prepare<[string, string, string, number]>("UPDATE answer_plans SET updated_at = ?, state = ?, data = ? WHERE id = ?");
    const selectOne = db.prepare<[number], {id: number; data: string}>("SELECT id, data FROM answer_plans WHERE id = ?");
    const selectLatest = db.prepare<[], {id: number; data: string}>("SELECT id, data FROM answer_plans ORDER BY id DESC LIMIT 1");
    const read = (row: {id: number; data: string} | undefined): AnswerPlan | undefined => (row ? {...(JSON.parse(row.data) as AnswerPlan), id: row.id} : undefined);
    return {
        create(plan) {
            const {lastInsertRowid} = insert.run(plan.createdAt, plan.updatedAt, plan.state, "{}");
            const created = {...plan, id: Number(lastInsertRowid)};
            update.run(created.updatedAt, created.state, JSON.stringify(created), created.id);
            return created;
        },
        save(plan) {
            update.run(plan.updatedAt, plan.state, JSON.stringify(plan), plan.id);
        },
        get(id) {
            return read(selectOne.get(id));
        },
        latest() {
            return read(selectLatest.get());
        }
    };
}
