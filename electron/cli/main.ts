import {CommanderError} from "commander";
import {createProgram} from "./createProgram.ts";
import {red} from "./utils/format.ts";

const program = createProgram();

try {
    await program.parseAsync(process.argv);
} catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    const code = (error as {code?: unknown}).code;
    console.error(red(`error${typeof code === "string" ? ` [${code}]` : ""}: `) + (error instanceof Error ? error.message : String(error)));
    process.exit(1);
}
