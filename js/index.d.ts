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
export type DatasetKind = "orders" | "members" | "order_lines" | "events";

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
  /**
   * The worksheet of an Excel .xlsx workbook to read; default: the first
   * visible one. Ignored for text files. (The mini-program build reads no .xlsx.)
   */
  sheet?: string;
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
  /** "UTF-8", "UTF-8 (BOM)", "GBK/GB18030", "UTF-16LE", "UTF-16BE" or "Excel .xlsx". */
  encoding: string;
  /** "," "\t" ";" or "|"; "" for a workbook. */
  delimiter: string;
  /** The worksheet read from an Excel workbook; null for a text file. */
  sheet: string | null;
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
  /** Member levels by growth value; downgrades only at the yearly review. */
  levels: {
    levels: { key: string; name: string; nameEn: string; growth: number; discountRate: number;
              pointsMultiplier: number; freeDelivery: boolean; birthdayGift: boolean; exclusiveService: boolean }[];
    reviewMonth: number; reviewDay: number;
    /** Growth value per sign-in, review, share and referral event. */
    signInBonus: number; reviewBonus: number; shareBonus: number; referralBonus: number;
  };
  /** Thresholds of the behaviour tags (README "The rules document"). */
  tags: {
    minPurchases: number; discountedShare: number; stockpilerMaxPurchases: number; highAovRatio: number;
    campaignShare: number; minActivities: number; cartAddsPerPurchase: number; afterContentShare: number;
    giftPurchases: number;
  };
  timing: { minPurchases: number; minClicks: number };
  retention: { retentionDays: number; cohortWeeks: number };
  community: { groupSize: number; vipMinOrders: number; vipWindowDays: number };
  /** Lifecycle windows in days; the churn line is valueGroups.churnDays. */
  lifecycle: { newDays: number; activeDays: number; periodDays: number };
  /** Predictive value (BG/NBD + Gamma-Gamma). */
  prediction: {
    timeUnitDays: number; atRiskBelow: number; clvHorizonDays: number;
    annualDiscountRate: number; holdoutDays: number;
  };
}

export type RfmClass =
  | "important_value" | "important_develop" | "important_keep" | "important_win_back"
  | "general_value" | "general_develop" | "general_keep" | "general_win_back";
export type ValueGroup = "value" | "potential" | "stable" | "churned";
/** Seed 001's four grades: 核心 core, 重要 important, 潜在 potential, 普通 ordinary. */
export type Grade = "core" | "important" | "potential" | "ordinary";
/** 潜在 prospect, 新客 new, 活跃 active, 沉睡 dormant, 流失 churned (DOMAIN §4). */
export type Lifecycle = "prospect" | "new" | "active" | "dormant" | "churned";

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
  lifecycle: Count[];
  /** The rules' member levels, lowest first. */
  levels: Count[];
  /** Members per behaviour tag (key = tag key). */
  tags: Count[];
  /** Start of the period lifecycleMoves counts over. */
  lifecycleSince: string;
  /** Members per (stage then → stage now); from null = joined during the period. */
  lifecycleMoves: { from: Lifecycle | null; to: Lifecycle; members: number }[];
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
  lifecycle: Lifecycle | null;
  /** Member level key (rules.levels.levels[].key). */
  level: string;
  /** Growth value (成长值): whole yuan paid in the last 365 days. */
  growth: number;
  /** Growth value still needed for the next level; null at the top. */
  toNextLevel: number | null;
  /** Best time slot to reach the member (a key of insights().goldenHours.slots). */
  bestSlot: string | null;
  /** True when bestSlot is the store's (the member has too few purchases of their own). */
  bestSlotIsStore: boolean;
  /** Where most of the member's purchases were made. */
  homeStore: string | null;
  /** Base community group number within the home store. */
  baseGroup: number | null;
  /** A VIP now (rules.community). */
  vip: boolean;
  /** Behaviour tags that fired, each with its evidence (value vs threshold) and levers. */
  tags: {
    tag: string; family: string; label: string; labelEn: string;
    evidence: { metric: string; value: number; threshold: number; op: ">=" | "<=" }[];
    levers: string[];
  }[];
  /** After predict(): probability the member is still a customer (0..1). */
  probabilityAlive: number | null;
  /** After predict(): expected purchase days in the next 30 days. */
  expectedPurchases30: number | null;
  /** After predict(): expected spend over the rules' horizon, discounted, fen. */
  clvFen: number | null;
  /** After predict(): expected date of the next order; null when unlikely ever. */
  nextOrderDate: string | null;
  /** After predict(): (1 − P(alive)) × M, the window's spend at risk, fen. */
  valueAtRiskFen: number | null;
  /** After predict(): P(alive) below rules.prediction.atRiskBelow. */
  atRisk: boolean;
}

