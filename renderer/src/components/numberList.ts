/** "128, 512,2048" → [128, 512, 2048]: a form's comma-separated numbers (empty items dropped; the API's schema checks each). */
export const numberList = (text: string): number[] =>
    text
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== "")
        .map(Number);
