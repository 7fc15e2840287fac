import {useCallback, useEffect, useRef, useState} from "react";
import type {ApiArg, ApiResult, AppEvent, AppEvents, AppMethod} from "../../../electron/api/AppApi.ts";
import {api} from "./client.ts";

export interface CallState<T> {
    data: T | undefined;
    error: Error | undefined;
    loading: boolean;
    /** Calls again with the same argument. */
    reload: () => Promise<void>;
    /** Changes the kept result in place (from an event) until the next answer replaces it. */
    update: (change: (data: T | undefined) => T | undefined) => void;
}

/** Calls an API method on mount (and when `arg` changes, compared as JSON) and keeps the result. */
export function useApiQuery<M extends AppMethod>(method: M, arg: ApiArg<M>): CallState<ApiResult<M>> {
    const [state, setState] = useState<{data?: ApiResult<M>; error?: Error; loading: boolean}>({loading: true});
    const key = JSON.stringify(arg);
    const argRef = useRef(arg);
    argRef.current = arg;
    // Answers can arrive out of order: only the newest call's answer is kept.
    const latestCall = useRef(0);
    const reload = useCallback(async () => {
        const call = ++latestCall.current;
        setState((s) => ({...s, loading: true}));
        try {
            const data = await api.call(method, argRef.current);
            if (call === latestCall.current) setState({data, loading: false});
        } catch (error) {
            if (call === latestCall.current) setState((s) => ({...s, error: error as Error, loading: false}));
        }
    }, [method]);
    const update = useCallback((change: (data: ApiResult<M> | undefined) => ApiResult<M> | undefined) => setState((s) => ({...s, data: change(s.data)})), []);
    useEffect(() => {
        void reload();
    }, [reload, key]);
    return {data: state.data, error: state.error, loading: state.loading, reload, update};
}

/** Runs an API method on demand (a button), tracking whether it is running and how it failed. */
export function useApiAction<M extends AppMethod>(method: M) {
    const [running, setRunning] = useState(false);
    const [error, setError] = useState<Error | undefined>();
    const run = useCallback(
        async (arg: ApiArg<M>): Promise<ApiResult<M> | undefined> => {
            setRunning(true);
            setError(undefined);
            try {
                return await api.call(method, arg);
            } catch (e) {
                setError(e as Error);
                return undefined;
            } finally {
                setRunning(false);
            }
        },
        [method]
    );
    return {run, running, error};
}

/** Subscribes to one app event for the component's lifetime. */
export function useApiEvent<E extends AppEvent>(event: E, listener: (payload: AppEvents[E]) => void) {
    const listenerRef = useRef(listener);
    listenerRef.current = listener;
    useEffect(() => api.on(event, (payload) => listenerRef.current(payload)), [event]);
}
