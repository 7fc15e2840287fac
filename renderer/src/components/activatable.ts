import type {HTMLAttributes, KeyboardEvent} from "react";

/**
 * Props that make an element that is not a button (a table row that opens or selects something)
 * a keyboard control: reachable by Tab, activated by a click, Enter or Space. Keys pressed on a
 * control inside it (a button in the row) stay that control's own. `expanded` is announced as
 * aria-expanded for rows that open details.
 */
export function activatable(onActivate: () => void, options: {expanded?: boolean} = {}): HTMLAttributes<HTMLElement> {
    return {
        tabIndex: 0,
        onClick: onActivate,
        onKeyDown: (event: KeyboardEvent<HTMLElement>) => {
            if (event.target !== event.currentTarget || (event.key !== "Enter" && event.key !== " ")) return;
            event.preventDefault();
            onActivate();
        },
        ...(options.expanded !== undefined ? {"aria-expanded": options.expanded} : {})
    };
}
