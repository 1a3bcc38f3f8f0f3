// The dashboard's two languages and the number formats. 中文 is the default;
// the choice persists in localStorage.

const STORAGE_KEY = "member-analytics.lang";

const DICT = {
    zh: {
        appTitle: "会员分析",
        privacy: "数据只在本机浏览器中计算，不会上传",
        switchLang: "English",
        reloadDemo: "重新载入演示数据",
        sourceDemo: "演示门店",
        sourceFiles: "已导入：{files}",
        asOf: "分析日期 {date}",
        window: "统计窗口 {start} 至 {end}",
        dropTitle: "导入门店导出的文件",
        dropHint: "把订单或会员文件（CSV / TSV，UTF-8、GBK 或 UTF-16）拖到这里，或",
        chooseFile: "选择文件",
        kindLabel: "文件类型",
        kindAuto: "按文件名判断",
        kindOrders: "订单文件",
        kindMembers: "会员文件",
        loadingDemo: "正在载入演示数据…",
        reading: "正在读取 {file}",
        progress: "{pct}% · {rows} 行 · {rate} 行/秒",
        analyzing: "正在分析…",
        loaded: "已导入 {file}：读取 {read} 行，使用 {used} 行，拒绝 {rejected} 行。",
        seeReport: "查看导入报告",
        kpiMembers: "会员数",
        kpiMembersSub: "其中未消费 {n} 人",
        kpiBuyers: "窗口内购买会员",
        kpiBuyersSub: "{n} 笔订单",
        kpiRevenue: "营收",
        kpiRevenueSub: "窗口内实付，已扣除退款",
        kpiAov: "客单价",
        kpiAovSub: "营收 ÷ 订单数",
        kpiRepurchase: "复购率",
        kpiTop20: "前 20% 会员贡献 {pct} 营收",
        chartClasses: "RFM 八类客户",
        chartGroups: "价值分组",
        chartGrades: "会员等级",
        chartHint: "点击图形可筛选会员",
        lifecycleTitle: "会员生命周期",
        chartLifecycle: "各阶段会员数",
        movesTitle: "{since} 至今的阶段变化",
        movesHint: "行 = 当时的阶段，列 = 现在的阶段",
        movesCorner: "当时 ＼ 现在",
        movesJoined: "期间新加入",
        move_slipping: "活跃转沉睡 {n} 人",
        move_lost: "沉睡转流失 {n} 人",
        move_wonBack: "召回 {n} 人（沉睡 / 流失 → 活跃）",
        members: "会员",
        revenue: "营收",
        tableTitle: "会员列表",
        search: "搜索会员ID或姓名",
        allGroups: "全部价值分组",
        allClasses: "全部 RFM 类别",
        allGrades: "全部等级",
        allLifecycle: "全部生命周期",
        clearFilters: "清除筛选",
        pageSize: "每页",
        total: "共 {n} 位会员",
        exportCsv: "导出 CSV",
        exporting: "正在导出…",
        colId: "会员ID",
        colName: "姓名",
        colPhone: "手机号",
        colR: "R 距今天数",
        colF: "F 次数",
        colM: "M 金额",
        colAov: "客单价",
        colMax: "最大单笔",
        colLast: "最近消费",
        colScores: "R/F/M 分",
        colClass: "RFM 类别",
        colGroup: "价值分组",
        colGrade: "等级",
        colLifecycle: "生命周期",
        noRows: "没有符合条件的会员",
        prev: "上一页",
        next: "下一页",
        pageOf: "第 {page} / {pages} 页",
        detailTitle: "会员详情",
        registeredAt: "注册时间",
        firstPurchase: "首次消费",
        close: "关闭",
        predTitle: "预测与流失预警",
        predModel: "模型：{purchases} + {spend}",
        predExplain:
            "存活概率 = 这位会员仍是本店顾客的可能性；CLV（顾客价值）= 预计未来一年在本店的消费（已折现）；风险金额 = 近期消费 × (1 − 存活概率)。预计订单按购买日计，同一天多笔只算一次。",
        predFallback: "数据还不够多，预测使用了简化模型，仅供参考：",
        method_bg_nbd: "BG/NBD",
        method_shrunk_bg_nbd: "BG/NBD（收缩估计）",
        method_gamma_gamma: "Gamma-Gamma",
        method_shrunk_gamma_gamma: "Gamma-Gamma（收缩估计）",
        method_store_average: "门店平均",
        kpiNext30: "未来 30 天预计订单",
        kpiNext90: "未来 90 天预计订单",
        kpiNextSub: "预计营收 {money}",
        kpiAtRisk: "流失预警会员",
        kpiAtRiskSub: "占 {n} 位顾客的 {pct}",
        kpiValueAtRisk: "风险金额",
        kpiValueAtRiskSub: "预警会员的近期消费可能流失",
        kpiClv: "一年顾客价值 (CLV) 合计",
        kpiClvSub: "全部顾客未来一年预计消费，已折现",
        chartHeatmap: "存活概率：距上次购买 × 复购天数",
        heatRecency: "距上次购买（天）",
        heatFrequency: "复购天数",
        heatmapNote:
            "复购天数为 0 的会员一律显示 100%：BG/NBD 模型只在有过复购之后才会让会员“离开”。只买过一次的会员，请按生命周期（沉睡 / 流失）判断。",
        probabilityAlive: "平均存活概率",
        chartClv: "顾客价值 (CLV) 分布",
        clvTotal: "CLV 合计",
        chartValidation: "模型验证：最近 {holdoutDays} 天",
        validationSub: "合计：实际 {actual} 次，预测 {predicted} 次（{n} 位顾客）",
        validationAxis: "此前购买天数",
        validationNone: "数据太少，暂时无法做回测验证",
        actualMean: "实际人均购买",
        predictedMean: "预测人均购买",
        atRiskTitle: "流失预警名单",
        atRiskHint: "按风险金额排序的前 {n} 位，值得尽快联系",
        colAlive: "存活概率",
        colValueAtRisk: "风险金额",
        colNextOrder: "预计下次购买",
        colClv: "CLV",
        colExpected30: "30 天预计购买",
        noAtRisk: "目前没有流失预警会员",
        reportTitle: "导入报告",
        datasetOrders: "订单",
        datasetMembers: "会员",
        file: "文件",
        encoding: "编码",
        delimiter: "分隔符",
        rowsRead: "读取行数",
        rowsUsed: "使用行数",
        rowsRejected: "拒绝行数",
        notPurchases: "退款或关闭（不计为消费）",
        membersInFile: "文件中的会员",
        dateRange: "日期范围",
        mapping: "列对应",
        canonical: "字段",
        header: "文件中的列名",
        ignored: "未使用的列",
        none: "无",
        rejectedTitle: "被拒绝的行",
        colRow: "行号",
        colColumn: "列",
        colValue: "值",
        colReason: "原因",
        wholeRow: "整行",
        rejectedCapped: "仅显示前 {shown} 条，共 {total} 条",
        tab: "制表符",
        comma: "逗号",
        semicolon: "分号",
        pipe: "竖线",
        errorTitle: "出错了",
        dismiss: "关闭",
        err_EMPTY_FILE: "文件是空的",
        err_BINARY_FILE: "这不是文本表格文件",
        err_UNSUPPORTED_FORMAT: "暂不支持这种文件格式",
        err_MISSING_COLUMN: "缺少必需的列",
        err_BAD_MAPPING: "列对应设置有误",
        err_BAD_OPTIONS: "参数有误",
        err_INVALID_RULES: "规则设置有误",
        err_NO_DATA: "还没有可分析的数据",
        err_NOT_ANALYZED: "尚未分析",
        err_UNKNOWN_MEMBER: "查无此会员",
        err_LOAD_IN_PROGRESS: "已有文件正在导入",
        err_NO_LOAD_IN_PROGRESS: "没有正在进行的导入",
        err_READ_FAILED: "无法读取文件",
        err_INTERNAL: "内部错误",
        field_member_id: "会员ID",
        field_order_id: "订单号",
        field_paid_at: "支付时间",
        field_amount: "实付金额",
        field_original_amount: "应付金额",
        field_status: "订单状态",
        field_refund_amount: "退款金额",
        field_store: "门店",
        field_channel: "渠道",
        field_phone: "手机号",
        field_name: "姓名",
        field_registered_at: "注册时间",
        field_level: "会员等级",
        field_points: "积分",
    },
    en: {
        appTitle: "Member analytics",
        privacy: "Computed in this browser; your data is never uploaded",
        switchLang: "中文",
        reloadDemo: "Reload demo",
        sourceDemo: "Demo store",
        sourceFiles: "Imported: {files}",
        asOf: "Analysis date {date}",
        window: "Window {start} to {end}",
        dropTitle: "Import your store's export files",
        dropHint: "Drop an orders or members file here (CSV / TSV in UTF-8, GBK or UTF-16), or",
        chooseFile: "choose a file",
        kindLabel: "File type",
        kindAuto: "Guess from name",
        kindOrders: "Orders file",
        kindMembers: "Members file",
        loadingDemo: "Loading the demo store…",
        reading: "Reading {file}",
        progress: "{pct}% · {rows} rows · {rate} rows/s",
        analyzing: "Analysing…",
        loaded: "Imported {file}: {read} rows read, {used} used, {rejected} rejected.",
        seeReport: "See the import report",
        kpiMembers: "Members",
        kpiMembersSub: "{n} never bought",
        kpiBuyers: "Buyers in window",
        kpiBuyersSub: "{n} orders",
        kpiRevenue: "Revenue",
        kpiRevenueSub: "Paid in the window, net of refunds",
        kpiAov: "Average order value",
        kpiAovSub: "Revenue ÷ orders",
        kpiRepurchase: "Repurchase rate",
        kpiTop20: "Top 20% of buyers bring {pct} of revenue",
        chartClasses: "RFM classes",
        chartGroups: "Value groups",
        chartGrades: "Grades",
        chartHint: "Click a segment to filter the members",
        lifecycleTitle: "Member lifecycle",
        chartLifecycle: "Members by stage",
        movesTitle: "Stage changes since {since}",
        movesHint: "Rows: stage then; columns: stage now",
        movesCorner: "Then ＼ now",
        movesJoined: "Joined since",
        move_slipping: "Active → dormant: {n}",
        move_lost: "Dormant → churned: {n}",
        move_wonBack: "Won back: {n} (dormant / churned → active)",
        members: "Members",
        revenue: "Revenue",
        tableTitle: "Members",
        search: "Search member ID or name",
        allGroups: "All value groups",
        allClasses: "All RFM classes",
        allGrades: "All grades",
        allLifecycle: "All lifecycle stages",
        clearFilters: "Clear filters",
        pageSize: "Per page",
        total: "{n} members",
        exportCsv: "Export CSV",
        exporting: "Exporting…",
        colId: "Member ID",
        colName: "Name",
        colPhone: "Phone",
        colR: "R days",
        colF: "F orders",
        colM: "M spend",
        colAov: "AOV",
        colMax: "Largest order",
        colLast: "Last purchase",
        colScores: "R/F/M score",
        colClass: "RFM class",
        colGroup: "Value group",
        colGrade: "Grade",
        colLifecycle: "Lifecycle",
        noRows: "No member matches",
        prev: "Previous",
        next: "Next",
        pageOf: "Page {page} of {pages}",
        detailTitle: "Member",
        registeredAt: "Registered",
        firstPurchase: "First purchase",
        close: "Close",
        predTitle: "Predictions & churn risk",
        predModel: "Model: {purchases} + {spend}",
        predExplain:
            "P(alive) = the probability this member is still a customer; CLV = expected spend over the next year, discounted; value at risk = recent spend × (1 − P(alive)). Expected orders count purchase days: several orders on one day count once.",
        predFallback: "There is not enough data yet, so the forecast uses a simpler model; treat it as a rough guide:",
        method_bg_nbd: "BG/NBD",
        method_shrunk_bg_nbd: "BG/NBD (shrunk)",
        method_gamma_gamma: "Gamma-Gamma",
        method_shrunk_gamma_gamma: "Gamma-Gamma (shrunk)",
        method_store_average: "store average",
        kpiNext30: "Expected orders, next 30 days",
        kpiNext90: "Expected orders, next 90 days",
        kpiNextSub: "Expected revenue {money}",
        kpiAtRisk: "Members at risk",
        kpiAtRiskSub: "{pct} of {n} customers",
        kpiValueAtRisk: "Value at risk",
        kpiValueAtRiskSub: "Recent spend of at-risk members that may be lost",
        kpiClv: "Total CLV, next year",
        kpiClvSub: "Expected spend of all customers, discounted",
        chartHeatmap: "P(alive) by recency × repeat purchases",
        heatRecency: "Days since last purchase",
        heatFrequency: "Repeat purchase days",
        heatmapNote:
            "Members with 0 repeat purchases always show 100%: the BG/NBD model only lets a member “leave” after a repeat purchase. Judge one-time buyers by their lifecycle (dormant / churned) instead.",
        probabilityAlive: "Mean P(alive)",
        chartClv: "CLV distribution",
        clvTotal: "Total CLV",
        chartValidation: "Model check: the last {holdoutDays} days",
        validationSub: "Total: {actual} actual, {predicted} predicted ({n} customers)",
        validationAxis: "Purchase days before",
        validationNone: "Too little data to check the model yet",
        actualMean: "Actual per customer",
        predictedMean: "Predicted per customer",
        atRiskTitle: "At-risk recall list",
        atRiskHint: "Top {n} by value at risk: worth a call soon",
        colAlive: "P(alive)",
        colValueAtRisk: "Value at risk",
        colNextOrder: "Next order",
        colClv: "CLV",
        colExpected30: "Expected purchases, 30 days",
        noAtRisk: "No member is at risk right now",
        reportTitle: "Import report",
        datasetOrders: "Orders",
        datasetMembers: "Members",
        file: "File",
        encoding: "Encoding",
        delimiter: "Delimiter",
        rowsRead: "Rows read",
        rowsUsed: "Rows used",
        rowsRejected: "Rows rejected",
        notPurchases: "Refunded or closed (not purchases)",
        membersInFile: "Members in file",
        dateRange: "Dates",
        mapping: "Columns used",
        canonical: "Field",
        header: "Header in the file",
        ignored: "Ignored columns",
        none: "none",
        rejectedTitle: "Rejected rows",
        colRow: "Row",
        colColumn: "Column",
        colValue: "Value",
        colReason: "Reason",
        wholeRow: "whole row",
        rejectedCapped: "Showing the first {shown} of {total}",
        tab: "tab",
        comma: "comma",
        semicolon: "semicolon",
        pipe: "pipe",
        errorTitle: "Something went wrong",
        dismiss: "Dismiss",
        err_EMPTY_FILE: "The file is empty",
        err_BINARY_FILE: "This is not a text table",
        err_UNSUPPORTED_FORMAT: "This file format is not supported",
        err_MISSING_COLUMN: "A required column is missing",
        err_BAD_MAPPING: "The column mapping is wrong",
        err_BAD_OPTIONS: "Bad options",
        err_INVALID_RULES: "The rules are invalid",
        err_NO_DATA: "There is no data to analyse yet",
        err_NOT_ANALYZED: "Not analysed yet",
        err_UNKNOWN_MEMBER: "Unknown member",
        err_LOAD_IN_PROGRESS: "Another file is being imported",
        err_NO_LOAD_IN_PROGRESS: "No import in progress",
        err_READ_FAILED: "The file could not be read",
        err_INTERNAL: "Internal error",
        field_member_id: "Member ID",
        field_order_id: "Order ID",
        field_paid_at: "Paid at",
        field_amount: "Amount paid",
        field_original_amount: "Original amount",
        field_status: "Status",
        field_refund_amount: "Refund",
        field_store: "Store",
        field_channel: "Channel",
        field_phone: "Phone",
        field_name: "Name",
        field_registered_at: "Registered",
        field_level: "Level",
        field_points: "Points",
    },
};

