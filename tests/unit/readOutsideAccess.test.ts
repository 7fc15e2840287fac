import {describe, expect, it} from "vitest";
import {readOutsideAccess, type OutsideAccessSources} from "../../electron/core/evals/readOutsideAccess.ts";

const workspace = "/tmp/agentfit-eval-js-abc";
const scratch = "/tmp/agentfit-agent-def";
const read = (sources: Partial<OutsideAccessSources>) =>
    readOutsideAccess({tools: [], stderr: "", allowed: [workspace, scratch], modelAddress: "127.0.0.1:40123", found: [], ...sources});
const tool = (result: string, args = "{}") => ({arguments: args, result});

describe("what an agent did outside its workspace", () => {
    it("takes the refused path from each tool's own error wording, not the shell or the tool itself", () => {
        const access = read({
            tools: [
                tool("/bin/bash: line 1: /home/u/notes.txt: Read-only file system"),
                tool("sh: 1: cannot create /etc/agentfit.conf: Read-only file system"),
                tool("touch: cannot touch '/usr/local/x': Read-only file system"),
                tool("OSError: [Errno 30] Read-only file system: '/opt/helper.py'"),
                tool("Error: EROFS: read-only file system, open '/root/.npmrc'"),
                tool("mkdir: cannot create directory '/var/lib/x': Permission denied")
            ]
        });
        expect(access.writes).toEqual(["/home/u/notes.txt", "/etc/agentfit.conf", "/usr/local/x", "/opt/helper.py", "/root/.npmrc", "/var/lib/x"].map((p) => ({path: p, outcome: "blocked"})));
    });

    it("ignores refused reads, paths inside the workspace or scratch folder, and output without errors", () => {
        const access = read({
            tools: [tool("cat: /root/secret: Permission denied"), tool(`${workspace}/src/a.js: Read-only file system`), tool(`wrote ${scratch}/home/x and /etc/passwd`)],
            stderr: `Error: EROFS: read-only file system, open '${scratch}/home/.cache/x'`
        });
        expect(access).toEqual({writes: [], network: []});
    });

    it("keeps what was found afterwards and adds refused writes from the agent's stderr", () => {
        const access = read({found: [{path: "/tmp/leak.txt", outcome: "discarded"}], stderr: "Error: EROFS: read-only file system, mkdir '/root/.codex'"});
        expect(access.writes).toEqual([
            {path: "/tmp/leak.txt", outcome: "discarded"},
            {path: "/root/.codex", outcome: "blocked"}
        ]);
    });

    it("names the addresses failed connections name, else the URL in the call, never the model's own", () => {
        const access = read({
            tools: [
                tool("TypeError: fetch failed\n  cause: connect ECONNREFUSED 127.0.0.1:5000"),
                tool("curl: (6) Could not resolve host: example.com"),
                tool("curl: (7) Failed to connect to 10.0.0.1 port 8080 after 0 ms: Couldn't connect to server"),
                tool("Error: getaddrinfo EAI_AGAIN registry.npmjs.org"),
                tool("urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>", '{"cmd":"python3 -c \\"import urllib.request; urllib.request.urlopen(\'https://pypi.org/simple\')\\""}'),
                tool("connect ECONNREFUSED 127.0.0.1:40123"),
                tool("Network is unreachable")
            ],
            stderr: "getaddrinfo ENOTFOUND statsig.anthropic.com"
        });
        expect(access.network).toEqual(["127.0.0.1:5000", "example.com", "10.0.0.1:8080", "registry.npmjs.org", "pypi.org", "(an address the command did not name)"]);
        expect(access.writes).toEqual([]);
    });
});
