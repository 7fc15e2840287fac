/**
 * The UI's Content-Security-Policy, sent by the desktop window's session and by the browser mode:
 * only the app's own scripts, no eval, no plugins, no framing, API calls to its own origin only.
 * Inline styles stay allowed because React sets style attributes.
 */
export const contentSecurityPolicy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
].join("; ");
