// Public API of the saju engine: pure functions, no I/O, clock, environment or logging.
export { SAJU_ALGORITHM_VERSION } from './compatibility-rules.js';
export type { BirthCalendar, BirthInput, SolarDateResolution } from './birth-input.js';
export { SajuInputError, resolveSolarDate } from './birth-input.js';
export { lunarToSolar } from './calendar.js';
export type { AmbiguousPillar, Chart, ChartPillars } from './chart.js';
export { computeChart } from './chart.js';
export { chartFromKey, chartKey } from './chart-key.js';
export type { SajuCharacterView, SajuPillarView, SajuView } from './present.js';
export { presentChart } from './present.js';
export type { CompatibilityOptions, CompatibilityResult, CompatibilityRow, CompatibilityView } from './compatibility.js';
export { compatibility } from './compatibility.js';
export { compatibilityScore } from './compatibility-score.js';
