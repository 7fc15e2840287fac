import {lazy, type ComponentType, type LazyExoticComponent} from "react";
import type {IconName} from "./components/Icon.tsx";

export interface ScreenDefinition {
    /** URL hash id: "#/hardware". */
    id: string;
    label: string;
    icon: IconName;
    /** Loaded on first visit: each screen (its code, styles and charting library) is its own chunk. */
    component: LazyExoticComponent<ComponentType>;
    /** Home only once results exist (`verdict.status`); before that the first other screen is home. */
    homeOnceResults?: boolean;
}

/** A screen module's named export as a lazily loaded component. */
function lazyScreen<M>(load: () => Promise<M>, pick: (module: M) => ComponentType) {
    return lazy(async () => ({default: pick(await load())}));
}

/** The app's screens in navigation order. The first is the home screen. */
export const screens: ScreenDefinition[] = [
    {
        id: "verdict",
        label: "Verdict",
        icon: "verdict",
        component: lazyScreen(() => import("./features/verdict/VerdictScreen.tsx"), (m) => m.VerdictScreen),
        homeOnceResults: true
    },
    {id: "answer", label: "Answer for this machine", icon: "bolt", component: lazyScreen(() => import("./features/answer/AnswerScreen.tsx"), (m) => m.AnswerScreen)},
    {id: "hardware", label: "Hardware", icon: "chip", component: lazyScreen(() => import("./features/hardware/HardwareScreen.tsx"), (m) => m.HardwareScreen)},
    {id: "models", label: "Models", icon: "models", component: lazyScreen(() => import("./features/models/ModelsScreen.tsx"), (m) => m.ModelsScreen)},
    {id: "downloads", label: "Downloads", icon: "download", component: lazyScreen(() => import("./features/downloads/DownloadsScreen.tsx"), (m) => m.DownloadsScreen)},
    {id: "serve", label: "Serve", icon: "server", component: lazyScreen(() => import("./features/serve/ServeScreen.tsx"), (m) => m.ServeScreen)},
    {id: "connect", label: "Connect", icon: "plug", component: lazyScreen(() => import("./features/connect/ConnectScreen.tsx"), (m) => m.ConnectScreen)},
    {id: "benchmark", label: "Benchmark", icon: "gauge", component: lazyScreen(() => import("./features/bench/BenchmarkScreen.tsx"), (m) => m.BenchmarkScreen)},
    {id: "evaluate", label: "Evaluate", icon: "flask", component: lazyScreen(() => import("./features/evals/EvaluateScreen.tsx"), (m) => m.EvaluateScreen)},
    {id: "machines", label: "Machines", icon: "system", component: lazyScreen(() => import("./features/machines/MachinesScreen.tsx"), (m) => m.MachinesScreen)}
];
