import type {ReactNode} from "react";

export function PageHeader(props: {title: string; subtitle?: ReactNode; actions?: ReactNode}) {
    return (
        <header className="page-header">
            <div>
                <h1>{props.title}</h1>
                {props.subtitle && <p className="page-subtitle">{props.subtitle}</p>}
            </div>
            {props.actions && <div className="page-actions">{props.actions}</div>}
        </header>
    );
}
