import {AppError} from "../../shared/AppError.ts";

export type StoreErrorCode = "STORE_CORRUPT" | "STORE_SCHEMA_TOO_NEW" | "STORE_OPEN_FAILED" | "STORE_MIGRATION_FAILED";

/** The database cannot be used. The file is never modified or reset when this is thrown. */
export class StoreError extends AppError {
    declare readonly code: StoreErrorCode;
    readonly file: string;
    constructor(code: StoreErrorCode, file: string, message: string, options?: {cause?: unknown}) {
        super(code, message, options);
        this.name = "StoreError";
        this.file = file;
    }
}
