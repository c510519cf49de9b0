import { rhythmPng } from "./chart";
import type { ChartRequest } from "./chart-apart";

/**
 * The child process that draws one chart (see chart-apart.ts): the request as JSON on standard input,
 * the PNG on standard output, nothing else.
 */
let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const { points, words, locale } = JSON.parse(input) as ChartRequest;
process.stdout.write(await rhythmPng(points, words, locale));
