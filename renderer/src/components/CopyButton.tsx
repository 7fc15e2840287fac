import {useState} from "react";
import {Icon} from "./Icon.tsx";

/** Copies `text` to the clipboard and says so for a moment. */
export function CopyButton({text, label = "Copy", testId}: {text: string; label?: string; testId?: string}) {
    const [copied, setCopied] = useState(false);
    return (
        <button
            className="button small"
            data-testid={testId}
            onClick={() => {
                void navigator.clipboard?.writeText(text).then(() => {
                    setCopied(true);
                    setTimeout(() => setCopied(false), 1500);
                });
            }}
        >
            <Icon name="copy" size={14} />
            {copied ? "Copied" : label}
        </button>
    );
}
