import {Component, type ReactNode} from "react";
import {ErrorBanner} from "./ErrorBanner.tsx";

/**
 * Keeps the shell usable when a screen fails to render or its code cannot be loaded (e.g. the app
 * was rebuilt while the page stayed open): the other screens stay reachable and a reload is offered.
 */
export class ScreenErrorBoundary extends Component<{label: string; children: ReactNode}, {error: Error | undefined}> {
    override state: {error: Error | undefined} = {error: undefined};

    static getDerivedStateFromError(error: Error) {
        return {error};
    }

    override render() {
        if (!this.state.error) return this.props.children;
        return (
            <div className="page">
                <ErrorBanner error={this.state.error} title={`The ${this.props.label} screen could not load`} />
                <div>
                    <button className="button" onClick={() => window.location.reload()}>
                        Reload the page
                    </button>
                </div>
            </div>
        );
    }
}
