import {InvalidArgumentError} from "commander";

/** Commander parser for a whole number within bounds; the error names the option. */
export function wholeNumber(name: string, min: number, max: number = Number.MAX_SAFE_INTEGER) {
    return (value: string) => {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < min || n > max)
            throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `${name} must be a whole number of at least ${min}.` : `${name} must be a whole number from ${min} to ${max}.`);
        return n;
    };
}

/** Commander parser for a number of at least 0 (fractions allowed); the error names the option. */
export function nonNegativeNumber(name: string) {
    return (value: string) => {
        const n = Number(value);
        if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number of at least 0.`);
        return n;
    };
}
