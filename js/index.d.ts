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
  /**
   * The whole file's size in bytes, when known (`file.size`) for `beginLoad`:
   * the table is sized once for the rows it holds instead of growing as it
   * fills (wasm memory never shrinks). Only a hint; `load` knows it.
   */
  totalBytes?: number;
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
    /** 招徕型's campaign calendar: days "MM-DD" (every year) or "YYYY-MM-DD" (that year), both ends in. */
    campaigns: { name: string; nameEn: string; from: string; to: string }[];
    /** 种草型: a purchase at most this many days after a content touch (message click, KOL activity). */
    contentDays: number;
    /** The store's own tags; `when` in the crowd condition language, checked by setRules
     *  (errors: field "tags.custom[i].when", message "at N: …"). */
    custom: { key: string; name: string; nameEn?: string; when: string }[];
  };
  /** The categories value members buy most: how many to list per group. */
  categories: { top: number };
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
  /** Personalized offers (README "Offers and campaigns"): costs and prices in yuan. */
  playbook: {
    /** Golden-hours slot key used when neither member nor store has a best slot. */
    defaultSlot: string;
    offers: { key: string; name: string; nameEn: string;
              /** Crowd-language expression: who gets it. */
              audience: string;
              /** Templates: {field}, {field|fallback}, {tag.<key>}, {validUntil}. */
              reason?: string; reasonEn?: string;
              channels: Channel[]; cost: number; coupon?: string | null; priority: number;
              validDays?: number | null; validInNewWindow?: boolean }[];
    benefitCards: { key: string; name: string; nameEn: string; price: number; discountRate: number;
                    freeDelivery: number; deliveryChannels: string[]; lookbackDays: number; heldAs: string[];
                    channels: Channel[]; cost: number; priority: number }[];
  };
  /** The points ledger (README "Points"). */
  points: {
    perYuan: number;
    spendBonus: { everyYuan: number; points: number };
    levelMultiplier: boolean;
    categoryMultipliers: { category: string; multiplier: number }[];
    /** weekdays 1 = Monday … 7 = Sunday; daysOfMonth 1–31; the largest matching multiplier applies. */
    memberDays: { name: string; nameEn?: string; weekdays?: number[]; daysOfMonth?: number[]; multiplier: number }[];
    signIn: { points: number; streakDays: number; streakBonus: number };
    tasks: { review: number; share: number; referral: number };
    levelUpGifts: { level: string; points: number }[];
    cashOffset: { pointsPerYuan: number; maxShare: number };
    expiry: { mode: "endOfNextYear" | "rolling"; rollingMonths: number };
    expiringWithinDays: number;
  };
  /** Coupon templates and the reminder message (README "Coupons"). */
  coupons: { templates: CouponTemplate[]; reminderText: string; reminderTextEn: string };
}

export type Channel = "sms" | "mini_program" | "template_message" | "community_group" | "wecom" | "phone";

/** One offer for one member. */
export interface Offer {
  key: string; name: string; nameEn: string;
  /** Why this member, with their numbers. */
  reason: string; reasonEn: string;
  channel: Channel; channelName: string; channelNameEn: string;
  channelSource: "member" | "store" | "playbook";
  /** Golden-hours slot key, e.g. "1830_2030". */
  slot: string; slotSource: "member" | "store" | "playbook";
  /** "YYYY-MM-DD HH:MM": the send date and the slot's start ("before 8:00" sends at 7:00). */
  sendAt: string;
  costFen: number; coupon: string | null; priority: number;
  /** The member's average order less the cost. */
  expectedValueFen: number;
  validUntil: string | null;
}

export interface CampaignOptions {
  /** Required; the holdout hashes it. */
  id: string;
  /** Default: the analysis date. */
  sendDate?: string;
  /** Crowd-language expression; default everyone. */
  crowd?: string;
  /** Allowed offer keys; default every playbook offer. */
  offers?: string[];
  /** Default: no limit. Never exceeded (treated + holdout). */
  budgetFen?: number;
  /** Default 1. */
  perMemberCap?: number;
  /** Default 0.1: FNV-1a 64 + fmix64 of (id, member id) — stable when members come and go. */
  holdoutShare?: number;
  /** planCampaign paging (default 0 and 50). */
  offset?: number; limit?: number;
  /** exportCampaign: "send" (default) or "holdout". */
  list?: "send" | "holdout";
  lang?: "zh" | "en";
  maskPhones?: boolean;
}

