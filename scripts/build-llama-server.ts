// Builds llama.cpp's llama-server from the source node-llama-cpp ships into a cache outside the repository
// (used by .ci/run; the endpoint benchmark's tests measure it as a real third-party server). Skips when it is
// cached already, and says why when this machine has no build tools (the tests then skip with the same reason).
import {buildLlamaServer, findLlamaServer, llamaCppTag, llamaServerBuildTools} from "../testkit/llamaServer.ts";

const cached = findLlamaServer();
if ("binary" in cached) {
    console.log(`llama-server (llama.cpp ${llamaCppTag()}): cached at ${cached.binary}`);
} else {
    const tools = llamaServerBuildTools();
    if (!tools.ok) {
        console.log(`llama-server not built (${tools.reason}); the tests that measure it will skip.`);
    } else {
        console.log(`Building llama-server (llama.cpp ${llamaCppTag()}) from node-llama-cpp's source; tens of minutes on 2 cores…`);
        const {binary, seconds} = buildLlamaServer({log: (line) => console.log(line)});
        console.log(`llama-server built in ${Math.floor(seconds / 60)} min ${seconds % 60} s: ${binary}`);
    }
}
