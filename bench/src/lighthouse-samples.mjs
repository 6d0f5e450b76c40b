// Which code runs in each long task of a Lighthouse run, from V8's sampling profiler in the trace —
// the check behind bench:lighthouse's "profiled runs", because Lighthouse's own attribution (the
// first script URL in a task's trace events) misses the widget in two ways seen here:
// - a task that only runs promise continuations or evaluates a dynamically imported module
//   (RunMicrotasks, v8.evaluateModule) names no URL: "Unattributable";
// - with throttling "simulate", Lighthouse wraps window.requestIdleCallback in the page (its
//   wrapRequestIdleCallback shim, so that deadlines match the simulated CPU), so every idle
//   callback's task starts in Lighthouse's own `_lighthouse-eval.js` and is attributed to it.
// The trace category is added to the run (`additionalTraceCategories`); the long tasks are
// computed as the `long-tasks` audit does (main-thread tasks, durations from the same Lantern
// simulation), with Lighthouse 12.2.3's computed artifacts — internal modules of the pinned version.
import { MainThreadTasks } from 'lighthouse/core/computed/main-thread-tasks.js';
import { PageDependencyGraph } from 'lighthouse/core/computed/page-dependency-graph.js';
import { LoadSimulator } from 'lighthouse/core/computed/load-simulator.js';
import { getAttributableURLForTask, getJavaScriptURLs } from 'lighthouse/core/lib/tracehouse/task-summary.js';
import { NetworkRecords } from 'lighthouse/core/computed/network-records.js';

export const PROFILER_CATEGORY = 'disabled-by-default-v8.cpu_profiler';

/** CPU samples of one renderer thread: [traceTimeUs, url of the innermost frame that has one, or a label]. */
function samplesOf(traceEvents, pid, tid) {
  const profile = traceEvents.find((e) => e.name === 'Profile' && e.pid === pid && e.tid === tid);
  if (!profile) return [];
  const nodes = new Map();
  const out = [];
  let time = profile.args?.data?.startTime ?? 0;
  for (const chunk of traceEvents) {
    if (chunk.name !== 'ProfileChunk' || chunk.id !== profile.id || chunk.pid !== pid) continue;
    const cpu = chunk.args?.data?.cpuProfile ?? {};
    for (const node of cpu.nodes ?? []) nodes.set(node.id, node);
    const deltas = chunk.args?.data?.timeDeltas ?? [];
    (cpu.samples ?? []).forEach((id, i) => {
      time += deltas[i] ?? 0;
      out.push([time, id]);
    });
  }
  const labelOf = (id) => {
    // Builtins (Promise.then, JSON.parse…) have no URL: the caller's is the code that ran.
    for (let node = nodes.get(id); node; node = nodes.get(node.parent)) if (node.callFrame?.url) return node.callFrame.url;
    return nodes.get(id)?.callFrame?.functionName || '(unknown)';
  };
  return out.map(([t, id]) => [t, labelOf(id)]);
}

/**
 * The run's long tasks (simulated ≥ 50 ms, as the long-tasks audit counts them), each with
 * Lighthouse's attribution and the share of its CPU samples per script URL.
 * `short(url)` shortens URLs for printing; `ours(url)` says whether a URL is the widget's.
 */
export async function sampledLongTasks(result, { ours, short }) {
  const { artifacts, lhr } = result;
  const trace = artifacts.Trace;
  const devtoolsLog = artifacts.DevtoolsLog;
  const context = { computedCache: new Map(), settings: lhr.configSettings };
  const tasks = await MainThreadTasks.request(trace, context);
  if (!tasks.length) return [];
  const networkRecords = await NetworkRecords.request(devtoolsLog, context);
  const jsURLs = getJavaScriptURLs(networkRecords);
  const graph = await PageDependencyGraph.request({ trace, devtoolsLog, URL: artifacts.URL }, context);
  const simulator = await LoadSimulator.request({ devtoolsLog, settings: lhr.configSettings }, context);
  const simulation = await simulator.simulate(graph, { label: 'bench-long-tasks' });
  const simulated = new Map();
  for (const [node, timing] of simulation.nodeTimings.entries()) if (node.type === 'cpu') simulated.set(node.event, timing.duration);
  const { pid, tid } = tasks[0].event;
  const samples = samplesOf(trace.traceEvents, pid, tid);
  const out = [];
  for (const task of tasks) {
    const duration = simulated.get(task.event) ?? 0;
    if (task.parent || task.unbounded || duration < 50) continue;
    const from = task.event.ts;
    const to = task.event.ts + (task.event.dur ?? 0);
    const byUrl = new Map();
    let busy = 0;
    for (const [t, label] of samples) {
      if (t < from || t > to || label === '(idle)') continue;
      busy++;
      byUrl.set(label, (byUrl.get(label) ?? 0) + 1);
    }
    const oursSamples = [...byUrl].filter(([u]) => ours(u)).reduce((s, [, n]) => s + n, 0);
    out.push({
      duration,
      observedMs: task.duration,
      lighthouseUrl: short(getAttributableURLForTask(task, jsURLs)),
      samples: busy,
      oursShare: busy ? oursSamples / busy : 0,
      // The three biggest shares, e.g. "/widget/threadline-main.js 86 %".
      top: [...byUrl]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([u, n]) => `${short(u)} ${Math.round((100 * n) / busy)} %`),
    });
  }
  return out;
}
