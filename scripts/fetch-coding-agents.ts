// Installs the pinned coding agents and Python SDKs the tests drive into ~/.cache/agentfit-agents (used by .ci/run).
// Does nothing when they are already there at those versions.
import {agentBinDirs, agentsCacheDir, ensureCodingAgents} from "../testkit/codingAgentsCache.ts";

ensureCodingAgents(agentsCacheDir(), (line) => console.log(line));
console.log(`Coding agents: ${agentBinDirs().join(", ")}`);
