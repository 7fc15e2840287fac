// `node --import tests/utils/traceModules.mjs …` appends every module the process resolves (one URL a
// line) to the file named by AGENTFIT_TRACE_MODULES: how tests see what a command loads.
import {register} from "node:module";

const hooks = `
import fs from "node:fs";
export async function resolve(specifier, context, next) {
    const result = await next(specifier, context);
    if (process.env.AGENTFIT_TRACE_MODULES) fs.appendFileSync(process.env.AGENTFIT_TRACE_MODULES, result.url + "\\n");
    return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
