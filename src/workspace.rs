//! `Workspace`: the one owner of state — the loaded data, the rules, the
//! latest analysis and a streaming load in progress. The JS `Workspace` is a
//! thin wrapper of this type; everything here is plain Rust and tested natively.

use crate::analytics::condition::Expr;
use crate::analytics::predict::{Prediction, PredictionSummary, predict};
use crate::analytics::query::{MemberRow, MembersPage, MembersQuery, View, member};
use crate::analytics::{Analysis, RfmColumns, Summary, analyze, parse_as_of, rfm};
use crate::demo::{DemoOptions, generate};
use crate::error::{ErrorKind, Result};
use crate::export::{ExportOptions, members_csv};
use crate::ingest::{ImportReport, Ingest, Kind, LoadOptions, Loaded, Table, read, read_from};
use crate::loyalty::campaign::{CampaignOptions, CampaignSummary, Uplift, UpliftOptions, plan, uplift};
use crate::loyalty::coupons::{
    self, CouponStats, Eligibility, EligibilityOptions, RemindersPage, RemindersQuery, StatsQuery, TemplateInfo,
};
use crate::loyalty::playbook::{Offer, Playbook};
use crate::loyalty::points::book::{Difference, Expiring, Page};
use crate::loyalty::points::{Book, MemberLedger, PageQuery, PointsSummary, member_ledger};
use crate::model::Dataset;
use crate::rules::Rules;
use std::borrow::Cow;
use std::cell::OnceCell;

/// Loaded data, rules and the latest analysis.
#[derive(Default)]
pub struct Workspace {
    data: Dataset,
    rules: Rules,
    analysis: Option<Analysis>,
    /// The latest prediction; belongs to the latest analysis.
    prediction: Option<Prediction>,
    /// The points book as of the latest analysis, made when first asked for.
    points: OnceCell<Book>,
    loading: Option<Ingest>,
}

impl Workspace {
    /// An empty workspace with the default rules.
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// Read a whole file; replaces earlier data of the same kind.
    pub fn load(&mut self, kind: Kind, bytes: &[u8], options: &LoadOptions) -> Result<ImportReport> {
        let loaded = read(kind, bytes, options)?;
        Ok(self.keep(loaded))
    }

    /// [`Workspace::load`] of a file of `len` bytes held elsewhere (a JS
    /// array), copied in `chunk` bytes at a time by `fill(offset, buf)`.
    pub fn load_from(
        &mut self,
        kind: Kind,
        len: usize,
        options: &LoadOptions,
        chunk: usize,
        fill: impl FnMut(usize, &mut [u8]),
    ) -> Result<ImportReport> {
        let loaded = read_from(kind, len, options, chunk, fill)?;
        Ok(self.keep(loaded))
    }

    /// Start a streaming load.
    pub fn begin_load(&mut self, kind: Kind, options: LoadOptions) -> Result<()> {
        if self.loading.is_some() {
            return Err(ErrorKind::LoadInProgress.into());
        }
        self.loading = Some(Ingest::new(kind, options)?);
        Ok(())
    }

    /// Feed a chunk; returns the data rows read so far. An error ends the load.
    pub fn push(&mut self, chunk: &[u8]) -> Result<u64> {
        let ingest = self.loading.as_mut().ok_or(ErrorKind::NoLoadInProgress)?;
        match ingest.push(chunk) {
            Ok(()) => Ok(ingest.rows_read()),
            Err(e) => {
                self.loading = None;
                Err(e)
            }
        }
    }

    /// Abandon the streaming load (e.g. the user cancelled, or reading the
    /// file failed): nothing of it is kept and the earlier data stays.
    /// Returns whether a load was open.
    pub fn cancel_load(&mut self) -> bool {
        self.loading.take().is_some()
    }

    /// End the streaming load and keep its table.
    pub fn finish_load(&mut self) -> Result<ImportReport> {
        let ingest = self.loading.take().ok_or(ErrorKind::NoLoadInProgress)?;
        let loaded = ingest.finish()?;
        Ok(self.keep(loaded))
    }

    fn keep(&mut self, loaded: Loaded) -> ImportReport {
        match loaded.table {
            Table::Orders(o) => self.data.orders = Some(*o),
            Table::Members(m) => self.data.members = Some(*m),
            Table::OrderLines(l) => self.data.order_lines = Some(*l),
            Table::Events(e) => self.data.events = Some(*e),
        }
        self.forget_results();
        loaded.report
    }

