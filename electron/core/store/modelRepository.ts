import type Database from "better-sqlite3";
import type {RegisteredModel} from "../../api/DownloadsApi.ts";
import type {ModelRepository} from "./Store.ts";

interface Row {
    id: string;
    name: string;
    path: string;
    files: string;
    size_bytes: number;
    sha256: string | null;
    source: string;
    managed: number;
    facts: string;
    added_at: string;
}

export function createModelRepository(db: Database.Database): ModelRepository {
    const insert = db.prepare(
        `INSERT INTO models (id, name, path, files, size_bytes, sha256, source_kind, source, managed, architecture, quantization, parameter_count, facts, added_at)
         VALUES (@id, @name, @path, @files, @sizeBytes, @sha256, @sourceKind, @source, @managed, @architecture, @quantization, @parameterCount, @facts, @addedAt)`
    );
    const selectAll = db.prepare<[], Row>("SELECT * FROM models ORDER BY added_at DESC, rowid DESC");
    const selectOne = db.prepare<[string], Row>("SELECT * FROM models WHERE id = ?");
    const remove = db.prepare<[string]>("DELETE FROM models WHERE id = ?");
    const toModel = (row: Row): RegisteredModel => ({
        id: row.id,
        name: row.name,
        path: row.path,
        files: JSON.parse(row.files) as RegisteredModel["files"],
        sizeBytes: row.size_bytes,
        sha256: row.sha256,
        source: JSON.parse(row.source) as RegisteredModel["source"],
        managed: row.managed === 1,
        facts: JSON.parse(row.facts) as RegisteredModel["facts"],
        addedAt: row.added_at
    });

    return {
        add(model) {
            insert.run({
                id: model.id,
                name: model.name,
                path: model.path,
                files: JSON.stringify(model.files),
                sizeBytes: model.sizeBytes,
                sha256: model.sha256,
                sourceKind: model.source.kind,
                source: JSON.stringify(model.source),
                managed: model.managed ? 1 : 0,
                architecture: model.facts.architecture,
                quantization: model.facts.quantization,
                parameterCount: model.facts.parameterCount,
                facts: JSON.stringify(model.facts),
                addedAt: model.addedAt
            });
            return model;
        },
        list() {
            return selectAll.all().map(toModel);
        },
        get(id) {
            const row = selectOne.get(id);
            return row ? toModel(row) : undefined;
        },
        remove(id) {
            return remove.run(id).changes > 0;
        }
    };
}
