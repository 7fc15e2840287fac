import type {LevelLegendEntry, VerdictCriterion, VerdictLevel} from "../../../electron/api/VerdictApi.ts";
import {levelLabels} from "../../../electron/shared/verdictLevels.ts";
import {Badge, type Tone} from "./Badge.tsx";

/** One colour per level, the same on the Models and Verdict screens. */
export const levelTone: Record<VerdictLevel, Tone> = {usable: "good", almost: "warn", no: "bad", "no-fit": "bad", untested: "neutral"};

/** A level as a badge; its title explains the judged criteria when given. */
export function LevelBadge(props: {level: VerdictLevel; criteria?: readonly VerdictCriterion[]; testId?: string}) {
    const title = props.criteria?.map((c) => `${c.label}: ${c.value} (${c.status}) — ${c.detail}`).join("\n");
    return (
        <Badge tone={levelTone[props.level]} title={title} testId={props.testId}>
            {levelLabels[props.level]}
        </Badge>
    );
}

/** What each level means under the thresholds in force: shown wherever levels are. */
export function LevelLegend(props: {legend: readonly LevelLegendEntry[]; note?: string; testId?: string}) {
    return (
        <div className="level-legend" data-testid={props.testId ?? "level-legend"}>
            <dl>
                {props.legend.map((e) => (
                    <div key={e.level} className="level-legend-entry">
                        <dt>
                            <Badge tone={levelTone[e.level]}>{e.label}</Badge>
                        </dt>
                        <dd>{e.meaning}</dd>
                    </div>
                ))}
            </dl>
            {props.note && <p className="muted small">{props.note}</p>}
        </div>
    );
}
