import path from "node:path";
import type {EvalOutsideAccess} from "../../api/EvalApi.ts";

/** A tool call the agent's model made and what came back, as the recording proxy saw them. */
export interface ToolExchange {
    /** The call's arguments as the model wrote them (a command, a path, a URL…). */
    arguments: string;
    result: string;
}

export interface OutsideAccessSources {
    /** Tool calls and their results (what the commands the agent ran printed). */
    tools: ToolExchange[];
    /** The agent's own stderr: read for refused writes only (its own background network calls are not the model's doing). */
    stderr: string;
    /** The folders the agent may write: the workspace and its scratch folder (HOME, TMPDIR, config). */
    allowed: string[];
    /** The model's address the agent was given ("127.0.0.1:40123"): reaching it is allowed. */
    modelAddress: string;
    /** Written outside and found afterwards: changed files in the user's agent folders ("written"), files left in the sandbox's private /tmp ("discarded"). */
    found: EvalOutsideAccess["writes"];
}

/** A write refused by a read-only file system (the sandbox): reads never fail so. */
const READ_ONLY = /read-only file system|\bEROFS\b/i;
/** A permission error on a line that names a writing operation (a refused read is not a write). */
const DENIED = /permission denied|\bEACCES\b|\bEPERM\b|operation not permitted/i;
const WRITING = /cannot (create|touch|remove|move|make)|can't create|mkdir|rename|unlink|rmdir|\bwrite\b|\btee:|\bcp:|\bmv:|\brm:|copyfile|symlink|open '[^']*' for writing/i;

/**
 * The path a refused write names on one line of output: the last path before the error
 * ("bash: line 1: /home/u/x: Read-only file system", "touch: cannot touch '/x': …"), else the first
 * after it ("[Errno 30] Read-only file system: '/x'", "EROFS: read-only file system, open '/x'").
 */
function refusedWritePath(line: string): string | null {
    const error = READ_ONLY.exec(line) ?? (WRITING.test(line) ? DENIED.exec(line) : null);
    if (!error) return null;
    const before = [...line.slice(0, error.index).matchAll(ABSOLUTE_PATH)].at(-1);
    const after = line.slice(error.index).match(ABSOLUTE_PATH);
    return before?.[1] ?? after?.[0] ?? null;
}
/** A connection that failed: refused, unreachable, or a name that did not resolve (the sandbox has no network). */
const FAILED_CONNECTION =
    /\bECONNREFUSED\b|\bENETUNREACH\b|\bEHOSTUNREACH\b|\bEAI_AGAIN\b|\bENOTFOUND\b|could not resolve host|failed to connect to|network is unreachable|connection refused|temporary failure in name resolution|name or service not known|unable to resolve host|no address associated|fetch failed/i;
const ABSOLUTE_PATH = /(?<=^|[\s'"`(=‘:])(\/[^\s'"`:,;)’]+)/g;
const HOST_PATTERNS = [
    /\b(?:ECONNREFUSED|ENETUNREACH|EHOSTUNREACH)\s+(\[?[\w.:-]+\]?:\d+)/gi,
    /\b(?:EAI_AGAIN|ENOTFOUND)\s+([\w.-]+)/gi,
    /could not resolve host:?\s+([\w.-]+)/gi,
    /failed to connect to\s+([\w.-]+)\s+port\s+(\d+)/gi,
    /unable to resolve host address\s+['‘"]?([\w.-]+)/gi,
    /connecting to\s+([\w.-]+(?::\d+)?)[^\n]*failed/gi
];
const URL_HOST = /\b(?:https?|wss?|ftp):\/\/([\w.-]+|\[[\w:]+\])(?::(\d+))?/gi;

/**
 * What a coding agent did or tried outside its workspace, from what is left afterwards and what its
 * tools and stderr reported: writes refused by the sandbox or the file system (the paths named on
 * such errors, outside the allowed folders), and connections that failed (the addresses named on
 * such errors, or else in the call that caused them), the model's own address excepted.
 */
export function readOutsideAccess(sources: OutsideAccessSources): EvalOutsideAccess {
    const writes = new Map(sources.found.map((w) => [w.path, w]));
    const network = new Set<string>();
    const allowed = sources.allowed.map((folder) => path.resolve(folder));
    const outside = (p: string) => !allowed.some((folder) => p === folder || p.startsWith(`${folder}/`)) && !p.startsWith("/dev/") && !p.startsWith("/proc/");
    const refusedWrites = (text: string) => {
        for (const line of text.split("\n")) {
            const found = refusedWritePath(line);
            const p = found && path.resolve(found);
            if (p && outside(p) && !writes.has(p)) writes.set(p, {path: p, outcome: "blocked"});
        }
    };
    for (const tool of sources.tools) {
        refusedWrites(tool.result);
        if (!FAILED_CONNECTION.test(tool.result)) continue;
        const named = hostsIn(tool.result);
        const hosts = named.length > 0 ? named : hostsIn(tool.arguments, true);
        if (hosts.length === 0) network.add("(an address the command did not name)");
        for (const host of hosts) if (host !== sources.modelAddress) network.add(host);
    }
    refusedWrites(sources.stderr);
    return {writes: [...writes.values()].slice(0, 100), network: [...network].slice(0, 100)};
}

function hostsIn(text: string, urlsOnly = false): string[] {
    const hosts = new Set<string>();
    if (!urlsOnly)
        for (const pattern of HOST_PATTERNS)
            for (const match of text.matchAll(pattern)) hosts.add(match[2] ? `${match[1]}:${match[2]}` : match[1]!);
    for (const match of text.matchAll(URL_HOST)) hosts.add(match[2] ? `${match[1]}:${match[2]}` : match[1]!);
    return [...hosts];
}
