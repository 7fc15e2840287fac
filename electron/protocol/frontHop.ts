/**
 * The internal hop between the app's serving front (electron/core/engine/createServingFront.ts),
 * which owns the port clients connect to, and the engine's HTTP server on a loopback port. The
 * engine refuses every request without the per-front secret, so the hop cannot be used to get
 * around the key, Host and Origin checks (which run once, in the engine).
 */

/** Carries the secret the app handed the engine with the `serve` command. */
export const FRONT_SECRET_HEADER = "x-agentfit-front-secret";

/** The client's own address as the front saw it (the engine sees only loopback). */
export const FRONT_CLIENT_ADDRESS_HEADER = "x-agentfit-client-address";
