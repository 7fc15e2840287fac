import type {ReactNode} from "react";

export function Card(props: {title?: ReactNode; subtitle?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; testId?: string}) {
    return (
        <section className={`card ${props.className ?? ""}`} data-testid={props.testId}>
            {(props.title || props.actions) && (
                <header className="card-header">
                    <div>
                        {props.title && <h2 className="card-title">{props.title}</h2>}
                        {props.subtitle && <p className="card-subtitle">{props.subtitle}</p>}
                    </div>
                    {props.actions && <div className="card-actions">{props.actions}</div>}
                </header>
            )}
            <div className="card-body">{props.children}</div>
        </section>
    );
}
