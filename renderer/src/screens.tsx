import type {ComponentType} from "react";
import {EvaluateScreen} from "./features/evals/EvaluateScreen.tsx";
import {DownloadsScreen} from "./features/downloads/DownloadsScreen.tsx";
import {HardwareScreen} from "./features/hardware/HardwareScreen.tsx";
import {ServeScreen} from "./features/serve/ServeScreen.tsx";
import {ModelsScreen} from "./features/models/ModelsScreen.tsx";
import {VerdictScreen} from "./features/verdict/VerdictScreen.tsx";
import {BenchmarkScreen} from "./features/bench/BenchmarkScreen.tsx";
import {MachinesScreen} from "./features/machines/MachinesScreen.tsx";
import type {IconName} from "./components/Icon.tsx";

export interface ScreenDefinition {
    /** URL hash id: "#/hardware". */
    id: string;
    label: string;
    icon: IconName;
    component: ComponentType;
    /** Home only once results exist (`verdict.status`); before that the first other screen is home. */
    homeOnceResults?: boolean;
}

/** The app's screens in navigation order. The first is the home screen. */
export const screens: ScreenDefinition[] = [
    {id: "verdict", label: "Verdict", icon: "verdict", component: VerdictScreen, homeOnceResults: true},
    {id: "hardware", label: "Hardware", icon: "chip", component: HardwareScreen},
    {id: "models", label: "Models", icon: "models", component: ModelsScreen},
    {id: "downloads", label: "Downloads", icon: "download", component: DownloadsScreen},
    {id: "serve", label: "Serve", icon: "server", component: ServeScreen},
    {id: "benchmark", label: "Benchmark", icon: "gauge", component: BenchmarkScreen},
    {id: "evaluate", label: "Evaluate", icon: "flask", component: EvaluateScreen},
    {id: "machines", label: "Machines", icon: "system", component: MachinesScreen}
];