export interface MembersQuery {
  valueGroup?: ValueGroup; rfmClass?: RfmClass; grade?: Grade; lifecycle?: Lifecycle;
  /** A level key of the rules. */
  level?: string;
  /** A crowd: an expression of the condition language (README "Crowds"),
   *  e.g. `lifecycle = "dormant" and mScore >= 4`. Errors name the position. */
  crowd?: string;
  /** Substring of member id or name. */
  search?: string;
  /** Only members at risk (needs predict()). */
  atRisk?: boolean;
  /** Only VIPs (true) or only non-VIPs (false). */
  vip?: boolean;
  /** "<key>_<asc|desc>", key one of id r f m aov maxOrder lastPurchase clv probabilityAlive valueAtRisk;
   *  default "m_desc". */
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

/** Why a forecast comes from a fallback: what data is missing. */
export interface Fallback { method: string; code: string; message: string; }
export interface Expectation { days: number; orders: number; revenueFen: number; }

/** What predict() tells the store (BG/NBD + Gamma-Gamma fitted up to asOf). */
export interface PredictionSummary {
  asOf: string;
  timeUnitDays: number;
  parameters: {
    purchasesMethod: "bg_nbd" | "shrunk_bg_nbd" | "store_average";
    spendMethod: "gamma_gamma" | "shrunk_gamma_gamma" | "store_average";
    /** r, alpha, a, b */
    bgNbd: [number, number, number, number] | null;
    /** p, q, gamma (fen) */
    gammaGamma: [number, number, number] | null;
    logLikelihood: number | null;
    converged: boolean | null;
  };
  store: {
    customers: number;
    /** orders = expected purchase days of existing members. */
    next30Days: Expectation; next90Days: Expectation;
    fallback: boolean; purchasesFallback: Fallback | null; spendFallback: Fallback | null;
  };
  atRiskMembers: number;
  valueAtRiskFen: number;
  totalClvFen: number;
  /** Mean P(alive) by frequency band (repeat purchase days) × recency band (days since last purchase). */
  heatmap: { frequency: string; recency: string; members: number; meanProbabilityAlive: number | null }[];
  clvHistogram: { fromFen: number; toFen: number | null; members: number; clvFen: number }[];
  /** The model refitted without the last holdoutDays, against what happened; null when too little data. */
  validation: { label: string; customers: number; actualMean: number; predictedMean: number;
                actualTotal: number; predictedTotal: number }[] | null;
  holdoutDays: number;
}

export interface DemoOptions { seed?: number; members?: number; orders?: number; }

/** Errors thrown by the API are real `Error`s carrying a stable `code`. */
export interface AnalyticsError extends Error {
  code: "EMPTY_FILE" | "BINARY_FILE" | "UNSUPPORTED_FORMAT" | "BAD_WORKBOOK" | "MISSING_COLUMN" | "BAD_MAPPING"
      | "BAD_OPTIONS" | "INVALID_RULES" | "NO_DATA" | "NOT_ANALYZED" | "UNKNOWN_MEMBER" | "LOAD_IN_PROGRESS"
      | "NO_LOAD_IN_PROGRESS" | "NO_CUSTOMERS" | "NO_VARIATION" | "BAD_SUMMARY";
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
  loadDemo(options?: DemoOptions): { orders: ImportReport; members: ImportReport; orderLines: ImportReport; events: ImportReport };
  /** Replace the rules; a JSON string or an object. Missing fields take defaults. */
  setRules(rules: string | Partial<Rules>): void;
  rules(): Rules;
  static defaultRules(): Rules;
  /** asOf defaults to the day after the latest record. */
  analyze(options?: { asOf?: string }): Summary;
  /** Golden hours (weekday × 11 slots), new-member retention by weekly cohort, repurchase,
   *  community groups (split at rules.community.groupSize) and the monthly VIP review. */
  insights(): {
    goldenHours: { slots: { key: string; label: string; labelEn: string }[];
                   purchases: number[][]; clicks: number[][]; bestSlot: string | null };
    retention: { weekStart: string; week: string; members: number; retained: number; pending: number;
                 rate: number; complete: boolean }[];
    repurchase: { buyers: number; repeatBuyers: number; rate: number };
    baseGroups: { store: string; number: number; members: number }[];
    vipGroups: { store: string; number: number; members: number }[];
    vipMembers: number;
    vipReview: { stays: number; joins: number; leaves: number };
    /** Key path over the window: reached → visited → picked → bought → bought_again;
     *  rate = share of the previous stage. */
    funnel: { key: string; label: string; labelEn: string; members: number; rate: number }[];
    /** The stage with the lowest conversion (断点) to fix first. */
    breakpoint: string | null;
  };
  /** Fit the predictive models as of the latest analysis; member rows then carry forecasts.
   *  Thin data gets a flagged fallback (store.fallback, with the reason); analyze() discards it. */
  predict(): PredictionSummary;
  members(query?: MembersQuery): MembersPage;
  member(id: string): MemberRow;
  /** Per-member RFM as typed arrays by member index (0 where no purchase in the window);
   *  `scores` interleaves the R, F and M scores. For bulk use: no per-member objects. */
  rfmColumns(): { ids: string[]; r: Uint32Array; f: Uint32Array; mFen: Float64Array; scores: Uint8Array };
  /** UTF-8 CSV with BOM. */
  exportMembers(options?: ExportOptions): Uint8Array;
  /** A fair draw. Without `seed` (64 hex digits) a secure random one is used; the result always
   *  carries the seed so anyone can re-check it (ChaCha20 stream, README "Fair draws"). */
  static draw(request:
    | { kind: "lottery"; entrants: string[]; winners: number; seed?: string }
    | { kind: "firstN"; requests: [string, number][]; n: number; seed?: string }
  ): { seed: string; entrantCount: number; entrantsDigest: string; winners: string[] };
  static draw(request: { kind: "redPackets"; totalFen: number; count: number; minFen?: number; seed?: string }):
    { seed: string; packetsFen: number[] };
  /** The crowds that ship built in; pass `expr` as `members({ crowd: expr })`. */
  static recommendedCrowds(): { key: string; name: string; nameEn: string; expr: string }[];
  /** The fields the crowd language knows, with their meaning. */
  static crowdFields(): { name: string; meaning: string }[];
  /** The demo store's files as bytes (UTF-8 CSV), e.g. to write a large test file. */
  static demoFiles(options?: DemoOptions): { orders: Uint8Array; members: Uint8Array; orderLines: Uint8Array; events: Uint8Array };
}

/** Web entry only: instantiate the module from bytes, a Response, a WebAssembly.Module or a URL.
 * Idempotent: later calls return the first call's promise. Nothing is fetched unless you pass a URL. */
export default function init(source: BufferSource | Response | WebAssembly.Module | URL | string): Promise<void>;