export interface CampaignPlan {
  id: string; sendDate: string; holdoutShare: number; perMemberCap: number; budgetFen: number | null;
  crowdMembers: number;
  /** Crowd members with at least one allowed offer. */
  eligible: number;
  /** treated + holdout. */
  targeted: number; treated: number; holdout: number;
  /** Eligible members the budget did not reach. */
  unfunded: number;
  /** Spent on the treated; the holdout's planned cost is withheld. */
  costFen: number; holdoutCostFen: number; remainingFen: number | null;
  perOffer: { key: string; name: string; nameEn: string; treated: number; holdout: number; costFen: number }[];
  /** Rows (member, offer) in rank order, treated and holdout. */
  total: number; offset: number;
  rows: { memberId: string; name: string; phone: string; holdout: boolean; offer: Offer }[];
}

export interface UpliftOutcome {
  members: number; repurchased: number; repurchaseRate: number; spendFen: number; spendPerMemberFen: number;
}

export interface CampaignUplift {
  id: string; sendDate: string; days: number; observedDays: number;
  /** no_data: no order on or after the send date (not enough data). */
  status: "ok" | "partial" | "no_data" | "no_holdout";
  message: string; messageEn: string;
  treated: UpliftOutcome; holdout: UpliftOutcome;
  difference: { repurchaseRate: number; spendPerMemberFen: number } | null;
}

/** Points that expire on one day (the first day they are gone). */
export interface ExpiryBucket { day: string; daysLeft: number; points: number; members: number; valueFen: number; }

/** The store's points as of a date. */
export interface PointsSummary {
  asOf: string;
  expiringWithinDays: number;
  membersWithPoints: number;
  /** Points outstanding (sum of positive balances) and their value at cashOffset.pointsPerYuan. */
  liabilityPoints: number;
  liabilityFen: number;
  earnedPoints: number;
  clawedBackPoints: number;
  spentPoints: number;
  expiredPoints: number;
  expiringMembers: number;
  expiringPoints: number;
  /** The next 12 expiry days with the points held. */
  expirySchedule: ExpiryBucket[];
  /** Members whose burns exceeded their points (balance below 0). */
  overdrawnMembers: number;
  /** Orders whose points paid more than cashOffset.maxShare. */
  overCapOrders: number;
  reconcile: { compared: number; matching: number; differing: number; importedPoints: number; ledgerPoints: number };
}

export type PointsLineKind =
  | "purchase" | "refund" | "sign_in" | "streak_bonus" | "task" | "level_up" | "cash_offset" | "redeem" | "expire";

/** One member's points ledger, oldest line first. */
export interface PointsLedger {
  memberId: string;
  asOf: string;
  balance: number;
  balanceFen: number;
  /** The balance in the members file (积分), if given. */
  imported: number | null;
  expiring: number;
  lots: { earnedOn: string; expiresOn: string; remaining: number }[];
  lines: { day: string; kind: PointsLineKind; points: number; balance: number; reason: string; reasonEn: string }[];
}

/** Paging of the points reports; asOf defaults to the analysis date. */
export interface PointsPageQuery { asOf?: string; offset?: number; limit?: number; }

export interface PointsPage<T> { total: number; offset: number; rows: T[]; }

/** imported − ledger; phone masked. */
export interface PointsDifference { memberId: string; name: string; phone: string; imported: number; ledger: number; difference: number; }

export interface PointsExpiring {
  memberId: string; name: string; phone: string; balance: number;
  expiring: number; expiringFen: number; firstExpiry: string; daysLeft: number;
}

/** The nine kinds of coupon (DOMAIN §9). */
export type CouponKind =
  | "newMember" | "threshold" | "percent" | "freeDelivery" | "gift" | "vipOnly" | "referral" | "recall" | "flashSale";

/** One coupon template of rules.coupons. Amounts in yuan (as the rules write them). */
export interface CouponTemplate {
  key: string; name: string; nameEn: string; kind: CouponKind;
  benefit: { amountOff: number } | { percentOff: number } | "freeDelivery" | { gift: string } | { price: number };
  /** What one coupon costs the store, yuan; default the amount off. */
  faceValue?: number;
  /** Minimum order amount, yuan; default 0. */
  minSpend?: number;
  /** from/to: YYYY-MM-DD, inclusive; days: valid N days counting the issue day. */
  validity: { from?: string; to?: string; days?: number };
  audience?: { lifecycle?: Lifecycle[]; levels?: string[]; valueGroups?: ValueGroup[]; tags?: string[]; crowd?: string };
  perMemberLimit?: number;
  budget?: { count?: number; amount?: number };
  stacksWith?: CouponKind[];
  /** Days before the last valid day to remind; default 1. */
  remindDays?: number;
}

/** A rule that failed in couponEligibility. */
export interface CouponFailure {
  code: "not_yet_valid" | "ended" | "audience_lifecycle" | "audience_level" | "audience_value_group"
      | "audience_tag" | "audience_crowd" | "limit_reached" | "budget_count" | "budget_amount" | "min_spend"
      | "no_stacking";
  /** The template field at fault, e.g. "audience.lifecycle". */
  rule: string;
  reason: string;
  reasonZh: string;
}

