/** Minutes as "H:MM", e.g. 95 → "1:35". */
export function formatMinutes(minutes) {
    const hours = Math.floor(minutes / 60);
    return `${hours}:${String(minutes % 60).padStart(2, "0")}`;
}

/** Cents as "1,234.50". */
export function formatCents(cents) {
    const [whole, fraction] = (cents / 100).toFixed(2).split(".");
    return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${fraction}`;
}
