// Child process of the serve benchmark: direct in-process generation with node-llama-cpp on the
// same model, settings and prompt the HTTP server gets, for a side-by-side tokens/s ratio. Started
// with UV_THREADPOOL_SIZE=1, as the engine process is. Answers {"run": true} messages over IPC.
import {getLlama, LlamaChat, LlamaLogLevel, resolveChatWrapper, type Token} from "node-llama-cpp";
import {toChatHistory} from "../electron/engine/server/openAiChatHistory.ts";

const [modelPath, contextSize, threads, maxTokens] = process.argv.slice(2);
const llama = await getLlama({gpu: false, build: "never", maxThreads: Number(threads), logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath: modelPath!});
const context = await model.createContext({contextSize: Number(contextSize), threads: Number(threads), flashAttention: false});
const sequence = context.getSequence();
const chatWrapper = resolveChatWrapper(model);

process.on("message", async (message: {messages: Parameters<typeof toChatHistory>[0]}) => {
    await sequence.clearHistory();
    const chat = new LlamaChat({contextSequence: sequence, chatWrapper});
    // Measured as the HTTP side is: generated tokens over the time from the first to the last text chunk.
    const stamps: number[] = [];
    let tokens = 0;
    await chat.generateResponse(toChatHistory(message.messages), {
        maxTokens: Number(maxTokens),
        temperature: 0,
        onToken: (generated: Token[]) => void (tokens += generated.length),
        onTextChunk: () => void stamps.push(performance.now())
    });
    chat.dispose({disposeSequence: false});
    process.send!({tokens, ms: stamps.at(-1)! - stamps[0]!});
});
process.send!({ready: true});
