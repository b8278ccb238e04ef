// The tool both core entries declare, in Converse's wire shape.
export const toolConfig = {
  tools: [
    {
      toolSpec: {
        name: "get_weather",
        description: "Weather for a city",
        inputSchema: { json: { type: "object" } },
      },
    },
  ],
};
