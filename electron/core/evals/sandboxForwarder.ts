import {execFile} from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {errorMessage, InvalidArgumentError} from "../../shared/AppError.ts";

/**
 * The sandbox's loopback forwarder in C, with the Node forwarder's contract (confineAgent.ts) plus
 * passing SIGTERM, SIGINT and SIGHUP on to the agent: one process around poll(), so a sample's
 * sandbox starts in a few milliseconds instead of a Node start-up.
 */
export const NATIVE_FORWARDER_SOURCE = String.raw`/*
 * AgentFit's loopback forwarder, the native twin of the Node one in confineAgent.ts; runs inside the
 * agent's network namespace. Usage: loopback-forwarder SOCKET PORT COMMAND [ARGUMENT...]. Listens on
 * 127.0.0.1:PORT, then starts COMMAND (stdio inherited) and pipes every connection, both ways and
 * half-closes included, to the Unix socket SOCKET. SIGTERM, SIGINT and SIGHUP go on to COMMAND, which
 * dies if the forwarder is killed; exits with its exit code, or 128 + the signal that ended it.
 * 125: cannot listen; 127: cannot start.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

enum { BUFFER_SIZE = 65536 };

/* One direction of a connection: bytes read from one socket and not yet written to the other. */
typedef struct {
    int from, to;
    size_t start, end;
    int ended;   /* the reading side reached its end of stream */
    int shut;    /* that end was passed on: the writing side is shut for writing */
    char buffer[BUFFER_SIZE];
} Direction;

typedef struct {
    int client, upstream;
    int closed;
    Direction up, down;
} Connection;

static Connection **connections;
static size_t connectionCount, connectionCapacity;
static struct sockaddr_un proxyAddress;

static int wantsRead(const Direction *d) { return !d->ended && d->start == d->end; }
static int wantsWrite(const Direction *d) { return d->start < d->end; }

static void closeConnection(Connection *c) {
    close(c->client);
    close(c->upstream);
    c->closed = 1;
}

static void initDirection(Direction *d, int from, int to) {
    d->from = from;
    d->to = to;
    d->start = d->end = 0;
    d->ended = d->shut = 0;
}

/* A connection the proxy refuses (gone, or its backlog full) is closed, as the Node forwarder does. */
static void openConnection(int client) {
    int upstream = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    Connection *c = NULL;
    if (upstream < 0 || connect(upstream, (struct sockaddr *)&proxyAddress, sizeof proxyAddress) < 0 || fcntl(upstream, F_SETFL, O_NONBLOCK) < 0) goto refuse;
    if (connectionCount == connectionCapacity) {
        size_t capacity = connectionCapacity ? connectionCapacity * 2 : 16;
        Connection **grown = realloc(connections, capacity * sizeof *grown);
        if (!grown) goto refuse;
        connections = grown;
        connectionCapacity = capacity;
    }
    if (!(c = malloc(sizeof *c))) goto refuse;
    c->client = client;
    c->upstream = upstream;
    c->closed = 0;
    initDirection(&c->up, client, upstream);
    initDirection(&c->down, upstream, client);
    connections[connectionCount++] = c;
    return;
refuse:
    if (upstream >= 0) close(upstream);
    close(client);
}

/* Moves one direction on after poll: reads when its buffer is empty, writes what it holds, passes an end of stream on. -1: the connection broke. */
static int pump(Direction *d, short fromEvents, short toEvents) {
    int justRead = 0;
    if (wantsRead(d) && (fromEvents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = read(d->from, d->buffer, BUFFER_SIZE);
        if (n > 0) {
            d->start = 0;
            d->end = (size_t)n;
            justRead = 1;
        } else if (n == 0) d->ended = 1;
        else if (errno != EAGAIN && errno != EINTR) return -1;
    }
    if (wantsWrite(d) && (justRead || (toEvents & (POLLOUT | POLLHUP | POLLERR)))) {
        ssize_t n = send(d->to, d->buffer + d->start, d->end - d->start, MSG_NOSIGNAL);
        if (n >= 0) d->start += (size_t)n;
        else if (errno != EAGAIN && errno != EINTR) return -1;
    }
    if (d->ended && !wantsWrite(d) && !d->shut) {
        shutdown(d->to, SHUT_WR);
        d->shut = 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s SOCKET PORT COMMAND [ARGUMENT...]\n", argv[0]);
        return 125;
    }
    const char *socketPath = argv[1], *port = argv[2], *command = argv[3];
    char *rest;
    long portNumber = strtol(port, &rest, 10);
    if (!*port || *rest || portNumber < 0 || portNumber > 65535) {
        fprintf(stderr, "AgentFit's sandbox could not listen on 127.0.0.1:%s: not a port number\n", port);
        return 125;
    }
    if (strlen(socketPath) >= sizeof proxyAddress.sun_path) {
        fprintf(stderr, "AgentFit's sandbox cannot reach the proxy: its socket's path is longer than %zu bytes: %s\n", sizeof proxyAddress.sun_path - 1, socketPath);
        return 125;
    }
    proxyAddress.sun_family = AF_UNIX;
    strcpy(proxyAddress.sun_path, socketPath);

    /* Listening before the agent starts: its first request cannot come before the port is open. */
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), reuse = 1;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)portNumber)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse) < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) < 0 || listen(listener, 511) < 0) {
        fprintf(stderr, "AgentFit's sandbox could not listen on 127.0.0.1:%s: %s\n", port, strerror(errno));
        return 125;
    }

    /* Signals arrive through a descriptor poll watches; the agent gets the mask AgentFit started us with. */
    sigset_t watched, original;
    sigemptyset(&watched);
    sigaddset(&watched, SIGCHLD);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGHUP);
    sigprocmask(SIG_BLOCK, &watched, &original);
    int signals = signalfd(-1, &watched, SFD_CLOEXEC | SFD_NONBLOCK);
    /* Closed by a successful exec; an exec that fails writes its errno here. */
    int execReport[2];
    pid_t forwarder = getpid(), agent = -1;
    if (signals < 0 || pipe2(execReport, O_CLOEXEC) < 0 || (agent = fork()) < 0) {
        fprintf(stderr, "Could not start %s: %s\n", command, strerror(errno));
        return 127;
    }
    if (agent == 0) {
        close(execReport[0]);
        /* The agent dies with the forwarder, as the forwarder dies with bwrap (--die-with-parent). */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != forwarder) _exit(127);
        sigprocmask(SIG_SETMASK, &original, NULL);
        execvp(command, argv + 3);
        int error = errno;
        if (write(execReport[1], &error, sizeof error) < 0) _exit(127);
        _exit(127);
    }
    close(execReport[1]);
    int execError;
    ssize_t got;
    do got = read(execReport[0], &execError, sizeof execError);
    while (got < 0 && errno == EINTR);
    close(execReport[0]);
    if (got == (ssize_t)sizeof execError) {
        waitpid(agent, NULL, 0);
        fprintf(stderr, "Could not start %s: %s\n", command, strerror(execError));
        return 127;
    }

    struct pollfd *polled = NULL;
    size_t polledCapacity = 0;
    for (;;) {
        size_t watchedConnections = connectionCount, count = 2 + 2 * watchedConnections;
        if (count > polledCapacity) {
            struct pollfd *grown = realloc(polled, 2 * count * sizeof *grown);
            if (!grown) {
                fprintf(stderr, "AgentFit's sandbox forwarder ran out of memory\n");
                kill(agent, SIGKILL);
                return 125;
            }
            polled = grown;
            polledCapacity = 2 * count;
        }
        polled[0] = (struct pollfd){.fd = signals, .events = POLLIN};
        polled[1] = (struct pollfd){.fd = listener, .events = POLLIN};
        for (size_t i = 0; i < watchedConnections; i++) {
            Connection *c = connections[i];
            short client = (wantsRead(&c->up) ? POLLIN : 0) | (wantsWrite(&c->down) ? POLLOUT : 0);
            short upstream = (wantsRead(&c->down) ? POLLIN : 0) | (wantsWrite(&c->up) ? POLLOUT : 0);
            /* A descriptor with nothing to wait for is left out: its hang-up would wake poll at once, again and again. */
            polled[2 + 2 * i] = (struct pollfd){.fd = client ? c->client : -1, .events = client};
            polled[3 + 2 * i] = (struct pollfd){.fd = upstream ? c->upstream : -1, .events = upstream};
        }
        if (poll(polled, count, -1) < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "AgentFit's sandbox forwarder failed: %s\n", strerror(errno));
            kill(agent, SIGKILL);
            return 125;
        }
        if (polled[0].revents & POLLIN) {
            struct signalfd_siginfo info;
            while (read(signals, &info, sizeof info) == (ssize_t)sizeof info)
                if (info.ssi_signo != SIGCHLD) kill(agent, (int)info.ssi_signo);
            int status;
            if (waitpid(agent, &status, WNOHANG) == agent) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        for (size_t i = 0; i < watchedConnections; i++) {
            Connection *c = connections[i];
            short client = polled[2 + 2 * i].revents, upstream = polled[3 + 2 * i].revents;
            if (pump(&c->up, client, upstream) < 0 || pump(&c->down, upstream, client) < 0 || (c->up.shut && c->down.shut)) closeConnection(c);
        }
        if (polled[1].revents & POLLIN) {
            int client;
            while ((client = accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) openConnection(client);
        }
        size_t kept = 0;
        for (size_t i = 0; i < connectionCount; i++) {
            if (connections[i]->closed) free(connections[i]);
            else connections[kept++] = connections[i];
        }
        connectionCount = kept;
    }
}
`;

