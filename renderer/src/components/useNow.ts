import {useEffect, useState} from "react";

/** The current time, updated every second while `ticking` (a job is running), for elapsed times and ETAs. */
export function useNow(ticking: boolean): number {
    const [now, setNow] = useState(() => Date.now());
    useEffect(() => {
        if (!ticking) return;
        setNow(Date.now());
        const timer = setInterval(() => setNow(Date.now()), 1000);
        return () => clearInterval(timer);
    }, [ticking]);
    return now;
}
