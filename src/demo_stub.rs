//! temporary stub
#![allow(missing_docs)]
#[derive(Default)]
pub struct DemoOptions {
    pub seed: u64,
    pub members: Option<usize>,
    pub orders: Option<usize>,
}
pub struct DemoFiles {
    pub orders: Vec<u8>,
    pub members: Vec<u8>,
}
pub fn generate(_o: &DemoOptions) -> DemoFiles {
    DemoFiles {
        orders: "会员ID,支付时间,实付金额\nM1,2026-10-01,10\n".into(), members: "会员ID\nM1\n".into()
    }
}
