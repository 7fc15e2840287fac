import type {ReactNode} from "react";

export type Tone = "neutral" | "good" | "warn" | "bad" | "info" | "accent";

export function Badge(props: {tone?: Tone; children: ReactNode; title?: string; testId?: string}) {
    return (
        <span className={`badge badge-${props.tone ?? "neutral"}`} title={props.title} data-testid={props.testId}>
            {props.children}
        </span>
    );
}
