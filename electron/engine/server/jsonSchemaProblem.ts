const schemaTypes = new Set(["object", "array", "string", "number", "integer", "boolean", "null"]);
const schemaLists = ["anyOf", "oneOf", "allOf"] as const;

/**
 * The first reason `schema` is not a usable JSON Schema (an unknown type, a property that is not a
 * schema, `required` that is not a list of names, a `$ref` that points nowhere…), or undefined.
 * `where` names the schema in the message. Only structure is checked; keywords this server's
 * grammars ignore (format, pattern…) are allowed.
 */
export function jsonSchemaProblem(schema: unknown, where: string): string | undefined {
    const root = schema;
    const visit = (node: unknown, at: string, depth: number): string | undefined => {
        if (depth > 64) return `${at} nests deeper than 64 levels.`;
        if (typeof node === "boolean") return undefined;
        if (typeof node !== "object" || node === null || Array.isArray(node)) return `${at} must be a JSON Schema object.`;
        const s = node as Record<string, unknown>;
        if (s.type !== undefined) {
            const types = Array.isArray(s.type) ? s.type : [s.type];
            const bad = types.find((t) => typeof t !== "string" || !schemaTypes.has(t));
            if (types.length === 0 || bad !== undefined)
                return `${at}.type is ${JSON.stringify(s.type)}; a JSON Schema type is one of ${[...schemaTypes].join(", ")}.`;
        }
        if (s.properties !== undefined) {
            if (typeof s.properties !== "object" || s.properties === null || Array.isArray(s.properties)) return `${at}.properties must be an object of schemas.`;
            for (const [name, property] of Object.entries(s.properties)) {
                const problem = visit(property, `${at}.properties.${name}`, depth + 1);
                if (problem) return problem;
            }
        }
        if (s.required !== undefined && (!Array.isArray(s.required) || s.required.some((name) => typeof name !== "string")))
            return `${at}.required must be a list of property names.`;
        if (s.enum !== undefined && (!Array.isArray(s.enum) || s.enum.length === 0)) return `${at}.enum must be a non-empty list.`;
        for (const key of ["items", "additionalProperties", "not"] as const) {
            if (s[key] === undefined) continue;
            const problem = visit(s[key], `${at}.${key}`, depth + 1);
            if (problem) return problem;
        }
        for (const key of schemaLists) {
            if (s[key] === undefined) continue;
            if (!Array.isArray(s[key]) || s[key].length === 0) return `${at}.${key} must be a non-empty list of schemas.`;
            for (const [index, entry] of (s[key] as unknown[]).entries()) {
                const problem = visit(entry, `${at}.${key}[${index}]`, depth + 1);
                if (problem) return problem;
            }
        }
        for (const key of ["$defs", "definitions"] as const) {
            if (s[key] === undefined) continue;
            if (typeof s[key] !== "object" || s[key] === null || Array.isArray(s[key])) return `${at}.${key} must be an object of schemas.`;
            for (const [name, definition] of Object.entries(s[key] as object)) {
                const problem = visit(definition, `${at}.${key}.${name}`, depth + 1);
                if (problem) return problem;
            }
        }
        if (s.$ref !== undefined) {
            if (typeof s.$ref !== "string" || !resolvesLocally(root, s.$ref)) return `${at}.$ref "${String(s.$ref)}" does not point to a definition in this schema.`;
        }
        return undefined;
    };
    return visit(schema, where, 0);
}

/** Whether a `#/…` JSON pointer resolves inside `root`. */
function resolvesLocally(root: unknown, ref: string): boolean {
    if (ref === "#") return true;
    if (!ref.startsWith("#/")) return false;
    let node: unknown = root;
    for (const raw of ref.slice(2).split("/")) {
        const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
        if (typeof node !== "object" || node === null || !(key in node)) return false;
        node = (node as Record<string, unknown>)[key];
    }
    return typeof node === "object" || typeof node === "boolean";
}
