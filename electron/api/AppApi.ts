import type {AgentsApi} from "./AgentsApi.ts";
import type {AppInfoApi} from "./AppInfoApi.ts";
import type {EvalApi, EvalEvents} from "./EvalApi.ts";
import type {DownloadsApi, DownloadsEvents} from "./DownloadsApi.ts";
import type {EngineApi, EngineEvents} from "./EngineApi.ts";
import type {HardwareApi, HardwareEvents} from "./HardwareApi.ts";
import type {ModelsApi, ModelsEvents} from "./ModelsApi.ts";
import type {BenchApi, BenchEvents} from "./BenchApi.ts";
import type {VerdictApi, VerdictEvents} from "./VerdictApi.ts";
import type {EndpointsApi, EndpointsEvents} from "./EndpointsApi.ts";
import type {MachinesApi, MachinesEvents} from "./MachinesApi.ts";
import type {AnswerApi, AnswerEvents} from "./AnswerApi.ts";

/**
 * The whole contract between the UI (or any client) and the app: one method per name, one JSON
 * argument, a JSON result. Transports (IPC, HTTP) and the CLI expose exactly this.
 */
export type AppApi = AppInfoApi & HardwareApi & ModelsApi & DownloadsApi & EngineApi & EvalApi & BenchApi & VerdictApi & AnswerApi & AgentsApi & EndpointsApi & MachinesApi;

/** Events the app pushes to every subscribed client, by name, with a JSON payload. */
export type AppEvents = HardwareEvents & ModelsEvents & DownloadsEvents & EngineEvents & EvalEvents & BenchEvents & VerdictEvents & AnswerEvents & EndpointsEvents & MachinesEvents;

export type AppMethod = keyof AppApi;
export type AppEvent = keyof AppEvents;
export type ApiArg<M extends AppMethod> = Parameters<AppApi[M]>[0];
export type ApiResult<M extends AppMethod> = Awaited<ReturnType<AppApi[M]>>;

/** How every transport reports a failed call: a stable code and a message for people. */
export interface ApiErrorBody {
    error: {code: string; message: string};
}
