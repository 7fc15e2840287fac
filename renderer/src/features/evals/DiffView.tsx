import type {EvalFileDiff} from "../../../../electron/api/EvalApi.ts";
import {Badge} from "../../components/Badge.tsx";

/** A unified diff with added, removed and hunk lines coloured. */
export function DiffView({diff}: {diff: EvalFileDiff}) {
    const lines = diff.diff.split("\n").filter((line) => !line.startsWith("Index:") && !/^=+$/.test(line));
    return (
        <div className="diff" data-testid="file-diff">
            <div className="diff-header">
                <code>{diff.path}</code>
                <Badge tone={diff.status === "added" ? "good" : diff.status === "deleted" ? "bad" : "info"}>{diff.status}</Badge>
                {!diff.insideSource && (
                    <Badge tone="warn" title="The scorer keeps only the source folder; this edit was discarded when grading.">outside the source folder</Badge>
                )}
            </div>
            <pre className="diff-body">
                {lines.map((line, i) => (
                    <div
                        key={i}
                        className={
                            line.startsWith("+++") || line.startsWith("---")
                                ? "diff-file"
                                : line.startsWith("@@")
                                  ? "diff-hunk"
                                  : line.startsWith("+")
                                    ? "diff-add"
                                    : line.startsWith("-")
                                      ? "diff-del"
                                      : ""
                        }
                    >
                        {line || " "}
                    </div>
                ))}
            </pre>
        </div>
    );
}