let lang = readStoredLang();

function readStoredLang() {
    try {
        return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh";
    } catch {
        return "zh";
    }
}

/** The current language: "zh" or "en". */
export function currentLang() {
    return lang;
}

/** Switch language, remember it, and relabel every `[data-i18n]` element. */
export function setLang(next) {
    lang = next === "en" ? "en" : "zh";
    try {
        localStorage.setItem(STORAGE_KEY, lang);
    } catch {
        // Private mode: the choice lasts for this page only.
    }
    applyStaticText();
}

/** `t("total", { n: 3 })` → "共 3 位会员". Unknown keys come back as written. */
export function t(key, params = {}) {
    const text = DICT[lang][key] ?? DICT.zh[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** True when the dictionary has `key` (used for optional labels such as error codes). */
export function has(key) {
    return key in DICT[lang];
}

/** Fill `data-i18n` (text), `data-i18n-placeholder` and `data-i18n-title` attributes. */
export function applyStaticText(root = document) {
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
        el.placeholder = t(el.dataset.i18nPlaceholder);
    }
    for (const el of root.querySelectorAll("[data-i18n-aria]")) {
        el.setAttribute("aria-label", t(el.dataset.i18nAria));
    }
}

/** A `Count`'s label (`label` / `labelEn` from the summary) in the current language. */
export function countLabel(count) {
    return lang === "zh" ? count.label : count.labelEn;
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567". */
export function formatInt(n) {
    return integer.format(n);
}

/** Integer fen → "1,234.50" (exact: no float touches the cents). */
export function formatYuan(fen) {
    const sign = fen < 0 ? "-" : "";
    const abs = Math.abs(fen);
    const yuan = Math.floor(abs / 100);
    const cents = String(abs % 100).padStart(2, "0");
    return `${sign}${integer.format(yuan)}.${cents}`;
}

/** Integer fen → "¥1,234.50"; null → "—". */
export function formatMoney(fen) {
    return fen == null ? "—" : `¥${formatYuan(fen)}`;
}

/** 0.4567 → "45.7%". */
export function formatPercent(ratio) {
    return `${(ratio * 100).toFixed(1)}%`;
}

/** The delimiter as a word: "," → "逗号 ( , )". */
export function delimiterName(d) {
    const names = { ",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe" };
    return names[d] ? `${t(names[d])} ( ${d === "\t" ? "\\t" : d} )` : JSON.stringify(d);
}

/** A canonical field name in the current language, with the canonical name beside it. */
export function fieldName(field) {
    const key = `field_${field}`;
    return has(key) ? `${t(key)} (${field})` : field;
}
