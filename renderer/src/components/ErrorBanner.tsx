import {TextWithCode} from "./TextWithCode.tsx";

export function ErrorBanner(props: {error: Error | undefined; title?: string}) {
    if (!props.error) return null;
    const code = (props.error as {code?: string}).code;
    return (
        <div className="error-banner" role="alert">
            <strong>{props.title ?? "Something went wrong"}</strong>
            <span>
                <TextWithCode text={props.error.message} />
            </span>
            {code && <code>{code}</code>}
        </div>
    );
}
