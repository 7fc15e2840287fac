import {StrictMode} from "react";
import {createRoot} from "react-dom/client";
// Shared styles first, so each screen's own stylesheet (loaded with its chunk) builds on them.
import "./styles/tokens.css";
import "./styles/base.css";
import "./styles/shell.css";
import "./styles/components.css";
import {App} from "./App.tsx";

createRoot(document.getElementById("root")!).render(
    <StrictMode>
        <App />
    </StrictMode>
);