export interface CouponEligibility {
  memberId: string; coupon: string; name: string; nameEn: string;
  /** The day checked (YYYY-MM-DD). */
  at: string;
  eligible: boolean;
  /** Every rule that failed. */
  failures: CouponFailure[];
  /** Coupons of this template the member / anyone received on or before `at`. */
  issuedToMember: number; issuedTotal: number;
  /** Last valid day of a coupon issued on `at`. */
  expires: string;
  minSpendFen: number;
}

export interface CouponReminder {
  memberId: string; name: string;
  /** Masked. */
  phone: string;
  coupon: string; couponName: string; couponNameEn: string;
  issuedAt: string; expires: string;
  /** Days from `at` to `expires`; 0 = expires that day. */
  daysLeft: number;
}

export interface CouponSegmentRow {
  key: string; label: string; labelEn: string;
  members: number; membersIssued: number;
  /** membersIssued / members */
  issueRate: number;
  issued: number; used: number;
  /** used / issued */
  useRate: number;
}

export interface CouponStats {
  asOf: string;
  hasCouponEvents: boolean;
  /** The events file has a 优惠券 (coupon) column. */
  hasCouponColumn: boolean;
  /** The coupon the segment tables are about; null = all. */
  coupon: string | null;
  /** Every template, then labels of the events that no template names (kind null). */
  coupons: {
    key: string; name: string; nameEn: string; kind: CouponKind | null;
    issued: number; used: number; membersIssued: number; useRate: number;
    issuedFaceFen: number | null; budgetCount: number | null; budgetFen: number | null;
  }[];
  /** Value groups, then "prospect". */
  byValueGroup: CouponSegmentRow[];
  byLifecycle: CouponSegmentRow[];
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
/** Where a tag comes from: seed 003's rules, the rules' custom tags, or imported (会员标签). */
export type TagSource = "auto" | "custom" | "manual";
export interface TagCount extends Count { source: TagSource; }
/** One number behind a tag: automatic tags give value, threshold and op; custom tags the value of
 *  each field their expression read (number, text, list, or null when the member has none). */
export interface TagEvidence {
  metric: string;
  value: number | string | string[] | null;
  threshold?: number;
  op?: ">=" | "<=";
}
/** The categories one group bought in the window (insights().categories). */
export interface CategoryRow { category: string; spendFen: number; spendShare: number; buyers: number; buyerShare: number; }
export interface CategoryGroup {
  /** "all", or a value group. */
  key: "all" | ValueGroup; label: string; labelEn: string;
  buyers: number; spendFen: number;
  bySpend: CategoryRow[]; byBuyers: CategoryRow[];
}

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
  /** Members per tag: the eleven automatic tags, then the custom tags of the rules, then the
   *  manual tags of the members file (key = the tag's text). */
  tags: TagCount[];
  /** Members per home store (the store of most purchases, else the members file's 所属门店). */
  stores: Count[];
  /** Members per preferred channel. */
  preferredChannels: Count[];
  /** Members per benefit card held (权益卡). */
  benefitCards: Count[];
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
  /** Preferred channel: most message clicks in the window, else the store's best. */
  preferredChannel: string | null;
  /** True when preferredChannel is the store's best (the member has too few clicks of their own). */
  preferredChannelIsStore: boolean;
  /** Where most of the member's purchases were made; else the members file's 所属门店. */
  homeStore: string | null;
  /** Base community group number within the home store. */
  baseGroup: number | null;
  /** A VIP now (rules.community). */
  vip: boolean;
  /** Tags: automatic (evidence = value vs threshold, with levers), then custom (evidence = the
   *  fields read), then manual (imported; no evidence). */
  tags: {
    tag: string; family: string; label: string; labelEn: string; source: TagSource;
    evidence: TagEvidence[];
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
/** `files` (default all four) writes only those: a 5M-order store's lines and events do not fit beside its orders. */
export interface DemoFilesOptions extends DemoOptions { files?: ("orders" | "members" | "orderLines" | "events")[]; }

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
    /** The channel of most message clicks in the window. */
    bestChannel: string | null;
    /** All buyers, then each value group ("value" second): top categories by spend and by buyers. */
    categories: CategoryGroup[];
  };
  /** Fit the predictive models as of the latest analysis; member rows then carry forecasts.
   *  Thin data gets a flagged fallback (store.fallback, with the reason); analyze() discards it. */
  predict(): PredictionSummary;
  members(query?: MembersQuery): MembersPage;
  member(id: string): MemberRow;
  /** RFM alone, as typed arrays by member index (0 where no purchase in the window), without
   *  running the other modules: `analyze` is not needed. `scores` interleaves the R, F and M
   *  scores. `asOf` defaults to the latest analysis's date, else the day after the latest record.
   *  For bulk use: no per-member objects. */
  rfmColumns(options?: { asOf?: string }): {
    asOf: string;
    ids: string[];
    r: Uint32Array;
    f: Uint32Array;
    mFen: Float64Array;
    scores: Uint8Array;
  };
  /** UTF-8 CSV with BOM. */
  exportMembers(options?: ExportOptions): Uint8Array;
  /** A member's ranked offers from the playbook, sent on the analysis date. */
  offers(memberId: string): Offer[];
  /** Plan a campaign within its budget and caps, with a deterministic holdout. */
  planCampaign(options: CampaignOptions): CampaignPlan;
  /** The send list (or `list: "holdout"`) as CSV text starting with a BOM; phones masked. */
  /** UTF-8 CSV with BOM, like exportMembers. */
  exportCampaign(options: CampaignOptions): Uint8Array;
  /** Treated against holdout on the orders from the send date (default 30 days). */
  campaignUplift(options: { id: string; sendDate: string; holdoutShare?: number; members: string[]; days?: number }):
    CampaignUplift;
  /** The coupon templates of the rules in force, with a description (中文, English) and the face value. */
  couponTemplates(): (CouponTemplate & { kindName: string; kindNameEn: string; description: string;
                                         descriptionEn: string; faceValueFen: number | null })[];
  /** Whether a member may receive a coupon on `at` (default the analysis date), with every failing rule
   *  and its reason. `spendFen` checks the minimum spend; `with` (coupon keys) checks stacking. */
  couponEligibility(memberId: string, coupon: string, options?: { at?: string; spendFen?: number; with?: string[] }):
    CouponEligibility;
  /** Coupons issued and not used whose last valid day is within their remindDays of `at`, paged. */
  couponReminders(query?: { at?: string; offset?: number; limit?: number }):
    { at: string; total: number; offset: number; message: string; messageEn: string; rows: CouponReminder[] };
  /** Issue and use rates by coupon, value group and lifecycle; `coupon` limits the segment tables to one. */
  couponStats(query?: { coupon?: string }): CouponStats;
  /** A fair draw. Without `seed` (64 hex digits) a secure random one is used; the result always
   *  carries the seed so anyone can re-check it (ChaCha20 stream, README "Fair draws"). */
  static draw(request:
    | { kind: "lottery"; entrants: string[]; winners: number; seed?: string }
    | { kind: "firstN"; requests: [string, number][]; n: number; seed?: string }
  ): { seed: string; entrantCount: number; entrantsDigest: string; winners: string[] };
  static draw(request: { kind: "redPackets"; totalFen: number; count: number; minFen?: number; seed?: string }):
    { seed: string; packetsFen: number[] };
  /** Check a rules document (object or JSON text) without applying it; throws what
   *  `setRules` would: code `INVALID_RULES` with `field` = the JSON path at fault. */
  static validateRules(rules: object | string): void;
  /** Bytes of wasm memory the module holds; wasm memory never shrinks, so this is its peak. */
  static memoryBytes(): number;
  /** The store's points as of the analysis date (or asOf): liability, expiring soon, reconcile counts. */
  points(options?: { asOf?: string }): PointsSummary;
  /** One member's points ledger line by line (throws UNKNOWN_MEMBER). */
  pointsLedger(memberId: string, options?: { asOf?: string }): PointsLedger;
  /** Members whose imported points balance differs from the ledger, largest difference first. */
  pointsReconcile(query?: PointsPageQuery): PointsPage<PointsDifference>;
  /** Members with points expiring within rules.points.expiringWithinDays, most points first. */
  pointsExpiring(query?: PointsPageQuery): PointsPage<PointsExpiring>;
  /** The crowds that ship built in; pass `expr` as `members({ crowd: expr })`. */
  static recommendedCrowds(): { key: string; name: string; nameEn: string; expr: string }[];
  /** The fields the crowd language knows, with their meaning. */
  static crowdFields(): { name: string; meaning: string }[];
  /** The demo store's files as bytes (UTF-8 CSV), e.g. to write a large test file. */
  static demoFiles(options?: DemoFilesOptions): { orders?: Uint8Array; members?: Uint8Array; orderLines?: Uint8Array; events?: Uint8Array };
}

/** Web entry only: instantiate the module from bytes, a Response, a WebAssembly.Module or a URL.
 * Idempotent: later calls return the first call's promise. Nothing is fetched unless you pass a URL. */
export default function init(source: BufferSource | Response | WebAssembly.Module | URL | string): Promise<void>;
