import type {ApiArg, ApiResult, AppEvent, AppEvents, AppMethod} from "../../api/AppApi.ts";

/** What a transport must provide: one way to call a method and one way to hear events. */
export interface ApiChannel {
    invoke(method: string, arg: unknown): Promise<unknown>;
    /** Returns a function that stops the subscription. */
    subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

/** Typed client over any channel (IPC in the desktop window, HTTP in the browser and tests). */
export interface ApiClient {
    call<M extends AppMethod>(method: M, arg: ApiArg<M>): Promise<ApiResult<M>>;
    on<E extends AppEvent>(event: E, listener: (payload: AppEvents[E]) => void): () => void;
}

/** A failed call, with the app's stable error code (e.g. "NOT_FOUND", "STORE_SCHEMA_TOO_NEW"). */
export class ApiCallError extends Error {
    readonly code: string;
    constructor(code: string, message: string) {
        super(message);
        this.name = "ApiCallError";
        this.code = code;
    }
}

export function createApiClient(channel: ApiChannel): ApiClient {
    return {
        async call(method, arg) {
            return (await channel.invoke(method, arg)) as never;
        },
        on(event, listener) {
            return channel.subscribe((name, payload) => {
                if (name === event) listener(payload as never);
            });
        }
    };
}
