/**
 * member-analytics — member analytics computed on the device.
 *
 * The same API is exported by the three entries of the package:
 *   - web:          `import init, { Workspace } from "member-analytics"` then `await init(wasmSource)`
 *   - node:         `const { Workspace } = require("member-analytics")` (ready at once)
 *   - mini-program: `const ma = require("member-analytics"); await ma.init(path)` (after WeChat's
 *     "Build npm"; see miniprogram.d.ts)
 *
 * Money is always integer fen (分) in fields ending in `Fen`; dates are
 * `YYYY-MM-DD` strings (local business dates, no time zone).
 */

/** Which file a `load` call reads. */
export type DatasetKind = "orders" | "members";

/** Options of `load` / `beginLoad`. Every field is optional. */
export interface LoadOptions {
  /** File name shown in the import report and in errors. */
  fileName?: string;
  /** Canonical field -> header exactly as written in the file; overrides the guess. */
  mapping?: Record<string, string>;
  /** Force an encoding ("utf-8", "gbk", "gb18030", "utf-16le", "utf-16be"); default: sniffed. */
  encoding?: string;
  /** Force a delimiter ("," "\t" ";" "|"); default: sniffed from the header line. */
  delimiter?: string;
}

/** One input row that was not used, and why. */
export interface RejectedRow {
  /** Row number as a spreadsheet shows it (the header is row 1). */
  row: number;
  /** Column name as written in the file ("" when the row as a whole is at fault). */
  column: string;
  /** The raw value (truncated to 200 characters). */
  value: string;
  /** Stable machine code of the reason, e.g. "bad_date". */
  code: string;
  reason: string;
  reasonZh: string;
}

export interface ImportReport {
  dataset: DatasetKind;
  fileName: string;
  encoding: string;
  delimiter: string;
  /** canonical field -> header as written */
  mapping: Record<string, string>;
  ignoredColumns: string[];
  rowsRead: number;
  /** rowsUsed + rejected.length === rowsRead, always. */
  rowsUsed: number;
  rejected: RejectedRow[];
  /** Used rows that are not purchases: refunded or closed orders (orders only). */
  notPurchases: number;
  /** Distinct members in the file. */
  members: number;
  /** Earliest and latest date seen in the file, or null. */
  firstDate: string | null;
  lastDate: string | null;
}

/** The rules document: every threshold of the analysis (see README "Rules"). */
export interface Rules {
  rfm: {
    windowDays: number;
    scoring: "quintile" | "thresholds";
    /** Ascending cut points used when scoring = "thresholds". r in days (R <= r[0] scores 5),
     *  f in orders (F >= f[3] scores 5), m in yuan (M >= m[3] scores 5). */
    thresholds: { r: number[]; f: number[]; m: number[] };
  };
  valueGroups: {
    churnDays: number;
    churnRule: "absolute" | "rScore";
    churnMaxRScore: number;
    valueMinFScore: number;
    valueMinMScore: number;
    stableMinFScore: number;
  };
  grades: { coreMinFScore: number; coreMinMScore: number };
}

export type RfmClass =
  | "important_value" | "important_develop" | "important_keep" | "important_win_back"
  | "general_value" | "general_develop" | "general_keep" | "general_win_back";
export type ValueGroup = "value" | "potential" | "stable" | "churned";
/** Seed 001's four grades: 核心 core, 重要 important, 潜在 potential, 普通 ordinary. */
export type Grade = "core" | "important" | "potential" | "ordinary";

export interface Count { key: string; label: string; labelEn: string; members: number; revenueFen: number; }

export interface Summary {
  asOf: string;
  /** First day inside the RFM window (asOf - windowDays). */
  windowStart: string;
  scoring: "quintile" | "thresholds";
  /** Members known from either file. */
  members: number;
  /** Registered, never bought. */
  prospects: number;
  buyersInWindow: number;
  ordersInWindow: number;
  revenueFen: number;
  averageOrderValueFen: number;
  /** Buyers in the window with two or more purchases / buyers in the window (0..1). */
  repurchaseRate: number;
  /** Share of window revenue from the top 20% of buyers (0..1). */
  top20RevenueShare: number;
  means: { r: number; f: number; mFen: number };
  classes: Count[];
  valueGroups: Count[];
  grades: Count[];
}