/**
 * The forwarder a sandbox starts: AgentFit's native one (`binary`; `compiled`: just now, not found
 * compiled), or the Node one with why.
 */
export type SandboxForwarder = {kind: "native"; binary: string; compiled: boolean} | {kind: "node"; reason: string};

const COMPILERS = ["cc", "gcc", "clang"];
const COMPILER_FLAGS = ["-O2"];
/** A freshly compiled forwarder must start `sh -c "exit 7"` and exit with 7. */
const CHECK_EXIT_CODE = 7;

export interface SandboxForwarderOptions {
    /** Where programs built for this machine are kept (AppPaths.programs). */
    folder: string;
    /** PATH (to find the compiler) and AGENTFIT_SANDBOX_FORWARDER ("node" forces the Node forwarder). */
    env: NodeJS.ProcessEnv;
    /** Default NATIVE_FORWARDER_SOURCE. */
    source?: string;
}

/**
 * The native forwarder for this machine, compiled once per version of its source with the system C
 * compiler (cc, else gcc or clang; -O2) into `folder`, under a name keyed by the source's hash; else
 * the Node forwarder with why (no compiler, compiling failed, its check failed). Built and checked in
 * a temporary folder (where the sandboxes' scratch folders live too, so a /tmp that cannot run
 * programs shows then), then copied in under a temporary name and renamed: processes building at once
 * each put a whole file in place. Throws INVALID_ARGUMENT for an AGENTFIT_SANDBOX_FORWARDER other
 * than "node".
 */
