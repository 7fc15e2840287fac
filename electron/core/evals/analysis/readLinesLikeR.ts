/**
 * The lines R's `readLines(file, warn = FALSE)` returns for a file's bytes, in a UTF-8 locale:
 * helperbench's "changed" check is `!identical(readLines(original), readLines(modified))`, so two
 * files are the same when these lines are. Each line is a string of bytes (latin1), compared
 * exactly: whitespace inside a line counts, encodings are not normalised.
 *
 * R's rules, checked against R 4.2's readLines on the same bytes (tests/evals/readLinesLikeR.test.ts):
 * LF, CRLF and a lone CR each end a line, and a CR directly followed by another CR ends two lines
 * (R turns the second CR into a line end without looking past it); a last line without a line end
 * still counts, so a file's final newline makes no difference, but an extra empty line does; a
 * line stops at its first NUL byte; one UTF-8 byte-order mark at the very start is dropped.
 */
export function readLinesLikeR(bytes: Uint8Array): string[] {
    const text = Buffer.from(bytes).toString("latin1");
    const lines: string[] = [];
    let line = "";
    for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        if (c === "\n") {
            lines.push(line);
            line = "";
        } else if (c === "\r") {
            lines.push(line);
            line = "";
            const next = text[i + 1];
            if (next === "\n") i++;
            else if (next === "\r") {
                lines.push("");
                i++;
            }
        } else line += c;
    }
    if (line !== "") lines.push(line);
    const BOM = "\xef\xbb\xbf";
    if (lines[0]?.startsWith(BOM)) lines[0] = lines[0].slice(BOM.length);
    return lines.map((l) => {
        const nul = l.indexOf("\0");
        return nul < 0 ? l : l.slice(0, nul);
    });
}

/** helperbench's rule: the file changed when its lines (as R's readLines reads them) differ. */
export function linesDiffer(original: Uint8Array, modified: Uint8Array): boolean {
    const a = readLinesLikeR(original);
    const b = readLinesLikeR(modified);
    return a.length !== b.length || a.some((line, i) => line !== b[i]);
}
