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
    flask: "M9 2h6v2h-1v5.3l5.7 9.5A2 2 0 0 1 18 22H6a2 2 0 0 1-1.7-3.2L10 9.3V4H9V2Zm3 9.2L8.4 17h7.2L12 11.2Z",
    play: "M8 5v14l11-7L8 5Z",
    download: "M11 3h2v9.17l3.59-3.58L18 10l-6 6-6-6 1.41-1.41L11 12.17V3ZM4 18h16v2H4v-2Z",
    pause: "M7 5h4v14H7V5Zm6 0h4v14h-4V5Z",
    close: "M18.3 5.71 12 12l6.3 6.29-1.42 1.42L10.59 13.4 4.3 19.71 2.88 18.3 9.17 12 2.88 5.71 4.3 4.29l6.29 6.3 6.29-6.3 1.42 1.42Z",
    folder: "M3 5h7l2 2h9v12H3V5Zm2 4v8h14V9H5Z",
    server: "M4 3h16a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1Zm1 2v4h14V5H5Zm-1 8h16a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-6a1 1 0 0 1 1-1Zm1 2v4h14v-4H5Zm2-9h2v2H7V6Zm0 10h2v2H7v-2Z",
    stop: "M6 6h12v12H6V6Z",
    cube: "M12 2 3 7v10l9 5 9-5V7l-9-5Zm0 2.3L18.5 8 12 11.7 5.5 8 12 4.3ZM5 9.7l6 3.4v6.6l-6-3.3V9.7Zm8 10v-6.6l6-3.4v6.7l-6 3.3Z",
    plug: "M16 7V3h-2v4h-4V3H8v4H6v6a6 6 0 0 0 5 5.9V22h2v-3.1a6 6 0 0 0 5-5.9V7h-2Zm0 6a4 4 0 0 1-8 0V9h8v4Z",
    copy: "M16 1H4a2 2 0 0 0-2 2v14h2V3h12V1Zm3 4H8a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2Zm0 16H8V7h11v14Z",
    verdict: "M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5l-8-3Zm-1.2 14.2-3.5-3.5 1.4-1.4 2.1 2.1 4.9-4.9 1.4 1.4-6.3 6.3Z",
    models: "M12 2 3 7v10l9 5 9-5V7l-9-5Zm0 2.3 6.7 3.7L12 11.7 5.3 8 12 4.3ZM5 9.7l6 3.3v6.6l-6-3.3V9.7Zm8 9.9V13l6-3.3v6.6l-6 3.3Z",
    gauge: "M12 4a10 10 0 0 0-8.66 15h17.32A10 10 0 0 0 12 4Zm0 2a8 8 0 0 1 7.42 11H4.58A8 8 0 0 1 12 6Zm4.6 2.3-4.01 4.05a2 2 0 1 0 1.06 1.06l4.05-4.01-1.1-1.1Z",
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