    /// Drop everything computed from the data and the rules (they changed).
    fn forget_results(&mut self) {
        self.analysis = None;
        self.prediction = None;
        self.points = OnceCell::new();
    }

    /// Load the embedded demo store (orders, members, order lines, events);
    /// returns the four import reports in that order.
    pub fn load_demo(
        &mut self,
        options: &DemoOptions,
    ) -> Result<(ImportReport, ImportReport, ImportReport, ImportReport)> {
        let files = generate(options);
        let named = |name: &str| LoadOptions { file_name: Some(name.into()), ..Default::default() };
        Ok((
            self.load(Kind::Orders, &files.orders, &named("demo-orders.csv"))?,
            self.load(Kind::Members, &files.members, &named("demo-members.csv"))?,
            self.load(Kind::OrderLines, &files.order_lines, &named("demo-order-lines.csv"))?,
            self.load(Kind::Events, &files.events, &named("demo-events.csv"))?,
        ))
    }

    /// Replace the rules (JSON; missing fields take defaults).
    pub fn set_rules(&mut self, json: &str) -> Result<()> {
        self.rules = Rules::from_json(json)?;
        self.forget_results();
        Ok(())
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Analyse the data as of `as_of` (`YYYY-MM-DD`; default: the day after the latest record).
    pub fn analyze(&mut self, as_of: Option<&str>) -> Result<&Summary> {
        let as_of = as_of.map(parse_as_of).transpose()?;
        self.prediction = None;
        self.points = OnceCell::new();
        let analysis = self.analysis.insert(analyze(&self.data, &self.rules, as_of)?);
        Ok(&analysis.summary)
    }

    /// RFM alone, by member index, as of `as_of` (default: the latest
    /// analysis's date, else the day after the latest record): the member
    /// rows' R, F, M and scores without running the other modules, so it
    /// needs no [`Workspace::analyze`] and is the fastest way from a file
    /// to RFM.
    pub fn rfm(&self, as_of: Option<&str>) -> Result<RfmColumns> {
        let as_of = match as_of {
            Some(day) => Some(parse_as_of(day)?),
            None => self.analysis.as_ref().map(|a| a.as_of),
        };
        rfm(&self.data, &self.rules, as_of)
    }

    /// Fit the predictive models as of the latest analysis and forecast
    /// every member; member rows then carry their forecasts.
    pub fn predict(&mut self) -> Result<&PredictionSummary> {
        let analysis = self.analysis.as_ref().ok_or(ErrorKind::NotAnalyzed)?;
        let prediction = self.prediction.insert(predict(&self.data, analysis, &self.rules.prediction)?);
        Ok(&prediction.summary)
    }

    /// The loaded data.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The latest prediction, if `predict` ran since the last analysis.
    pub fn prediction(&self) -> Option<&Prediction> {
        self.prediction.as_ref()
    }

    /// The latest analysis.
    pub fn analysis(&self) -> Result<&Analysis> {
        self.analysis.as_ref().ok_or_else(|| ErrorKind::NotAnalyzed.into())
    }

    /// What queries read; the points book only when one of the `crowds`
    /// (condition-language texts) reads a ledger field (it replays every
    /// member's ledger the first time).
    fn view<'a>(&self, crowds: impl IntoIterator<Item = &'a str>) -> Result<View<'_>> {
        let points = match crowds.into_iter().any(Expr::reads_ledger) {
            true => Some(self.book()?),
            false => None,
        };
        Ok(View {
            analysis: self.analysis()?,
            prediction: self.prediction.as_ref(),
            data: &self.data,
            levels: &self.rules.levels.levels,
            points,
        })
    }

    /// What the playbook reads: every offer's audience and the campaign's crowd.
    fn playbook_view(&self, crowd: Option<&str>) -> Result<View<'_>> {
        self.view(self.rules.playbook.offers.iter().map(|o| o.audience.as_str()).chain(crowd))
    }

    /// What the coupon rules read: every template's audience crowd.
    fn coupons_view(&self) -> Result<View<'_>> {
        self.view(self.rules.coupons.templates.iter().filter_map(|t| t.audience.crowd.as_deref()))
    }

    /// A page of member rows.
    pub fn members(&self, query: &MembersQuery) -> Result<MembersPage> {
        query.page(&self.view(query.crowd.as_deref())?)
    }

    /// One member's row.
    pub fn member(&self, id: &str) -> Result<MemberRow> {
        member(&self.view(None)?, id)
    }

    /// The member list as CSV bytes (UTF-8 with BOM).
    pub fn export_members(&self, options: &ExportOptions) -> Result<Vec<u8>> {
        members_csv(&self.view(options.crowd.as_deref())?, options)
    }

    /// The points book as of the latest analysis.
    fn book(&self) -> Result<&Book> {
        let analysis = self.analysis()?;
        if let Some(book) = &analysis.points {
            return Ok(book);
        }
        Ok(self.points.get_or_init(|| Book::new(&self.data, analysis, &self.rules, analysis.as_of)))
    }

    /// The points book as of `as_of` (default and same day: the latest analysis').
    fn book_at(&self, as_of: Option<&str>) -> Result<Cow<'_, Book>> {
        let analysis = self.analysis()?;
        match as_of.map(parse_as_of).transpose()? {
            Some(day) if day != analysis.as_of => Ok(Cow::Owned(Book::new(&self.data, analysis, &self.rules, day))),
            _ => Ok(Cow::Borrowed(self.book()?)),
        }
    }

    /// The store's points as of `as_of` (default: the analysis date):
    /// liability, expiring soon, the expiry schedule and the reconcile counts.
    pub fn points(&self, as_of: Option<&str>) -> Result<PointsSummary> {
        Ok(self.book_at(as_of)?.summary(&self.data, self.analysis()?))
    }

    /// One member's points ledger, line by line, as of `as_of`.
    pub fn points_ledger(&self, id: &str, as_of: Option<&str>) -> Result<MemberLedger> {
        let analysis = self.analysis()?;
        let day = as_of.map(parse_as_of).transpose()?.unwrap_or(analysis.as_of);
        member_ledger(&self.data, analysis, &self.rules, day, id)
    }

    /// The members whose imported balance differs from the ledger, a page.
    pub fn points_reconcile(&self, query: &PageQuery) -> Result<Page<Difference>> {
        Ok(self.book_at(query.as_of.as_deref())?.reconcile(&self.data, self.analysis()?, query))
    }

    /// The members with points expiring within `points.expiringWithinDays`, a page.
    pub fn points_expiring(&self, query: &PageQuery) -> Result<Page<Expiring>> {
        Ok(self.book_at(query.as_of.as_deref())?.expiring(&self.data, self.analysis()?, query))
    }

    /// A member's ranked offers from the playbook, to send on the analysis date.
    pub fn offers(&self, id: &str) -> Result<Vec<Offer>> {
        let view = self.playbook_view(None)?;
        let m = view.analysis.find(id).ok_or_else(|| ErrorKind::UnknownMember(id.to_string()))?;
        let playbook = Playbook::new(view, &self.rules)?;
        Ok(playbook.offers(m, view.analysis.as_of))
    }

    /// Plan a campaign: counts, cost, per-offer counts and a page of rows.
    pub fn plan_campaign(&self, options: &CampaignOptions) -> Result<CampaignSummary> {
        let playbook = Playbook::new(self.playbook_view(options.crowd.as_deref())?, &self.rules)?;
        Ok(plan(&playbook, options)?.summary(&playbook, options))
    }

    /// A campaign's send list (or holdout list) as CSV bytes (UTF-8 with BOM).
    pub fn export_campaign(&self, options: &CampaignOptions) -> Result<Vec<u8>> {
        let playbook = Playbook::new(self.playbook_view(options.crowd.as_deref())?, &self.rules)?;
        plan(&playbook, options)?.csv(&playbook, options)
    }

    /// Treated against holdout on the orders loaded, after a campaign's send date.
    pub fn campaign_uplift(&self, options: &UpliftOptions) -> Result<Uplift> {
        uplift(&self.data, options)
    }

    /// The coupon templates of the rules, with their descriptions.
    pub fn coupon_templates(&self) -> Vec<TemplateInfo> {
        coupons::templates(&self.rules.coupons)
    }

    /// Whether a member may receive a coupon, with every failing rule and its reason.
    pub fn coupon_eligibility(&self, member: &str, coupon: &str, options: &EligibilityOptions) -> Result<Eligibility> {
        coupons::eligibility(&self.coupons_view()?, &self.rules.coupons, member, coupon, options)
    }

    /// The coupons to remind members of (issued, not used, expiring soon), paged.
    pub fn coupon_reminders(&self, query: &RemindersQuery) -> Result<RemindersPage> {
        coupons::reminders(&self.coupons_view()?, &self.rules.coupons, query)
    }

    /// Issue and use rates by coupon and by segment.
    pub fn coupon_stats(&self, query: &StatsQuery) -> Result<CouponStats> {
        coupons::stats(&self.coupons_view()?, &self.rules.coupons, query)
    }
}
