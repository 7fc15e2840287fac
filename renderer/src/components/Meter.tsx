import type {Tone} from "./Badge.tsx";

export interface MeterSegment {
    label: string;
    value: number;
    tone: Tone;
}

/** A horizontal bar of segments against a capacity; segments past the capacity show as overflow. */
export function Meter(props: {segments: MeterSegment[]; capacity: number; label?: string; testId?: string}) {
    const total = props.segments.reduce((sum, s) => sum + s.value, 0);
    const scale = Math.max(props.capacity, total) || 1;
    return (
        <div className="meter" role="img" aria-label={props.label} data-testid={props.testId}>
            <div className="meter-track">
                {props.segments.map((segment) => (
                    <div
                        key={segment.label}
                        className={`meter-fill tone-${segment.tone}`}
                        style={{width: `${(segment.value / scale) * 100}%`}}
                        title={segment.label}
                    />
                ))}
                {total > props.capacity && props.capacity > 0 && (
                    <div className="meter-capacity" style={{left: `${(props.capacity / scale) * 100}%`}} />
                )}
            </div>
        </div>
    );
}
