"""Drives AgentFit's /v1/messages with the official Python `anthropic` SDK and prints what it saw as JSON.

Usage: python anthropicPythonClient.py <origin> <model> <api key>. Each check records the SDK's
parsed objects (plain, streamed, forced tool use by name with the result fed back, count_tokens);
tests/engine/serveAnthropicPython.test.ts asserts on them.
"""
import json
import sys

import anthropic

origin, model, api_key = sys.argv[1:4]
client = anthropic.Anthropic(base_url=origin, api_key=api_key, max_retries=0)
weather_tool = {
    "name": "get_weather",
    "description": "Current weather in a city",
    "input_schema": {"type": "object", "properties": {"city": {"enum": ["Paris", "Berlin", "Rome"]}}, "required": ["city"]},
}
time_tool = {
    "name": "get_time",
    "description": "Current time in a zone",
    "input_schema": {"type": "object", "properties": {"zone": {"enum": ["UTC", "CET"]}}, "required": ["zone"]},
}
question = {"role": "user", "content": [{"type": "text", "text": "What is the time in Paris?"}]}
seen = {"sdk_version": anthropic.__version__}

plain = client.messages.create(model=model, max_tokens=8, system="You are terse.", messages=[{"role": "user", "content": "Say something."}])
seen["plain"] = plain.model_dump()

event_types = []
with client.messages.stream(model=model, max_tokens=8, system="You are terse.", messages=[{"role": "user", "content": "Say something."}]) as stream:
    for event in stream:
        event_types.append(event.type)
    final = stream.get_final_message()
seen["streamed"] = {"event_types": event_types, "message": final.model_dump()}

forced = client.messages.create(model=model, max_tokens=200, tools=[weather_tool, time_tool], tool_choice={"type": "tool", "name": "get_time"}, messages=[question])
tool_uses = [block for block in forced.content if block.type == "tool_use"]
answered = client.messages.create(
    model=model,
    max_tokens=200,
    tools=[weather_tool, time_tool],
    tool_choice={"type": "tool", "name": "get_time"},
    messages=[
        question,
        {"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in forced.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "12:00"} for use in tool_uses]},
    ],
)
seen["tool_use"] = {"forced": forced.model_dump(), "after_result": answered.model_dump()}

with client.messages.stream(model=model, max_tokens=200, tools=[weather_tool], tool_choice={"type": "any"}, messages=[question]) as stream:
    delta_types = [event.delta.type for event in stream if event.type == "content_block_delta"]
    streamed_tool = stream.get_final_message()
seen["streamed_tool_use"] = {"delta_types": delta_types, "message": streamed_tool.model_dump()}

counted = client.messages.count_tokens(model=model, system="Be brief.", messages=[{"role": "user", "content": "Count me."}])
counted_with_tools = client.messages.count_tokens(model=model, system="Be brief.", tools=[weather_tool], messages=[{"role": "user", "content": "Count me."}])
read = client.messages.create(model=model, max_tokens=1, system="Be brief.", messages=[{"role": "user", "content": "Count me."}])
seen["count_tokens"] = {"plain": counted.input_tokens, "with_tools": counted_with_tools.input_tokens, "usage_of_same_prompt": read.usage.model_dump()}

try:
    client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[{"role": "user", "content": "hi"}])
    seen["unknown_model"] = None
except anthropic.NotFoundError as error:
    seen["unknown_model"] = {"status": error.status_code, "body": error.body}

print(json.dumps(seen))
