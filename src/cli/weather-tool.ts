// The demo's tool: current weather from a small fixed table, so every run prints the same thing.

export const WEATHER_TOOL = {
  name: "get_weather",
  description: "Get the current weather for a city.",
  inputSchema: {
    type: "object",
    properties: { city: { type: "string", description: "The city, e.g. Lisbon" } },
    required: ["city"],
  },
};

interface Weather {
  temperatureC: number;
  conditions: string;
  windKmh: number;
}

const TABLE: Record<string, Weather> = {
  lisbon: { temperatureC: 22, conditions: "sunny", windKmh: 14 },
  paris: { temperatureC: 17, conditions: "light rain", windKmh: 9 },
  london: { temperatureC: 14, conditions: "overcast", windKmh: 18 },
  "new york": { temperatureC: 19, conditions: "partly cloudy", windKmh: 11 },
  tokyo: { temperatureC: 26, conditions: "humid, scattered clouds", windKmh: 7 },
  sydney: { temperatureC: 24, conditions: "clear", windKmh: 20 },
};

export const KNOWN_CITIES = ["Lisbon", "Paris", "London", "New York", "Tokyo", "Sydney"];

export type ToolOutcome =
  | { status: "success"; json: Record<string, unknown> }
  | { status: "error"; text: string };

/** Runs get_weather on the arguments the model sent; bad or unknown input becomes an error result. */
export function getWeather(args: unknown): ToolOutcome {
  const city = (args as { city?: unknown } | undefined)?.city;
  if (typeof city !== "string" || city.trim() === "") {
    return { status: "error", text: 'expected {"city": "<name>"}' };
  }
  const weather = TABLE[city.trim().toLowerCase()];
  if (!weather) {
    return { status: "error", text: `no weather data for ${city}; try one of ${KNOWN_CITIES.join(", ")}` };
  }
  return { status: "success", json: { city: city.trim(), ...weather } };
}
