import {Suspense, useEffect, useState} from "react";
import {useApiQuery} from "./api/hooks.ts";
import {Icon} from "./components/Icon.tsx";
import {ScreenErrorBoundary} from "./components/ScreenErrorBoundary.tsx";
import {screens} from "./screens.tsx";

/** The screen the URL names, or null for the home screen. */
function currentScreenId(): string | null {
    // "#/benchmark?model=…": the screen id, then what it preselects (screenLink.ts).
    const id = window.location.hash.replace(/^#\/?/, "").split(/[/?]/)[0];
    return screens.some((s) => s.id === id) ? id! : null;
}

const firstHome = screens.find((s) => !s.homeOnceResults)!;

export function App() {
    const [screenId, setScreenId] = useState(currentScreenId);
    const info = useApiQuery("app.info", {});
    // The Verdict screen becomes home once there are results to judge; before that, the first screen stays home.
    const status = useApiQuery("verdict.status", {});
    const home = status.data?.hasResults ? (screens.find((s) => s.homeOnceResults) ?? firstHome) : firstHome;
    useEffect(() => {
        const onHash = () => setScreenId(currentScreenId());
        window.addEventListener("hashchange", onHash);
        return () => window.removeEventListener("hashchange", onHash);
    }, []);
    const screen = screens.find((s) => s.id === screenId) ?? home;
    const Screen = screen.component;
    const waitingForHome = screenId === null && status.loading && !status.data && !status.error;
    return (
        <div className="shell">
            <nav className="sidebar" aria-label="Main">
                <div className="brand">
                    <span className="brand-mark">AF</span>
                    <div>
                        <div className="brand-name">AgentFit</div>
                        <div className="brand-tag">local coding agents, measured</div>
                    </div>
                </div>
                <ul className="nav">
                    {screens.map((s) => (
                        <li key={s.id}>
                            <a href={`#/${s.id}`} className={s.id === screen.id ? "active" : ""} aria-current={s.id === screen.id ? "page" : undefined}>
                                <Icon name={s.icon} />
                                {s.label}
                            </a>
                        </li>
                    ))}
                </ul>
                <div className="sidebar-footer" data-testid="app-info">
                    {info.data && (
                        <>
                            <div>
                                v{info.data.version} · {info.data.shell === "electron" ? "desktop" : "browser mode"}
                            </div>
                            <div className="path" title={info.data.home}>
                                {info.data.home}
                            </div>
                        </>
                    )}
                </div>
            </nav>
            <main className="content">
                {waitingForHome ? (
                    <ScreenLoading />
                ) : (
                    <ScreenErrorBoundary key={screen.id} label={screen.label}>
                        <Suspense fallback={<ScreenLoading label={screen.label} />}>
                            <Screen />
                        </Suspense>
                    </ScreenErrorBoundary>
                )}
            </main>
        </div>
    );
}

/** Shown while the home screen is decided or a screen's code loads. */
function ScreenLoading({label}: {label?: string}) {
    return (
        <div className="screen-loading" role="status" data-testid="screen-loading">
            {label ? `Loading ${label}…` : "Loading…"}
        </div>
    );
}
