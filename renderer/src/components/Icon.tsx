const paths: Record<string, string> = {
    chip: "M9 3v2H7a2 2 0 0 0-2 2v2H3v2h2v2H3v2h2v2a2 2 0 0 0 2 2h2v2h2v-2h2v2h2v-2h2a2 2 0 0 0 2-2v-2h2v-2h-2v-2h2V9h-2V7a2 2 0 0 0-2-2h-2V3h-2v2h-2V3H9Zm-2 4h10v10H7V7Zm3 3v4h4v-4h-4Z",
    memory: "M3 7h18v10H3V7Zm2 2v6h2V9H5Zm4 0v6h2V9H9Zm4 0v6h2V9h-2Zm4 0v6h2V9h-2ZM4 18h2v2H4v-2Zm5 0h2v2H9v-2Zm5 0h2v2h-2v-2Zm5 0h2v2h-2v-2Z",
    gpu: "M2 6h18a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2h-2v2h-2v-2H8v2H6v-2H2V6Zm2 2v8h16V8H4Zm9 1.5a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5ZM6 10h3v4H6v-4Z",
    disk: "M4 4h16a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1Zm1 2v12h14V6H5Zm9 9h3v2h-3v-2ZM7 8h10v2H7V8Z",
    bolt: "M13 2 4 14h6l-1 8 9-12h-6l1-8Z",
    refresh: "M17.65 6.35A7.96 7.96 0 0 0 12 4a8 8 0 1 0 7.75 10h-2.08A6 6 0 1 1 12 6c1.66 0 3.14.69 4.22 1.78L13 11h7V4l-2.35 2.35Z",
    history: "M13 3a9 9 0 0 0-9 9H1l4 4 4-4H6a7 7 0 1 1 2.05 4.95l-1.42 1.42A9 9 0 1 0 13 3Zm-1 5v5l4.25 2.52.77-1.28-3.52-2.09V8H12Z",
    warn: "M1 21h22L12 2 1 21Zm12-3h-2v-2h2v2Zm0-4h-2v-4h2v4Z",
    system: "M4 4h16v12H4V4Zm2 2v8h12V6H6Zm-3 12h18v2H3v-2Z",
    models: "M12 2 3 7v10l9 5 9-5V7l-9-5Zm0 2.3 6.7 3.7L12 11.7 5.3 8 12 4.3ZM5 9.7l6 3.3v6.6l-6-3.3V9.7Zm8 9.9V13l6-3.3v6.6l-6 3.3Z"
};

export type IconName = keyof typeof paths;

export function Icon(props: {name: IconName | string; size?: number; className?: string}) {
    const size = props.size ?? 18;
    return (
        <svg className={props.className} width={size} height={size} viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
            <path d={paths[props.name] ?? paths.chip} />
        </svg>
    );
}