export interface MemberRow {
  id: string;
  /** Masked: 138****1234 */
  phone: string;
  name: string;
  registeredAt: string | null;
  firstPurchase: string | null;
  lastPurchase: string | null;
  /** null when the member has no purchase in the window. */
  r: number | null; f: number | null; mFen: number | null;
  aovFen: number | null; maxOrderFen: number | null;
  rScore: number | null; fScore: number | null; mScore: number | null;
  rfmClass: RfmClass | null;
  valueGroup: ValueGroup | null;
  grade: Grade;
}

export interface MembersQuery {
  valueGroup?: ValueGroup; rfmClass?: RfmClass; grade?: Grade;
  /** Substring of member id or name. */
  search?: string;
  /** "<key>_<asc|desc>", key one of id r f m aov maxOrder lastPurchase; default "m_desc". */
  sort?: string;
  offset?: number; limit?: number;
}
export interface MembersPage { total: number; offset: number; rows: MemberRow[]; }

export interface ExportOptions extends MembersQuery {
  /** Header and labels language; default "zh". */
  lang?: "zh" | "en";
  /** Default true. */
  maskPhones?: boolean;
}

export interface DemoOptions { seed?: number; members?: number; orders?: number; }

/** Errors thrown by the API are real `Error`s carrying a stable `code`. */
export interface AnalyticsError extends Error {
  code: "EMPTY_FILE" | "BINARY_FILE" | "UNSUPPORTED_FORMAT" | "MISSING_COLUMN" | "BAD_MAPPING"
      | "BAD_OPTIONS" | "INVALID_RULES" | "NO_DATA" | "NOT_ANALYZED" | "UNKNOWN_MEMBER" | "LOAD_IN_PROGRESS"
      | "NO_LOAD_IN_PROGRESS";
  /** Extra context when the error has a position. */
  field?: string; fileName?: string;
}

export class Workspace {
  constructor();
  free(): void;
  /** Read a whole file at once. Replaces any earlier data of that kind. */
  load(kind: DatasetKind, bytes: Uint8Array, options?: LoadOptions): ImportReport;
  /** Streaming load: beginLoad, then push chunks of any size, then finishLoad. */
  beginLoad(kind: DatasetKind, options?: LoadOptions): void;
  /** Returns the number of rows read so far. */
  push(chunk: Uint8Array): number;
  finishLoad(): ImportReport;
  /** Abandon the streaming load; earlier data stays. Returns whether a load was open. */
  cancelLoad(): boolean;
  /** Load the embedded demo store (orders and members). */
  loadDemo(options?: DemoOptions): { orders: ImportReport; members: ImportReport };
  /** Replace the rules; a JSON string or an object. Missing fields take defaults. */
  setRules(rules: string | Partial<Rules>): void;
  rules(): Rules;
  static defaultRules(): Rules;
  /** asOf defaults to the day after the latest record. */
  analyze(options?: { asOf?: string }): Summary;
  members(query?: MembersQuery): MembersPage;
  member(id: string): MemberRow;
  /** Per-member RFM as typed arrays by member index (0 where no purchase in the window);
   *  `scores` interleaves the R, F and M scores. For bulk use: no per-member objects. */
  rfmColumns(): { ids: string[]; r: Uint32Array; f: Uint32Array; mFen: Float64Array; scores: Uint8Array };
  /** UTF-8 CSV with BOM. */
  exportMembers(options?: ExportOptions): Uint8Array;
  /** The demo store's files as bytes (UTF-8 CSV), e.g. to write a large test file. */
  static demoFiles(options?: DemoOptions): { orders: Uint8Array; members: Uint8Array };
}

/** Web entry only: instantiate the module from bytes, a Response, a WebAssembly.Module or a URL.
 * Idempotent: later calls return the first call's promise. Nothing is fetched unless you pass a URL. */
export default function init(source: BufferSource | Response | WebAssembly.Module | URL | string): Promise<void>;
