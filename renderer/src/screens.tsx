import type {ComponentType} from "react";
import {HardwareScreen} from "./features/hardware/HardwareScreen.tsx";
import {ModelsScreen} from "./features/models/ModelsScreen.tsx";
import type {IconName} from "./components/Icon.tsx";

export interface ScreenDefinition {
    /** URL hash id: "#/hardware". */
    id: string;
    label: string;
    icon: IconName;
    component: ComponentType;
}

/** The app's screens in navigation order. The first is the home screen. */
export const screens: ScreenDefinition[] = [
    {id: "hardware", label: "Hardware", icon: "chip", component: HardwareScreen},
    {id: "models", label: "Models", icon: "models", component: ModelsScreen}
];