export async function resolveSandboxForwarder({folder, env, source = NATIVE_FORWARDER_SOURCE}: SandboxForwarderOptions): Promise<SandboxForwarder> {
    const asked = env.AGENTFIT_SANDBOX_FORWARDER;
    if (asked === "node") return {kind: "node", reason: "AGENTFIT_SANDBOX_FORWARDER=node asks for it."};
    if (asked)
        throw new InvalidArgumentError(`AGENTFIT_SANDBOX_FORWARDER may only be "node" (confined agents start through the Node forwarder) or unset (the native one when it builds here); it is "${asked}".`);
    if (process.platform !== "linux") return {kind: "node", reason: "the native forwarder is built for Linux only, where bubblewrap confines."};
    const hash = crypto.createHash("sha256").update([source, ...COMPILER_FLAGS].join("\0")).digest("hex").slice(0, 16);
    const binary = path.join(folder, `loopback-forwarder-${process.platform}-${process.arch}-${hash}`);
    if (isExecutableFile(binary)) return {kind: "native", binary, compiled: false};
    const compiler = findCompiler(env.PATH ?? "");
    if (!compiler) return {kind: "node", reason: `there is no C compiler (${COMPILERS.join(", ")}) on PATH to build the native forwarder.`};
    let build: string | undefined;
    try {
        build = fs.mkdtempSync(path.join(os.tmpdir(), "agentfit-forwarder-build-"));
        const built = path.join(build, "loopback-forwarder");
        fs.writeFileSync(`${built}.c`, source);
        const compiled = await run(compiler, [...COMPILER_FLAGS, "-o", built, `${built}.c`], env);
        if (compiled.exitCode !== 0) return {kind: "node", reason: `compiling the native forwarder with ${compiler} failed: ${compiled.output || compiled.error}`};
        const check = await run(built, [path.join(build, "no-proxy.sock"), "0", "/bin/sh", "-c", `exit ${CHECK_EXIT_CODE}`], env);
        if (check.exitCode !== CHECK_EXIT_CODE)
            return {kind: "node", reason: `the native forwarder ${compiler} built failed its check (${check.error || `exit code ${check.exitCode}, not ${CHECK_EXIT_CODE}`}${check.output ? `: ${check.output}` : ""}).`};
        fs.mkdirSync(folder, {recursive: true});
        const incoming = `${binary}.${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
        try {
            fs.copyFileSync(built, incoming);
            fs.chmodSync(incoming, 0o755);
            fs.renameSync(incoming, binary);
        } finally {
            fs.rmSync(incoming, {force: true});
        }
        return {kind: "native", binary, compiled: true};
    } catch (error) {
        return {kind: "node", reason: `building the native forwarder failed: ${errorMessage(error)}`};
    } finally {
        if (build) fs.rmSync(build, {recursive: true, force: true});
    }
}

function isExecutableFile(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

/** The first of cc, gcc, clang (in that order of preference) found on PATH. */
function findCompiler(searchPath: string): string | null {
    const dirs = searchPath.split(path.delimiter).filter(Boolean);
    for (const name of COMPILERS)
        for (const dir of dirs) {
            const candidate = path.join(dir, name);
            if (isExecutableFile(candidate)) return candidate;
        }
    return null;
}

/** Runs a program to its end: its exit code (null when it could not start or a signal ended it), the first lines of its output, and why it could not run. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{exitCode: number | null; output: string; error: string}> {
    return new Promise((resolve) =>
        execFile(command, args, {env, timeout: 120_000}, (error, stdout, stderr) => {
            const output = `${stdout}${stderr}`.trim().split("\n").slice(0, 5).join("\n");
            const code = (error as {code?: unknown} | null)?.code;
            if (!error) resolve({exitCode: 0, output, error: ""});
            else resolve({exitCode: typeof code === "number" ? code : null, output, error: typeof code === "number" ? "" : error.message});
        })
    );
}
