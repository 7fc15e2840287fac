import type {BenchResult, BenchRun, LlamaBenchJsonEntry} from "../../api/BenchApi.ts";

/**
 * A run's results in llama-bench's `-o json` shape (same field names, types and meanings: see
 * llama-bench.cpp `test::get_fields`), plus AgentFit's own fields prefixed `agentfit_`. Fields
 * node-llama-cpp does not expose take llama-bench's defaults (no CPU mask, poll 50, layer split).
 */
export function toLlamaBenchJson(run: BenchRun, results: readonly BenchResult[], options: {includeSkipped?: boolean} = {}): LlamaBenchJsonEntry[] {
    const engine = run.engine;
    return results
        .filter((r) => options.includeSkipped || r.status === "completed")
        .map((r) => {
            const kv = r.settings?.kvCacheType ?? r.requested.kvCacheType;
            const batch = r.settings?.batchSize ?? run.spec.batchSize;
            return {
                build_commit: engine?.llamaCppRelease ?? "unknown",
                build_number: engine?.buildNumber ?? 0,
                cpu_info: engine?.cpuInfo ?? "",
                gpu_info: engine?.gpuInfo ?? "",
                backends: engine?.backend ?? "CPU",
                model_filename: r.model.path,
                model_type: r.model.modelType,
                model_size: r.model.fileBytes,
                model_n_params: r.model.parameterCount,
                n_batch: batch,
                n_ubatch: batch,
                n_threads: r.settings?.threads ?? r.requested.threads,
                cpu_mask: "0x0",
                cpu_strict: false,
                poll: 50,
                type_k: kv,
                type_v: kv,
                n_gpu_layers: r.settings?.gpuLayers ?? (r.requested.gpuLayers === "max" ? 99 : r.requested.gpuLayers),
                n_cpu_moe: 0,
                split_mode: "layer",
                main_gpu: 0,
                no_kv_offload: false,
                flash_attn: (r.settings?.flashAttention ?? r.requested.flashAttention) ? 1 : 0,
                devices: "auto",
                tensor_split: "0.00",
                tensor_buft_overrides: "none",
                load_mode: "mmap",
                lazy_mode: "none",
                embeddings: false,
                no_op_offload: 0,
                no_host: false,
                fit_target: 0,
                fit_min_ctx: 0,
                n_prompt: r.promptTokens,
                n_gen: r.generatedTokens,
                n_depth: r.depth,
                test_time: r.measuredAt,
                avg_ns: Math.round(r.avgNs ?? 0),
                stddev_ns: Math.round(r.stddevNs ?? 0),
                avg_ts: r.avgTs ?? 0,
                stddev_ts: r.stddevTs ?? 0,
                samples_ns: r.samplesNs.map(Math.round),
                samples_ts: r.samplesTs,
                agentfit_run_id: run.id,
                agentfit_result_id: r.id,
                agentfit_test: r.kind,
                agentfit_status: r.status,
                agentfit_reason: r.reason ? `${r.reason.code}: ${r.reason.message}` : null,
                agentfit_model_reference: r.model.reference,
                agentfit_quantization: r.model.quantization,
                agentfit_catalog_model_id: r.model.catalogModelId,
                agentfit_context_size: r.settings?.contextSize ?? null,
                agentfit_ttft_ms: r.timeToFirstTokenMs,
                agentfit_agent_turns: r.agentTurns,
                agentfit_hardware_snapshot_id: run.hardwareSnapshotId,
                agentfit_hardware_key: run.hardwareKey,
                agentfit_engine: engine
                    ? `node-llama-cpp ${engine.nodeLlamaCpp} (llama.cpp ${engine.llamaCppRelease}, ${engine.binary === "local" ? "built on this machine" : "prebuilt"})`
                    : "unknown",
                agentfit_app_version: run.appVersion
            };
        });
}
