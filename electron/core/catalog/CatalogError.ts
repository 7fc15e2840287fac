import {AppError} from "../../shared/AppError.ts";

export type CatalogErrorCode =
    | "CATALOG_NOT_FOUND"
    | "CATALOG_INVALID"
    | "CATALOG_REFRESH_FAILED"
    | "HARDWARE_OVERRIDE_INVALID"
    | "FIT_SETTINGS_INVALID"
    | "MODEL_UNSUPPORTED"
    | "BANDWIDTH_MEASUREMENT_FAILED"
    | "BANDWIDTH_MEASUREMENT_CANCELLED"
    | "BANDWIDTH_NOT_ENOUGH_MEMORY";

/** A catalog lookup, an override or a model that recommendations cannot use; the message says what to do. */
export class CatalogError extends AppError {
    declare readonly code: CatalogErrorCode;
    constructor(code: CatalogErrorCode, message: string, options?: {cause?: unknown}) {
        super(code, message, options);
        this.name = "CatalogError";
    }
}
