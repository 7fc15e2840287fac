import type Database from "better-sqlite3";
import type {EndpointBenchRun} from "../../api/EndpointsApi.ts";

/** Endpoint benchmark runs, one row each, the measurements as JSON (endpoints). Kept apart from this machine's bench results. */
export interface EndpointBenchRepository {
    create(run: Omit<EndpointBenchRun, "id">): EndpointBenchRun;
    update(id: number, patch: Partial<EndpointBenchRun>): EndpointBenchRun;
    get(id: number): EndpointBenchRun | undefined;
    /** Newest first. */
    list(limit: number): EndpointBenchRun[];
    /** Runs left "running" by a process that ended are marked "interrupted". Returns how many. */
    markInterrupted(): number;
}

interface Row {
    id: number;
    data: string;
}

export function createEndpointBenchRepository(db: Database.Database): EndpointBenchRepository {
    const insert = db.prepare<[string, string | null, string, string, string]>(
        "INSERT INTO endpoint_bench_runs (created_at, completed_at, status, endpoint_key, data) VALUES (?, ?, ?, ?, ?)"
    );
    const updateRow = db.prepare<[string | null, string, string, number]>("UPDATE endpoint_bench_runs SET completed_at = ?, status = ?, data = ? WHERE id = ?");
    const select = db.prepare<[number], Row>("SELECT id, data FROM endpoint_bench_runs WHERE id = ?");
    const selectList = db.prepare<[number], Row>("SELECT id, data FROM endpoint_bench_runs ORDER BY id DESC LIMIT ?");
    const selectRunning = db.prepare<[], Row>("SELECT id, data FROM endpoint_bench_runs WHERE status = 'running'");
    const toRun = (row: Row): EndpointBenchRun => ({...(JSON.parse(row.data) as Omit<EndpointBenchRun, "id">), id: row.id});
    const dataOf = ({id: _id, ...rest}: EndpointBenchRun | (Omit<EndpointBenchRun, "id"> & {id?: number})) => JSON.stringify(rest);

    const repository: EndpointBenchRepository = {
        create(run) {
            const result = insert.run(run.createdAt, run.completedAt, run.status, run.endpointKey, dataOf(run));
            return {...run, id: Number(result.lastInsertRowid)};
        },
        update(id, patch) {
            const current = repository.get(id);
            if (!current) throw new RangeError(`No endpoint run ${id}.`);
            const next = {...current, ...patch, id};
            updateRow.run(next.completedAt, next.status, dataOf(next), id);
            return next;
        },
        get(id) {
            const row = select.get(id);
            return row ? toRun(row) : undefined;
        },
        list(limit) {
            return selectList.all(limit).map(toRun);
        },
        markInterrupted() {
            const running = selectRunning.all();
            for (const row of running) repository.update(row.id, {status: "interrupted", phase: null, completedAt: new Date().toISOString()});
            return running.length;
        }
    };
    return repository;
}
