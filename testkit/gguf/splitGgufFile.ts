import fs from "node:fs";
import path from "node:path";

/**
 * Splits a GGUF file into `parts` files the way llama.cpp's `llama-gguf-split` does: part 1 keeps
 * every metadata key, every part gets `split.no`, `split.count` and `split.tensors.count`, and the
 * tensors are spread over the parts with offsets relative to each part's own data section. Files
 * are named `<base>-0000i-of-0000N.gguf` in `outputDir`; returns their paths in order.
 */
export function splitGgufFile(source: string, outputDir: string, base: string, parts: number): string[] {
    const file = fs.readFileSync(source);
    const reader = new Reader(file);
    if (reader.u32() !== 0x46554747) throw new Error(`${source} is not a GGUF file`);
    const version = reader.u32();
    const tensorCount = Number(reader.u64());
    const kvCount = Number(reader.u64());
    const kvs: Buffer[] = [];
    let alignment = 32;
    for (let i = 0; i < kvCount; i++) {
        const start = reader.offset;
        const key = reader.string();
        const type = reader.u32();
        if (key === "general.alignment" && type === 4) alignment = file.readUInt32LE(reader.offset);
        reader.skipValue(type);
        kvs.push(file.subarray(start, reader.offset));
    }
    const tensors: {name: string; dims: bigint[]; type: number; offset: number}[] = [];
    for (let i = 0; i < tensorCount; i++) {
        const name = reader.string();
        const dims = Array.from({length: reader.u32()}, () => reader.u64());
        tensors.push({name, dims, type: reader.u32(), offset: Number(reader.u64())});
    }
    const dataStart = alignUp(reader.offset, alignment);
    const byOffset = [...tensors].sort((a, b) => a.offset - b.offset);
    const sizeOf = (t: (typeof tensors)[number]) => {
        const next = byOffset[byOffset.indexOf(t) + 1];
        return (next ? next.offset : file.length - dataStart) - t.offset;
    };

    const perPart = Math.ceil(tensorCount / parts);
    const paths: string[] = [];
    fs.mkdirSync(outputDir, {recursive: true});
    for (let part = 0; part < parts; part++) {
        const own = tensors.slice(part * perPart, (part + 1) * perPart);
        const header = new Writer();
        header.u32(0x46554747);
        header.u32(version);
        header.u64(BigInt(own.length));
        const ownKvs = part === 0 ? kvs : [];
        header.u64(BigInt(ownKvs.length + 3));
        for (const kv of ownKvs) header.bytes(kv);
        header.kv("split.no", 2, (w) => w.u16(part));
        header.kv("split.count", 2, (w) => w.u16(parts));
        header.kv("split.tensors.count", 5, (w) => w.i32(tensorCount));
        let offset = 0;
        const data: Buffer[] = [];
        for (const tensor of own) {
            header.string(tensor.name);
            header.u32(tensor.dims.length);
            for (const d of tensor.dims) header.u64(d);
            header.u32(tensor.type);
            header.u64(BigInt(offset));
            const bytes = file.subarray(dataStart + tensor.offset, dataStart + tensor.offset + sizeOf(tensor));
            const padded = Buffer.alloc(alignUp(bytes.length, alignment));
            bytes.copy(padded);
            data.push(padded);
            offset += padded.length;
        }
        const head = header.toBuffer();
        const target = path.join(outputDir, `${base}-${String(part + 1).padStart(5, "0")}-of-${String(parts).padStart(5, "0")}.gguf`);
        fs.writeFileSync(target, Buffer.concat([head, Buffer.alloc(alignUp(head.length, alignment) - head.length), ...data]));
        paths.push(target);
    }
    return paths;
}

const alignUp = (value: number, alignment: number) => Math.ceil(value / alignment) * alignment;

class Reader {
    offset = 0;
    constructor(private readonly buffer: Buffer) {}
    u32() {
        const v = this.buffer.readUInt32LE(this.offset);
        this.offset += 4;
        return v;
    }
    u64() {
        const v = this.buffer.readBigUInt64LE(this.offset);
        this.offset += 8;
        return v;
    }
    string() {
        const length = Number(this.u64());
        const v = this.buffer.toString("utf8", this.offset, this.offset + length);
        this.offset += length;
        return v;
    }
    skipValue(type: number) {
        const fixed: Record<number, number> = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8};
        if (fixed[type] !== undefined) this.offset += fixed[type]!;
        else if (type === 8) this.string();
        else if (type === 9) {
            const elementType = this.u32();
            const count = Number(this.u64());
            for (let i = 0; i < count; i++) this.skipValue(elementType);
        } else throw new Error(`unknown GGUF value type ${type}`);
    }
}

class Writer {
    private chunks: Buffer[] = [];
    private push(size: number, write: (b: Buffer) => void) {
        const b = Buffer.alloc(size);
        write(b);
        this.chunks.push(b);
    }
    u16(v: number) {
        this.push(2, (b) => b.writeUInt16LE(v));
    }
    u32(v: number) {
        this.push(4, (b) => b.writeUInt32LE(v));
    }
    i32(v: number) {
        this.push(4, (b) => b.writeInt32LE(v));
    }
    u64(v: bigint) {
        this.push(8, (b) => b.writeBigUInt64LE(v));
    }
    bytes(b: Buffer) {
        this.chunks.push(b);
    }
    string(s: string) {
        const bytes = Buffer.from(s, "utf8");
        this.u64(BigInt(bytes.length));
        this.chunks.push(bytes);
    }
    kv(key: string, type: number, value: (w: Writer) => void) {
        this.string(key);
        this.u32(type);
        value(this);
    }
    toBuffer() {
        return Buffer.concat(this.chunks);
    }
}
