/**
 * The environment an engine process starts with (it must be set before the process starts: libuv and
 * OpenMP read it once).
 *
 * - `UV_THREADPOOL_SIZE=1`: one libuv worker runs every decode, so an OpenMP build keeps one team of
 *   threads (FACTS §3).
 * - `GOMP_SPINCOUNT=10000`: an engine built with OpenMP (`agentfit engine build`) otherwise spins its
 *   threads up to 300,000 times at every barrier and between decodes before sleeping. When another
 *   process holds a core, the spinning thread burns the time slice its partner needs: with two busy
 *   loops on two cores, generation ran at 0.54 tok/s (llama-bench 10.3) and at 17.2 tok/s with 10,000
 *   spins, while a quiet machine measured the same speed either way (35.7 vs 34.6 tok/s; sleeping at
 *   once, `OMP_WAIT_POLICY=passive`, cost 12 % there) — FACTS §3. A user's own `GOMP_SPINCOUNT` or
 *   `OMP_WAIT_POLICY` wins. The prebuilt binary has no OpenMP and ignores both.
 */
export function engineProcessEnvironment(base: NodeJS.ProcessEnv, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {...base, ...extra, UV_THREADPOOL_SIZE: "1"};
    if (env.OMP_WAIT_POLICY === undefined && env.GOMP_SPINCOUNT === undefined) env.GOMP_SPINCOUNT = "10000";
    return env;
}
