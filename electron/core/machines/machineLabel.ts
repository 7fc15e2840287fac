const GiB = 1024 ** 3;

/** "test-laptop: Ryzen 7 7840U, 32 GB RAM, NVIDIA GeForce RTX 4060": how a machine is named in the comparison. */
export function machineLabel(snapshot: {os: {hostname: string}; cpu: {brand: string}; memory: {totalBytes: number}; gpus: {model: string}[]}): string {
    const gpus = snapshot.gpus.map((g) => g.model).filter(Boolean);
    return `${snapshot.os.hostname}: ${snapshot.cpu.brand}, ${Math.round(snapshot.memory.totalBytes / GiB)} GB RAM${gpus.length ? `, ${gpus.join(" + ")}` : ""}`;
}
